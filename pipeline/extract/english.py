"""Small pieces of English the offline extractor needs: sentence splitting, first- to
third-person rewriting with verb agreement, and relative-time resolution against chat_time."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])|\n+")
MODALS = {"can", "could", "will", "would", "should", "may", "might", "must", "shall"}
ADVERBS = {"just", "also", "always", "never", "still", "often", "usually", "really", "actually",
           "finally", "recently", "even", "only", "sometimes", "already", "now", "mostly",
           "definitely", "totally", "truly", "absolutely", "generally", "normally", "currently"}
IRREGULAR_PAST = set("""went had was were did made got saw took came found gave told felt became left kept
began brought bought thought met ran wrote won lost sent spent built heard held paid said sat stood
understood chose knew grew drove flew ate drank sang swam taught caught fought sold rode broke spoke
woke wore tore forgot forgave hid led lent lit meant put quit set shut slept stole struck swore threw
""".split())
THIRD_PERSON = {"am": "is", "have": "has", "do": "does", "go": "goes", "'m": "is", "'ve": "has"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in THIRD_PERSON:
        return THIRD_PERSON[low]
    if low in MODALS or low in IRREGULAR_PAST or low.endswith("ed") or not low.isalpha():
        return verb
    if re.search(r"(s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def to_third_person(sentence: str, subject: str) -> str:
    """Rewrite a first-person sentence about the speaker so it names them: 'I love my dog'
    -> 'Caroline loves Caroline's dog' would read badly, so possessives become 'her/his'-free
    forms: "the user's" / "Caroline's"."""
    possessive = f"{subject}'s"
    words = sentence.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        bare = re.sub(r"[^\w']", "", word)
        low = bare.lower()
        tail = word[len(word.rstrip(".,!?;:\"')")):]
        if low in ("i", "i'm", "i've", "i'll", "i'd"):
            out.append(subject + {"i'm": " is", "i've": " has", "i'll": " will", "i'd": " would"}.get(low, ""))
            if low == "i":
                # conjugate the verb that follows, skipping adverbs
                j = i + 1
                while j < len(words) and re.sub(r"[^\w]", "", words[j]).lower() in ADVERBS:
                    out.append(words[j])
                    j += 1
                if j < len(words):
                    verb = words[j]
                    core = re.sub(r"[^\w']", "", verb)
                    rest = verb[len(core):] if verb.startswith(core) else ""
                    if core.lower() == "don't":
                        out.append("doesn't" + rest)
                    elif core.lower() == "was" or core.lower() == "were":
                        out.append(verb)
                    else:
                        out.append(_third_person(core) + rest if core else verb)
                    i = j + 1
                    continue
            else:
                out[-1] += tail
        elif low in ("my", "mine"):
            out.append((possessive if low == "my" else possessive) + tail)
        elif low == "me":
            out.append(subject + tail)
        elif low == "myself":
            out.append(subject + tail)
        else:
            out.append(word)
        i += 1
    text = " ".join(out)
    return text[0].upper() + text[1:] if text else text


def _fmt(day: datetime) -> str:
    return f"{day.day} {day:%B %Y}"


def resolve_relative_times(sentence: str, said: datetime) -> tuple[str, bool]:
    """Replace 'yesterday', 'last week', 'next month', 'two days ago'... with dates computed
    from when the sentence was said. Returns the sentence and whether anything was resolved."""
    rules: list[tuple[str, callable]] = [
        (r"\byesterday\b", lambda m: f"on {_fmt(said - timedelta(days=1))}"),
        (r"\btoday\b", lambda m: f"on {_fmt(said)}"),
        (r"\btonight\b|\bthis evening\b", lambda m: f"on the evening of {_fmt(said)}"),
        (r"\bthis morning\b", lambda m: f"on the morning of {_fmt(said)}"),
        (r"\blast night\b", lambda m: f"on the night of {_fmt(said - timedelta(days=1))}"),
        (r"\btomorrow\b", lambda m: f"on {_fmt(said + timedelta(days=1))}"),
        (r"\blast week\b", lambda m: f"in the week before {_fmt(said)}"),
        (r"\bnext week\b", lambda m: f"in the week after {_fmt(said)}"),
        (r"\bthis week\b", lambda m: f"in the week of {_fmt(said)}"),
        (r"\blast weekend\b", lambda m: f"on the weekend before {_fmt(said)}"),
        (r"\bthis weekend\b", lambda m: f"on the weekend of {_fmt(said)}"),
        (r"\blast month\b", lambda m: f"in {(said.replace(day=1) - timedelta(days=1)):%B %Y}"),
        (r"\bnext month\b", lambda m: f"in {(said.replace(day=28) + timedelta(days=5)):%B %Y}"),
        (r"\bthis month\b", lambda m: f"in {said:%B %Y}"),
        (r"\blast year\b", lambda m: f"in {said.year - 1}"),
        (r"\bnext year\b", lambda m: f"in {said.year + 1}"),
        (r"\bthis year\b", lambda m: f"in {said.year}"),
        (r"\b(\d+|a|an|one|two|three|four|five|six|seven|a few|few|several) (day|week|month|year)s? ago\b",
         _ago(said)),
        (r"\b(last|next|this) (" + "|".join(WEEKDAYS) + r")\b", _weekday(said)),
    ]
    changed = False
    for pattern, repl in rules:
        new = re.sub(pattern, repl, sentence, flags=re.IGNORECASE)
        changed |= new != sentence
        sentence = new
    return sentence, changed


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "a few": 3, "few": 3, "several": 3}


def _ago(said: datetime):
    def repl(m: re.Match) -> str:
        n = _NUMBERS.get(m.group(1).lower()) or int(m.group(1))
        unit = m.group(2).lower()
        if unit == "day":
            return f"on {_fmt(said - timedelta(days=n))}"
        if unit == "week":
            return f"in the week of {_fmt(said - timedelta(weeks=n))}"
        if unit == "month":
            month = (said.month - n - 1) % 12 + 1
            year = said.year + (said.month - n - 1) // 12
            return f"in {datetime(year, month, 1):%B %Y}"
        return f"in {said.year - n}"
    return repl


def _weekday(said: datetime):
    def repl(m: re.Match) -> str:
        which, day = m.group(1).lower(), WEEKDAYS.index(m.group(2).lower())
        delta = day - said.weekday()
        if which == "last":
            delta = delta - 7 if delta >= 0 else delta
        elif which == "next":
            delta = delta + 7 if delta <= 0 else delta
        return f"on {m.group(2).capitalize()} {_fmt(said + timedelta(days=delta))}"
    return repl


def date_phrase(said: datetime) -> str:
    return _fmt(said)
