"""The parts of one long message in search results (for pipeline.recall): a long message is stored
in chunks of whole sentences to be searchable (pipeline.extract.common.raw_candidates); the chunks
of one message that rank are shown as one item, in the message's order, and the best such items
show the whole message."""
from __future__ import annotations

import re

from pipeline.extract.common import RAW_PREFIX, SPEAKER_PREFIX, text_length, whole_message_text
from pipeline.models import StoredMemory

WHOLE_MESSAGES = 3  # see whole_messages_first
WHOLE_MESSAGE_WORDS_MAX = 1000  # longer: its parts only (a pasted document is no message to read whole)


def message_keys(memory: StoredMemory) -> set[tuple[str, int]]:
    """The messages a memory cites, as (conversation_id, message_index)."""
    return {(s.conversation_id, s.message_index) for s in memory.sources}


def whole_messages_first(items: list[tuple[StoredMemory, float]]) -> list[tuple[StoredMemory, float]]:
    """The first WHOLE_MESSAGES items that show part of a long message show all of it: a part is
    cut at a chunk's edge, often mid-list ("3. **Sedation**: ..."), and the best hits are the ones
    a reader answers from, so they come whole, as said; lower ones stay parts, for their words.
    LongMemEval replay: answer recall 0.806 -> 0.813, 2,912 -> 3,159 words (the baseline's 3,221;
    whole messages everywhere: 0.813, 3,239); LoCoMo's messages are short (5 more words)."""
    out, whole = [], 0
    for memory, score in items:
        if whole < WHOLE_MESSAGES and part_of_a_longer_message(memory):
            dated = RAW_PREFIX.match(memory.text)
            message = whole_message_text(memory.sources[0], dated.group("date") if dated else "")
            memory, whole = memory.model_copy(update={"text": message}), whole + 1
        out.append((memory, score))
    return out


def part_of_a_longer_message(memory: StoredMemory) -> bool:
    """A raw memory that shows some of its message, as it was chunked: its parts (" … " between the
    parts of one item) are each in the message, which has more and is no longer than
    WHOLE_MESSAGE_WORDS_MAX (counted as chunks are). A raw memory its user edited shows what they
    left: its text is no longer in the message."""
    if memory.kind != "raw" or len(memory.sources) != 1 or not memory.sources[0].content:
        return False
    message = _bare(SPEAKER_PREFIX.sub("", memory.sources[0].content, count=1))  # ("Caroline: ..." in LoCoMo)
    shown = _bare(RAW_PREFIX.sub("", memory.text))
    # compared without spaces: chunks of Chinese join sentences with none where the message had a line break
    unspaced = "".join(message.split())
    return text_length(message) <= WHOLE_MESSAGE_WORDS_MAX and len("".join(shown.split())) < len(unspaced) \
        and all("".join(part.split()) in unspaced for part in shown.split(" … "))


def another_chunk(shown: list[StoredMemory], other: StoredMemory) -> bool:
    """Whether `other` is another chunk of the one long message whose chunks `shown` are: not one
    of them again (a message shown in place of its two facts meets itself later on)."""
    first = shown[0]
    return first.kind == other.kind == "raw" and len(first.sources) == len(other.sources) == 1 \
        and message_keys(first) == message_keys(other) and all(m.id != other.id for m in shown)


def joined(chunks: list[StoredMemory]) -> StoredMemory:
    """Chunks of one message as one item, under the first's id: "[date] speaker: <earlier part> …
    <later part>", the parts in the order the message has them."""
    message = _bare(chunks[0].sources[0].content)
    said = sorted((RAW_PREFIX.sub("", chunk.text) for chunk in chunks), key=lambda part: _position(message, part))
    prefix = RAW_PREFIX.match(chunks[0].text)
    return chunks[0].model_copy(update={"text": (prefix.group(0) if prefix else "") + " … ".join(said)})


def _position(message: str, part: str) -> int:
    """Where a chunk starts in its message (_bare): its opening, 12 words or 40 characters of a
    script written without spaces, looked for without its parentheses; unknown ones go last."""
    opening = _bare(part)
    opening = " ".join(opening.split()[:12]) if " " in opening else opening[:40]
    found = message.find(opening)
    return found if found >= 0 else len(message)


def _bare(text: str) -> str:
    """A text without parentheses (a chunk's relative times carry the dates they point at,
    "Yesterday (7 May 2023) I went", "昨天（5月7日）"), with whitespace normalised (as chunks have it)."""
    bare = None
    while bare != text:  # (a date annotated inside the user's own brackets: "(yesterday (29 February 2024))")
        bare, text = text, _ANNOTATION.sub("", text)
    return " ".join(text.split())


_ANNOTATION = re.compile(r"\s*[(（][^()（）]*[)）]")
