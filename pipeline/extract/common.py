"""What every extractor does besides its own judgement, shared by the offline and the Claude
extractor: the raw messages and tool memories kept whatever is extracted (so an extractor miss
never loses what was said), sources, and the finishing touches on every candidate (tags,
entities, the turn a user's reply answers)."""
from __future__ import annotations

import re
from datetime import timedelta

from memq.tokens import WIDE_CHAR
from pipeline.chat_time import epoch_ms, format_chat_time, parse_chat_time
from pipeline.extract.english import split_sentences
from pipeline.extract.tagging import auto_tags, entities_of
from pipeline.extract.times import annotate_relative_times, date_phrase
from pipeline.extract.tools import schema_candidates, trajectory_candidate
from pipeline.models import Batch, Candidate, Message, Source

# "Caroline: ...", "Mary Ann: ...": a name before a colon opens the message. Not a label a message
# opens with ("Update: I accepted the offer", "Quick question: ..."), nor an assistant's opening word
# ("Sure: here's a draft", "Option 1: ..."), which would become a speaker and the user's "you".
LABEL = (r"(?i:update|note|edit|ps|p\.s|fyi|question|quick question|reminder|important|summary|re|context|"
         r"background|also|correction|warning|tip|answer|problem|issue|goal|plan|status|news|todo|fact|"
         r"follow[ -]up|btw|info|heads up|good news|bad news|update \d+|day \d+|step \d+|edit \d+|"
         r"sure|ok|okay|yes|yeah|yep|no|nope|absolutely|certainly|definitely|of course|great|thanks|thank you|"
         r"hi|hello|hey|well|so|alright|done|example|examples|option \d+|option [a-z]|options|result|results|"
         r"recipe|ingredients|instructions|steps|method|draft|subject|title|translation|output|input|response|"
         r"reply|suggestion|suggestions|idea|ideas|tl;?dr|verdict|pros|cons|tips|notes|caution|hint|solution|"
         r"explanation|reason|short answer|long answer|bottom line|key points|takeaway|recommendation|"
         r"recommendations|agenda|menu|schedule|itinerary|budget|total|price|cost|source|sources|link|links|"
         r"definition|meaning|error|fix|workaround|version \d+|part \d+|week \d+|round \d+|breakfast|lunch|"
         r"dinner|snack|confession|psa|rant|vent|spoiler|random|milestone|recap|disclaimer|announcement|"
         r"newsflash|storytime|oops|whoops|yay|wow|omg|lol|ugh|sigh|anyway|honestly|seriously|bonus|progress|"
         # a label may take a word before it: "Great news:", "Sad news:", "Quick update:", "Fun fact:"
         # (not who said it: "Her take: I should quit" is hers, "Mom's idea: we move")
         r"(?!(?:his|her|their|[\w-]+'s) )[\w'-]+ (?:news|update|question|note|fact|thought|thoughts|story|win|take|opinion|confession|"
         r"announcement|alert|twist|rant|tip|reminder|warning|idea|request|check)):")
# (a day that heads a line is no speaker either, but it dates what follows: "Tomorrow: final exam at 9",
# so it is no label to strip)
_DAY_HEADING = r"(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight):"
SPEAKER_PREFIX = re.compile(rf"^(?!{LABEL}|{_DAY_HEADING})([A-Z][\w.'-]{{0,30}}(?: [A-Z][\w.'-]{{0,30}})?):\s+")
# A long message is kept as several raw memories: MiniLM reads ~200 words, or ~250 characters of
# Chinese or Japanese (a word of those scripts counts each character; see text_length).
RAW_CHUNK_WORDS = 250
# A user's reply is indexed for keyword search with the last words of the turn before it: a
# question is asked at the end of a turn, and a long assistant answer would drown the reply's own
# words. Only the user's: an assistant's answer indexed with the user's question competes with
# the user's own words for it. Replay, LoCoMo: evidence recall 0.789 -> 0.809, answer recall
# 0.736 -> 0.747, as many words; LongMemEval unchanged (with assistant replies too: 0.978 -> 0.973).
REPLY_CONTEXT_WORDS = 30


def speaker_and_text(message: Message, default: str) -> tuple[str, str]:
    """LoCoMo-style content ("Caroline: I went ...") names its speaker; otherwise the role does."""
    match = SPEAKER_PREFIX.match(message.content)
    if match:
        return match.group(1), message.content[match.end():]
    return default, message.content


def source_of(batch: Batch, message: Message) -> Source:
    return Source(conversation_id=batch.conversation_id, message_index=message.message_index,
                  role=message.role, chat_time=format_chat_time(message.chat_time), content=message.content)


def passthrough(batch: Batch) -> list[Candidate]:
    """What every extractor keeps without judgement: tool memories and the raw messages."""
    out: list[Candidate] = []
    for position, message in enumerate(batch.messages):
        source = source_of(batch, message)
        if message.role == "assistant" and message.tool_calls:
            out += schema_candidates(batch, message, source)
        if message.role == "tool":
            caller = next((m for m in reversed(batch.messages[:position]) if m.tool_calls), None)
            sources = [source_of(batch, caller), source] if caller is not None else [source]
            out.append(trajectory_candidate(batch, message, position, sources))
        out += raw_candidates(message, source)
    return out


# What raw_candidates puts before a message's words: "[7 May 2023] Caroline: " (see below).
RAW_PREFIX = re.compile(r"^\[(?P<date>[^\]]{1,40})\]\s*[^:\n]{1,60}:\s*")


def raw_candidates(message: Message, source: Source) -> list[Candidate]:
    """The message itself, dated and attributed, in chunks of whole sentences when it is long, its
    relative times annotated with the dates they point at."""
    if message.role not in ("user", "assistant") or not message.content.strip():
        return []
    speaker, text = speaker_and_text(message, message.role)
    chunks: list[str] = []
    pieces = [text] if text_length(text) <= RAW_CHUNK_WORDS else split_sentences(text)
    for sentence in (cut for piece in pieces for cut in _cut(piece)):  # a sentence longer than a chunk is cut
        if chunks and text_length(chunks[-1]) + text_length(sentence) <= RAW_CHUNK_WORDS:
            # no space is put between sentences of a script that has none ("我住在北京。我喜欢辣。")
            chunks[-1] += ("" if WIDE_CHAR.match(sentence) else " ") + sentence
        else:
            chunks.append(sentence)
    return [Candidate(kind="raw", text=_as_shown(message, speaker, chunk), key=f"{message.role} message",
                      sources=[source], said_at=epoch_ms(message.chat_time), confidence=1.0) for chunk in chunks]


def whole_message_text(source: Source, dated: str) -> str:
    """The whole message a raw memory is a chunk of, as its chunks read: dated, attributed, its
    relative times annotated, its whitespace normalised (search shows it in place of its best parts).
    `dated`: the day its chunks name ("8 May 2023"). Sources keep the time in Beijing's zone, the
    chunks were dated in the message's own: the day is taken from them (a message sent at 20:00 in
    California is dated the next day in Beijing)."""
    said = parse_chat_time(source.chat_time)
    said = next((day for day in (said, said - timedelta(days=1), said + timedelta(days=1))
                 if date_phrase(day) == dated), said)
    message = Message(role=source.role, content=source.content, message_index=source.message_index, chat_time=said)
    speaker, text = speaker_and_text(message, message.role)
    return _as_shown(message, speaker, " ".join(text.split()))


def _as_shown(message: Message, speaker: str, said: str) -> str:
    # "last Saturday" read months later says nothing: the date it points at goes beside it. Search
    # often shows the raw message instead of its facts (a fragment, two facts of one message).
    # LoCoMo replay: temporal answer recall 0.80 -> 0.88, overall 0.747 -> 0.763, 6 more words.
    return f"[{date_phrase(message.chat_time)}] {speaker}: {annotate_relative_times(said, message.chat_time)}"


_UNIT = re.compile(rf"{WIDE_CHAR.pattern}|\S+?(?={WIDE_CHAR.pattern}|\s|$)")  # a character or a word


def text_length(text: str) -> int:
    """Words, counting each character of a script written without spaces as one (as a tokenizer
    does): 2,000 characters of Chinese are one whitespace "word"."""
    return len(_UNIT.findall(text)) if WIDE_CHAR.search(text) else len(text.split())


def _cut(piece: str) -> list[str]:
    """A piece in chunks of at most RAW_CHUNK_WORDS, by words (whitespace normalised), or, where
    the piece is written without spaces (a long Chinese sentence), by characters, as written."""
    if not WIDE_CHAR.search(piece):
        words = piece.split()
        return [" ".join(words[i:i + RAW_CHUNK_WORDS]) for i in range(0, len(words), RAW_CHUNK_WORDS)]
    spans = [unit.span() for unit in _UNIT.finditer(piece)]
    return [piece[spans[i][0]:spans[min(i + RAW_CHUNK_WORDS, len(spans)) - 1][1]]
            for i in range(0, len(spans), RAW_CHUNK_WORDS)]


def _last_words(text: str, n: int) -> str:
    """The last n words (see text_length) of a text."""
    if not WIDE_CHAR.search(text):
        return " ".join(text.split()[-n:])
    spans = [unit.span() for unit in _UNIT.finditer(text)]
    return text[spans[-n][0]:] if len(spans) > n else text.strip()


def finish(candidates: list[Candidate], batch: Batch) -> None:
    """Tags (the caller's vocabulary where it fits) and entities, on every candidate; on the facts
    and raw messages of one user message, the end of the turn it replies to (for keyword search)."""
    turns = {m.message_index: m.content for m in batch.messages if m.role in ("user", "assistant")}
    if batch.messages and batch.previous_turn:
        turns[batch.messages[0].message_index - 1] = batch.previous_turn
    for candidate in candidates:
        # a preference's topic is its sentence's: "is obsessed with Bill Evans" names no topic, "I've
        # been playing jazz piano for years and I'm obsessed with Bill Evans" does (its reasoning)
        about = f"{candidate.text} {candidate.reasoning or ''}" if candidate.kind == "preference" else candidate.text
        candidate.tags = list(dict.fromkeys(candidate.tags + auto_tags(about, batch.tags)))
        if not candidate.entities:
            candidate.entities = entities_of(candidate.text)
        if candidate.kind in ("fact", "raw") and len(candidate.sources) == 1 and not candidate.reply_to \
                and candidate.sources[0].role == "user":
            before = SPEAKER_PREFIX.sub("", turns.get(candidate.sources[0].message_index - 1, ""))
            candidate.reply_to = _last_words(before, REPLY_CONTEXT_WORDS)
