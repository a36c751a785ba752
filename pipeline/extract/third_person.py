"""First- to third-person rewriting, for the offline extractor's wording of facts and preferences:
what a speaker says of themselves becomes a memory that names them ("My dog loves me" -> "Caroline's
dog loves them"), with its verbs agreeing. Kept apart from pipeline.extract.english (sentence
splitting, tense helpers), which it builds on: it is a rule set of its own, on pronouns, quotations,
compound subjects and verb agreement."""
from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.extract.english import MONTHS, WEEKDAYS, PUNCT_TAIL, split_word, d_means_had, past_form

MODALS = {"can", "could", "will", "would", "should", "may", "might", "must", "shall"}
ADVERBS = {"just", "also", "always", "never", "still", "often", "usually", "really", "actually",
           "finally", "recently", "even", "only", "sometimes", "already", "now", "mostly",
           "definitely", "totally", "truly", "absolutely", "generally", "normally", "currently",
           "both", "all", "too", "ever", "once", "rarely", "seldom", "barely", "hardly", "recently"}
# first-person forms after "I" -> third person
THIRD_PERSON = {"am": "is", "have": "has", "do": "does", "go": "goes", "'m": "is", "'ve": "has",
                # after "you" ("I hope you are well" -> "hopes Mel is well")
                "are": "is", "were": "was", "aren't": "isn't", "weren't": "wasn't",
                "don't": "doesn't", "haven't": "hasn't", "am not": "is not", "wasn't": "wasn't",
                "dont": "doesn't", "havent": "hasn't", "wasnt": "wasn't"}
# pronoun forms -> a function of (subject, other party)
_PRONOUNS: dict[str, Callable[[str, str], str]] = {
    "i'm": lambda s, o: f"{s} is", "im": lambda s, o: f"{s} is", "i've": lambda s, o: f"{s} has",
    "i'll": lambda s, o: f"{s} will", "i'd": lambda s, o: f"{s} would",
    "my": lambda s, o: f"{s}'s", "mine": lambda s, o: f"{s}'s", "me": lambda s, o: s,
    "myself": lambda s, o: "themselves",
    "we": lambda s, o: f"{s} and others", "we're": lambda s, o: f"{s} and others are",
    "we've": lambda s, o: f"{s} and others have", "we'll": lambda s, o: f"{s} and others will",
    "we'd": lambda s, o: f"{s} and others would", "us": lambda s, o: f"{s} and others",
    "our": lambda s, o: f"{s}'s", "ours": lambda s, o: f"{s}'s", "ourselves": lambda s, o: "themselves",
    "you": lambda s, o: o, "your": lambda s, o: f"{o}'s", "yours": lambda s, o: f"{o}'s",
    "yourself": lambda s, o: "themselves", "you're": lambda s, o: f"{o} is", "you've": lambda s, o: f"{o} has",
    "you'll": lambda s, o: f"{o} will", "you'd": lambda s, o: f"{o} would",
}
# Once the speaker is named in a sentence, later possessives and objects are pronouns: a memory
# that repeats a name five times reads badly and embeds as "about that name" more than its content.
_AFTER_NAMED = {"my": "their", "mine": "theirs", "me": "them", "myself": "themselves", "our": "their",
                "ours": "theirs", "us": "them"}


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in THIRD_PERSON:
        return THIRD_PERSON[low]
    if low in MODALS or past_form(low) or not low.isalpha():
        return verb
    if re.search(r"(s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


# Words ending in -ly that are verbs, not adverbs ("I really apply" vs "I literally went").
_LY_VERBS = {"fly", "apply", "rely", "reply", "supply", "imply", "comply", "multiply", "bully", "rally", "tally"}


def _is_adverb(word: str, following: list[str] = ()) -> bool:
    """Whether `word` (before `following`, the next word if any) is an adverb: "really", "literally",
    the "no" of "no longer" and the "longer" after it."""
    low = word.lower()
    return low in ADVERBS or (low.endswith("ly") and len(low) > 4 and low not in _LY_VERBS) or \
        (low == "no" and [w.lower() for w in following] == ["longer"]) or low == "longer"


# Quotation marks and the closing marks that can end them. A quotation is left as it was said:
# in "my manager told me 'I think you're ready'" the "I" is the manager, not the speaker.
_QUOTE_CLOSE = {'"': '"\u201d', "\u201c": '\u201d"', "'": "'\u2019", "\u2018": "\u2019'"}
_NOT_QUOTES = ("'cause", "'em", "'til", "'till", "'bout", "'round", "'n")
# A single quote is also an apostrophe: it opens a quotation only before a letter (not "'90s"),
# and closes one only where a clause ends (not "my parents' bakery")
_SINGLE = ("'", "\u2018")


def _quoted(words: list[str]) -> set[int]:
    """The indices of the words that stand inside a closed quotation."""
    inside: set[int] = set()
    i = 0
    while i < len(words):
        word = words[i].lstrip("(")
        opener = word[:1]
        if opener in _QUOTE_CLOSE and not word.lower().startswith(_NOT_QUOTES) and len(word) > 1 and \
                not (opener in _SINGLE and not word[1:2].isalpha()):
            for j in range(i, len(words)):
                end = words[j].rstrip(".,!?;:)")
                # (or on a capitalised word: "'I'm a Big Brother' shirts")
                closes_clause = j == len(words) - 1 or words[j] != end or words[j + 1][:1] in "-\u2013\u2014(" or \
                    (j > i and end[:1].isupper())
                if end[-1:] in _QUOTE_CLOSE[opener] and (j > i or len(end) > 1) and \
                        (opener not in _SINGLE or closes_clause):
                    inside.update(range(i, j + 1))
                    i = j
                    break
        i += 1
    return inside


_BEFORE_AN_OBJECT = {"in", "at", "to", "from", "for", "of", "near", "on", "with", "by", "about", "around", "into", "after",
                     "like", "than", "outside", "across", "through", "toward", "towards", "without", "visiting",
                     "named", "called"}
_TIME_NAMES = {*WEEKDAYS, *MONTHS, "christmas", "easter", "thanksgiving", "halloween", "hanukkah", "diwali", "ramadan",
               "eid"}
_CLAUSE_OPENERS = {"and", "but", "so", "because", "when", "while", "then", "since", "after", "before", "yesterday",
                   "today", "recently", "finally", "also", "just"}


# "you" is the subject of a present-tense verb only in these contexts ("I hope you do", "if you
# want", "..., you know"); elsewhere it is an object ("I'll see you do it", "I love you guys").
_YOU_SUBJECT_AFTER = {"that", "if", "when", "and", "but", "because", "so", "hope", "think", "know", "guess", "bet",
                      "since", "while", "as", "unless", "whether", "sure", "glad", "hopes", "thinks", "knows",
                      "guesses", "bets", "how", "what", "way", "where", "why", "whenever", "once", "until",
                      "after", "before"}
# Common verbs, recognised in the present tense after a "you" that is their subject and after
# the "and" that joins them to a verb of "I" ("I work at Google and live in Zurich").
_COMMON_VERBS = {"do", "have", "love", "like", "want", "need", "know", "think", "feel", "get", "go", "make", "seem",
                 "look", "deserve", "mean", "enjoy", "understand", "remember", "say", "keep", "find", "take",
                 "teach", "play", "work", "live", "run", "try", "help", "write", "read", "cook", "paint", "sing",
                 "dance", "start", "plan", "visit", "miss", "believe", "agree", "care", "prefer", "use", "own",
                 "swim", "walk", "ride", "drive", "travel", "study", "bake", "watch", "listen", "spend", "volunteer",
                 "practice", "train", "hike", "collect", "hope", "wish", "share", "create", "build", "grow",
                 "finish", "come", "see", "hear", "learn", "stay", "eat", "meditate", "pray", "relax", "jog",
                 "knit", "sew", "invest", "commute", "pay", "save", "ask", "call", "send", "give", "tell",
                 "show", "buy", "sell", "pick", "choose", "check", "book", "order", "bring", "wait", "stop",
                 "turn", "open", "move", "leave", "put", "set", "win", "lose", "fix", "add", "join", "sign",
                 "don't", "haven't"}


def _verb_after(words: list[str], j: int) -> int | None:
    """The index of a present-tense verb of _COMMON_VERBS at j, past adverbs ("you really love")."""
    while j < len(words) and split_word(words[j])[1].lower() in ADVERBS:
        j += 1
    return j if j < len(words) and split_word(words[j])[1].lower() in _COMMON_VERBS else None


# Words that end the reach of "I <verb> ... and <verb>": another subject, an infinitive or a modal
# ("I like to swim and run"), or a new clause ("I love the way you smile and laugh").
_COORDINATION_STOPS = {"to", "you", "he", "she", "they", "we", "it", "i", "that", "which", "who", "because",
                       "but", "when", "if", "while", "so", "or", "where", "as"} | MODALS
_COORDINATION_REACH = 10  # words between the verb and its "and"


def _coordinated_verb(words: list[str], j: int) -> int | None:
    """The index of a present-tense verb joined by "and" to the verb before j, in the same clause."""
    for k in range(j, min(len(words), j + _COORDINATION_REACH + 1)):
        lead, core, tail = split_word(words[k])
        low = core.lower()
        if low == "and" and not lead:
            return _verb_after(words, k + 1)
        if low in _COORDINATION_STOPS or tail or lead:
            return None
    return None


def _agree_coordinated_verb(words: list[str], j: int) -> None:
    """The verb joined by "and" to the verb before j takes the same third-person ending, in place."""
    if (k := _coordinated_verb(words, j)) is not None:
        lead, verb, tail = split_word(words[k])
        words[k] = lead + _third_person(verb) + tail


# Verbs that report what a third party said or wrote. When the speaker talks to an assistant, a
# "you" inside such a report is generic ("my friend told me you can get a refund if you ask"):
# the assistant is not who gets the refund. So is a "you" that states what anyone can or must do
# ("you can return it within 30 days", "you have to book two weeks ahead"). Between people
# (LoCoMo's speakers) "my mom said you should come over" does mean the listener, so this only
# applies to an unnamed assistant.
_REPORTING = {"told", "tells", "said", "says", "heard", "read", "apparently", "according", "learned", "learnt",
              "explained", "mentioned", "warned", "claims", "claimed"}
_GENERIC_MODALS = {"can", "can't", "cannot", "could", "have", "need", "must", "gotta", "get"}


def _generic_you(before: list[str], after: list[str], subject: str, other: str) -> bool:
    """Whether a "you" between `before` and `after` means anyone, not the assistant addressed.
    Not the object of a report ("my friend told you"), nor in what the speaker reports ("I told my
    wife you recommended the Dyson": that is the assistant)."""
    if other != "the assistant" or (before and before[-1].lower().strip(PUNCT_TAIL) in _REPORTING):
        return False
    # "games where you attack each other", not "I wonder where you put it" or "show me where you found it"
    if len(before) > 1 and before[-1].lower() == "where" and before[-2].lower().strip(PUNCT_TAIL) not in \
            ("know", "knew", "tell", "told", "see", "saw", "ask", "asked", "wonder", "is", "was", "me", "us", "remember",
             "forgot", "forget", "recall", "remembered", "wondering", "show", "showed") and \
            not (after and after[0].lower().strip(PUNCT_TAIL) in ("said", "told", "mentioned", "recommended", "suggested",
                                                                  "put", "sent", "wrote")):
        return True
    if before[-1:] == [] or before[-1].lower() in ("if", "when", "because", "and", "but", "so") or \
            before[-1][-1:] in ",;:.!?":
        if after and after[0].lower().strip(PUNCT_TAIL) in _GENERIC_MODALS and \
                (after[0].lower() != "have" or after[1:2] == ["to"]):
            return True
    for k, word in enumerate(before):
        if word.lower().strip(PUNCT_TAIL) in _REPORTING and k > 0 and \
                not before[k - 1].lower().endswith((other, subject.lower(), "they")) and \
                not (k + 1 < len(before) and before[k + 1].lower().startswith(other)):
            return True
    return False


def _you_is_subject(before: list[str]) -> bool:
    if not before:
        return True
    last = before[-1]
    return last[-1:] in ",;:" or last.lower().strip(PUNCT_TAIL) in _YOU_SUBJECT_AFTER


# "I" and its contractions as "they", for the speaker named again within a few words (see to_third_person)
_I_FORMS = {"i": "they", "i'm": "they are", "im": "they are", "i've": "they have", "i'll": "they will",
            "i'd": "they would"}
_THEY_FORM = {"am": "are", "was": "were", "wasn't": "weren't"}
# Words that may stand between the speaker's name and their second "I" for "they" to be read as
# the speaker: a verb and its complementiser ("thinks", "is not sure whether", "wants to make sure").
# Anything else (a determiner, an object pronoun, a name) can bring in someone "they" would mean.
_THEY_GAP_MAX = 4
_THEY_GAP_STOP = {"a", "an", "the", "my", "your", "his", "her", "their", "its", "our", "this", "these", "those",
                  "some", "any", "him", "them", "it", "us", "others", "people", "everyone", "and", "or", "but"}


def _named_just_before(before: list[str], subject: str) -> bool:
    """Whether the speaker was named as a subject at most _THEY_GAP_MAX plain words back."""
    forms = {subject.lower()} | {f"{subject.lower()} {verb}" for verb in ("is", "has", "will", "would")}
    for back in range(1, min(len(before), _THEY_GAP_MAX + 1) + 1):
        word = before[-back]
        if word.lower() in forms:
            return back > 1
        if not re.fullmatch(r"[a-z']+", word) or word in _THEY_GAP_STOP:
            return False
    return False


def _compound_subject(before: list[str]) -> bool:
    """"Mel and I went", "my wife and I love": the verb agrees with both, so it stays as it is.
    "...pottery and I don't" and "..., and I have" join two clauses: there the verb follows "I"
    alone. (An Oxford comma before "and I" is read as a clause too: it is the rarer of the two.)"""
    if len(before) < 2 or before[-1].lower() not in ("and", "&"):
        return False
    if before[-2][-1:] in ",;:":  # "I'm with XYZ Internet, and I currently have ...": a second clause
        return False
    name = before[-2].strip(PUNCT_TAIL)
    if name[:1].isupper() and name.lower() not in _PRONOUNS:
        # "...in Boston and I work", "...with Mel and I loved it", "a cat named Oliver and I drive": a
        # name after a preposition or "named" is an object, so "and I" opens a second clause. The
        # name may be of several words ("an analyst at Pellworth Insurance and I want to grow").
        # (not back over a fronted time: "in May Mel and I are going", "at Christmas Mel and I host")
        start = len(before) - 2
        while start > 0 and before[start - 1][:1].isupper() and before[start - 1].lower() not in _PRONOUNS \
                and before[start - 1][-1:] not in ",;:" and before[start - 1].lower() not in _TIME_NAMES:
            start -= 1
        return start == 0 or before[start - 1].lower() not in _BEFORE_AN_OBJECT
    # "my wife and I love" opens its clause; "...pursuing my goals and I hope" ends one
    # ("My" is already "the user's" or "Caroline's" in `before`)
    # ("my running club and I meet": the possessive may stand two words back)
    return any(len(before) >= k and (before[-k].lower() in ("my", "our", "his", "her", "their")
                                     or before[-k].endswith(("'s", "\u2019s"))) and
               (len(before) == k or before[-k - 1][-1:] in ",;:" or before[-k - 1].lower() in _CLAUSE_OPENERS)
               for k in (3, 4))


def _in_a_title(words: list[str], i: int) -> bool:
    """An "I" inside a title in capitals ("I started How I Built This"): the words on both sides are
    capitalised, and the one before does not open the sentence."""
    if not 1 < i < len(words) - 1 or words[i - 1][-1:] in ",;:.!?" or words[i][-1:] in ",;:.!?":
        return False
    before, after = split_word(words[i - 1])[1], split_word(words[i + 1])[1]
    # (Title Case, not a sentence in capitals: "YESTERDAY MY SISTER AND I WENT")
    return before[:1].isupper() and before[1:].islower() and before not in ("And", "But", "So", "Then") and \
        after[:1].isupper() and after[1:].islower() and after.isalpha()


def to_third_person(sentence: str, subject: str, other: str = "the assistant") -> str:
    """Rewrite a first-person sentence said by `subject` to someone (`other`) so that it names
    them: "My dog loves me" -> "Caroline's dog loves them"; "I told you" -> "Caroline told
    Melanie". Verbs right after "I" agree with the third person ("I really want" -> "really wants")
    unless the "I" is part of a compound subject ("Mel and I went"); so do common verbs after a
    "you" that is their subject ("I hope you do" -> "hopes Melanie does"), not after an object
    ("I'll watch you dance")."""
    words = sentence.split(" ")
    out: list[str] = []
    named = generic = False
    quoted = _quoted(words)
    i = 0
    while i < len(words):
        if i in quoted:
            out.append(words[i])
            i += 1
            continue
        lead, core, tail = split_word(words[i])
        low = core.lower().replace("\u2019", "'")
        if core == "I" and _in_a_title(words, i):
            out.append(words[i])
            i += 1
            continue
        if low in _I_FORMS and _named_just_before(out, subject):
            # "I think I'll go" -> "Caroline thinks they will go", not "... thinks Caroline will go";
            # the verb keeps its first-person form, which is the plural one ("I am" -> "they are")
            out.append(lead + _I_FORMS[low] + tail)
            j = i + 1
            while low == "i" and j < len(words) and _is_adverb(split_word(words[j])[1], words[j + 1:j + 2]):
                out.append(words[j])
                j += 1
            if low == "i" and j < len(words) and not tail:
                vlead, verb, vtail = split_word(words[j])
                out.append(vlead + _THEY_FORM.get(verb.lower(), verb) + vtail)
                j += 1
            i = j
            continue
        if low == "i":
            compound = _compound_subject(out)
            out.append(lead + subject + tail)
            named = True
            j = i + 1
            while not compound and j < len(words) and _is_adverb(split_word(words[j])[1], words[j + 1:j + 2]):
                out.append(words[j])
                j += 1
            if not compound and j < len(words) and not tail:
                vlead, verb, vtail = split_word(words[j])
                agreed = _third_person(verb) if verb else ""
                out.append(vlead + agreed + vtail)
                if agreed != verb and not vtail:  # "I work at Google and live in Zurich"
                    _agree_coordinated_verb(words, j + 1)
                i = j + 1
                continue
            i = j
            continue
        if low.startswith("you") and low in _PRONOUNS and \
                (generic or (generic := _generic_you(out, words[i + 1:], subject, other))):
            out.append(words[i])  # a generic "you" stays as said, and so does its verb; so do those after it
        elif named and low in _AFTER_NAMED and not (low == "me" and out[-1:] == ["and"]):
            # ("my sister and me went": a "me" joined to another is the speaker named, not "them")
            out.append(lead + _AFTER_NAMED[low] + tail)
        elif low in ("you", "y'all") and i + 1 < len(words) and not tail and \
                (group := split_word(words[i + 1]))[1].lower() in ("guys", "all", "folks"):
            # "you guys" are the other party and whoever is with them, as "we" is the speaker's
            out.append(lead + f"{other} and others" + group[2])
            named = False
            i += 2
            continue
        elif low == "you" and not tail and _you_is_subject(out) and (j := _verb_after(words, i + 1)) is not None:
            # "I hope you really do" -> "... hopes Jon really does": the other party is the verb's subject
            vlead, verb, vtail = split_word(words[j])
            out += [lead + other] + words[i + 1:j] + [vlead + _third_person(verb) + vtail]
            if not vtail:  # "I love how you paint and sing"
                _agree_coordinated_verb(words, j + 1)
            named = False
            i = j + 1
            continue
        elif low in _PRONOUNS:
            form = _PRONOUNS[low](subject, other)
            if low.endswith("'d") and not tail and d_means_had(words[i + 1:]):  # "I'd started": "I had started"
                form = form.replace(" would", " had")
            out.append(lead + form + tail)
            if low in ("i'm", "im", "i've") and not tail:  # "I'm diabetic and take metformin"
                _agree_coordinated_verb(words, i + 1)
            # after the other party is named, "their" would be ambiguous: the next "my" names again
            named = not low.startswith("you")
        else:
            out.append(words[i])
        i += 1
    text = " ".join(out)
    return text[0].upper() + text[1:] if text else text
