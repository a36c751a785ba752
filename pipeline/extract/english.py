"""Small pieces of English the offline extractor needs: sentence splitting (which knows Chinese
and Japanese sentence ends too) and the tense and word helpers (past forms, the "had" or "would"
of "'d"). Relative times are in pipeline/extract/times.py; first- to third-person rewriting in
pipeline/extract/third_person.py."""
from __future__ import annotations

import re

# Chinese and Japanese end a sentence with a full-width mark and no space after it.
# (chat in lower case starts a sentence in lower case too: "... pescatarian now i guess. can you give me
# some fish dinners", "my company ended remote work. back in the office 5 days a week")
# A day said in lower case after a full stop stays with the sentence it dates ("I PASSED MY QUALS.
# friday.": see pipeline.extract.times).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'\[(]|(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|"
                           r"sunday|yesterday|today|tonight|tomorrow|last|this|next)\b)[a-z])|\n+"
                           r"|(?<=[\u3002\uff01\uff1f])\s*")
# A full stop that ends a title or an initial, not a sentence: "Dr. Lee", "St. Mary's", "J. K. Rowling".
_ABBREVIATION_END = re.compile(r"(?:\b(?:St|Mr|Mrs|Ms|Dr|Jr|Sr|Mt|Ft|Prof|Gen|Capt|Lt|Sgt|Rev|Ave|Rd|Blvd|vs|"
                               r"e\.g|i\.e|U\.S|a\.m|p\.m|A\.M|P\.M|etc|yrs?|hrs?|mins?|approx|incl|Ph\.D|ph\.d|no)"
                               r"|(?<![\w.])[A-Z])\.$")
# ...but a capital letter is a thing's name, not an initial, when a sentence plainly begins after
# it: "I swim laps at the Y. How can I ...", "I take vitamin D. It helps."
_OPENS_A_SENTENCE = re.compile(r"(?:I|I'm|I've|I'd|I'll|It|It's|My|We|We're|Our|He|She|They|You|Your|This|That|"
                               r"There|The|A|An|How|What|When|Where|Why|Who|Which|Can|Could|Would|Should|Do|Does|"
                               r"Did|Is|Are|Any|But|And|So|Also|Thanks|Please)\b(?!\.)")  # ("by A. A. Milne")
IRREGULAR_PAST = set("""went had was were did made got saw took came found gave told felt became left kept
began brought bought thought met ran wrote won lost sent spent built heard held paid said sat stood
understood chose knew grew drove flew ate drank sang swam taught caught fought sold rode broke spoke
woke wore tore forgot forgave hid led lent lit meant put quit set shut slept stole struck swore threw
read let cut hit hurt cost fell drew blew shook bit dug hung rang sank sprang stuck stung swung wept
sought shot slid spun shone froze arose awoke bore rose shrank strode swept overcame underwent withdrew
learnt dreamt burnt spelt knelt dealt leapt crept smelt
""".split())
# Present-tense verbs that only look past ("I need" is not "I needed"): "-eed" and a few more.
PRESENT_ED = {"need", "feed", "bleed", "breed", "speed", "succeed", "proceed", "exceed", "heed", "shed",
              "embed", "wed", "shred"}
PUNCT_TAIL = ".,!?;:\"')"
# A word in -ed that is a regular past: not a present ("need", "feed"), a noun ("bed", "hundred") or a
# name ("Ahmed the plumber is coming on Friday")
REGULAR_PAST = (r"(?!(?:" + "|".join(sorted(PRESENT_ED)) + r"|bed|red|seed|weed|reed|sled|hundred|ahmed|mohammed|mohamed|"
                r"muhammed|hamed|saeed|javed|fareed|rasheed|waleed|khaled|zayed|ted|fred|ned|jed|alfred|wilfred|manfred|"
                r"jared|mildred|winifred)\b)[a-z]{2,}ed")


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for piece in (s.strip() for s in _SENTENCE_END.split(text)):
        if not piece:
            continue
        # "St. Mary's Church" is one name, not two sentences. Only the piece's end is read: a long
        # run of such pieces must not be scanned again at each join.
        if out and (end := _ABBREVIATION_END.search(out[-1][-12:])) and \
                not (len(end.group(0)) == 2 and _OPENS_A_SENTENCE.match(piece)):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def past_form(word: str) -> bool:
    """Whether a lower-case word is a past form: irregular ("went", "was") or in -ed ("moved", not "need")."""
    return word in IRREGULAR_PAST or (word.endswith("ed") and word not in PRESENT_ED)


# "'d" is "had" before a participle ("I'd forgotten", "he'd never seen snow"), else "would".
# Past forms that are also the verb itself are "would" ("I'd quit being vegan for bacon") unless the
# sentence puts them before something ("I'd quit smoking by then") or an adverb of the past leads
# ("I'd already read"). One rule for "I'd", "he'd" and "she'd" (see antecedents).
_SAME_AS_BASE = {"put", "quit", "set", "shut", "read", "let", "cut", "hit", "hurt", "cost", "bet", "spread", "split",
                 "burst", "cast"}
_HAD_CONTEXT = {"already", "just", "before", "by", "ago", "since", "previously", "earlier", "once"}
_HAD_ADVERBS = {"already", "just", "recently", "finally"}  # "'d" + these + a participle: "had"
_EITHER_ADVERBS = {"never", "always", "ever", "also", "really"}  # these leave the verb to decide
PARTICIPLES = {"been", "seen", "done", "gone", "taken", "given", "known", "eaten", "written", "driven", "forgotten",
               "gotten", "begun", "broken", "chosen", "fallen", "flown", "grown", "hidden", "ridden", "risen", "shown",
               "spoken", "stolen", "sworn", "thrown", "worn", "woken", "drunk", "sung", "swum", "beaten", "bitten",
               "frozen", "forgiven", "mistaken", "shaken"}


def d_means_had(after: list[str]) -> bool:
    """Whether the "'d" of "I'd", "he'd"... is "had", given the words after it."""
    if not after:
        return False
    lead = split_word(after[0])[1].lower()
    k = 1 if lead in _HAD_ADVERBS or lead in _EITHER_ADVERBS else 0
    if k >= len(after) or not _participle(after[k]):
        return False
    if lead in _HAD_ADVERBS:
        return True
    if split_word(after[k])[1].lower() not in _SAME_AS_BASE:
        return True
    return bool({split_word(w)[1].lower() for w in after[k + 1:k + 12]} & _HAD_CONTEXT)


def _participle(word: str) -> bool:
    low = split_word(word)[1].lower()
    return low in PARTICIPLES or past_form(low)


def split_word(word: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation)."""
    core = word.strip(PUNCT_TAIL + "(\"'")
    if not core:
        return word, "", ""
    start = word.find(core)
    return word[:start], core, word[start + len(core):]


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]  # in date.weekday() order
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
