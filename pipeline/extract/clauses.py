"""The independent clauses of a sentence said of oneself, for the extractor (pipeline.extract.offline):
a sentence on two single-valued subjects is stored as one fact per subject, and a compound kept
whole keeps its clauses, so that a change to one of them leaves the others current
(pipeline.stages.resolve)."""
from __future__ import annotations

import re

from pipeline.extract.updates import READ_CHARS, slot_of, straight

# A sentence of independent clauses said of oneself: "I live in Boston and I'm a nurse", "I work at
# Google and live in Mountain View", "I'm 34, single, and drive a Honda". Each clause after the first
# opens on the speaker or on a verb whose "I" was left out (given back); none may point back to
# another ("I moved to Denver and I love it there" stays whole).
_ELLIPSIS_VERBS = ("live|work|drive|have|own|rent|play|study|teach|go|love|like|enjoy|run|smoke|drink|eat|take|use|"
                   "volunteer|coach|commute|do|watch|read|write|cook|speak|attend|hate|ride|share|keep")
# "I want to live in Paris and work at Chanel", "I don't eat meat and drink milk": the left-out "I" is
# the wish's or the negation's, not a statement's
_GOVERNS_THE_NEXT_VERB = re.compile(r"\b(?:to|can|can't|cannot|could|would|should|might|may|must|will|won't|'d|'ll|"
                                    r"don't|doesn't|didn't|never|not|no\s+longer)\b", re.I)
_JOIN = r"\s*(?:,\s*(?:and\s+|but\s+)?|;\s*|\s+and\s+|\s+but\s+)"
_CLAUSE_START = r"(?:[Mm]y|we|we're|we've|(?:" + _ELLIPSIS_VERBS + r")|(?:living|working|studying|based)\s+(?:in|at|from|for|" \
                r"remotely|with)\b)\b"
_CLAUSE_JOIN = re.compile(_JOIN + r"(?=(?:I|I'm|I've|I am)\b|" + _CLAUSE_START + ")")
# after an opening "My ...", not before "I": "My boyfriend Tom and I have been together" is one clause
_CLAUSE_JOIN_AFTER_MY = re.compile(_JOIN + r"(?=" + _CLAUSE_START + ")")
_PARTICIPLE = re.compile(r"(?:living|working|studying|based)\b")
# "I'm a 32 year old nurse living in Leeds": who one is, then where, with no comma
_IDENTITY_THEN_PARTICIPLE = re.compile(r"^(I'm an?\s+(?:[\w'-]+\s+){0,5}?(?!(?:of|for|in|about|to|at|with|on|from|by|like|"
                                       r"into|than)\s)[\w'-]+)\s+(?=(?:living|working|studying|based)\s+"
                                       r"(?:in|at|from|for|remotely|with)\b)")
_HAS_A_SUBJECT = re.compile(r"(?:I|I'm|I've|I am|my|we|we're|we've)\b", re.I)  # a clause whose "I" is not left out
_POINTS_BACK = re.compile(r"\b(?:it|its|it's|there|that|this|they|them|their|those|these|he|him|his|she|her|"
                          r"one|both|so|too|also|either|same|which)\b", re.I)
_LISTED_STATE = re.compile(r",\s+([a-z]+(?:\s+[a-z]+)?)$")
# One clause, two values: "I live in Boston with my two cats" says where one lives and with whom. A
# move changes the first only, so the compound's clauses are "I live in Boston." and "I live with my
# two cats." (It stays one fact: it reads better whole, and each clause outlives a change to the other.)
_LIVES_IN_WITH = re.compile(r"^((?:I|We)(?:\s+live|\s*(?:am|'m|are|'re)\s+living)\s+)(in\s+[^,;]+?)\s+"
                            r"(with\s+(?:my|our)\s+[^,;]+?)([.!?]?)$", re.I)


def clauses(sentence: str, two_values_apart: bool = True) -> list[str]:
    """`sentence` as its independent first-person clauses (see above), or [sentence]."""
    sentence = straight(sentence)
    if len(sentence) > READ_CHARS:
        return [sentence]
    if not re.match(r"(?:I|I'm|I've|I am|My)\b", sentence):
        return _two_values_apart(sentence) if two_values_apart and re.match(r"We\b", sentence) else [sentence]
    parts = [p for p in (_CLAUSE_JOIN_AFTER_MY if sentence.startswith("My") else _CLAUSE_JOIN).split(sentence) if p]
    if identity := _IDENTITY_THEN_PARTICIPLE.match(parts[0]):
        parts[:1] = [identity.group(1), parts[0][identity.end():]]
    if parts[0].startswith("I'm ") and (tail := _LISTED_STATE.search(parts[0])):  # "I'm 34, single, and ..."
        parts[:1] = [parts[0][:tail.start()], "I'm " + tail.group(1)]
    if two_values_apart:
        parts = [half for part in parts for half in _two_values_apart(part)]
    if len(parts) < 2 or any(_POINTS_BACK.search(part) for part in parts[1:]):
        return [sentence]
    for before, part in zip(parts, parts[1:]):
        if not _HAS_A_SUBJECT.match(part) and not _PARTICIPLE.match(part) and _GOVERNS_THE_NEXT_VERB.search(before):
            return [sentence]
    parts = [part if _HAS_A_SUBJECT.match(part) else ("I'm " if _PARTICIPLE.match(part) else "I ") + part
             for part in parts]
    parts = [part[0].upper() + part[1:] for part in parts]
    return [part if part.endswith((".", "!", "?")) else part + "." for part in parts]


# ...and said with the other as a subject: "My wife Anna and I live in Madrid"
_WE_LIVE_IN = re.compile(r"^(My\s+(?:wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|family|kids|son|daughter|"
                         r"roommates?|parents|mom|mum|dad)(?:\s+(?-i:[A-Z])[a-z]+)?)\s+and\s+I\s+"
                         r"(live|are\s+living|have\s+lived)\s+(in\s+(?!(?:different|separate|two)\b)[^,;]+?)([.!?]?)$", re.I)
# One verb, two things: "I have a cat named Pepper and a dog named Scout", "I use a MacBook and an
# iPhone 13": when the dog dies, the cat stays
# (a thing named with "a" or a number: "and my in-laws drive a Tesla" is another subject)
_ONE_VERB_TWO_THINGS = re.compile(r"^((?:I|We)\s+(?:have|own|use|drive|adopted|rescued|got)\s+)((?:a|an|two|three)\s+"
                                  r"[^,;]+?)\s+and\s+((?:a|an|two|three)\s+[^,;]+?)([.!?]?)$")
# ...and two activities or subjects: "I play soccer on Tuesdays and basketball on Thursdays", "I'm
# studying French and Mandarin at night school": dropping one leaves the other
_ONE_VERB_TWO_PURSUITS = re.compile(r"^((?:I|We)(?:'m|'re|\s+am|\s+are)?\s+(?:play|playing|study|studying|learn|learning|"
                                    r"speak|take|taking|coach|coaching|teach|teaching)\s+)((?-i:[A-Za-z])[\w-]*(?:\s+on\s+\w+)?)"
                                    r"\s+and\s+((?-i:[A-Za-z])[\w-]*)((?:\s+(?:on|at|in)\s+[^,;]+?)?)([.!?]?)$")
# "with my girlfriend Priya and our cat Mochi": with each
_WITH_EACH = re.compile(r"^(with\s+(?:my|our)\s+[^,;]+?)\s+and\s+((?:my|our)\s+[^,;]+)$")


def _two_values_apart(clause: str) -> list[str]:
    """One clause holding two values (where and with whom, two things, two pursuits) as two."""
    if found := _LIVES_IN_WITH.match(clause):
        lives, where, with_whom, stop = found.groups()
        each = _WITH_EACH.match(with_whom)
        return [f"{lives}{where}{stop}"] + ([f"{lives}{each.group(1)}{stop}", f"{lives}with {each.group(2)}{stop}"]
                                           if each else [f"{lives}{with_whom}{stop}"])
    if found := _WE_LIVE_IN.match(clause):
        whom, verb, where, stop = found.groups()
        verb = "live" if verb.lower() == "live" else verb.lower().replace("are ", "am ")
        return [f"I {verb} {where}{stop}", f"I {verb} with my{whom[2:]}{stop}"]
    if found := _ONE_VERB_TWO_THINGS.match(clause):
        verb, first, second, stop = found.groups()
        return [f"{verb}{first}{stop}", f"{verb}{second}{stop}"]
    if (found := _ONE_VERB_TWO_PURSUITS.match(clause)) and all(_a_pursuit(found.group(n).split()[0]) for n in (2, 3)):
        verb, first, second, where, stop = found.groups()
        return [f"{verb}{first}{stop}", f"{verb}{second}{where}{stop}"]
    return [clause]


# A pursuit is named: a language or a school subject in capitals, or a sport, an instrument or a
# subject ("I play guitar and sing in a band" is two verbs, not two instruments)
_PURSUITS = set("""soccer football basketball baseball softball tennis volleyball hockey golf rugby cricket badminton squash
pickleball lacrosse handball chess poker bridge piano guitar violin viola cello drums bass flute clarinet saxophone sax
trumpet trombone ukulele harp banjo math maths algebra calculus physics chemistry biology history geography economics
art music drama law medicine nursing engineering philosophy psychology sociology literature statistics""".split())


def _a_pursuit(word: str) -> bool:
    return (word[:1].isupper() and word != "I") or word.lower() in _PURSUITS


def apart_by_slot(sentence: str) -> list[str]:
    """One statement per single-valued subject a sentence sets, when its clauses set two or more
    ("I live in Boston and I'm a nurse": stored whole, a move would archive the nurse with Boston);
    else the sentence whole."""
    parts = clauses(sentence, two_values_apart=False)
    slots = [slot for slot in map(slot_of, parts) if slot]
    if len(slots) < 2 or len(set(slots)) < len(slots):  # a slot twice: "I left Boston and I live in Denver"
        return [sentence]
    return parts
