"""Which preferences a search returns (pipeline.recall, step 4): preferences are context for the
answer, not search results, so only those that bear on the query come back, however many the
caller allows: close to it (less close for a request for advice), its best keyword match on more
than a name, or on the topic it names ("Suggest a dinner recipe": the food dislikes)."""
from __future__ import annotations

import re

from pipeline.extract.tagging import topics_of
from pipeline.filters import Contains, Node, Or, both
from pipeline.models import StoredMemory
from pipeline.stores import lexical
from pipeline.stores.vector_store import Scope, VectorStore

# A preference is returned only when it bears on the query: cosine at least this, or the best
# lexical hit. Measured on MiniLM: unrelated preferences sit at 0.0-0.25, but a name shared with the
# query lifts a short "Melanie likes X." to 0.35-0.5 ("What pets does Melanie have?"). On LoCoMo
# (deterministic replay) 0.45 and the best lexical hit keep the recalls of 0.35 and the top 3 with
# 15 fewer words per question; 0.5 loses 0.002-0.003 of each.
PREFERENCE_MIN_COSINE = 0.45
PREFERENCE_LEXICAL_RANKS = 1
TOPIC_PREFERENCES = 10  # at most this many more, on the query's topic (see on_the_topic)


def bears_on(query: str, preference: str, cosine: float | None, lexical_rank: int | None) -> bool:
    """Whether a preference found for the query bears on it: close enough to it (less close for a
    request for advice), or its best keyword match on more than a name."""
    floor = ADVICE_PREFERENCE_MIN_COSINE if ASKS_FOR_ADVICE.search(query) else PREFERENCE_MIN_COSINE
    return (cosine or 0.0) >= floor or (lexical_rank is not None and lexical_rank < PREFERENCE_LEXICAL_RANKS
                                         and _shares_more_than_names(query, preference))


# A request for advice or a recommendation ("Any ideas for a week-long vacation?", "What cardio should
# I add?") is answered well only with the tastes it touches, and MiniLM puts them far from it: "Any
# ideas for a vacation" and "The user does not like crowded tourist spots" have a cosine of 0.18, the
# related pairs of audit 23 0.18-0.24 (some below 0.1), unrelated ones 0.0-0.11. For such a request
# the floor is lower.
ASKS_FOR_ADVICE = re.compile(r"\b(?:suggest\w*|recommend\w*|ideas?|tips?|advice|advise|what\s+should\s+i|where\s+should\s+i|"
                             r"how\s+should\s+i|which\s+[\w\s]{0,20}should\s+i|what\s+(?:kind|sort|type)\s+of|"
                             r"help\s+me\s+(?:choose|pick|plan|decide|find))\b", re.I)
ADVICE_PREFERENCE_MIN_COSINE = 0.15


def _shares_more_than_names(query: str, text: str) -> bool:
    """Whether a keyword match is on what the memory is about, not only on a name: "Ana does not
    like cilantro" was the best keyword hit of nearly every question about Ana (the recall audit)."""
    unnamed = re.sub(r"\b[A-Z][\w'-]*", " ", text)  # names, and the capital that opens the sentence
    return bool(lexical.content_terms(query.lower()) & lexical.content_terms(unnamed))


def on_the_topic(store: VectorStore, project: str, user_id: str, query: str, where: Node | None) -> list[StoredMemory]:
    """Preferences on the topic the query names, to go after those that bear on it directly:
    "Suggest a dinner recipe" and "The user does not like mushrooms" are 0.15 apart for MiniLM, but
    a recommendation that ignores the dislike is the one the user notices (the recall audit)."""
    topics = topics_of(query)
    if not topics:
        return []
    on_topic = Or(tuple(Contains("tags", topic) for topic in topics))
    return store.scan(Scope(project, user_id, kinds=("preference",)), both(where, on_topic), limit=TOPIC_PREFERENCES)
