"""What a search query asks, read from its words (for pipeline.recall): about the past or about
now, in the asker's first person, about the asker's own life or about what the other party said."""
from __future__ import annotations

import re

# A question about how things are now ("What car do I drive?", "What painkiller am I taking now?")
# rather than about a past event ("When did I hurt my knee?", "How did we meet?").
_ABOUT_THE_PAST = re.compile(r"\b(?:did|was|were|had|used to|before|first|originally|ago|back then|last (?:year|"
                             r"month|week|time))\b", re.I)
_ABOUT_NOW = re.compile(r"\b(?:now|currently|current|these days|still|latest|most recent|any ?more|"
                        r"do|does|am|is|are|have|has)\b|'s\b|'re\b|'m\b", re.I)

# ("me" is no sign: "Remind me where Melanie lives now")
_IN_THE_FIRST_PERSON = re.compile(r"\b(?:i|my|mine|myself)\b|\bi'(?:m|ve|d|ll)\b", re.I)

# A question that asks after what the other party said or handed over ("Can you remind me of the
# trail you recommended?", "What did we discuss for my trip?", "the recipe I was given", "from
# last week's chat", "What did Melanie say about my painting?", "the list I got for Kyoto"). (A
# "we" alone is as often the asker's family: "Where did we go last summer?")
_ASKS_WHAT_THEY_SAID = re.compile(
    r"\b(?:you(?:r|rs|rself)?|u|assistant|bot|ai|chat(?:bot)?s?|conversations?|discussions?)\b|"
    r"\bwe\s+(?:discuss|talk|chat|spoke|go\s+over|went\s+over|cover)|"
    r"\b(?:given|gave|recommend\w*|suggest\w*|advi[cs]e\w*|told|tell|say|said|says|mention\w*|remind\w*|"
    r"recall\w*|again)\b|"
    # something made for the asker and handed over: "the second restaurant on the list I got for Kyoto"
    r"\b(?:list|recipe|plan|itinerary|schedule|routine|suggestions?|options|ideas|tips|steps|names|outline|"
    r"draft|template)\s+(?:\w+\s+){0,2}?i\s+(?:got|received)\b", re.I)
# What is not the asker's "I": quoted titles ('Who sang "I Will Survive"?'), "i.e.", "I/O", and a
# Roman numeral after a name ("World War I is", "Elizabeth I?", not "Yesterday I went").
_NOT_THE_ASKER = re.compile(r"\"[^\"]*\"|“[^”]*”|(?<!\w)'[^']*'(?!\w)|\bi\.e\.|\bI/O\b|\b[A-Z][a-z]+ I\b(?!\s+[a-z])|"
                            r"\b(?:War|Part|Chapter|Volume|Act|Book|Phase|Stage|Level|Type|Class|Season|Episode|"
                            r"Henry|Elizabeth|Charles|James|George|Edward|Louis|Richard) I\b")


def about_the_past(query: str) -> bool:
    """Whether the query asks about a past event ("When did I hurt my knee?")."""
    return bool(_ABOUT_THE_PAST.search(query))


def asks_about_now(query: str) -> bool:
    """Whether the query asks how things are now ("What car do I drive?"), not about the past."""
    return bool(_ABOUT_NOW.search(query)) and not about_the_past(query)


def in_the_first_person(query: str) -> bool:
    """Whether the query is said in the asker's first person ("What's my manager's name?"), not by
    an "I" of a title or a name ('Who sings "I Will Survive" now?', "World War I")."""
    return _IN_THE_FIRST_PERSON.search(_NOT_THE_ASKER.sub(" ", query)) is not None


def about_the_asker(query: str) -> bool:
    """Whether the query asks about the asker's own life, in the first person and not after what
    the other party said: "How many doctors did I visit?", "What do I pay in rent?"."""
    return in_the_first_person(query) and not _ASKS_WHAT_THEY_SAID.search(query)
