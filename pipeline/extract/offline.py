"""The default extractor: no key, no network. Rules over each user sentence, with the
conversation around it as context:

- facts: declarative first-person sentences, rewritten in the third person with the speaker's
  name (or "The user"), relative times resolved against chat_time, and dated;
- a short decision ("I choose 7 Days Inn.") is joined to the statement it answers;
- preferences: explicit ("I like", "I don't like", "Favorite X: ...") and implicit (choices);
- tool memories from tool_calls and tool results;
- raw messages, so that nothing said is ever unsearchable.
The assistant's statements are never attributed to the user."""
from __future__ import annotations

import json
import re

from pipeline.chat_time import epoch_ms, format_chat_time
from pipeline.extract import Extraction
from pipeline.extract.english import date_phrase, resolve_relative_times, split_sentences, to_third_person
from pipeline.extract.tagging import auto_tags, entities_of
from pipeline.models import Batch, Candidate, Message, Source

SPEAKER_PREFIX = re.compile(r"^([A-Z][\w.'-]{0,30}(?: [A-Z][\w.'-]{0,30})?):\s+")
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'll|i'd|my|me|mine|myself|we|our|us)\b", re.IGNORECASE)
FILLER = re.compile(r"^(hi|hey|hello|thanks|thank you|ok|okay|sure|got it|great|cool|yes|no|yeah|nope|bye|"
                    r"good (morning|night|evening)|lol|haha|wow)\b[\s!.,]*$", re.IGNORECASE)
CHOICE = re.compile(r"^(?:ok(?:ay)?,?\s*)?(?:i(?:'ll| will)?\s+(?:choose|chose|pick|picked|take|took|go with|went with"
                    r"|select|selected|book|booked|want|prefer)|let'?s go with)\s+(?P<what>.+?)[.!]?$", re.IGNORECASE)
LIKE = re.compile(r"\b(?:i|we)\s+(?:really\s+|also\s+|do\s+)?(?P<verb>like|love|enjoy|prefer|adore|am a (?:big )?fan of"
                  r"|am into|'m into|'m a (?:big )?fan of)\s+(?P<what>[^.!?]+)", re.IGNORECASE)
DISLIKE = re.compile(r"\b(?:i|we)\s+(?:really\s+)?(?P<verb>don't like|do not like|dislike|hate|can't stand|cannot stand"
                     r"|am not a fan of|'m not a fan of|don't eat|do not eat|no longer eat|don't drink)\s+"
                     r"(?P<what>[^.!?]+)", re.IGNORECASE)
FAVORITE_LINE = re.compile(r"^\s*(?P<what>(?:favou?rite|preferred)\s+[\w\s-]+?|[\w\s-]+?i care about most"
                           r"|[\w\s-]+?wanted|what i want ai to help with)\s*:\s*(?P<value>.+)$", re.IGNORECASE)
SLOTS = [
    ("residence", re.compile(r"\b(?:i|we)\s+(?:now\s+)?(?:live|moved|relocated|am living|'m living)\b", re.I)),
    ("diet", re.compile(r"\b(?:vegetarian|vegan|eat meat|eat fish|pescatarian)\b", re.I)),
    ("job", re.compile(r"\bi\s+(?:now\s+)?(?:work(?:ed)? (?:at|for|as)|am an? \w+ (?:at|by profession)|got a job)\b", re.I)),
    ("relationship", re.compile(r"\b(?:i'm|i am)\s+(?:single|married|divorced|engaged|dating)\b", re.I)),
]


def speaker_and_text(message: Message, default: str) -> tuple[str, str]:
    """LoCoMo-style content ("Caroline: I went ...") names its speaker; otherwise the role does."""
    match = SPEAKER_PREFIX.match(message.content)
    if match:
        return match.group(1), message.content[match.end():]
    return default, message.content


def source_of(batch: Batch, message: Message) -> Source:
    return Source(conversation_id=batch.conversation_id, message_index=message.message_index,
                  role=message.role, chat_time=format_chat_time(message.chat_time), content=message.content)


class OfflineExtractor:
    name = "offline"

    def extract(self, batch: Batch) -> Extraction:
        out: list[Candidate] = []
        last_fact: dict[int, Candidate] = {}
        previous_assistant: Message | None = None
        for position, message in enumerate(batch.messages):
            if message.role == "assistant":
                out += self._tool_calls(batch, message)
                previous_assistant = message
            elif message.role == "tool":
                out += self._tool_result(batch, message, position)
            elif message.role == "user":
                out += self._user_message(batch, message, previous_assistant, last_fact)
            out += self._raw(batch, message)
        for candidate in out:
            candidate.tags = auto_tags(candidate.text, batch.tags)
            if not candidate.entities:
                candidate.entities = entities_of(candidate.text)
        return Extraction(candidates=out, extractor=self.name)

    # --- user messages ---
    def _user_message(self, batch, message, previous_assistant, last_fact) -> list[Candidate]:
        speaker, text = speaker_and_text(message, "The user")
        said = message.chat_time
        source = source_of(batch, message)
        found: list[Candidate] = []
        for sentence in split_sentences(text):
            if FILLER.match(sentence) or sentence.endswith("?") or len(sentence.split()) < 3:
                continue
            favorite = FAVORITE_LINE.match(sentence)
            if favorite:
                found.append(self._preference(
                    f"{speaker}'s {favorite.group('what').strip().lower()}: {favorite.group('value').strip()}.",
                    "explicit_preference", f"Stated directly on {date_phrase(said)}.", source, said))
                continue
            fact = self._fact(sentence, speaker, said, source)
            if fact is None:
                continue
            choice = CHOICE.match(sentence)
            anchor = last_fact.get(id(batch))
            if choice and anchor is not None:
                # "I choose 7 Days Inn." answers what came before: one self-contained memory.
                predicate = to_third_person(sentence, speaker)[len(speaker):].strip().rstrip(".!")
                anchor.text = f"{anchor.text.rstrip('.')} and{' ' if predicate else ''}{_past(predicate)}."
                anchor.sources.append(source)
                if previous_assistant is not None:
                    anchor.sources.insert(-1, source_of(batch, previous_assistant))
                anchor.said_at = epoch_ms(said)
                found.append(self._implicit_choice(choice.group("what"), speaker, previous_assistant, source, said,
                                                   batch))
                continue
            found.append(fact)
            last_fact[id(batch)] = fact
            found += self._explicit_preferences(sentence, speaker, source, said)
        return found

    def _fact(self, sentence: str, speaker: str, said, source: Source) -> Candidate | None:
        if not FIRST_PERSON.search(sentence) and len(sentence.split()) < 6:
            return None
        resolved, had_time = resolve_relative_times(sentence, said)
        text = to_third_person(resolved, speaker).rstrip()
        if not text.endswith((".", "!")):
            text += "."
        text = text.rstrip("!") + ("" if text.endswith(".") else ".")
        if not had_time:
            text = f"{text[:-1]} (as of {date_phrase(said)})."
        slot = next((name for name, rx in SLOTS if rx.search(sentence)), None)
        return Candidate(kind="fact", text=text, key=_key(text, speaker), sources=[source],
                         said_at=epoch_ms(said), slot=slot)

    def _explicit_preferences(self, sentence, speaker, source, said) -> list[Candidate]:
        found = []
        for rx, verb in ((DISLIKE, "does not like"), (LIKE, "likes")):
            for m in rx.finditer(sentence):
                what = m.group("what").strip().rstrip(",;")
                what_3p = to_third_person(what, speaker)
                what_3p = what_3p[0].lower() + what_3p[1:] if what_3p[:1].isupper() and not what[:1].isupper() else what_3p
                found.append(self._preference(f"{speaker} {verb} {what_3p}.", "explicit_preference",
                                              f"{speaker} said so directly on {date_phrase(said)}: \"{sentence}\"",
                                              source, said, slot=f"pref:{what.lower()}"))
            if found:
                break
        return found

    def _implicit_choice(self, what, speaker, previous_assistant, source, said, batch) -> Candidate:
        what = what.strip().rstrip(".!")
        options = ""
        if previous_assistant is not None:
            options = f" when offered: \"{previous_assistant.content.strip()}\""
        return self._preference(f"{speaker} prefers {what}.", "implicit_preference",
                                f"{speaker} chose {what}{options}", source, said)

    def _preference(self, text, kind, reasoning, source, said, slot=None) -> Candidate:
        return Candidate(kind="preference", text=text, key=_key(text, ""), sources=[source],
                         said_at=epoch_ms(said), preference_type=kind, reasoning=reasoning, slot=slot)

    # --- tools ---
    def _tool_calls(self, batch: Batch, message: Message) -> list[Candidate]:
        found = []
        for call in message.tool_calls or []:
            fn = call.get("function") or {}
            name = fn.get("name") or call.get("name") or "tool"
            args = fn.get("arguments") if isinstance(fn.get("arguments"), str) else json.dumps(fn.get("arguments") or {})
            found.append(Candidate(kind="tool", text=f"Tool {name} is called with arguments {args}.",
                                   key=name, sources=[source_of(batch, message)],
                                   said_at=epoch_ms(message.chat_time), tool_type="ToolSchemaMemory",
                                   entities=[name]))
        return found

    def _tool_result(self, batch: Batch, message: Message, position: int) -> list[Candidate]:
        call_name, call_args = "tool", ""
        for earlier in reversed(batch.messages[:position]):
            for call in earlier.tool_calls or []:
                if not message.tool_call_id or call.get("id") == message.tool_call_id:
                    call_name = (call.get("function") or {}).get("name") or call.get("name") or "tool"
                    call_args = (call.get("function") or {}).get("arguments") or ""
                    break
            else:
                continue
            break
        failed = bool(re.search(r"\b(error|failed|failure|exception|timed? ?out|not found|denied|invalid)\b",
                                message.content, re.IGNORECASE))
        status = "failed" if failed else "success"
        result = message.content.strip()[:300]
        experience = (f"Calling {call_name} with {call_args} failed: {result}" if failed
                      else f"Calling {call_name} with {call_args} worked.")
        return [Candidate(kind="tool", text=f"{call_name}({call_args}) returned: {result}", key=call_name,
                          sources=[source_of(batch, message)], said_at=epoch_ms(message.chat_time),
                          tool_type="ToolTrajectoryMemory", tool_used_status=status, experience=experience,
                          entities=[call_name])]

    # --- raw messages: the no-loss layer ---
    def _raw(self, batch: Batch, message: Message) -> list[Candidate]:
        if message.role not in ("user", "assistant") or not message.content.strip():
            return []
        speaker, text = speaker_and_text(message, message.role)
        body = f"[{date_phrase(message.chat_time)}] {speaker}: {text.strip()}"
        return [Candidate(kind="raw", text=body, key=f"{message.role} message", sources=[source_of(batch, message)],
                          said_at=epoch_ms(message.chat_time), confidence=1.0)]


def _past(predicate: str) -> str:
    return re.sub(r"^(chooses|picks|takes|selects|books|wants|prefers|goes with)\b",
                  lambda m: {"chooses": "chose", "picks": "picked", "takes": "took", "selects": "selected",
                             "books": "booked", "wants": "wanted", "prefers": "preferred",
                             "goes with": "went with"}[m.group(1)], predicate)


def _key(text: str, speaker: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", text) if w.lower() not in _KEY_STOP and w != speaker]
    return " ".join(words[:6])


_KEY_STOP = set("the a an user and of to in on at for with is was has have had as by from that this it its "
                "be been will would".split())
