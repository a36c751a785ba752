"""The default extractor: no key, no network. Rules over each sentence the user says, with the
conversation around it as context:

- facts: first-person statements rewritten in the third person with the speaker's name ("Name:"
  content prefix) or "the user"; "you" becomes the other party; relative times are resolved
  against the message's chat_time, and a fact with no time of its own carries the date it was said;
- a short decision ("I choose 7 Days Inn.") is joined to the statement it answers;
- preferences: explicit ("I like", "I don't eat", "Favorite X: ...") and implicit (a choice among
  options the assistant offered), with reasoning;
- questions, requests and small talk are not facts (pipeline.extract.statements tells a
  statement apart and makes it read alone);
- tool memories (pipeline.extract.tools) and the raw messages, so an extractor miss never loses
  what was said (pipeline.extract.common, shared with the Claude extractor).
The assistant's statements are never attributed to the user: facts come from user messages only."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.chat_time import epoch_ms
from pipeline.extract import Extraction
from pipeline.extract.antecedents import Antecedents
from pipeline.extract.common import finish, passthrough, source_of, speaker_and_text
from pipeline.extract.english import split_sentences
from pipeline.extract.third_person import to_third_person
from pipeline.extract.preferences import (
    AVERSION, DIET, DISLIKE, DISLIKE_AS, FAVORITE_LINE, LIKE, LIKED_LIST_WORDS_MAX, LIKED_WORDS_MAX,
    LIST_REST, NOT_A_TASTE_AFTER, NOT_A_TASTE_BEFORE, OBJECT_MISSING, PREFERENCE_FRAME, RELATIVE_BEFORE,
    ASIDE_TASTES, NOT_AN_ASIDE_TASTE, PLAIN_TASTES, TRAILING_QUALIFIER, TURN, VAGUE_OBJECT, preference_slot,
)
from pipeline.extract.content_words import LIGHT, informative
from pipeline.extract.replies import (
    ACKNOWLEDGEMENT, ANSWER_WORDS_MAX, ELLIPTICAL, ELLIPTICAL_OPENING, chosen, question_to_the_speaker,
)
from pipeline.extract.statements import (
    FILLER, REQUEST, THANKS, asks, capitalised, implied_subject, is_statement, request_apart,
    short_state, without_openers, without_thanks, without_vocative,
)
from pipeline.extract.times import annotate_relative_times, date_phrase, resolve_relative_times
from pipeline.extract.clauses import apart_by_slot, clauses
from pipeline.extract.endings import endings_of
from pipeline.extract.updates import LATELY, favorite_slot, slot_of
from pipeline.models import Batch, Candidate, Message, Part, Source

PHOTO = re.compile(r"\[shares? (a |an )?(photo|picture|image) of ([^\]]+)\]", re.I)
# An image captioner's own opening ("[shares a photo of a photo of a cake]"): the photo is said once.
_CAPTION_OPENING = re.compile(r"^(?:a |an )?(?:photo|picture|image|photograph|photography) of ", re.I)
# A favourite's value without its hedge: "my favorite food is definitely ramen" -> "ramen"
_HEDGE = re.compile(r"^(?:definitely|probably|honestly|still|easily|hands\s+down|for\s+sure|undoubtedly)\s+", re.I)
# What makes the assistant's message an offer a short user reply can choose from: a question, an
# "or", a list, an enumeration ("7 Days Inn, Ji Hotel, Hilton, and others") or an offer verb.
OFFER = re.compile(r"\?|\bor\b|\n\s*(\d+[.)]|[-*])|,[^,]+,|\b(consider|options?|recommend|suggest|such as|"
                   r"available|choose from)\b", re.IGNORECASE)
# A named thing of the speaker's in a question or request ("batteries that charge my Sony A7R IV?",
# "a case for my new Godox V1 flash"): what someone owns and uses outlives the question. A name
# (capitalised words, model numbers) and at most one plain noun after it ("flash", "app").
POSSESSION = re.compile(r"\bmy\s+(?:new\s+|old\s+|current\s+)?(?P<thing>(?:[A-Z][\w&'-]*|i[A-Z][\w-]*)"
                        r"(?:\s+(?:[A-Z][\w&'-]*|\d[\w.-]*|i[A-Z][\w-]*))*"
                        r"(?:\s+(?!(?:and|or|to|for|with|that|which|is|was|in|on|at|from|but|so|as|like|than|"
                        r"when|the|a|an|other|because|if|while|into|since)\b)[a-z]{3,}\b(?<!ing)(?<!ed))?)")
_NOT_POSSESSIONS = {"mom", "dad", "mum", "mother", "father", "god", "lord", "i", "english", "spanish", "french",
                    "german", "chinese", "japanese"}
# A sentence that only continues the one before ("It was so powerful.") joins it, up to this size.
ANAPHORA = re.compile(r"^(it|it's|that|that's|this|they|they're|they've|those|these|which|and|but|so|plus)\b", re.I)
UNIT_WORDS = 45
CHOICE_CONTEXT_WORDS = 25  # words of the offer's sentence quoted beside a choice made without a statement


@dataclass
class _Context:
    other: str = "the assistant"  # who "you" is: the other speaker's name when the content names it
    previous_assistant: Message | None = None
    last_fact: Candidate | None = None
    people: dict[str, Antecedents] = field(default_factory=dict)  # by speaker: who "he"/"she" are


class OfflineExtractor:
    name = "offline"

    def extract(self, batch: Batch) -> Extraction:
        out: list[Candidate] = []
        # "you" in the first user message already means the other speaker, named further on
        named = (speaker_and_text(m, "")[0] for m in batch.messages if m.role == "assistant")
        context = _Context(other=next((n for n in named if n), "the assistant"))
        names = [speaker_and_text(m, "")[0] for m in batch.messages]  # "Alex: ..." -> "Alex", else ""
        for position, message in enumerate(batch.messages):
            name = names[position]
            if message.role == "user":
                if name:
                    # several people sent as "user" ("Sam: ...", "Alex: ..."): "you" is whoever spoke
                    # last before this one, else first after it, not the assistant
                    others = [n for n in names[position - 1::-1] + names[position + 1:] if n and n != name] \
                        if position else [n for n in names[1:] if n and n != name]
                    context.other = others[0] if others else context.other
                    # to the other people sent as "user", this one is someone else who may be "he"
                    for speaker, people in context.people.items():
                        if speaker != name:
                            people.heard(speaker_and_text(message, "")[1])
                out += self._user_message(batch, message, context)
            elif message.role == "assistant":
                context.previous_assistant = message
                for people in context.people.values():
                    people.heard(speaker_and_text(message, "")[1])
                context.other = name or context.other
        out += passthrough(batch)
        finish(out, batch)
        return Extraction(candidates=out, extractor=self.name)

    # --- user messages ---
    def _user_message(self, batch: Batch, message: Message, context: _Context) -> list[Candidate]:
        speaker, text = speaker_and_text(message, "the user")
        text = PHOTO.sub(lambda m: f"\nI shared a {m.group(2).lower()} of "
                               f"{_CAPTION_OPENING.sub('', m.group(3).strip())}.", text)
        said, source = message.chat_time, source_of(batch, message)
        answers_offer = context.previous_assistant is not None and \
            context.previous_assistant.message_index == message.message_index - 1 and \
            OFFER.search(context.previous_assistant.content) is not None
        found: list[Candidate] = []
        people = context.people.setdefault(speaker, Antecedents())
        asked = question_to_the_speaker(context.previous_assistant, message)
        answer: list[str] = []  # the reply's opening sentences that only make sense with `asked`
        possessions: list[str] = []  # named things of the speaker's that a question mentions
        units: list[list[str]] = []  # a statement and the sentences that continue it ("It was ...")
        liked_slots: dict[int, str] = {}  # a unit's preference slot, by the unit's position
        in_unit = False  # whether the previous sentence went into units[-1]
        for sentence in (part for whole in split_sentences(text) for part in request_apart(whole)):
            sentence = without_thanks(without_vocative(sentence.strip(" ."), context.other))
            sentence = implied_subject(sentence) + ("" if sentence.endswith(("!", "?")) else ".")
            sentence = people.resolve(sentence)  # "He just started piano." -> "My son Leo just started piano."
            people.note(sentence)
            favorite = FAVORITE_LINE.match(sentence)
            if favorite and not sentence.endswith("?"):
                # "my favorite food (now) is (definitely) ramen": the thing and its value, not the hedges
                what = re.sub(LATELY + "$", "", favorite.group("what").strip(), flags=re.I)
                what = to_third_person(what, speaker, context.other)
                # the value, not the story after it ("ramen now, I've been obsessed since ...")
                value = re.split(r"\s*[,;(]|\s+(?:because|since|but|now)\b", favorite.group("value").strip())[0]
                value = _HEDGE.sub("", value)
                found.append(self._preference(f"{what}: {value.strip().rstrip('.!')}.",
                                              "explicit_preference", f"Stated directly on {date_phrase(said)}.",
                                              source, said, slot=favorite_slot(favorite.group("what"))))
                in_unit = False
                continue
            continues = units and not asks(sentence) and not FILLER.match(sentence) \
                and not REQUEST.match(sentence) and not THANKS.match(sentence) \
                and sum(len(x.split()) for x in units[-1]) < UNIT_WORDS
            if continues and ANAPHORA.match(sentence):
                units[-1].append(sentence)
                in_unit = True
                continue
            if answers_offer and (what := chosen(sentence, context.previous_assistant.content)):
                self._choice(batch, what, speaker, context, source, said, found)
                in_unit = False
                continue
            elliptical = ELLIPTICAL.match(sentence) is not None
            if asked and not units and not sentence.endswith("?") and len(sentence.split()) <= ANSWER_WORDS_MAX \
                    and (elliptical or ELLIPTICAL_OPENING.match(sentence) or _terse(sentence, speaker, context.other)):
                # "yep, two kids", "Nah, I haven't.", "I have, at the MoMA": read with the question it answers
                answer.append(sentence)
                continue
            if elliptical:  # "I haven't." with no question before it to read it with: it says nothing
                in_unit = False
                continue
            if not is_statement(sentence):
                # a taste said in passing in a request ("Two tacos, please no cilantro")
                found += [preference for _, preference in self._plain_tastes(
                    _am_said_out(sentence), ASIDE_TASTES, [], sentence, speaker, context.other, source, said,
                    known_slots=_taste_slots(found))]
                # "I waited for my asylum decision. Over a year of uncertainty was really tough.": a
                # sentence with no subject of its own right after a statement carries that statement on
                if continues and in_unit and informative(sentence, speaker, context.other):
                    units[-1].append(sentence)
                else:
                    in_unit = False
                possessions += [m.group("thing") for m in POSSESSION.finditer(sentence)
                                if m.group("thing").split()[0].lower() not in _NOT_POSSESSIONS]
                continue
            in_unit = False
            units.append([sentence])
            in_unit = True
            preferences = self._explicit_preferences(sentence, speaker, context.other, source, said,
                                                     _taste_slots(found))
            if slot := next((p.slot for p in preferences if p.slot), None):
                # "I like horror movies" is a fact and a preference: a later word on the liked
                # thing replaces both copies
                liked_slots[len(units) - 1] = slot
            found += preferences
        for n, unit in enumerate(units):
            # a message that opens on "It was..." answers what the other said: kept only when it
            # carries enough of its own to stand alone (the raw message keeps it all anyway)
            needed = 4 if n == 0 and ANAPHORA.match(unit[0]) else 2
            if not informative(" ".join(unit), speaker, context.other, needed) and \
                    slot_of(" ".join(unit)) is None and not short_state(unit):
                continue
            whole = " ".join(capitalised(without_openers(part)) or part for part in unit)
            facts = []
            for statement in apart_by_slot(whole):
                facts.append(fact := self._fact(statement, speaker, context.other, said, source, liked_slots.get(n)))
                if len(parts := clauses(statement)) > 1:
                    # a compound kept whole: its clauses are kept too, to outlive a change to one of them
                    fact.parts = [Part(text=c.text, slot=c.slot, ends=c.ends) for c in
                                  (self._fact(p, speaker, context.other, said, source) for p in parts)]
            found += facts
            context.last_fact = facts[-1]
        if answer:
            said_so = resolve_relative_times(" ".join(answer).rstrip("."), said)[0]
            # the question is quoted as said, with the dates its relative times point at beside them
            # ("I went to Lisbon last year (2022). Have you been there?"), as raw messages are shown
            quoted = annotate_relative_times(asked, context.previous_assistant.chat_time)
            text = f'{speaker[0].upper()}{speaker[1:]} answered "{said_so}" when asked "{quoted}" ({date_phrase(said)}).'
            found.append(Candidate(kind="fact", text=text, key=_key(f"{asked} {said_so}", speaker),
                                   sources=[source_of(batch, context.previous_assistant), source],
                                   said_at=epoch_ms(said)))
        for thing in dict.fromkeys(possessions):
            if not any(thing in unit_text for unit_text in (" ".join(u) for u in units)):
                found.append(self._fact(f"I mentioned my {thing}.", speaker, context.other, said, source))
        return found

    def _fact(self, sentence: str, speaker: str, other: str, said, source: Source,
              liked_slot: str | None = None) -> Candidate:
        resolved, had_time = resolve_relative_times(sentence, said)
        text = to_third_person(resolved, speaker, other).rstrip(" .!")
        text = re.sub(r"(^|[.!] )(the user)\b", lambda m: m.group(1) + "The user", text)
        if not had_time:
            text += f" ({date_phrase(said)})"  # when it was said: states change, events need a date
        return Candidate(kind="fact", text=text + ".", key=_key(text, speaker), sources=[source],
                         said_at=epoch_ms(said), slot=slot_of(sentence) or liked_slot, ends=endings_of(sentence))

    def _choice(self, batch, what, speaker, context, source, said, found: list[Candidate]) -> None:
        """'I choose 7 Days Inn.' answers what came before: joined to the statement the offer answered
        (right before it, asking for options or sharing a word with them), in one self-contained
        memory; else a fact that quotes the options.
        Either way the pick is an implicit preference."""
        offered = source_of(batch, context.previous_assistant)
        offer = context.previous_assistant.content
        at = offer.lower().find(what.lower())
        what = offer[at:at + len(what)] if at >= 0 else what  # as the options spell it ("green", not "Green")
        anchor = context.last_fact
        asked = anchor.sources[-1].content if anchor is not None else ""
        if anchor is not None and anchor.sources[-1].message_index == offered.message_index - 1 and \
                (_ASKS_FOR_OPTIONS.search(asked) or _shares_a_word(asked, offer)):
            anchor.text = f"{anchor.text.rstrip('.')} and chose {what}."
            anchor.sources += [s for s in (offered, source) if s not in anchor.sources]
            anchor.said_at = epoch_ms(said)
        else:
            options = next((s for s in split_sentences(context.previous_assistant.content)
                            if what.lower().removeprefix("the ") in s.lower()), "")
            options = " ".join(options.split()[:CHOICE_CONTEXT_WORDS])
            text = f"{speaker[0].upper()}{speaker[1:]} chose {what}" + \
                (f" when offered \"{options.rstrip('.')}\"" if options else "") + f" ({date_phrase(said)})."
            found.append(Candidate(kind="fact", text=text, key=_key(text, speaker), sources=[offered, source],
                                   said_at=epoch_ms(said)))
        found.append(self._implicit_choice(what, speaker, context.previous_assistant, source, said))

    def _explicit_preferences(self, sentence, speaker, other, source, said, known_slots: set[str]) -> list[Candidate]:
        plain = _am_said_out(sentence)
        frame = PREFERENCE_FRAME.match(plain)
        found, taken = [], []  # a like and a dislike in one sentence are two ("I don't like X but I love Y")
        for rx, verb in ((DISLIKE, "do not like"), (AVERSION, "am"), (DIET, "am"), (LIKE, "like")):
            for m in rx.finditer(plain):
                said_whole = m.group("what").strip().rstrip(",;.!")
                what = TURN.sub("", said_whole).rstrip(",;.!")
                span = (m.start(), m.start("what") + len(what))
                if any(span[0] < end and start < span[1] for start, end in taken) \
                        or NOT_A_TASTE_BEFORE.search(plain[:m.start()]) or NOT_A_TASTE_AFTER.match(what) \
                        or (RELATIVE_BEFORE.search(plain[:m.start()]) and OBJECT_MISSING.match(what)):
                    continue
                taken.append(span)
                too_long = len(what.split()) > LIKED_WORDS_MAX
                told = f"am {m.group('verb').lower()}".strip() if verb == "am" else \
                    m.group("verb").lower() if m.groupdict().get("as_said") else \
                    DISLIKE_AS.get(m.group("verb").lower().split()[-1], verb)
                listed = LIST_REST.match(plain[m.end():]) if what == said_whole else None  # not past a turn
                if listed and len(what.split()) + len(listed.group().split()) <= LIKED_LIST_WORDS_MAX:
                    what += listed.group().rstrip(",;.!")
                what = TRAILING_QUALIFIER.sub("", what)
                if too_long \
                        or re.match(r"(that |how |it when )?(you|your)\b", what, re.I) \
                        or VAGUE_OBJECT.match(what) or not informative(what, speaker, other, needed=1):
                    continue  # "I love that you came", "I like them" are not tastes one can recall
                said_so = f"I {'prefer' if m.group('verb').lower() == 'prefer' else told} {what}."
                slot = preference_slot(what)
                if frame and frame.end() == m.start():
                    said_so = f"{frame.group('frame')}, {said_so}"
                    slot += " / " + preference_slot(frame.group("frame")).removeprefix("pref:")
                # one sentence, so that the speaker is named once: "... likes hiking with their dog"
                found.append((span, self._preference(to_third_person(said_so, speaker, other), "explicit_preference",
                                                     f"Said directly on {date_phrase(said)}: \"{sentence}\"",
                                                     source, said, slot=slot)))
        found += self._plain_tastes(plain, PLAIN_TASTES, taken, sentence, speaker, other, source, said)
        found += self._plain_tastes(plain, ASIDE_TASTES, taken, sentence, speaker, other, source, said,
                                    known_slots={p.slot for _, p in found} | known_slots)
        return [preference for _, preference in sorted(found, key=lambda item: item[0])]  # as said

    def _plain_tastes(self, plain, patterns, taken, sentence, speaker, other, source, said,
                      known_slots: set[str] | None = None) -> list:
        """(span, preference) for each taste the patterns find in the sentence (`plain`: its "I'm"
        said "I am"), where no taste was read yet (`taken`, extended). With `known_slots` (the
        slots of the message's tastes so far), the tastes are ASIDE_TASTES: said in passing, they
        take no slot, so that a remark ("the opera bored me to tears") never archives a taste said
        outright ("I love opera"), and one already said outright ("I hate cilantro! Please no
        cilantro!") is not said twice."""
        aside = known_slots is not None
        if aside and plain.rstrip().endswith("?"):
            return []  # "Is the spicier the better?" states no taste
        found, seen = [], set()
        for rx, told in patterns:
            for m in rx.finditer(plain):
                span, what = (m.start(), m.end()), m.group("what").strip()
                # (NOT_A_TASTE_BEFORE reads the few words before a match: a long sentence of asides,
                # "please no cilantro, please no cilantro, ...", was rescanned whole for each)
                before = plain[max(0, m.start() - 120):m.start()]
                if any(span[0] < end and start < span[1] for start, end in taken) or \
                        NOT_A_TASTE_BEFORE.search(before) or \
                        not informative(what, speaker, other, needed=1) or len(what.split()) > LIKED_WORDS_MAX:
                    continue
                if aside and (what.lower() in seen or preference_slot(what) in known_slots  # (cheap ones first)
                              or NOT_AN_ASIDE_TASTE.search(plain[:m.start()]) or NOT_AN_ASIDE_TASTE.search(what)):
                    continue
                seen.add(what.lower())
                taken.append(span)
                what = what.lower() if what.isupper() else _OPENING_DETERMINER.sub(lambda d: d.group().lower(), what)
                said_so = f"I {told.format(what=what)}." if "{what}" in told else f"I {told} {what}."
                found.append((span, self._preference(to_third_person(said_so, speaker, other),
                                                     "explicit_preference",
                                                     f"Said directly on {date_phrase(said)}: \"{sentence}\"",
                                                     source, said, slot=None if aside else preference_slot(what))))
        return found

    def _implicit_choice(self, what, speaker, offered: Message, source, said) -> Candidate:
        what = what.strip().rstrip(".!")
        options = " ".join(offered.content.split())[:300]
        return self._preference(f"{speaker[0].upper()}{speaker[1:]} prefers {what}.", "implicit_preference",
                                f"Chose {what} when offered: \"{options}\"", source, said,
                                slot=preference_slot(what))

    def _preference(self, text, kind, reasoning, source, said, slot=None) -> Candidate:
        return Candidate(kind="preference", text=text, key=_key(text, ""), sources=[source],
                         said_at=epoch_ms(said), preference_type=kind, reasoning=reasoning, slot=slot)


def _terse(sentence: str, speaker: str, other: str) -> bool:
    """A reply that is no statement and no bare acknowledgement, but names something ("yep, two kids")."""
    return not is_statement(sentence) and not ACKNOWLEDGEMENT.match(sentence) and \
        informative(sentence, speaker, other, needed=1)


def _taste_slots(found: list[Candidate]) -> set[str]:
    """The slots of the tastes read from a message so far."""
    return {c.slot for c in found if c.kind == "preference" and c.slot}


_OPENING_DETERMINER = re.compile(r"^(?:The|This|That|These|Those|My|His|Her|Their|Our)\b")


def _am_said_out(sentence: str) -> str:
    """"I'm" and "we're" as "I am" and "we are" (typed "I’m" too), for the taste patterns."""
    return re.sub(r"\b(i|we)'(m|re)\b", lambda m: m.group(1) + (" am" if m.group(2) == "m" else " are"),
                  sentence.replace("\u2019", "'"), flags=re.I)


# The user's message asked for what the offer gives: a need, a question ("I need a hotel in Guangzhou")
_ASKS_FOR_OPTIONS = re.compile(r"\?|\b(?:need|want|looking for|help|recommend|suggest|options?|ideas?)\b", re.I)


def _shares_a_word(a: str, b: str) -> bool:
    """Whether two texts share a word of content ("hotel"): an offer that answers a statement."""
    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3 and w not in LIGHT}
    return bool(words(a) & words(b))


def _key(text: str, speaker: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", text) if w.lower() not in _KEY_STOP and w != speaker]
    return " ".join(words[:6])


_KEY_STOP = set("the a an user and of to in on at for with is was has have had as by from that this it its "
                "be been will would".split())
