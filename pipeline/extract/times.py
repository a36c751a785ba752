"""Relative times ("yesterday", "last Friday", "in 3 days", "two weeks ago"; in raw messages also
Chinese and Japanese ones) resolved against the chat_time a message was said at."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

from memq.tokens import WIDE_CHAR
from pipeline.extract.english import IRREGULAR_PAST, PRESENT_ED, REGULAR_PAST, WEEKDAYS
from pipeline.extract.time_context import after_a_preposition, in_a_title



def _fmt(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _month_shift(said: datetime, months: int) -> datetime:
    index = said.year * 12 + said.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1)


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "a couple": 2, "couple of": 2,
            "a few": 3, "few": 3, "several": 3}
_COUNT = r"(\d+|a couple of|a couple|couple of|a few|few|several|an|a|one|two|three|four|five|six|seven|eight|nine|ten)"


def _counted(said: datetime, m: re.Match, sign: int) -> str | None:
    """The point `sign` times a counted span ("two weeks", "3 days") from when it was said: a day,
    the week of a day, a month or a year. None when it has no date ("5000000 days")."""
    n = sign * (_NUMBERS.get(m.group(1).lower()) or int(m.group(1)))
    unit = m.group(2).lower()
    try:
        if unit == "day":
            return _fmt(said + timedelta(days=n))
        if unit == "week":
            return f"the week of {_fmt(said + timedelta(weeks=n))}"
        if unit == "month":
            return f"{_month_shift(said, n):%B %Y}"
        return str(said.year + n)
    except (OverflowError, ValueError):
        return None


def _ago(said: datetime):
    """'two weeks ago' keeps its words and gains the date it points at: the question may use
    either ("when ... four years ago?", "in which year ...?"). 'Two weeks ago today' (days or weeks) is
    one day."""
    def repl(m: re.Match) -> str:
        when = _counted(said, m, -1)
        if when and m.group(3) and m.group(2).lower() in ("day", "week"):
            n = _NUMBERS.get(m.group(1).lower()) or int(m.group(1))
            when = _fmt(said - timedelta(days=n * (7 if m.group(2).lower() == "week" else 1)))
        return f"{m.group(0)} ({when})" if when else m.group(0)  # no date: the words stay as said
    return repl


def _in_from_now(said: datetime):
    """'in 3 days', 'in two weeks': from when it was said, forward. Not in a sentence in the past
    ("I read it in two weeks" is how long it took)."""
    def repl(m: re.Match) -> str:
        since = re.split(r"\b(?:and|but|so|because)\b", _clause_before(m))[-1]
        when = None if _said_in_past(m) or _HOW_LONG_SINCE.search(since) else _counted(said, m, 1)
        return f"{m.group(0)} ({when})" if when else m.group(0)
    return repl


# How long since, not a day to come: "I haven't slept in 4 days", "the best sleep I've had in two
# weeks", "first time in 3 years" (read in the words since the clause's last "and"/"but": "I haven't
# packed yet and we move in 3 days" is a day to come; "Our first baby is due in 3 weeks" is one too)
_HOW_LONG_SINCE = re.compile(r"\b(?:haven't|hasn't|hadn't|have\s+not|has\s+not|had\s+not|never)\b|\bfirst\s+time\s*$"
                             r"|\b(?:best|worst|longest|most)\b.*\b(?:i've|i\s+have|i\s+had|we've|i'd)\b", re.I)


def _weekday(said: datetime):
    """'last Friday', 'next Friday', 'this Friday' and a bare 'on Friday': 'this' and a bare day
    are the coming one, or, in a sentence in the past, the last one ("I started on Monday")."""
    def repl(m: re.Match) -> str:
        which, name = (m.group(1) or "").lower(), m.group(2)
        ahead = (WEEKDAYS.index(name.lower()) - said.weekday()) % 7  # 0: today
        after_for = m.string[:m.start()].rstrip().lower().endswith("for")
        if which in ("last", "this past") or not which and _fragment_in_past(m):
            delta = ahead - 7
        elif which == "next":
            delta = ahead or 7
        elif _said_in_past(m) and not after_for:
            # "I booked the physio for this Thursday" is past about the booking, not the Thursday
            delta = ahead - 7 if ahead else (0 if which == "this" else -7)
        else:
            delta = ahead if which == "this" else (ahead or 7)
        day = f"{name.capitalize()} {_fmt(said + timedelta(days=delta))}"
        return day if not which or after_for else f"on {day}"  # "on Friday", "for Friday" keep their word
    return repl


def _clause_before(m: re.Match) -> str:
    """The words of a match's clause before it."""
    text = m.string
    lo = max(0, m.start() - _NEAR_CHARS)
    found = max(text.rfind(end, lo, m.start()) for end in _CLAUSE_ENDS)
    return text[found + 1 if found >= 0 else lo:m.start()]


def _since_weekday(said: datetime):
    """'since Tuesday': the last Tuesday before the day it was said (a week back when said on one)."""
    def repl(m: re.Match) -> str:
        name = m.group(1)
        back = (said.weekday() - WEEKDAYS.index(name.lower())) % 7 or 7
        return f"{m.group(0)} {_fmt(said - timedelta(days=back))}"
    return repl


def _day_of_month(said: datetime):
    """'on the 20th': the nearest 20th that fits the clause's tense: the last one (today
    included) in a sentence in the past, else the coming one (today included)."""
    def repl(m: re.Match) -> str:
        n, past = int(m.group(1)), _said_in_past(m)
        days = []
        for shift in (-1, 0, 1):
            first = _month_shift(said, shift)
            try:
                days.append(first.replace(day=n).date())
            except ValueError:  # no 31st in this month
                continue
        today = said.date()
        fitting = [d for d in days if (d <= today if past else d >= today)]
        if not fitting:
            return m.group(0)
        day = max(fitting) if past else min(fitting)
        return f"{m.group(0)} ({_fmt(day)})"
    return repl


def _this_weekend(said: datetime):
    """'this weekend': its Saturday, the coming one, or the one just gone when said on a Sunday."""
    def repl(m: re.Match) -> str:
        saturday = said + timedelta(days=(5 - said.weekday()) % 7 if said.weekday() != 6 else -1)
        return f"on the weekend of {_fmt(saturday)}"
    return repl


# A verb in the past tense: "was"/"were"/"did"/"had" anywhere, or a subject pronoun followed by a
# past form ("I started", "we met"); "I'm scheduled" and "my flight leaves" are not.
_IRREGULAR = "|".join(sorted(IRREGULAR_PAST))  # the irregular past forms, as one alternation
_PAST = re.compile(r"\b(?:was|were|wasn't|weren't|did|didn't|had|hadn't)\b"
                   r"|\b(?:i|we|he|she|they|you)(?:'d)?\s+(?:\w+ly\s+|just\s+|also\s+|finally\s+|already\s+)?(?:"
                   + _IRREGULAR + r"|(?!(?:"
                   + "|".join(sorted(PRESENT_ED)) + r")\b)\w+ed)\b", re.I)
# An irregular past form after a noun subject: a name or a possessed noun ("Biscuit ate a sock on
# Saturday", "my sister flew in on Friday"). Case-sensitive, so that a name is a capitalised word.
# Not "-ed" forms: after a noun they are as often participles ("getting my car serviced on Friday")
# or no verb at all ("our new bed arrives"). And not in a clause that also speaks in the present
# ("Mom said the appointment is on Thursday").
_PAST_AFTER_NOUN = re.compile(r"(?:\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Tt]he)\s+(?:[a-z]+\s+)?[a-z]+"
                              r"|\b[A-Z][a-z]+)\s+(?:[a-z]+ly\s+|just\s+|also\s+|finally\s+|already\s+)?(?:"
                              + _IRREGULAR + r")\b")
_PRESENT = re.compile(r"\b(?:is|are|am|'s|'re|'m)\b|\w+ing\b|\b\w+'s\s+\w+ing\b", re.I)
# A regular past shortly before the day (at most four words between), in a clause with a noun
# subject and nothing of the present or to come ("Baby number three arrived on Tuesday", "Our
# landlord finally fixed the heater on Friday"); a participle has a helper ("getting my car serviced
# on Friday", "the car is booked in on Friday"), and an adjective in -ed follows its determiner
# ("my married friends meet on Friday").
_ED_BEFORE_DAY = re.compile(r"\b(?<!\bmy\s)(?<!\bour\s)(?<!\bthe\s)(?<!\ba\s)(?<!\bhis\s)(?<!\bher\s)(?<!\btheir\s)"
                            + REGULAR_PAST + r"(?:\s+[\w']+){0,4}?(?:\s+on)?\s*$", re.I)
_NEAR_CHARS = 200
_CLAUSE_CHARS = 1000
# a clause opening with a pronoun or a gerund has no noun subject ("I fixed", "Getting my car serviced")
_NO_NOUN_SUBJECT = re.compile(r"\s*(?:i|we|you|he|she|they|it)\b|\s*\w+ing\b", re.I)
_NOT_A_NOUN_PAST = re.compile(r"\b(?:is|are|am|be|been|being|get|gets|got|"
                              r"have|has|having|need|needs|want|wants|to|can|could|may|might|must|should)\b"
                              r"|\b(?:it|that|there|here|he|she|what|who|this)'s\b|\w're\b|\w'm\b", re.I)
# "'d" is "would" unless a participle follows ("I'd started" is "I had started")
_FUTURE = re.compile(r"\b(?:will|would|gonna|going to)\b|\w'll\b|\w'd\s+(?!been\b|\w+ed\b|(?:"
                     + _IRREGULAR + r")\b)", re.I)
_CLAUSE_ENDS = ".!?\n,;:"


def _said_in_past(m: re.Match) -> bool:
    """Whether the clause around a match speaks of the past ("I finally booked my flight, I leave
    on Friday": the leaving is to come)."""
    text = m.string
    # (the clause is read at most _CLAUSE_CHARS around the phrase, and the words just before it
    # _NEAR_CHARS back: a long run of time phrases must not cost its whole length per phrase)
    lo, hi = max(0, m.start() - _CLAUSE_CHARS), m.end() + _CLAUSE_CHARS
    found = max(text.rfind(end, lo, m.start()) for end in _CLAUSE_ENDS)
    start = found + 1 if found >= 0 else lo
    stops = [i for i in (text.find(end, m.end(), hi) for end in _CLAUSE_ENDS) if i >= 0]
    near = text[max(start, m.start() - _NEAR_CHARS):m.start()]
    # "Anna said she would visit on Friday": a "would" before the day puts it to come; one after it
    # does not ("I went to the concert on Friday and I will never forget it")
    if _FUTURE.search(near):
        return False
    if _ED_BEFORE_DAY.search(near[-80:]) and not _NOT_A_NOUN_PAST.search(near) \
            and not _NO_NOUN_SUBJECT.match(text, start, start + 12):
        return True
    return _clause_in_past(text, start, min(stops, default=min(hi, len(text))))


# A day said as a sentence of its own tells when the sentence before it happened: "I PASSED MY
# QUALS. friday.", "NADIA PROPOSED. saturday night, on the beach"
_FRAGMENT_START = r"(?:^|(?<=[.!?] )|(?<=\n))"
_A_PAST_FORM = re.compile(r"\b(?:was|were|did|had|" + _IRREGULAR + "|" + REGULAR_PAST + r")\b", re.I)


# A clause whose "I" is left out, opening on a past form: "welp. rolled my ankle on saturday". Not the
# forms the present shares ("Let me know on Friday", "Put it on Monday's list"), nor "got" ("Got a big
# exam on Monday" is "I've got"), nor when the clause goes on in the present ("Found out my flight is on
# Friday").
_SAME_AS_PRESENT = {"cost", "cut", "hit", "hurt", "let", "put", "quit", "read", "set", "shut", "got"}
_PAST_OPENING = re.compile(r"\s*(?:just\s+|finally\s+|also\s+|then\s+|and\s+)?(?:" +
                           "|".join(sorted(IRREGULAR_PAST - _SAME_AS_PRESENT)) + "|" + REGULAR_PAST + r")\b", re.I)


def _fragment_in_past(m: re.Match) -> bool:
    """Whether a day opening a sentence is past: by the rest of its sentence when that has a verb
    ("Saturday night, we went dancing"; "Saturday night is my sister's party"), else by the sentence
    before ("I PASSED MY QUALS. friday.")."""
    text = m.string
    before = text[max(0, m.start() - _NEAR_CHARS):m.start()]
    if m.start() and not before.endswith((". ", "! ", "? ", "\n")):
        return False
    rest = re.split(r"[.!?\n]", text[m.end():m.end() + _NEAR_CHARS])[0]
    if _FUTURE.search(rest) or _PRESENT_VERB.search(rest):
        return False
    if _A_PAST_FORM.search(rest):
        return True
    previous = re.split(r"[.!?\n]", before.rstrip(" .!?\n"))[-1]
    return bool(_A_PAST_FORM.search(previous)) and not _FUTURE.search(previous)


_PRESENT_VERB = re.compile(r"\b(?:is|are|am|'s|'re|'m|has|have|starts?|begins?|opens?)\b", re.I)


@lru_cache(maxsize=256)
def _clause_in_past(text: str, start: int, end: int) -> bool:
    # once per clause, not once per time phrase in it (a long run of them is one clause)
    if _PAST.search(text, start, end):
        return True
    if (opening := _PAST_OPENING.match(text, start, end)) and not _PRESENT.search(text, opening.end(), end):
        return True
    noun_past = _PAST_AFTER_NOUN.search(text, start, end)
    return bool(noun_past) and not _PRESENT.search(text, noun_past.end(), end)


def _rules(said: datetime) -> list[tuple[str, Callable[[re.Match], str]]]:
    day = lambda n: _fmt(said + timedelta(days=n))
    return [
        (r"\b(?:the )?day before yesterday\b", lambda m: f"on {day(-2)}"),
        (r"\b(?:the )?day after tomorrow\b", lambda m: f"on {day(2)}"),
        (r"\byesterday\b", lambda m: f"on {day(-1)}"),
        (r"\blast night\b", lambda m: f"on the night of {day(-1)}"),
        (r"\btonight\b|\bthis evening\b", lambda m: f"on the evening of {day(0)}"),
        (r"\bthis morning\b", lambda m: f"on the morning of {day(0)}"),
        (r"\bthis afternoon\b", lambda m: f"on the afternoon of {day(0)}"),
        (r"(?<!\bago )\btoday\b", lambda m: f"on {day(0)}"),
        (r"\btomorrow\b", lambda m: f"on {day(1)}"),
        (r"\bthe other day\b", lambda m: f"a few days before {day(0)}"),
        (r"\blast week\b", lambda m: f"in the week before {day(0)}"),
        (r"\bnext week\b", lambda m: f"in the week after {day(0)}"),
        (r"\bthis week\b", lambda m: f"in the week of {day(0)}"),
        (r"\b(?:last|this past) weekend\b", lambda m: f"on the weekend before {day(0)}"),
        (r"\bnext weekend\b", lambda m: f"on the weekend after {day(0)}"),
        (r"\bthis weekend\b", _this_weekend(said)),
        (r"\blast month\b", lambda m: f"in {_month_shift(said, -1):%B %Y}"),
        (r"\bnext month\b", lambda m: f"in {_month_shift(said, 1):%B %Y}"),
        (r"\bthis month\b", lambda m: f"in {said:%B %Y}"),
        (r"\blast year\b", lambda m: f"in {said.year - 1}"),
        (r"\bnext year\b", lambda m: f"in {said.year + 1}"),
        (r"\bthis year\b", lambda m: f"in {said.year}"),
        (rf"\b{_COUNT} (day|week|month|year)s? ago( today)?\b", _ago(said)),
        (rf"\bin {_COUNT} (day|week|month|year)s?\b(?! ago)", _in_from_now(said)),
        (r"\b(last|next|this past|this) (" + "|".join(WEEKDAYS) + r")\b", _weekday(said)),
        # a bare "on Friday", not "on Fridays", "on Friday mornings" (every week) nor "on Friday 21
        # January" (a date already)
        (r"(?<=\bon )()(" + "|".join(WEEKDAYS) + r")\b(?!,? \d| (?:mornings|afternoons|evenings|nights)\b)",
         _weekday(said)),
        # a day said as a sentence of its own ("friday.", "saturday night, on the beach"), or what a
        # thing "was" ("first date was friday")
        (r"(?:" + _FRAGMENT_START + r"|(?<=\bwas ))()(" + "|".join(WEEKDAYS) + r")\b"
         r"(?=\s*(?:[.,;!?]|$)|\s+(?:night|morning|afternoon|evening)\b(?!s))", _weekday(said)),
        (r"\bsince (" + "|".join(WEEKDAYS) + r")\b(?!,? \d)", _since_weekday(said)),
        # "on the 20th", not "on the 20th of May", "on the 20th floor" or "on the 4th try"
        (r"\bon the ([1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b(?=[.,;!?)]|\s*$|\s+(?:and|at|for|in|to|with|but|so|when|"
         r"because|or|after|before|this|next|last)\b)", _day_of_month(said)),
    ]


def resolve_relative_times(sentence: str, said: datetime) -> tuple[str, bool]:
    """Replace 'yesterday', 'last week', 'next month', 'two days ago'... with dates computed
    from when the sentence was said. Returns the sentence and whether anything was resolved."""
    changed = False
    for pattern, repl in _rules(said):
        new = re.sub(pattern, lambda m: m.group(0) if in_a_title(m) else after_a_preposition(m, repl(m)),
                     sentence, flags=re.IGNORECASE)
        changed |= new != sentence
        sentence = new
    return sentence, changed


_LEAD = re.compile(r"^(?:on |in )?(?:(?:" + "|".join(WEEKDAYS) + r") )?", re.IGNORECASE)


def _ymd(day: datetime) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# A count of up to two digits or one numeral: "2010年前" (before 2010) and "十五天前" are left alone,
# not misread as 10 years and 5 days ago.
_CJK_N = r"(?<![\d一两二三四五六七八九十百])(\d{1,2}|[一两二三四五六七八九十])"
_CJK_COUNT = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _cjk_rules(said: datetime) -> list[tuple[str, Callable[[re.Match], str]]]:
    """Chinese and Japanese relative times, for raw messages: the date in the form both read
    ("2024年3月9日"), beside the words said. A week is the calendar week it names."""
    day = lambda n: _ymd(said + timedelta(days=n))
    monday = said - timedelta(days=said.weekday())
    week = lambda n: f"{_ymd(monday + timedelta(weeks=n))}–{_ymd(monday + timedelta(weeks=n, days=6))}"
    month = lambda n: f"{_month_shift(said, n).year}年{_month_shift(said, n).month}月"
    count = lambda m: int(m.group(1)) if m.group(1).isdigit() else _CJK_COUNT[m.group(1)]
    return [
        # "以前天天" (every day, before) and "马上月底" (soon, at the month's end) hold no relative time
        (r"(?<!以)前天|一昨日", lambda m: day(-2)), (r"后天|明後日", lambda m: day(2)),
        (r"昨天|昨日|昨晚|昨夜", lambda m: day(-1)), (r"今天|今日|今晚|今夜", lambda m: day(0)),
        (r"明天|明日", lambda m: day(1)),
        (r"上周|上个?星期|上个?礼拜|先週", lambda m: week(-1)), (r"下周|下个?星期|下个?礼拜|来週", lambda m: week(1)),
        (r"这周|本周|这个?星期|今週", lambda m: week(0)),
        (r"(?<!马)上个?月|先月", lambda m: month(-1)), (r"下个?月|来月", lambda m: month(1)),
        (r"这个月|本月|今月", lambda m: month(0)),
        (r"(?<!以)前年|一昨年", lambda m: f"{said.year - 2}年"), (r"去年|昨年", lambda m: f"{said.year - 1}年"),
        (r"明年|来年", lambda m: f"{said.year + 1}年"), (r"今年", lambda m: f"{said.year}年"),
        (_CJK_N + r"\s*[天日]前", lambda m: day(-count(m))),
        (_CJK_N + r"\s*个?月前", lambda m: month(-count(m))),
        (_CJK_N + r"\s*年前", lambda m: f"{said.year - count(m)}年"),
    ]


def annotate_relative_times(text: str, said: datetime) -> str:
    """Keep the words said and add the date they point at: "I ran a race last Saturday" -> "... last
    Saturday (20 May 2023)", "上个月我搬到了上海" -> "上个月（2024年2月）我搬到了上海". For raw messages,
    which are shown as said but read months later."""
    spans: list[tuple[int, int, str]] = []
    for pattern, repl in _rules(said):  # earlier rules first: "the day before yesterday" is not "yesterday"
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            if any(m.start() < end and start < m.end() for start, end, _ in spans) or in_a_title(m):
                continue
            phrase = repl(m)
            if not phrase.startswith(m.group(0)):  # "two weeks ago (the week of ...)" keeps its words already
                phrase = f"{m.group(0)} ({_LEAD.sub('', phrase)})"
            spans.append((m.start(), m.end(), phrase))
    for pattern, repl in _cjk_rules(said) if WIDE_CHAR.search(text) else []:  # longer phrases first, as above
        for m in re.finditer(pattern, text):
            if not any(m.start() < end and start < m.end() for start, end, _ in spans):
                spans.append((m.start(), m.end(), f"{m.group(0)}（{repl(m)}）"))
    for start, end, phrase in sorted(spans, reverse=True):
        text = text[:start] + phrase + text[end:]
    return text


def date_phrase(said: datetime) -> str:
    return _fmt(said)
