"""A reply read with the turn it answers: a terse answer to a question put to the speaker ("Do you
have kids?" - "yep, two kids"), and a pick among the options the other party just offered
("Southwest please"). Both say nothing on their own; the offline extractor (pipeline.extract.offline)
keeps them with the turn before."""
from __future__ import annotations

import re

from pipeline.extract.common import speaker_and_text
from pipeline.extract.content_words import informative
from pipeline.extract.english import split_sentences
from pipeline.models import Message

SECOND_PERSON = re.compile(r"\b(you|your|you're|yours)\b", re.IGNORECASE)


# A terse reply to a question put to the speaker ("Do you have kids?" - "yep, two kids") is kept with
# the question: on its own it says nothing. Only a direct question ("you", "your") right before it.
ANSWER_WORDS_MAX = 15
QUESTION_WORDS_MAX = 25


# Not a question about the user: an offer of help ("Would you like me to draft it?"), whose answer
# ("Go ahead", "Yes please") says nothing of them
_OFFER_OF_HELP = re.compile(r"\b(?:(?:would|do) you (?:like|want) me|want me to|shall i|should i|can i|may i|"
                            r"anything else|would you like (?:a|an|the|some|more|to see|help)|need (?:any )?help|"
                            r"does that (?:help|make sense|work))\b", re.I)
# An answer with nothing of its own: yes, no, thanks, go ahead
ACKNOWLEDGEMENT = re.compile(r"^(?:(?:yes|yeah|yep|yup|no|nope|nah|sure|ok|okay|please|go ahead|do it|that's all|"
                             r"that's it|all good|sounds good|thanks|thank you|not really|maybe|perhaps|of course|"
                             r"absolutely|definitely|not yet|never mind|i'm good|all set|exactly|right|correct|"
                             r"great|perfect|cool|fine|good|no prob(?:lem)?s?|my pleasure|gotcha|omg|aw+|"
                             r"(?:ha){2,}h?|(?:he){2,}|lo+l|(?:lo)+l|lmao)\b[\s,.!]*)+$", re.I)
# (Other chat needs no place here: "wow", "totally", "you're welcome" are all LIGHT words, which
# name nothing either; see _terse in pipeline.extract.offline.)


# A statement that only echoes the verb of the question it answers ("Nah, I haven't.", "Yes, I did!",
# "We have, twice.", "No, I'm not."): read with the question; alone, "Caroline hasn't" says nothing.
# ELLIPTICAL_OPENING is the same echo with more after it ("I have, at the MoMA last week."): with a
# question before it, it is read with the question too.
_AUXILIARY = r"(?:have|has|had|do|does|did|am|is|are|was|were|will|would|can|could|should|might|must)"
_ECHO = (r"^(?:(?:yes|yeah|yep|yup|no|nope|nah|not yet|never|oh|well|actually|sadly|sure|of course|not really|"
         r"haha)\b[\s,.!]*)*"
         r"(?:(?:i|we|he|she|they|it)(?:\s+(?:really|definitely|actually|still|just|also|never|already))?\s+"
         rf"(?:{_AUXILIARY}(?:n't|n’t|\s+not)?|can't|can’t|won't|won’t|ain't|ain’t)"
         r"|(?:i['’]m|we['’]re|they['’]re|he['’]s|she['’]s|it['’]s)(?:\s+not)?)"
         r"(?:\s+(?:been|done|gone))?")
ELLIPTICAL = re.compile(_ECHO + r"(?:[\s,]+(?:not|yet|too|either|already|before|once|twice|lately|recently|"
                        r"a few times|many times|so far|for sure|unfortunately|sadly))*[\s.!]*$", re.I)
ELLIPTICAL_OPENING = re.compile(_ECHO + r"\s*[,;:–-]\s*\S", re.I)

# A question that is only the echo of what was said before it ("I just got back from Paris! Have
# you ever been?", "I love jazz. Do you?"): the answer is read with that sentence too.
_EMPTY_QUESTION = re.compile(r"^(?:(?:and|so|what about|how about)\s+)?(?:have|has|do|does|did|are|is|were|was|will|"
                             r"would|can|could)\s+you(?:\s+(?:ever|too|also|been|yet|before|at all))*\s*\?$",
                             re.I)
# A question about something named only in the sentence before it ("That letter is really awesome!
# Does it remind you of your childhood?"): the answer is read with that sentence too. ("Is there
# anything ...?" refers to nothing; "What do you think of this?" points at what was shown, a photo,
# not at what was said.)
_REFERS_BACK = re.compile(r"\b(?:it|its|they|them|their|there)\b", re.I)
# "it" and "there" that stand for nothing said: "Is it hard to ...?", "How's it going?", "Did you make
# it?", "Is there ...?", "Has there been ...?"
_DUMMY = re.compile(r"(?:\b(?:is|was|isn't|wasn't)\s+it\s+(?:\w+\s+)?(?:to|for|that|true|ok|okay)\b"
                    r"|\bhow['’]?s\s+it\s+going|\bmake\s+it\b|\bmade\s+it\b"
                    r"|\b(?:is|are|was|were|isn't|aren't|wasn't|weren't|has|have|had|will|would|could|can|might)"
                    r"\s+there\b)", re.I)  # ("Have you been there?" points back at a place)
CONTEXT_WORDS_MAX = 20  # a longer sentence before the question is not quoted with it
# A request of the other party ("Can you share your itinerary with me?"): "Yes, I can" is a promise,
# not something about the speaker.
_REQUEST_OF_THEM = re.compile(r"^(?:can|could|will|would)\s+you\b(?!\s+(?:like|prefer|rather))[^?]*\b(?:me|us)\b",
                              re.I)


def question_to_the_speaker(previous: Message | None, reply: Message) -> str | None:
    """The one question put to the speaker in the turn just before their reply, if there is one."""
    if previous is None or previous.message_index != reply.message_index - 1:
        return None
    sentences = split_sentences(speaker_and_text(previous, "")[1])
    questions = [s for s in sentences if s.endswith("?")]
    if len(questions) != 1:  # "Do you have a dog? And what's your budget?": which does "yes, a beagle" answer?
        return None
    question = questions[0]
    if not SECOND_PERSON.search(question) or _OFFER_OF_HELP.search(question) or \
            _REQUEST_OF_THEM.search(question) or len(question.split()) > QUESTION_WORDS_MAX:
        return None
    before = sentences.index(question)
    echo = _EMPTY_QUESTION.match(question) is not None
    if echo and not before:  # "Do you?" with nothing before it: the answer says nothing
        return None
    if before and (echo or _refers_to(sentences[before - 1], question)):
        return f"{sentences[before - 1]} {question}"
    return question


def _refers_to(context: str, question: str) -> bool:
    """Whether `question` is about what `context`, the sentence before it, named: a pronoun that
    stands for something (not _DUMMY) with no word of content before it in the question ("How bad is
    it?" after "allergic to pets" in the same question has its referent), after a sentence that
    names something ("Sounds cool!" does not)."""
    asked = _DUMMY.sub(" ", question)
    pronoun = _REFERS_BACK.search(asked)
    return pronoun is not None and not informative(asked[:pronoun.start()], "", "", needed=1) \
        and informative(context, "", "", needed=1) and len(context.split()) <= CONTEXT_WORDS_MAX


# A short reply that picks one of the options the other party just offered. A plain choice verb
# names the pick whatever it is ("I'll go with Porto", "Yes, let's go with the Kyoto plan"); looser
# words only count when what they name was among the options ("Southwest please", "Sea Salt it
# is!", "let's do Behavioral Econ").
_ACKNOWLEDGED = re.compile(r"^(?:(?:yes|yeah|yep|yup|ok|okay|sure|alright|all right|great|perfect|awesome|cool|"
                           r"hmm+|oh|well|then|so)\b[\s,!.]*)+", re.I)
# (A choice is made now: "We went with Porto last time" and "I selected all the files" tell of
# another one.)
_CHOSEN_BY_VERB = re.compile(r"^(?:i(?:'ll| will)?|let'?s|we(?:'ll| will)?)\s+(?:choose|pick|go with|select|"
                             r"prefer)\s+(?P<what>.+)$", re.I)
_CHOSEN_LOOSELY = re.compile(r"^(?:(?:i(?:'ll| will)?|let'?s|we(?:'ll| will)?)\s+(?:do|get|have|want|try|"
                             r"order|book|take)\s+(?P<what>.+)"
                             r"|(?P<named>.+?)\s+(?:please|it is|for me|sounds (?:good|great|perfect|best)))$", re.I)
_CHOICE_TAIL = re.compile(r"[\s,]+(?:then|instead|please|for sure|i think|for now|this time)$", re.I)
_VAGUE_CHOICE = re.compile(r"^(?:that|this|it|that one|this one|the (?:first|second|third|last|other) one|"
                           r"both|either|neither|one|those|these)$"
                           r"|^(?:whatever|anything|something|you|your|it|them|up|out|all)\b", re.I)
CHOICE_WORDS_MAX = 10


def chosen(reply: str, offer: str) -> str | None:
    """What a short reply picks from the offer it answers, or None if it picks nothing."""
    reply = _ACKNOWLEDGED.sub("", reply.strip()).strip().rstrip(".!")
    if not reply or len(reply.split()) > CHOICE_WORDS_MAX or reply.endswith("?"):
        return None
    by_verb = _CHOSEN_BY_VERB.match(reply)
    loosely = None if by_verb else _CHOSEN_LOOSELY.match(reply)
    m = by_verb or loosely
    if not m:
        return None
    what = _CHOICE_TAIL.sub("", (m.group("what") or m.group("named") if loosely else m.group("what")).strip())
    what = what.strip(" ,.!")
    if not what or _VAGUE_CHOICE.match(what):
        return None
    if loosely and what.lower().removeprefix("the ") not in offer.lower():
        return None  # "I'll do my best", "Dinner please": not one of the options
    return what
