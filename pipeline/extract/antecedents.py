"""Who "he" and "she" are, across the sentences and turns of one speaker.

Each sentence becomes its own memory, read months later on its own: "He just started piano." says
nothing there. When the speaker has just named someone of theirs ("My son Leo is 6."), a sentence
that opens on "he" or "she" is about that person, and is rewritten to name them before it becomes
a fact: "My son Leo just started piano." -> "The user's son Leo just started piano."

Only the speaker's own people and pets count ("my son Leo", "our dog Biscuit", "my friend Sam"),
the latest of each gender, and only a subject pronoun that opens the sentence. "It" is left alone:
it as often means the situation ("It was fun") as the last thing named. An opening "we" right
after the speaker named someone or a group of theirs is the two: "Our running club is great. We
meet on Thursdays." -> "The user's running club and the user meet on Thursdays."."""
from __future__ import annotations

import re

_HE = {"son", "brother", "father", "dad", "husband", "boyfriend", "fiance", "fiancé", "uncle", "nephew",
       "grandfather", "grandpa", "stepson", "stepdad", "stepfather", "boy"}
_SHE = {"daughter", "sister", "mother", "mom", "mum", "wife", "girlfriend", "fiancee", "fiancée", "aunt", "niece",
        "grandmother", "grandma", "stepdaughter", "stepmom", "stepmother", "girl"}
_EITHER = {"friend", "boss", "manager", "coworker", "co-worker", "colleague", "partner", "roommate", "neighbor",
           "neighbour", "doctor", "therapist", "kid", "child", "baby", "cousin", "teacher", "coach", "mentor",
           "landlord", "dog", "cat", "puppy", "kitten", "pet", "horse", "parrot", "rabbit", "bunny"}
# Who "we" can be besides the speaker, but never "he" or "she"
_GROUPS = {"family", "kids", "children", "parents", "friends", "team", "club", "band", "group", "class", "crew",
           "church", "squad", "roommates", "folks"}
_NOUNS = "|".join(sorted(_HE | _SHE | _EITHER | _GROUPS, key=len, reverse=True))
WE_REACH = 3  # sentences after the mention within which an opening "we" is the speaker and them
_MENTION = re.compile(r"\b(?:my|our)\s+(?P<phrase>(?:(?:new|little|baby|older|younger|big|best|oldest|youngest|"
                      r"eldest|old|running|book|work|soccer|football|hiking|dance|study|yoga)\s+)?(?P<noun>" + _NOUNS +
                      r"))\b(?!'s|-)"
                      r"(?:,?\s+(?P<name>(?-i:[A-Z][a-z]+))\b(?!\s+(?-i:[A-Z])))?", re.I)
# A name right after the noun must be the person's, not the next sentence's subject or a place
_NOT_NAMES = {"And", "But", "So", "He", "She", "They", "We", "I", "It", "The", "This", "That", "In", "At", "On",
              "From", "To", "For", "With", "Who", "When", "Is", "Was", "Has", "Had"}
_WE = re.compile(r"^we(?P<contraction>'re|'ve|'ll|'d|\u2019re|\u2019ve|\u2019ll|\u2019d)?(?=\s)", re.I)
_WE_VERB = {"'re": " are", "'ve": " have", "'ll": " will", "'d": " would"}
_OPENING = re.compile(r"^(?P<pronoun>he|she)(?P<contraction>'s|'d|'ll|\u2019s|\u2019d|\u2019ll)?(?=\s)", re.I)
_HAS_AFTER = re.compile(r"^\s+(?:been|got|gotten|had|done|made|gone|always|never|already|just\s+been)\b", re.I)


class Antecedents:
    """The speaker's people last named, by the pronoun that would stand for them."""

    def __init__(self) -> None:
        self.latest: dict[str, str] = {}
        self.sentences = 0  # sentences noted so far
        self.with_whom: tuple[str, int] | None = None  # the last person or group named, and when
        self.known: dict[str, str] = {}  # a person of either gender once called "he" or "she"

    def note(self, sentence: str) -> None:
        """Remember the people this sentence names, in the order it names them."""
        self.sentences += 1
        for m in _MENTION.finditer(sentence):
            noun = m.group("noun").lower()
            name = m.group("name") if m.group("name") and m.group("name") not in _NOT_NAMES else None
            phrase = f"my {m.group('phrase')}" + (f" {name}" if name else "")
            self.with_whom = (phrase, self.sentences)
            for pronoun, nouns in (("he", _HE), ("she", _SHE)):
                if noun in nouns or (noun in _EITHER and self.known.get(phrase, pronoun) == pronoun):
                    self.latest[pronoun] = phrase

    def resolve(self, sentence: str) -> str:
        """The sentence with an opening "he"/"she" replaced by the person it stands for, and an
        opening "we" by the speaker and whoever they last named ("My boyfriend and I were ..."),
        if known."""
        if (we := _WE.match(sentence)) and self.with_whom and self.sentences - self.with_whom[1] < WE_REACH:
            contraction = (we.group("contraction") or "").replace("\u2019", "'").lower()
            whom = self.with_whom[0]
            return f"{whom[0].upper()}{whom[1:]} and I{_WE_VERB.get(contraction, '')}{sentence[we.end():]}"
        m = _OPENING.match(sentence)
        if not m or m.group("pronoun").lower() not in self.latest:
            return sentence
        pronoun = m.group("pronoun").lower()
        person = self.latest[pronoun]
        self.known[person] = pronoun
        for other in ("he", "she"):  # "my boss" called "she" is no longer a "he"
            if other != pronoun and self.latest.get(other) == person:
                del self.latest[other]
        person = person[0].upper() + person[1:]
        rest = sentence[m.end():]
        contraction = (m.group("contraction") or "").replace("\u2019", "'").lower()
        verb = {"'s": " has" if _HAS_AFTER.match(rest) else " is", "'d": " would", "'ll": " will"}.get(contraction, "")
        return person + verb + rest
