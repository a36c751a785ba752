"""What a statement replaces or ends, as hints for conflict resolution (pipeline.stages.resolve).

- A slot names a subject that holds one value at a time: a later statement on the same slot
  replaces the earlier one ("I live in Beijing" ... "I moved to Shanghai"). Fixed slots (residence,
  diet, job, relationship, age, car, where and when one works, whom one lives with...), whose
  table and guards are pipeline.extract.fixed_slots, and ones named by the statement, read here
  first ("favorite:food", "provider:dentist", a child's school, a count).
- An ending names the old value itself, when the speaker says it is over or was wrong: "I sold my
  Civic", "I'm not into Coldplay any more" (pipeline.extract.endings, which shares this module's
  guards).
- A compound's clauses each set their own (pipeline.extract.clauses).

Both are read from the speaker's own first-person sentence, before the third-person rewrite. They
must not fire on a sentence that only mentions the words: "We moved to a new office" is no new
home, "I'm single-handedly organising the bake sale" no break-up, "my kids still eat meat" no diet."""
from __future__ import annotations

import re

from pipeline.extract.fixed_slots import BOUGHT_A_CAR, NOT_MY_CAR, OCCUPATIONS, ONE_OFF, ROUTINE_SLOTS, SIDE_JOB, SLOTS


# (a favourite part, scene or moment belongs to whatever it is of, not to the user: "my favorite part
# is the music" says nothing of the next film's favourite part)
_NOT_A_FAVORITE_THING = r"(?!(?:part|thing|bit|moment|scene|line|memory|quote|episode|time|day|one|character|" \
                        r"song\s+on|track\s+on)\b)"
LATELY = r"(?:\s+(?:these\s+days|now|right\s+now|lately|at\s+the\s+moment|currently|nowadays))?"
# "my favorite band (these days) is", "Pizza is my favorite food", "X has become / replaced Y as my favorite author"
_FAVORITE = re.compile(r"\bmy\s+(?:all-time\s+|new\s+)?(?:favou?rite|fave?)\s+" + _NOT_A_FAVORITE_THING +
                       r"(?P<thing>[a-z]+(?:\s+[a-z]+)?)" + LATELY + r"\s+(?:is|are|has to be)\b"
                       r"|\b(?:is|become|became|as)\s+my\s+(?:all-time\s+|new\s+)?(?:favou?rite|fave?)\s+" + _NOT_A_FAVORITE_THING +
                       r"(?P<thing2>[a-z]+(?:\s+(?!now\b)[a-z]+)?)\s*(?:[.,;!?]|$|now\b)", re.I)


# Who or what serves the speaker, one at a time: "my dentist is Smile Studio" ... "found a new dentist,
# Bright Dental"; "my laptop is a ThinkPad"; "I switched my major to nursing"; "switched gyms".
_PROVIDERS = {"gym": "gym", "doctor": "doctor", "gp": "doctor", "physician": "doctor", "dentist": "dentist",
              "therapist": "therapist", "psychiatrist": "psychiatrist", "bank": "bank", "insurance": "insurance",
              "insurer": "insurance", "health insurance": "insurance", "carrier": "carrier", "phone carrier": "carrier",
              "internet provider": "internet provider", "landlord": "landlord", "hairdresser": "hairdresser",
              "barber": "barber", "vet": "vet", "major": "major", "pharmacy": "pharmacy", "mechanic": "mechanic",
              "laptop": "laptop", "phone": "phone"}
_PROVIDER_NOUN = r"(?P<noun{}>" + "|".join(sorted(_PROVIDERS, key=len, reverse=True)) + r")(?!\s+number)"  # (a phone number is its own)
_PROVIDER = re.compile(r"\bmy\s+(?:new\s+|current\s+|primary\s+care\s+|family\s+|regular\s+)?" + _PROVIDER_NOUN.format(1) +
                       r"\s+is\s+(?:now\s+)?(?:over\s+at\s+|at\s+|through\s+|with\s+|an?\s+)?(?:Dr\.?\s+)?(?-i:i?[A-Z])"
                       r"|\b(?:switched|changed)\s+(?:my\s+)?" + _PROVIDER_NOUN.format(2) +
                       r"(?:s|es)?\b(?!\s+(?:off|on|around)\b)"
                       r"|\b(?:found|got|have|switched\s+to|changed\s+to|picked)\s+a\s+new\s+" + _PROVIDER_NOUN.format(3) + r"\b"
                       r"|\bi\s+bank\s+with\s+(?-i:[A-Z])(?P<bank>)|\bi(?:'m|\s+am)\s+majoring\s+in\b(?P<major>)"
                       # "I switched to Dr. Nguyen", "moved all my accounts over to Ally"
                       r"|\b(?:switched|moved|changed)\s+(?:over\s+)?to\s+Dr\.?\s+(?-i:[A-Z])(?P<dr>)"
                       r"|\b(?:moved|switched|transferred)\s+(?:all\s+)?my\s+(?:bank\s+|banking\s+)?accounts?\s+(?:over\s+)?to\s+"
                       r"(?-i:[A-Z])(?P<bank2>)"
                       # "I've switched to an iPhone 15", "upgraded to a Pixel 8", "switched to a MacBook Air"
                       # (the speaker's: not "my mom switched to an iPhone")
                       r"|(?:\b(?:i|i've|we|we've)\s+|^)(?:just\s+|finally\s+)?(?:switched|upgraded|moved|changed)\s+(?:over\s+)?"
                       r"to\s+(?:an?\s+|the\s+|my\s+)?(?:new\s+)?"
                       r"(?:(?-i:iPhone|Pixel|Galaxy|OnePlus|Android|Motorola|Xiaomi)(?P<handset>)|"
                       r"(?-i:MacBook|ThinkPad|Chromebook|Surface\s+Laptop|XPS)(?P<computer>))\b(?!\s+(?:Studio|Auto|TV)\b)", re.I)


def _provider(found: re.Match) -> str:
    noun = "bank" if found.group("bank") is not None or found.group("bank2") is not None else \
        "major" if found.group("major") is not None else "doctor" if found.group("dr") is not None else \
        "phone" if found.group("handset") is not None else "laptop" if found.group("computer") is not None else \
        " ".join(next(found.group(f"noun{n}") for n in (1, 2, 3) if found.group(f"noun{n}")).lower().split())
    return "provider:" + _PROVIDERS[noun]


def favorite_slot(what: str) -> str:
    """"My favourite food", "favorite food" -> "favorite:food"."""
    thing = re.sub(r"^(?:my\s+)?(?:all-time\s+|new\s+)?(?:favou?rite|fave?|preferred)\s+", "", what.strip(), flags=re.I)
    return _favorite(re.sub(LATELY + "$", "", thing, flags=re.I))


def _favorite(thing: str) -> str:
    """One slot for one thing however it is named: "TV show", "show" and "series" are one."""
    thing = " ".join(thing.lower().split())
    return "favorite:" + _SAME_THING.get(thing, thing)


_SAME_THING = {"tv show": "show", "tv series": "show", "series": "show", "television show": "show",
               "movie": "film", "flick": "film", "musician": "artist", "singer": "artist", "dish": "food",
               "meal": "food", "author": "writer", "novel": "book", "tune": "song"}


# How many of something the speaker has: "I have two kids", "now I only have one cat"
_COUNT = re.compile(r"\bi\s+(?:now\s+|only\s+|still\s+|just\s+)*have\s+(?:\d+|no|one|two|three|four|five|six|seven|eight)\s+"
                    r"(?P<what>kids?|children|child|sons?|daughters?|cats?|dogs?|pets?|siblings?|brothers?|sisters?|"
                    r"grandchildren|grandkids?|cars?)\b", re.I)
_SINGULAR = {"kids": "child", "kid": "child", "children": "child", "grandchildren": "grandchild",
             "grandkids": "grandchild", "grandkid": "grandchild"}


# Long messages: endings and slots are read in the first few hundred characters of a sentence
# (a pasted log or a 100k-character message would take seconds of regex work for nothing)
READ_CHARS = 1000
# Not said as so: a hypothetical, a plan, a wish or a joke before the words ("If I moved to Paris",
# "thinking about going vegan", "I joked that I'd quit")
HYPOTHETICAL = re.compile(r"\b(?:if|whether|would|might|could|should|maybe|thinking|considering|planning|"
                         r"want|wanna|joked|joking|kidding|hope|hoping|wish|wishing|dream|dreaming|someday|trying|"
                         r"can't\s+wait|cannot\s+wait|i'd\s+(?:love|like))\b[^.;!?]*$", re.I)


def straight(sentence: str) -> str:
    """A phone keyboard's apostrophe as the plain one the patterns spell: "I’m a nurse now"."""
    return sentence.replace("\u2019", "'")


def said_plainly(sentence: str) -> str:
    """What the slot and ending rules read of a sentence: its first READ_CHARS, with plain
    apostrophes, without what it quotes (in 'My wife told me "I quit my job"' nothing of the
    speaker's ended)."""
    return re.sub(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|(?<!\w)'[^']*'(?!\w)", " ", straight(sentence[:READ_CHARS]))


# A child's school, one per child: "my son goes to Lincoln Elementary" ... "my son started at Jefferson
# Middle School" ("my daughter Mia ..." is Mia's: two children, two schools)
# (not a class or an event: "Sunday School at our church", "Dance Academy on Tuesdays", "the High School musical")
_CHILDS_SCHOOL = re.compile(r"\bmy\s+(?P<child>son|daughter|kid|oldest|youngest)\s+(?:(?P<name>(?-i:[A-Z])[a-z]+)\s+)?"
                            r"(?:now\s+|just\s+)?(?:goes|started|transferred)\s+(?:to|at)\s+"
                            r"(?:the\s+)?(?!(?-i:Sunday|Saturday|Dance|Music|Art|Swim|Karate|Ballet|Drama|Summer|Bible|Driving|Coding|"
                            r"Chess|Soccer|Football|Tennis|Gymnastics|Martial|Cooking|Language|Hebrew|Religious|Space|Band)\b)"
                            r"(?-i:[A-Z])[\w'.-]*(?:\s+(?-i:[A-Z])[\w'.-]*){0,3}?\s+(?-i:Elementary|Middle|High|"
                            r"School|Academy|Preschool|Kindergarten|Montessori|Prep|Primary|Secondary)\b"
                            r"(?!\s+(?:musical|play|game|concert|dance|fair|event|show|reunion|camp)\b)"
                            r"(?![^.;!?]*\bon\s+\w+days\b)", re.I)


def slot_of(sentence: str) -> str | None:
    """The subject a first-person sentence sets, if it is one that holds a single value."""
    sentence = said_plainly(sentence)
    if favorite := _FAVORITE.search(sentence):
        return _favorite(favorite.group("thing") or favorite.group("thing2"))
    if (provider := _PROVIDER.search(sentence)) and not HYPOTHETICAL.search(sentence, 0, provider.end()):
        return _provider(provider)
    if (school := _CHILDS_SCHOOL.search(sentence)) and not HYPOTHETICAL.search(sentence, 0, school.end()):
        return " ".join(["school of", school.group("child").lower(), (school.group("name") or "").lower()]).strip()
    if count := _COUNT.search(sentence):
        what = count.group("what").lower()
        return "count:" + _SINGULAR.get(what, what.removesuffix("s"))
    for name, pattern in SLOTS:
        found = pattern.search(sentence)
        if found and not (name == "job" and SIDE_JOB.search(sentence)) \
                and not (name == "car" and NOT_MY_CAR.search(sentence) and not BOUGHT_A_CAR.search(sentence)) \
                and not (name in ROUTINE_SLOTS and ONE_OFF.search(sentence)) \
                and not HYPOTHETICAL.search(sentence, 0, found.end()):  # "If I moved to Paris", "thinking about going vegan"
            return name
    return None


# (the trades of the job slot, pipeline.extract.fixed_slots)
_OCCUPATION = re.compile(r"\b(?:" + OCCUPATIONS + r")(?=s?\b)", re.I)


def occupations_in(text: str) -> set[str]:
    """The occupations a text names ("a registered nurse" -> {"nurse"}), lowercased."""
    return {" ".join(m.lower().split()) for m in _OCCUPATION.findall(text)}


# The plain words that are a slot's value, beside names and numbers: a diet, a relationship state
_STATE_VALUE = re.compile(r"\b(?:vegetarian|vegan|pescatarian|plant-based|keto|single|married|divorced|engaged|"
                          r"dating|separated|widowed)\b", re.I)
# ...and on the routine slots, words that are their values only there ("night shifts are tiring" is
# no new value of a job)
_SLOT_VALUE = {"workplace": re.compile(r"\b(?:remote|remotely|hybrid|office|home)\b", re.I),
               # (not "day": "I'm on nights, so I sleep during the day")
               "shift": re.compile(r"\b(?:nights?|overnights?|graveyard|swing)\b", re.I),
               "household": re.compile(r"\b(?:alone|myself|parents|roommates?|flatmates?|housemates?|own)\b", re.I)}
# Words that say a value changed, even when the new statement also names the old value ("I got laid
# off from Target", "I left Google"): such a statement is never the same value said again
CHANGE_WORDS = re.compile(r"\b(?:left|leaving|quit|quitting|laid\s+off|fired|lost|moved|moving|relocat\w*|broke\s+up|"
                          r"split|sold|traded|switched|upgraded|no\s+longer|former|ex|used\s+to|any\s?more|"
                          r"unemployed|retired|new|now|again|instead)\b", re.I)


def values_in(text: str, slot: str | None = None) -> set[str]:
    """What a statement on `slot` names as its value, besides names and numbers: occupations, diets,
    relationship states, and the routine slot's own words, lowercased."""
    found = occupations_in(text) | {m.lower() for m in _STATE_VALUE.findall(text)}
    if slot in _SLOT_VALUE:
        found |= {m.lower() for m in _SLOT_VALUE[slot].findall(text)}
    return found
