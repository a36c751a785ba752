"""The words around a relative time that change how it is read (for pipeline.extract.times): a
preposition that takes the date itself ("as of this month" is "as of June 2023"), and a title that
holds the time and names no day ("The Day After Tomorrow"). Apart from the rules that compute the
dates, which they do not touch."""
from __future__ import annotations

import re

from pipeline.extract.english import WEEKDAYS

# A preposition that takes the date itself: "as of this month" is "as of June 2023", not "as of in
# June 2023"; "since yesterday" is "since 31 May 2023".
_TAKES_A_DATE = re.compile(r"\b(?:as of|since|by|until|till|from|starting|beginning|before|after|through|"
                           r"around|as early as|as late as|no later than)\s+$", re.IGNORECASE)


def after_a_preposition(m: re.Match, phrase: str) -> str:
    """The date, without the "in"/"on" the rule put before it, after a preposition of its own (the
    words said keep theirs: "starting in two weeks")."""
    if _TAKES_A_DATE.search(m.string, max(0, m.start() - 20), m.start()) and \
            not re.match(r"(?:in|on)\b", m.group(0), re.I):
        return re.sub(r"^(?:in|on) ", "", phrase)
    return phrase


# A title that holds a relative time names no day: "The Day After Tomorrow", 'Tomorrow, and Tomorrow,
# and Tomorrow' (a novel). A title is quoted or set in italics, of several words, capitalised; or,
# unquoted, the end of a run of capitalised words that follows a lower-case word ("I loved The Day
# After Tomorrow"). Not a time that opens a line, a bullet or what follows an emoji or a bracket
# ("- Last Saturday I ran", "(Yesterday Mom and I ...)"), nor one said in capitals ("I PASSED
# YESTERDAY"), nor one word in quotes ("she said 'Tomorrow'") or bold ("**Tomorrow:** fly").
_QUOTED = re.compile(r"(?<![\w*])(?:'(?:[^'\n]|'(?=\w)){1,80}'|\"[^\"\n]{1,80}\"|“[^”\n]{1,80}”|‘[^’\n]{1,80}’|"
                     r"\*[^*\n]{1,80}\*)(?![\w*])")
_SMALL_WORDS = {"a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "or", "but", "with", "by", "from", "is"}
_TITLE_REACH = 100  # characters looked at on each side of a time for the title around it


def in_a_title(m: re.Match) -> bool:
    text, start, end = m.string, m.start(), m.end()
    # (only the text near the time: a long message is annotated time by time)
    near = max(0, start - _TITLE_REACH)
    for quoted in _QUOTED.finditer(text, near, min(len(text), end + _TITLE_REACH)):
        inside = quoted.group(0)[1:-1]
        if quoted.start() < start and end < quoted.end() and len(inside.split()) > 1 and _title_case(inside):
            return True
    if not _title_case(m.group(0)) or m.group(0).isupper() or m.group(0).lower() in WEEKDAYS:
        return False  # ("on Friday" is capitalised as a name)
    # (on its line: a line break starts anew, "todo list\nCall Mom Tomorrow")
    before = text[near:start].rsplit("\n", 1)[-1].split()
    after = text[end:min(len(text), end + _TITLE_REACH)].split("\n", 1)[0].split()
    run = 0
    while run < len(before) and _capitalised(before[-1 - run]) and not re.search(r"[.!?:]$", before[-1 - run]):
        run += 1
    ahead = 0
    while ahead < len(after) and _capitalised(after[ahead]):
        ahead += 1
        if re.search(r"[.!?:,;]$", after[ahead - 1]):
            break
    # three capitalised words or more with the time's own, after a word in lower case: a sentence
    # goes on around the title ("Tomorrow Never Dies", "I loved The Day After Tomorrow"; "ok so
    # Last Friday we went" is two, a time said with a capital)
    return run + len(m.group(0).split()) + ahead >= 3 and run < len(before) \
        and re.fullmatch(r"[a-z][\w'-]*,?", before[-1 - run]) is not None


def _capitalised(word: str) -> bool:
    """A capitalised word of a title: not "I" (nor "I'm"), which is capitalised anywhere, nor one
    in capitals ("I PASSED MY QUALS YESTERDAY")."""
    core = word.strip("\"'“”‘’*(),;")
    return bool(core) and core[0].isupper() and not re.fullmatch(r"I(?:'\w+)?", core) \
        and not (len(core) > 1 and core.isupper())


def _title_case(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w']*", text)
    return bool(words) and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words) \
        and any(w[0].isupper() for w in words)
