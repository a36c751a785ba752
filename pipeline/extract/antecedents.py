"""Who "he", "she" and "we" are, across the sentences and turns of one speaker.

Each sentence becomes its own memory, read months later on its own: "He just started piano." says
nothing there. When the speaker has just named someone of theirs ("My son Leo is 6."), a sentence
that opens on "he" or "she" is about that person, and is rewritten to name them before it becomes
a fact: "My son Leo just started piano." -> "The user's son Leo just started piano."

A wrong name is worse than a bare pronoun, so this reads only what is near and unambiguous:
- only the speaker's own people and pets ("my son Leo", "our dog Biscuit", "my friend Sam"),
  named in one of the speaker's last two sentences;
- nobody else named since: a sentence that names another person ("the realtor", "Kevin") or an
  assistant turn that asks about one ("Has your realtor heard back?") leaves the pronoun as it is;
- only a subject pronoun that opens the sentence. "It" is left alone: it as often means the
  situation ("It was fun") as the last thing named.
An opening "we" right after the speaker named a partner or a group of theirs is the two: "Our
running club is great. We meet on Thursdays." -> "The user's running club and the user meet on
Thursdays". Not after anyone else: "My mom passed away. We had the funeral in Ohio." is a family."""
from __future__ import annotations

import re

from pipeline.extract.english import MONTHS, WEEKDAYS, d_means_had

_HE = {"son", "brother", "father", "dad", "husband", "boyfriend", "fiance", "fiancé", "uncle", "nephew",
       "grandfather", "grandpa", "stepson", "stepdad", "stepfather", "boy"}
_SHE = {"daughter", "sister", "mother", "mom", "mum", "wife", "girlfriend", "fiancee", "fiancée", "aunt", "niece",
        "grandmother", "grandma", "stepdaughter", "stepmom", "stepmother", "girl"}
_EITHER = {"friend", "boss", "manager", "coworker", "co-worker", "colleague", "partner", "roommate", "neighbor",
           "neighbour", "doctor", "therapist", "kid", "child", "baby", "cousin", "teacher", "coach", "mentor",
           "landlord", "dog", "cat", "puppy", "kitten", "pet", "horse", "parrot", "rabbit", "bunny"}
# Who "we" can be besides the speaker: a partner, or a group the speaker belongs to
_COMPANIONS = {"wife", "husband", "partner", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancee", "fiancée",
               "roommate", "roommates", "family", "friends", "team", "club", "band", "group", "crew", "squad"}
# People who are not the speaker's own: named, they make a later "he" or "she" ambiguous
_OTHERS = {"guy", "man", "woman", "lady", "realtor", "agent", "designer", "nurse", "vet", "lawyer", "plumber",
           "contractor", "dentist", "surgeon", "officer", "driver", "waiter", "waitress", "owner", "seller", "buyer",
           "client", "customer", "candidate", "ex", "he", "she"}
_PEOPLE = _HE | _SHE | _EITHER
_NOUNS = "|".join(sorted(_PEOPLE | _COMPANIONS, key=len, reverse=True))
_MENTION = re.compile(r"\b(?:my|our)\s+(?P<phrase>(?:(?:new|little|baby|older|younger|big|best|oldest|youngest|"
                      r"eldest|old|running|book|work|soccer|football|hiking|dance|study|yoga)\s+)?(?P<noun>" + _NOUNS +
                      r"))\b(?!'s|-)"
                      r"(?:,?\s+(?P<name>(?-i:[A-Z][a-z]+))\b(?!\s+(?-i:[A-Z])))?", re.I)
# Another person: a person noun that is not the speaker's, or a capitalised word inside the sentence
_SOMEONE_ELSE = re.compile(r"\b(?<!my )(?<!our )(?:the|a|an|his|her|their|your|this|that)\s+(?:\w+\s+)?(?:"
                           + "|".join(sorted(_PEOPLE | _OTHERS, key=len, reverse=True)) + r")\b", re.I)
_CAPITALISED = re.compile(r"(?<=[a-z,;:] )(?-i:[A-Z][a-z]+)\b")
_NOT_NAMES = {"And", "But", "So", "He", "She", "They", "We", "I", "It", "The", "This", "That", "In", "At", "On",
              "From", "To", "For", "With", "Who", "When", "Is", "Was", "Has", "Had", "Christmas", "Easter",
              *(name.capitalize() for name in WEEKDAYS + MONTHS)}
_OPENING = re.compile(r"^(?P<pronoun>he|she)(?P<contraction>'s|'d|'ll|\u2019s|\u2019d|\u2019ll)?(?=\s)", re.I)
_HAS_AFTER = re.compile(r"^\s+(?:been|got|gotten|had|done|made|gone|always|never|already|just\s+been)\b", re.I)
_WE = re.compile(r"^we(?P<contraction>'re|'ve|'ll|'d|\u2019re|\u2019ve|\u2019ll|\u2019d)?(?=\s)", re.I)
_WE_VERB = {"'re": " are", "'ve": " have", "'ll": " will", "'d": " would"}
REACH = 2  # a person named in one of the speaker's last REACH sentences


class Antecedents:
    """The speaker's people named last, by the pronoun that would stand for them."""

    def __init__(self) -> None:
        self.sentences = 0  # the speaker's sentences noted so far
        self.latest: dict[str, tuple[str, int]] = {}  # "he"/"she"/"we" -> (who, the sentence they were named in)
        self.known: dict[str, str] = {}  # a person of either gender once called "he" or "she"

    def note(self, sentence: str) -> None:
        """Remember the people this sentence names; forget them all if it names someone else."""
        self.sentences += 1
        mentions = list(_MENTION.finditer(sentence))
        names = {m.group("name") for m in mentions if m.group("name")}
        if self._someone_else(sentence, names):  # "My boss Tom hired a new designer, Kevin. He starts Monday"
            return
        ambiguous = any(w not in names and w not in _NOT_NAMES for w in _CAPITALISED.findall(sentence))
        named: dict[str, set[str]] = {"he": set(), "she": set()}  # this sentence's candidates
        for m in mentions:
            noun = m.group("noun").lower()
            name = m.group("name") if m.group("name") and m.group("name") not in _NOT_NAMES else None
            phrase = f"my {m.group('phrase')}" + (f" {name}" if name else "")
            for pronoun, nouns in (("he", _HE), ("she", _SHE)):
                if ambiguous:  # "My daughter loves Taylor Swift. She's touring": which one?
                    break
                if noun in nouns or (noun in _EITHER and self.known.get(phrase, pronoun) == pronoun):
                    self.latest[pronoun] = (phrase, self.sentences)
                    named[pronoun].add(phrase)
            if noun in _COMPANIONS:
                self.latest["we"] = (phrase, self.sentences)
        for pronoun, phrases in named.items():
            if len(phrases) > 1:  # "My dad and my brother went fishing. He caught a bass": which?
                self.latest.pop(pronoun, None)

    def heard(self, other_turn: str) -> None:
        """The other party's turn: if it brings in someone else ("Has your realtor heard back?"),
        a "he" or "she" that answers it may mean them."""
        self._someone_else(other_turn, set())

    def _someone_else(self, text: str, names: set[str]) -> bool:
        """Forget who the pronouns stand for if `text` names someone else: anyone for "he" and
        "she" (a capitalised word may be a person), only a person noun for "we" (not "Italy")."""
        if _SOMEONE_ELSE.search(text):
            self.latest.clear()
            return True
        if any(w not in names and w not in _NOT_NAMES for w in _CAPITALISED.findall(text)):
            self.latest.pop("he", None)
            self.latest.pop("she", None)
        return False

    def _near(self, pronoun: str) -> str | None:
        who = self.latest.get(pronoun)
        return who[0] if who and self.sentences - who[1] < REACH else None

    def resolve(self, sentence: str) -> str:
        """The sentence with an opening "he"/"she" replaced by the person it stands for, and an
        opening "we" by the speaker and their partner or group ("My boyfriend and I were ..."),
        when known."""
        if (we := _WE.match(sentence)) and (whom := self._near("we")):
            contraction = (we.group("contraction") or "").replace("\u2019", "'").lower()
            return f"{whom[0].upper()}{whom[1:]} and I{_WE_VERB.get(contraction, '')}{sentence[we.end():]}"
        m = _OPENING.match(sentence)
        pronoun = m.group("pronoun").lower() if m else ""
        if not m or not (person := self._near(pronoun)):
            return sentence
        self.known[person] = pronoun
        for other in ("he", "she"):  # "my boss" called "she" is no longer a "he"
            if other != pronoun and self.latest.get(other, ("",))[0] == person:
                del self.latest[other]
        rest = sentence[m.end():]
        contraction = (m.group("contraction") or "").replace("\u2019", "'").lower()
        had = d_means_had(rest.split())  # "He'd never seen snow": had
        verb = {"'s": " has" if _HAS_AFTER.match(rest) else " is", "'d": " had" if had else " would",
                "'ll": " will"}.get(contraction, "")
        return person[0].upper() + person[1:] + verb + rest
