"""Offline token counting for limits and quotas. No tokenizer is downloaded: the count is the
usual estimate that holds across LLM tokenizers within ~15% on chat text:
- each CJK, kana or hangul character is one token;
- every other run of text is one token per 4 characters, rounded up;
- each message costs 4 tokens of framing (role and separators)."""
from __future__ import annotations

import math
import re

# CJK ideographs, kana and hangul: scripts whose words are not separated by spaces (Chinese,
# Japanese) or carry their particles with them (Korean "서울에", "in Seoul").
WIDE_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MESSAGE_OVERHEAD = 4


def count_text_tokens(text: str) -> int:
    wide = len(WIDE_CHAR.findall(text))
    rest = len(text) - wide
    return wide + math.ceil(rest / 4)


def count_message_tokens(contents: list[str]) -> int:
    return sum(count_text_tokens(c) + MESSAGE_OVERHEAD for c in contents)
