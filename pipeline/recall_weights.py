"""Weights recall gives an item for what it is, whatever it matches: messages that say next to
nothing, and the other party's word on a question about the asker's own life. Each multiplies a
candidate's fused score (pipeline.recall applies them after the graph boost)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from memq.tokens import WIDE_CHAR
from pipeline.extract.common import RAW_PREFIX
from pipeline.models import StoredMemory
from pipeline.stores import lexical

if TYPE_CHECKING:
    from pipeline.recall import Scored

CHAT_TERMS, CHAT_WEIGHT = 4, 0.5  # see demote_chat
QUESTION_TERMS, QUESTION_WEIGHT = 8, 0.5  # see demote_bare_questions
OTHER_PARTY_WEIGHT = 0.5  # see the_askers_word_first

# Where a sentence ends: after . ! ? (and a run of them: "?!", full-width "？"), an ellipsis, or at a line break.
# (Not extract.english.split_sentences: that one keeps "Got promoted…what do you think?" whole, and
# keeps a lower-case day with the sentence before it, which matters for dating, not here.)
_SENTENCE_END = re.compile(r"(?<=[.!?？！])\s+|(?<=…)\s*|\n+")
_ASKED = re.compile(r"[?？][!?？！]*[\"')\]]*$")
# What makes a message tell something besides what it asks: a name or a number anywhere ("How was
# your trip to Paris last week?", "Just got back from Hawaii", see _names_something), or a question
# in its asker's first person ("Can you recommend a case for my iPhone?", "Did you see our new
# puppy?"). "me" and "us" alone are no sign: "Can you tell me more?"
_OF_THE_ASKER = re.compile(r"\b(?:i|my|mine|myself|we|our|ours|ourselves|im|ive)\b|\bi['’](?:m|ve|d|ll)\b|"
                           r"\bwe['’](?:re|ve|d|ll)\b", re.I)
_VOCATIVE = re.compile(r",\s*[A-Z][\w'-]*\s*(?=[?？!.]|$)|^(?:\w+\s+)?[A-Z][\w'-]*\s*,")
_NAME_OR_NUMBER = re.compile(r"(?<=\S\s)(?!I\b|I['’])[A-Z][\w'-]*|\d")


def demote_chat(entries: Iterable[Scored]) -> None:
    """The other party's messages that say next to nothing ("Congratulations!", "Well deserved
    after all that work.": fewer than CHAT_TERMS content words) count half: they match a query by
    its one shared word or by sitting beside the answer, and took the first place of 12 of the 41
    questions the second recall audit saw missed there. Replay: LoCoMo 0.8256/0.7723 ->
    0.8263/0.7735 (599 -> 603 words), LongMemEval unchanged; the two audits' 180 questions: answer
    first 112 -> 115, in the top 10 175 -> 179. At 5 words LongMemEval evidence recall fell."""
    for entry in entries:
        memory = entry.memory
        if memory.kind == "raw" and memory.sources and memory.sources[0].role == "assistant" and \
                len(lexical.content_terms(RAW_PREFIX.sub("", memory.text))) < CHAT_TERMS:
            entry.fused *= CHAT_WEIGHT


def demote_bare_questions(entries: Iterable[Scored]) -> None:
    """A message that asks the other party something and says little else ("Wow, that rocks!
    What's the main idea of your art?", "How did it make you feel?": fewer than QUESTION_TERMS
    content words outside its questions) counts QUESTION_WEIGHT, whoever sent it. It matches a
    query by the words it asks about, and what it asks about is answered in the reply, which keyword
    search finds by this very question (vector_store.keyword_text). A message that tells something
    counts in full: a name or a number in it ("How was your trip to Paris?", "Just got back from
    Hawaii"), a question of its asker's ("Can you recommend a case for my iPhone?"), and Chinese,
    Japanese or Korean text, which the offline extractor keeps no facts of. Left: news said in a
    few words before a question ("Guess what? I got the job!") counts half.
    LoCoMo replay: of the 103 items shown that were messages of questions only, none was evidence.
    With this, evidence recall 0.8292 -> 0.8354, answer recall 0.7759 -> 0.7849 (multi-hop 0.583 /
    0.593 -> 0.601 / 0.611: the lists get room for what was done, not what was asked), 610 -> 630
    words (the baseline's 637); the few evidence turns lost are themselves questions ("Is that your
    third one?"). LongMemEval unchanged (its questions are the user's, and tell of them). At 5
    words: 0.8323 / 0.7811; at 10: 0.8352 / 0.7858, 634 words; with every message whose told part
    is in the first person counting in full: 0.8319 / 0.7831."""
    for entry in entries:
        if entry.memory.kind == "raw" and _bare_question(entry.memory):
            entry.fused *= QUESTION_WEIGHT


def _bare_question(memory: StoredMemory) -> bool:
    text = RAW_PREFIX.sub("", memory.text)
    if WIDE_CHAR.search(text):  # sentences there end without a space, and the offline extractor keeps no facts of them
        return False
    asked, told = [], []
    for sentence in _SENTENCE_END.split(text.strip()):
        (asked if _ASKED.search(sentence.rstrip()) else told).append(sentence)
    if not asked or any(_OF_THE_ASKER.search(s) for s in asked) or any(_names_something(s) for s in asked + told):
        return False
    return len(lexical.content_terms(" ".join(told))) < QUESTION_TERMS


def _names_something(sentence: str) -> bool:
    """A name past the sentence's first word (not "I", nor the one it is said to), or a number:
    "How was your trip to Paris?", "Just got back from Hawaii", not "How are you, Mel?"."""
    return _NAME_OR_NUMBER.search(_VOCATIVE.sub("", sentence)) is not None


def the_askers_word_first(entries: Iterable[Scored]) -> None:
    """For a question about the asker's own life (see query_reading.about_the_asker: "How many
    doctors did I visit?", "What instruments do I own?"), what only the other party said counts
    OTHER_PARTY_WEIGHT: the asker told it, and an assistant's long advice ("Managing chronic
    sinusitis can be a challenge ...") shares the question's words while the asker's passing
    mention ("I just got diagnosed by an ENT specialist, Dr. Patel") is the answer. The 407
    evidence turns of LongMemEval's questions not about the assistant's words are all the user's.
    Replay, each record searched right after its own was written: evidence recall 0.975 -> 0.990
    (multi-session 0.929 -> 0.983: counting questions now see every item counted; "Yamaha FG800",
    "ENT specialist", "Tiger tank" now retrieved), first evidence rank (MRR) 0.764 -> 0.791, 3,133
    -> 2,840 words; answer recall 0.8124 -> 0.8063 (0.8106 with every record written first, as the
    replay now does; make eval 0.8063), every lost token one the advice held by chance (the "5" of
    "5 fitness classes", "$300" of a Rolex's insurance for a handbag's "$1,300"). Blind audit 25
    (40 LongMemEval-format records a helper wrote): MRR 0.627 -> 0.770, evidence recall 0.994 ->
    1.0. At 0.7 the answer recall holds (0.8126, 2,964 words) for less of the rest: evidence 0.986,
    audit 25 MRR 0.741, evidence 0.994. LoCoMo's questions are about others by name and do not
    change. Only for facts and messages: a tool's schema cites the assistant's call and its
    trajectory the tool's result, and halving one of the two would reorder them for no reason."""
    for entry in entries:
        if entry.memory.sources and all(s.role == "assistant" for s in entry.memory.sources):
            entry.fused *= OTHER_PARTY_WEIGHT
