"""chat_time parsing: the formats the contract accepts, Beijing time where no offset is given."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_NUMERIC = re.compile(r"^\d+(\.\d+)?$")
# Epoch values above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is 1973.
_MS_THRESHOLD = 100_000_000_000


# What a moment may be: epoch numbers cannot be negative, and a year-0001 or year-9999 moment
# overflows once moved to another time zone or given a day more (a filter's "up to that day").
# In Beijing time, as a time without offset is read: a filter's "from the start", "1970-01-01", is in.
EARLIEST = datetime(1970, 1, 1, tzinfo=BEIJING)
LATEST = datetime(9999, 1, 1, tzinfo=BEIJING)


def parse_chat_time(value: str | int | float | None, *, now: datetime | None = None) -> datetime:
    """Return an aware datetime. Raises ValueError with a readable reason on anything else."""
    if value is None or value == "":
        return (now or datetime.now(BEIJING)).astimezone(BEIJING)
    if isinstance(value, bool):
        raise ValueError("chat_time must be a date-time string or epoch seconds/milliseconds")
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMERIC.match(value.strip())):
        number = float(value)
        if number < 0:
            raise ValueError("chat_time must not be negative")
        seconds = number / 1000 if number >= _MS_THRESHOLD else number
        try:
            moment = datetime.fromtimestamp(seconds, BEIJING)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"chat_time out of range: {value}") from exc
        if moment >= LATEST:
            raise ValueError(f"chat_time out of range: {value} (from 1970 to 9998)")
        return moment
    if not isinstance(value, str):
        raise ValueError("chat_time must be a date-time string or epoch seconds/milliseconds")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)  # covers "YYYY-MM-DD HH:MM:SS" and ISO-8601
    except ValueError:
        raise ValueError(
            f"unparseable chat_time {value!r}: use 'YYYY-MM-DD HH:MM:SS', ISO-8601 or epoch seconds/ms"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    if not EARLIEST <= parsed < LATEST:
        raise ValueError(f"chat_time out of range: {value!r} (from 1970 to 9998)")
    return parsed


def format_chat_time(moment: datetime) -> str:
    """The form sources and raw messages report: Beijing time, like the cloud."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
