"""Recall: hybrid search over the user's current memories, in the MemOS response shapes.

1. Candidates: dense MiniLM neighbours and BM25 matches (names, numbers and dates that a sentence
   embedding blurs; a user's reply also by the end of the turn it answers, see
   vector_store.keyword_text; a relative time in the query by the date it points at, counted from
   when it was asked), fused by weighted reciprocal rank.
2. Boosts: the conversation the caller names (soft), and graph expansion: memories that share a
   named entity with the best hits gain rank (multi-hop questions join facts through people,
   places and dates).
3. One item per said thing: an item whose source messages are all cited by one better-ranked item
   is dropped (a fact and the raw message it came from, two facts from one message), so the
   limit buys distinct evidence rather than paraphrases, and the reader gets fewer words. When
   two facts of one message both rank, the message is shown instead, once; when two parts of a
   long message rank, they are shown together, as one item, and the best three such items show
   the whole message (pipeline.message_parts). Only when a short history runs out of distinct
   things does the room left go to the raw messages held back that say more than the facts shown.
4. Preferences are context for the answer, not search results: only those that bear on the query
   are returned, however many the caller allows: close to it (less close for a request for advice),
   its best keyword match, or on the topic it names ("Suggest a dinner recipe": the food dislikes);
   see pipeline.preference_relevance.
5. Time: a question about the past also sees superseded memories (marked archived); for one about
   now, the user's later word on what a better-ranked item says goes just above it (for the
   asker's own state, "How much do I pay in rent?", a later word about as close to the question).
6. Who said it and what it says (pipeline.recall_weights): the other party's content-free
   messages ("Congratulations!") and a message that only asks the other party something ("How did
   it make you feel?") count half, and for a question about the asker's own life ("How many
   doctors did I visit?") every fact and message only the other party said does: the asker told
   it, the assistant's advice only shares its words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pipeline import recall_weights as weights
from pipeline.chat_time import BEIJING
from pipeline.embedder import Embedder
from pipeline.extract.common import RAW_PREFIX
from pipeline.extract.times import annotate_relative_times
from pipeline.filters import Node, asks_for_status
from pipeline.message_parts import another_chunk, joined, message_keys, whole_messages_first
from pipeline.models import MemoryKind, StoredMemory, user_scope
from pipeline.preference_relevance import bears_on, on_the_topic
from pipeline.presenters import preference_note, present
from pipeline.query_reading import about_the_asker, about_the_past, asks_about_now, in_the_first_person
from pipeline.stores import lexical
from pipeline.stores.graph_store import GraphStore, GraphView
from pipeline.stores.vector_store import Hit, Scope, VectorStore

RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
CONVERSATION_BOOST = 0.2  # in units of a first-rank RRF share
# Graph expansion: the GRAPH_NEIGHBOURS memories sharing the most entities with the GRAPH_SEEDS
# best hits gain up to a first-rank RRF share, ranked among those the query also matches, and the
# best hits gain the first share themselves (no neighbour passes them). Most shared entities are
# dates, so this mostly lifts what was said the same day as the best hits (the turns around an
# answer). LoCoMo replay:
# 5 neighbours at weight 0.5 -> 20 at 1.0: evidence recall 0.750 -> 0.789, answer recall 0.724 ->
# 0.735 (multi-hop answer recall 0.59 -> 0.56: the same day crowds out other days); LongMemEval
# (short histories) answer recall 0.791 -> 0.784, evidence recall 0.976 -> 0.978.
GRAPH_WEIGHT = 1.0
GRAPH_SEEDS = 3
GRAPH_NEIGHBOURS = 20
CANDIDATE_POOL = 40  # from each of the dense and the lexical search
TIE_MARGIN = 20  # fetched beyond the pool, for a group of equal scores at its edge (see _ranked)
SAME_SUBJECT_COSINE = 0.55  # see _later_word_first
QUERY_COSINE_FLOOR, QUERY_COSINE_MARGIN = 0.25, 0.1  # see _later_word_first
FACT_PREFERENCE = 0.8  # a fact scoring at least this share of its raw message's score is shown instead
FULLER_NEW_SHARE = 0.65  # see _says_more_than_shown
# A fact is a fragment of its message when the message has at least this many content words, and
# this share of its content words, that the fact lacks.
FRAGMENT_TERMS_MIN = 12
FRAGMENT_SHARE_MIN = 0.6


@dataclass
class SearchRequest:
    project: str
    user_id: str
    query: str
    where: Node | None = None
    conversation_id: str | None = None
    memory_limit: int = 9
    include_preference: bool = True
    preference_limit: int = 9
    include_tool_memory: bool = False
    tool_limit: int = 6
    relativity: float = 0.0
    # When the question was asked (epoch seconds; None: now, as the query worker reads it; a replay
    # sets it): "yesterday" and "last Saturday" in it point at days from there (see _keyword_query).
    asked_at: float | None = None


@dataclass
class Scored:
    memory: StoredMemory
    fused: float = 0.0
    cosine: float | None = None
    lexical_rank: int | None = None


def _fuse(store: VectorStore, vector: list[float], keywords: str, request: SearchRequest,
          kinds: tuple[MemoryKind, ...], pool: int) -> dict[str, Scored]:
    # A question about the past ("What was my job before Northwind?") may be answered by what has
    # since been superseded: shown with its status, valid_to and superseded_by.
    history = kinds != ("preference",) and about_the_past(request.query)
    scope = Scope(request.project, request.user_id, kinds=kinds,
                  include_archived=asks_for_status(request.where) or history)
    scored: dict[str, Scored] = {}
    dense = store.dense_search(scope, vector, pool + TIE_MARGIN, request.where)
    for rank, hit in _ranked(dense, pool):
        entry = scored.setdefault(hit.memory.id, Scored(hit.memory))
        entry.fused += DENSE_WEIGHT / (RRF_K + rank + 1)
        entry.cosine = hit.score
    lexical_hits = store.lexical_search(scope, keywords, pool + TIE_MARGIN, request.where)
    for rank, hit in _ranked(lexical_hits, pool):
        entry = scored.setdefault(hit.memory.id, Scored(hit.memory))
        entry.fused += LEXICAL_WEIGHT / (RRF_K + rank + 1)
        entry.lexical_rank = rank
    return scored


def _keyword_query(request: SearchRequest) -> str:
    """The query as keyword search reads it: a relative time in it carries the date it points at,
    counted from when it was asked ("What did I do last Saturday?" -> "... last Saturday (21
    November 2026)?"), as the memories carry theirs ("[21 November 2026] user: ...", "... (21
    November 2026)."): what was said of that day, or that month or year, matches by its date. The
    embedding is of the question as asked (a date in it says little to MiniLM)."""
    asked = datetime.fromtimestamp(request.asked_at, BEIJING) if request.asked_at is not None \
        else datetime.now(BEIJING)
    # a week is no day: "last week (the week before 25 November 2026)" would match any 25th by its
    # "25", so a week or weekend gives only its month and year
    return _A_WEEK.sub(r"(\1)", annotate_relative_times(request.query, asked))


_A_WEEK = re.compile(r"\(the (?:week|weekend) (?:of|before|after) \d{1,2} ([A-Z][a-z]+ \d{4})\)")


def _ranked(hits: list[Hit], pool: int) -> list[tuple[int, Hit]]:
    """Equal scores (in BM25, same-length texts matching the same words, often only the owner's
    name) come back in the engine's storage order, which is the order things were written in:
    they share one rank, the first of their group, and a group reaching past the pool is kept
    whole as far as it was fetched, so that the same memories answer the same way however the
    store was filled."""
    out, rank = [], 0
    for position, hit in enumerate(hits):
        if position and hit.score < hits[position - 1].score:
            rank = position
        if rank >= pool:
            break
        out.append((rank, hit))
    return out


def _best_first(scored: dict[str, Scored]) -> list[Scored]:
    """By fused score; equal ones by id, not by the engine's order (see _fuse)."""
    return sorted(scored.values(), key=lambda e: (-e.fused, e.memory.id))


def _boost(scored: dict[str, Scored], request: SearchRequest, graph: GraphView) -> None:
    if request.conversation_id:
        for entry in scored.values():
            if entry.memory.conversation_id == request.conversation_id:
                entry.fused += CONVERSATION_BOOST / (RRF_K + 1)
    if scored:
        top = [e.memory.id for e in _best_first(scored)[:GRAPH_SEEDS]]
        neighbours = graph.neighbours(top, limit=GRAPH_NEIGHBOURS)
        # graph-only neighbours must also match the query to enter: ranked among those that do
        matching = [mid for mid in neighbours if mid in scored]
        for rank, mid in enumerate(matching):
            scored[mid].fused += GRAPH_WEIGHT / (RRF_K + rank + 1)
        if matching:  # the best hits are the neighbourhood's centre: no neighbour passes them for it
            for mid in top:
                scored[mid].fused += GRAPH_WEIGHT / (RRF_K + 1)


def _prefer_facts(scored: dict[str, Scored]) -> None:
    """A raw message ranked above a fact drawn from it lends the fact its rank when the fact is
    nearly as good: the fact is shorter, third-person and dated, the raw stays the fallback. But a
    fact that kept one clause of a message saying much more gives way to the message."""
    best_fact = _best_by_message(_best_first(scored), "fact")
    for entry in scored.values():
        if entry.memory.kind == "raw" and len(entry.memory.sources) == 1:
            fact = best_fact.get(message_keys(entry.memory).pop())
            if fact is None:
                continue
            if _fragment_of(fact.memory, entry.memory):
                # the fact kept one clause of a message that says much more ("I will give you an
                # example, 'doc martin' ..."): the whole message is the better answer
                entry.fused = max(entry.fused, fact.fused + 1e-9)
            elif fact.fused <= entry.fused <= fact.fused / FACT_PREFERENCE:  # ties go to the fact
                fact.fused = entry.fused + 1e-9


def _best_by_message(ordered: list[Scored], kind: MemoryKind) -> dict[tuple[str, int], Scored]:
    """The best-ranked memory of `kind` citing each message in the pool, from the pool best first
    (a message has several facts, a long one several raw chunks)."""
    best: dict[tuple[str, int], Scored] = {}
    for entry in ordered:
        if entry.memory.kind == kind:
            for key in message_keys(entry.memory):
                best.setdefault(key, entry)
    return best


def _fragment_of(fact: StoredMemory, raw: StoredMemory) -> bool:
    fact_terms, raw_terms = lexical.content_terms(fact.text), lexical.content_terms(raw.text)
    inside = len(fact_terms - raw_terms) <= 0.3 * len(fact_terms)
    rest = raw_terms - fact_terms
    return inside and len(rest) >= FRAGMENT_TERMS_MIN and len(rest) >= FRAGMENT_SHARE_MIN * len(raw_terms)


def _select(scored: dict[str, Scored], request: SearchRequest, limit: int,
            one_per_message: bool) -> list[tuple[StoredMemory, float]]:
    """Best first, at most `limit`. With `one_per_message` (facts beside the raw messages they
    came from), one item per said thing: an item is left out when one better item already cites
    all its messages. A fact joining several messages ("booked a trip to Guangzhou and chose 7
    Days Inn") says what no single one of them says, so it stays even when each of its messages
    was shown on its own. Preferences and tool memories are each distinct ("I love pottery and
    jazz" is two tastes; one call of two tools, two schemas), however many share a message."""
    floor = min((e.cosine for e in scored.values() if e.cosine is not None), default=0.0)
    _prefer_facts(scored)
    ordered = _best_first(scored)
    whole = _best_by_message(ordered, "raw")
    out, shown, covered = [], [], []  # shown: what each item of out cites; covered: cited in full by a better item
    parts: dict[int, list[StoredMemory]] = {}  # the chunks of one long message an item of out shows, by its index
    for entry in ordered:
        score = entry.cosine if entry.cosine is not None else floor
        if request.relativity and score < request.relativity:
            continue
        cited = message_keys(entry.memory) if one_per_message else set()
        better = next((i for i, earlier in enumerate(shown) if cited and cited <= earlier), None)
        if better is not None and another_chunk(parts.get(better, [out[better][0]]), entry.memory):
            # Another part of a long message already shown (chunked to be searchable, see
            # extract.common.raw_candidates): it joins that item, in the message's order. The
            # reader gets the parts of the message that bear on the query, in one item (under the
            # id of its best part). LongMemEval replay: answer recall 0.792 -> 0.806, 2,220 -> 2,913
            # words (the baseline's 3,221); LoCoMo's messages are short and unchanged.
            parts[better] = parts.get(better, [out[better][0]]) + [entry.memory]
            continue
        if better is not None:
            # Two facts of one message both made the cut ("I had a class with Juan. We meet every
            # Wednesday."): they say different things, and the message says both, in one item.
            if entry.memory.kind == "fact" and out[better][0].kind == "fact" and len(cited) == 1 \
                    and len(shown[better]) == 1 and next(iter(cited)) in whole:
                out[better] = (whole[next(iter(cited))].memory, out[better][1])
            covered.append((entry.memory, round(float(score), 4)))
            continue
        shown.append(cited)
        out.append((entry.memory, round(float(score), 4)))
        if len(out) >= limit:
            break
    # Fewer distinct things than the caller allows (a short history): the room left goes to the
    # raw messages held back, the whole of what was said around a fact that kept part of it, when
    # that whole says more than the facts shown. Facts held back are paraphrases of something shown
    # and are not worth the reader's time.
    ids = {m.id for m, _ in out}  # a message shown in place of its two facts is held back too
    out = [(joined(parts[i]), score) if i in parts else (memory, score) for i, (memory, score) in enumerate(out)]
    out = whole_messages_first(out)
    fuller = [item for item in covered if item[0].kind == "raw" and item[0].id not in ids
              and _says_more_than_shown(item[0], out)]
    return out + fuller[: limit - len(out)]


def _says_more_than_shown(raw: StoredMemory, shown: list[tuple[StoredMemory, float]]) -> bool:
    """Whether a raw message held back says more than the facts shown from it: at least
    FULLER_NEW_SHARE of its content words are in none of them. Otherwise it is a second copy of
    what the reader has: in a short history (blind audit 24: 8-14 messages, fewer than the limit)
    every message was shown beside its facts, 974 words where the raw-turn baseline shows the whole
    history in 908. At 0.65: 903 words, answer recall 0.774 -> 0.773 (baseline 0.772); LongMemEval
    3,159 -> 3,134 words, answer recall 0.8126 -> 0.8124; LoCoMo unchanged. At 0.4: 925 words."""
    keys = message_keys(raw)
    terms = lexical.content_terms(RAW_PREFIX.sub("", raw.text))
    told = set().union(*(lexical.content_terms(m.text) for m, _ in shown if message_keys(m) & keys))
    return len(terms - told) >= FULLER_NEW_SHARE * len(terms)


def _rank(store, vector, keywords, request, graph, kinds, limit) -> list[tuple[StoredMemory, float]]:
    if limit <= 0:
        return []
    scored = _fuse(store, vector, keywords, request, kinds, pool=max(CANDIDATE_POOL, limit * 4))
    if kinds == ("preference",):
        scored = {mid: e for mid, e in scored.items()
                  if bears_on(request.query, e.memory.text, e.cosine, e.lexical_rank)}
        for memory in on_the_topic(store, request.project, request.user_id, request.query, request.where):
            scored.setdefault(memory.id, Scored(memory))  # no score of its own: after every scored one
    _boost(scored, request, graph)
    entries = scored.values()
    weights.demote_chat(entries)
    weights.demote_bare_questions(entries)
    if "raw" in kinds and about_the_asker(request.query):
        # (after the graph boost: made before it, the best hits it centres on lose the asker's
        # answers' neighbours; LongMemEval replay, answer recall 0.8106 -> 0.8064)
        weights.the_askers_word_first(entries)
    chosen = _select(scored, request, limit, one_per_message="raw" in kinds)
    return _best_first_scores(_later_word_first(chosen, store, in_the_first_person(request.query))
                              if asks_about_now(request.query) else chosen)


def _later_word_first(items: list[tuple[StoredMemory, float]], store: VectorStore,
                      own_state: bool = False) -> list[tuple[StoredMemory, float]]:
    """Among the items chosen, one said later about what a better-ranked one says ("The wedding
    moved to 14 September" after "My sister's wedding is on 22 June"; "I sold the Civic and bought
    a Tesla") goes just above it: a reader takes the first as the answer, and the later word is the
    current one. Only subjects with a slot are superseded outright (stages/resolve.py); this covers
    the rest. The same items are returned, in another order. Same subject: embeddings at least
    SAME_SUBJECT_COSINE alike, or, with `own_state` (the asker's question about themselves: "How
    much do I pay in rent?", "What's my manager's name?"), the later word about as close to the
    question as the earlier (see _as_close_to_the_query): a budget message that says "rent is
    $1,450" among other things is far from "With rent at $1,600 as of this month" as a whole."""
    if len(items) < 2:
        return items
    vectors = store.dense_vectors([m.id for m, _ in items])
    order = list(items)
    i, held = 0, order[0][1]  # held: how close to the query the item that held place i was
    while i < len(order):
        first = order[i][0]
        # (as close as the item that held the place, not as the last moved up: a chain of later
        # words, each a little less close, would walk the answer down the list)
        later = next((j for j in range(i + 1, len(order)) if _updates(order[j][0], first)
                      and (_cosine(vectors.get(first.id), vectors.get(order[j][0].id)) >= SAME_SUBJECT_COSINE
                           or own_state and _as_close_to_the_query(order[j][1], held))), None)
        if later is None:
            i += 1
            held = order[i][1] if i < len(order) else 0.0
        else:  # it takes this place, and is itself checked against what comes after (each move is to a later word)
            order.insert(i, order.pop(later))
    return order


def _as_close_to_the_query(later: float, earlier: float) -> bool:
    """Whether a later word, with this similarity to the question, answers it about as well as the
    earlier one: within QUERY_COSINE_MARGIN of it and at least QUERY_COSINE_FLOOR. Blind audit 24
    (12 knowledge updates, most said without a change word: "we're in Reno these days", "up to 12
    books"): the current value above the old one in 4 -> 7 of 12. LongMemEval replay: rank of the
    first evidence (MRR) 0.754 -> 0.766 (knowledge-update 0.838 -> 0.860). Not for questions about
    others: on LoCoMo ("What pets does Melanie have?") a later mention is no update, MRR 0.599 ->
    0.579. The recalls do not move (the same items)."""
    return later >= QUERY_COSINE_FLOOR and later >= earlier - QUERY_COSINE_MARGIN


def _updates(later: StoredMemory, earlier: StoredMemory) -> bool:
    """Whether `later` could be the user's later word on what `earlier` says: said after it, in
    another conversation, by the user (the assistant's answer to a statement is not an update of it)."""
    return later.said_at > earlier.said_at and later.conversation_id != earlier.conversation_id \
        and all(s.role == "user" for s in later.sources)


def _cosine(a: list[float] | None, b: list[float] | None) -> float:
    if not a or not b:
        return 0.0
    dot = sum(x * y for x, y in zip(a, b))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def _best_first_scores(items: list[tuple[StoredMemory, float]]) -> list[tuple[StoredMemory, float]]:
    """The order is the fused ranking's, the score each item shows (`relativity`) its similarity to
    the query: a keyword or graph match can rank an item above one more similar. Each item shows
    at least the score of any item below it, so the list reads best first and a client cutting it
    at a score keeps a prefix of it, never an item the ranking put lower. The `relativity` floor
    of the request has already been applied to each item's own similarity."""
    out, floor = [], 0.0
    for memory, score in reversed(items):
        floor = max(floor, score)
        out.append((memory, floor))
    return out[::-1]


def search(request: SearchRequest, store: VectorStore, embedder: Embedder, graphs: GraphStore) -> dict:
    # the query as each ranking below reads it, made once: the embedding, and the keywords with the
    # dates its relative times point at (one reading of "now" for all three lists)
    vector, keywords = embedder.embed([request.query])[0], _keyword_query(request)
    graph = graphs.view(user_scope(request.project, request.user_id))
    facts = _rank(store, vector, keywords, request, graph, ("fact", "raw"), request.memory_limit)
    prefs = _rank(store, vector, keywords, request, graph, ("preference",), request.preference_limit) \
        if request.include_preference else []
    tools = _rank(store, vector, keywords, request, graph, ("tool",), request.tool_limit) \
        if request.include_tool_memory else []
    return {
        "memory_detail_list": [present(m, s) for m, s in facts],
        "preference_detail_list": [present(m, s) for m, s in prefs],
        "tool_memory_detail_list": [present(m, s) for m, s in tools],
        "preference_note": preference_note([m for m, _ in prefs]),
    }
