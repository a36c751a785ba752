"""Automatic tags and entities. A caller's own tag is used where its words occur in the memory;
otherwise a small topic vocabulary names the memory's domain."""
from __future__ import annotations

import re

TOPICS = {
    "travel": "trip trips travel traveling travelling flight flights fly flying flew hotel inn vacation holiday "
              "visit tour booked booking airport airline train passport visa abroad luggage itinerary tourist "
              "tourists resort guesthouse beach sightseeing getaway",
    "food": "food eat ate eating spicy dinner lunch breakfast restaurant restaurants cook cooking meal meals taste "
            "oil vegetarian vegan meat recipe recipes dish dishes cuisine snack snacks dessert desserts bake baking "
            "drink drinks alcohol wine beer coffee tea mushrooms cheese chicken fish seafood shellfish pork beef "
            "steak pasta pizza sushi rice bread chocolate sugar dairy milk gluten peanuts nuts eggs vegetables "
            "fruit salad soup curry",
    "health": "health knee sore pain doctor hospital sick exercise ran run running gym fitness injury cardio "
              "workout workouts swim swimming laps yoga pilates lifting weights marathon training sleep diet",
    "money": "money invest investing investment investments savings save saving bonus budget stocks shares "
             "funds fund retirement bank debt loan mortgage spend spending salary",
    "work": "work job office career company boss colleague project salary interview",
    "family": "family mother father mom dad sister brother kids children son daughter husband wife parents",
    "hobby": "hobby painting music guitar piano reading book books hiking camping photography art jazz song "
             "songs album band listen listening podcast podcasts audiobook audiobooks novel novels fiction knitting "
             "gardening drawing singing",
    "education": "school study studying university college class course degree exam learn",
    "pets": "dog dogs cat cats pet pets puppy kitten",
    "entertainment": "movie movies film tv show series game games concert",
    "relationships": "friend friends partner dating married wedding relationship",
    "shopping": "buy bought shopping store purchase order",
}
_TOPIC_WORDS = {topic: set(words.split()) for topic, words in TOPICS.items()}
_ENTITY = re.compile(r"\b(?:\d+\s+)?[A-Z][\w'-]*(?:\s+(?:of|de|the|and)?\s*[A-Z][\w'-]*)*")
# Capitalised words that are not names: sentence starters, interjections, pronouns.
_NOT_ENTITIES = set("""I I'm I've I'll I'd The A An My We It It's This That What Which How Why When Where Who
Yes No Thanks Thank Hi Hello Hey Sure Ok Okay Got User And But So Tool As On In Oh Wow Hey Good Great Cool Nice
Awesome Amazing Congrats Congratulations Haha Lol Yeah Yep Well Also Just Really Totally Definitely Absolutely
Glad Sounds Love Looks Looking Let Let's Do Did Does Can Could Would Will Should Have Has Had Is Are Was Were
If Then There Here These Those They Their You You're Your He She His Her Our Us Me Not Maybe Anyway Plus
Speaking Anything Something Everything Nothing Some Any Each Every All Both One Today Yesterday Tomorrow
Sorry Please Right Exactly True Of Course Agreed Same Me Too Hmm Ah Aw Aww Omg Btw By For From With To At
Been Being Seeing Taking Making Getting Going Having Trying Check Such Last Next First Life Family Friends
Appreciate Thinking Feeling Hope Wish Remember Keep Take Make Go Get See Know Think Feel Still Even Now After
Before Since Once While Because Though Although Lately Recently Finally Actually Honestly Sometimes""".split())
# A contraction is not a name: "They're", "Can't", "You've" open sentences ("Bob's" is possessive).
_CONTRACTION = re.compile(r"[\w]+(?:'|\u2019)(?:re|ve|ll|d|m|t)$", re.I)
_DATE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December) \d{4}\b")


def _stem(word: str) -> str:
    return word.lower()[:5]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[a-zA-Z']+", text)}


def topics_of(text: str) -> list[str]:
    """The TOPICS a text's words name ("Suggest a dinner recipe" -> food)."""
    words = _words(text)
    return [topic for topic, vocab in _TOPIC_WORDS.items() if words & vocab]


def auto_tags(text: str, caller_tags: list[str]) -> list[str]:
    """The caller's tags that fit (a word of the tag in the memory, or the tag naming a topic the
    memory is about: "travel planning" fits a hotel booking), then the topics no caller tag covers."""
    words = _words(text)
    stems = {_stem(w) for w in words if len(w) >= 4}
    topics = topics_of(text)
    tags, covered = [], set()
    for tag in caller_tags:
        tag_words = _words(tag)
        hit_topics = {t for t in topics if tag_words & (_TOPIC_WORDS[t] | {t})}
        if hit_topics or any(_stem(w) in stems for w in tag_words if len(w) >= 4):
            tags.append(tag)
            covered |= hit_topics
    tags += [t for t in topics if t not in covered]
    return list(dict.fromkeys(tags))


def entities_of(text: str) -> list[str]:
    """Dates, then capitalised names (people, places, organisations), possessives stripped."""
    found = [d for d in _DATE.findall(text)]
    body = _DATE.sub(" ", text)
    for match in _ENTITY.finditer(body):
        words = match.group(0).strip().split()
        while words and words[0].strip("'") in _NOT_ENTITIES:
            words = words[1:]  # "Hey Mel" -> "Mel"
        name = " ".join(words).removesuffix("'s").removesuffix("\u2019s")
        if len(name) < 2 or name in _NOT_ENTITIES or _CONTRACTION.match(name):
            continue
        found.append(name)
    return list(dict.fromkeys(found))
