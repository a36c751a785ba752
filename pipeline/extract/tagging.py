"""Automatic tags and entities. A caller's own tag is used where its words occur in the memory;
otherwise a small topic vocabulary names the memory's domain."""
from __future__ import annotations

import re

TOPICS = {
    "travel": "trip travel flight hotel inn vacation holiday visit tour booked booking airport train",
    "food": "food eat ate spicy dinner lunch breakfast restaurant cook cooking meal taste oil vegetarian vegan meat",
    "health": "health knee sore pain doctor hospital sick exercise ran run running gym fitness injury",
    "work": "work job office career company boss colleague project salary interview",
    "family": "family mother father mom dad sister brother kids children son daughter husband wife parents",
    "hobby": "hobby painting music guitar piano reading book books hiking camping photography art",
    "education": "school study studying university college class course degree exam learn",
    "pets": "dog dogs cat cats pet pets puppy kitten",
    "entertainment": "movie movies film tv show series game games concert",
    "relationships": "friend friends partner dating married wedding relationship",
    "shopping": "buy bought shopping store purchase order",
}
_TOPIC_WORDS = {topic: set(words.split()) for topic, words in TOPICS.items()}
_ENTITY = re.compile(r"\b(?:\d+\s+)?[A-Z][\w'-]*(?:\s+(?:of|de|the|and)?\s*[A-Z][\w'-]*)*")
_NOT_ENTITIES = {"I", "The", "A", "An", "My", "We", "It", "This", "That", "What", "Which", "How", "Why",
                 "When", "Where", "Who", "Yes", "No", "Thanks", "Thank", "Hi", "Hello", "Sure", "Ok", "Okay",
                 "Got", "User", "The user", "And", "But", "So", "Tool", "As", "On", "In", "Oh", "Wow", "Hey"}
_DATE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December) \d{4}\b")


def _stem(word: str) -> str:
    return word.lower()[:5]


def auto_tags(text: str, caller_tags: list[str]) -> list[str]:
    words = {w.lower() for w in re.findall(r"[a-zA-Z']+", text)}
    stems = {_stem(w) for w in words if len(w) >= 4}
    tags = [t for t in caller_tags if any(_stem(w) in stems for w in re.findall(r"[a-zA-Z']+", t) if len(w) >= 4)]
    tags += [topic for topic, vocab in _TOPIC_WORDS.items() if words & vocab]
    return list(dict.fromkeys(tags))


def entities_of(text: str) -> list[str]:
    found = [d for d in _DATE.findall(text)]
    body = _DATE.sub(" ", text)
    body = re.sub(r"\(as of [^)]*\)", " ", body)
    for match in _ENTITY.finditer(body):
        name = match.group(0).strip()
        if name in _NOT_ENTITIES or len(name) < 2:
            continue
        found.append(name)
    return list(dict.fromkeys(found))
