"""Which sentences of a chat turn state something about their speaker, and how such a sentence
reads on its own (pipeline.extract.offline turns what is left into facts):
- questions, requests, thanks and small talk state nothing ("Can you...", "Thanks for the tips!");
- a statement needs the first person, a death, or a long specific sentence not about the listener;
- chat's openers, interjections, thanks and forms of address are cut ("Oh yeah, by the way, I got a
  dog, Caroline!" -> "I got a dog!");
- a dropped subject is given back ("Researching adoption agencies." -> "I am researching ...");
- a fact needs words of content (LIGHT words carry none)."""
from __future__ import annotations

import re

from pipeline.extract.common import LABEL
from pipeline.extract.content_words import LIGHT
from pipeline.extract.endings import gives_up
from pipeline.extract.english import REGULAR_PAST
from pipeline.extract.replies import SECOND_PERSON

FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'll|i'd|my|me|mine|myself|we|we're|we've|our|us)\b", re.IGNORECASE)
FILLER = re.compile(r"^(hi|hey|hello|thanks|thank you|ok|okay|sure|got it|great|cool|yes|no|yeah|nope|bye|"
                    r"good (morning|night|evening)|lol|haha|wow|awesome|nice|oh)\b[\s!.,]*\w*[\s!.,]*$", re.I)
# Thanks say nothing about the user: a sentence of thanks ("Thanks for the recommendation and
# advice!") is not a statement, and never continues one; thanks closing a statement are cut from it
# ("I think I'll start with a soft filter, thanks for the advice!").
# (No two parts of these match the same characters: a long run of spaces or "!" must not backtrack.)
# ("Thanks to my coach, ..." is content)
THANKS = re.compile(r"^(?:thanks|thank you|many thanks|thx)\b(?! to\b)[^,;]*$", re.I)
_OPENING_THANKS = re.compile(r"^(?:thanks|thank you)\b(?! to\b)(?: (?:so|very) much| a lot| again)?"
                             r"(?: for [^,;.!?]*)?[,;!]\s*(?=\S)", re.I)
_CLOSING_THANKS = re.compile(r"[,;]\s*(?:and\s+)?(?:thanks|thank you)\b(?: (?:so|very) much| a lot| again)?"
                             r"(?: for [^,;.!?]*)?(?=[.!]*$)", re.I)
# Requests and small talk say nothing about the user: "Can you...", "Please list...", "I hope you..."
REQUEST = re.compile(r"^(please|(can|could|would|will) you|tell me|give me|help me|show me|find me|list|suggest|"
                     r"recommend|write|explain|create|describe|let me know|any (tips|ideas))\b"
                     # an imperative, not the word as a subject ("Outline is a tool I like")
                     r"|^(translate|summari[sz]e|draft|rewrite|generate|compose|calculate|convert|compare|proofread|"
                     r"brainstorm|outline|remind me|look up|search for)\b(?!\s+(?:is|was|are|were|has|had|and)\b|'s)"
                     r"|^i (hope|wonder|was wondering|am wondering|'m wondering|bet|guess)( if| whether| that)? you\b"
                     r"|^i (want|need|would like|'d like) you to\b|^(that's|that is|it's|so) "
                     r"(great|cool|awesome|amazing|nice|good|wonderful|sweet|fantastic)\b", re.I)
# Chat's discourse markers say nothing in a memory read months later ("By the way, I got a dog.")
LEAD_IN = re.compile(rf"^(?:(?:and|also|oh|well|anyway|anyways|actually|so|btw|by the way|speaking of which|"
                     rf"on another note|oh and|plus|you know|lol|ugh|haha|"
                     rf"(?:did|have)\s+i\s+(?:mention(?:ed)?|tell\s+you|told\s+you)(?:\s+that)?(?!\s+about\b)|"
                     rf"can\s+i\s+just\s+say|did\s+you\s+know(?:\s+that)?)\b[\s,]*|{LABEL}\s*)+", re.I)
# Interjections that open a chat sentence ("Yeah, Melanie plays clarinet.", "Wow, that story is so
# inspiring"): only before a comma or "!", so that "Sure thing" or "Totally worth it" keep their word.
# A yes or no right before the speaker's own "I" or "my" goes too ("Nah I never use summons").
INTERJECTION = re.compile(r"^(?:(?:yeah|yea|yep|yup|yes|yah|wow|whoa|woah|haha|hah|lol|hey|ok|okay|sure|totally|"
                          r"definitely|absolutely|true|cool|nice|aw+|ooh|ah|hmm|omg|nah|nope|no|not yet|alright|"
                          r"sounds good|welp|well|ugh|oof|ouch|phew|whew|yikes|meh|so)\s*[,!.]+\s*"
                          r"|(?:yeah|yep|yup|yes|ok|okay|sure|nah|nope|no|alright)\s+(?=(?:i|i'm|i've|i'll|i'd|my)\b))+",
                          re.I)
# "Speaking of the script, I ...", "Looking back, it was ...": the sentence's subject follows the comma.
_PARTICIPLE_PREAMBLE = re.compile(r"^[^,]+,\s*(?:i|i'm|i've|i'd|i'll|we|we're|we've|my|our|it|it's|that|this|"
                                  r"there|he|she|they|you)\b", re.I)
# A list bullet or the tail of an emoticon left at a sentence's start: "- I teamed up ...", ") But ..."
_LEADING_MARKS = re.compile(r"^[\s\-\u2013\u2014\u2022*)\]:;,.]+")
# The verb of a sentence whose subject is a gerund phrase ("Mentoring must be so rewarding").
_GERUND_SUBJECT_VERB = re.compile(r"\b(is|was|are|were|has|have|had|helps|makes|means|gives|feels|keeps|seems|"
                                  r"sounds|looks|brings|takes|gets|lets|can|could|must|will|would|should|may|"
                                  r"might|isn't|wasn't|can't|won't|builds|pushes|requires|creates|teaches|"
                                  r"allows|reminds|inspires|motivates|relaxes|boosts|improves|let)\b"
                                  r"|\w's (?:a|an|the|so|really|not|such|been)\b", re.I)
# Chat drops the subject: "Researching adoption agencies.", "Gonna try pottery.", "Just finished a 5K."
_NOT_GERUNDS = {"something", "nothing", "everything", "anything", "morning", "evening", "spring", "king",
                "thing", "during", "being", "wedding", "building", "painting", "reading", "writing", "feeling",
                "meeting", "string", "sibling", "ceiling", "darling", "pudding", "setting", "bring", "sing",
                "ring", "sting", "swing", "wing", "thanksgiving", "clothing", "ping", "sterling", "amazing",
                "interesting", "exciting", "outstanding", "living", "training", "camping", "hiking", "running",
                "swimming", "cooking", "baking", "gardening", "fishing", "shopping", "dancing", "singing"}
_PAST_START = re.compile(r"^(just|finally|recently|also|still|already|totally|really)?\s*(went|got|had|took|made|"
                         r"started|finished|tried|bought|signed|joined|visited|met|saw|found|decided|adopted|ran|"
                         r"completed|began|won|lost|moved|spent|learned|picked|booked|attended|volunteered|"
                         r"painted|wrote|read|baked|cooked|played|watched|been|sold|traded|upgraded|switched|"
                         r"replaced|fixed|ordered|received|launched|landed|graduated|hosted|planted|harvested|turned|"
                         r"rehomed|cancelled|canceled|gave|relocated|retired|transferred|dropped|quit|stopped|left|"
                         r"ditched|dumped|closed)\b"
                         # (the same as their imperative: only after an adverb, "Just hit 42!", not "Cut this down")
                         r"|^(just|finally|recently|already)\s+(hit|cut)\b"
                         # any regular past before its object: "Rolled my ankle on Saturday", "Missed the bus"
                         r"|^(just|finally|recently|also|already)?\s*" + REGULAR_PAST +
                         r"\s+(?:my|our|a|an|the|his|her|their|some|two|three|\d)\b", re.I)

# A short statement of what the speaker is or has: "I'm vegan.", "I have diabetes.", "I'm 34." One
# word of content is enough here, unless it is chat ("I'm tired", "I'm back", "I'm in").
_STATE = re.compile(r"^(?:i'm|i am|im|i have|i've got|i've|i was)\s+(?:a |an |now |also |still )?"
                    r"(?P<what>[\w'-]+(?: [\w'-]+)?)[.!]*$", re.I)
_CHAT_STATES = set("""tired sorry fine okay ok ready done back home busy bored curious confused serious kidding
joking interested in out off on down up well alright set game free late early around listening all ears
a an the""".split())


# Short news told with a light verb: "I got the job!", "We got a puppy!", "I had a baby!", "I made
# the team." The verb is no content word (LIGHT), so the thing got or had is the only one: it counts
# when it is news of a life (NEWS_THINGS). Others are chat or routine: "I got the joke", "I had a
# thought", "I took a shower", "I had the salad".
_NEWS = re.compile(r"^(?:i|we)\s+(?:just\s+|finally\s+|actually\s+|also\s+|recently\s+)?(?:got|had|made|took)\s+"
                   r"(?:a|an|the|my|our|two|three|four|\d+)\s+(?:new\s+|second\s+|first\s+|little\s+|big\s+)?"
                   r"(?P<what>[\w'-]+)[.!]*$", re.I)
NEWS_THINGS = set("""job jobs promotion raise offer part role lead contract internship scholarship degree diploma
license licence certificate award prize medal trophy team grant loan mortgage house home apartment flat place car
bike puppy puppies dog dogs kitten kittens cat cats baby babies boy girl twins son daughter tattoo surgery operation
diagnosis interview audition callback gig deal visa passport ring engagement wedding""".split())


def short_state(unit: list[str]) -> bool:
    """Whether a one-sentence unit says, in one word of content, what the speaker is or has ("I'm
    vegan", "I have diabetes"), or news of their life ("I got the job!"): kept though it is short."""
    if len(unit) != 1:
        return False
    if news := _NEWS.match(unit[0]):
        return news.group("what").lower() in NEWS_THINGS
    state = _STATE.match(unit[0])
    words = re.findall(r"[a-z0-9']+", state.group("what").lower()) if state else []
    return any(w not in LIGHT and w not in _CHAT_STATES and (len(w) > 2 or w.isdigit()) for w in words)


# A death is news however short the sentence ("Max passed away last week."), and it ends what was
# said of the one who died (pipeline.extract.endings)
DEATH = re.compile(r"^(?-i:[A-Z])[\w'-]+(?:\s+(?-i:[A-Z])[\w'-]+)?\s+(?:just\s+|sadly\s+)?(?:passed away|died|passed)\b",
                   re.I)


# A question typed without its mark: "Do I need an ice bath or is that a myth", "how do I do the
# Anmeldung thing". Not the idiom that opens a statement ("Did I mention I got a dog").
_UNMARKED_QUESTION = re.compile(r"^(?:(?:how|what|which|where|when|why|who)\s+(?:do|does|did|should|could|would|can|"
                                r"will|is|are|am|was|were)\s+(?:i|you|we|it|they|my|your|the)\b"
                                r"|(?:do|does|did|should|could|would|can|will|is|are|am|have|has)\s+"
                                r"(?:i|you|we|it|that|this|there|they|my|your)\b(?!\s+(?:mention|tell\s+you|told\s+you|just\s+say|"
                                r"know)\b))",
                                re.I)


def asks(sentence: str) -> bool:
    """Whether a chat sentence is a question, with its mark or without."""
    return sentence.endswith("?") or bool(_UNMARKED_QUESTION.match(sentence))


def is_statement(sentence: str) -> bool:
    """A sentence that can state a fact about its speaker."""
    if asks(sentence) or FILLER.match(sentence) or REQUEST.match(sentence) or THANKS.match(sentence) \
            or (len(sentence.split()) < 3 and not _STATE.match(sentence)):
        return False
    if FIRST_PERSON.search(sentence) or DEATH.search(sentence) or gives_up(sentence):
        return True
    # No first person: only a long, specific sentence that is not about the listener.
    specific = re.search(r"\d|\b[A-Z][a-z]+\b", sentence[1:])
    return len(sentence.split()) >= 6 and bool(specific) and not SECOND_PERSON.search(sentence)


def implied_subject(sentence: str) -> str:
    """Give a subject-less chat sentence its speaker back, as "I"."""
    bare = without_openers(sentence)
    if bare and bare != sentence and sentence.endswith(bare):  # "welp. rolled my ankle", "Ugh, missed my train"
        return sentence[:-len(bare)] + implied_subject(bare)
    first = sentence.split(" ", 1)[0].lower().strip(",")
    if re.match(r"^gonna\b", sentence, re.I):
        return "I am going to" + sentence[5:]
    if re.match(r"^been\b", sentence, re.I):
        return "I have b" + sentence[1:]
    if re.match(r"^(?:new|updated)\s+(?:e-?mail|phone\s+number|number|address)\b", sentence, re.I):  # "new email is ..."
        return "My " + sentence[0].lower() + sentence[1:]
    # "back in the office full time now", "no longer at target" (not "Back in college I played rugby")
    if re.match(r"^(?:back\s+(?:in|at|to)\s+(?:the\s+)?(?:office|gym|work|school)\b|back\s+home\b|no\s+longer\s+(?:at|with|"
                r"working|vegan|vegetarian|single|dating|a|an)\b)", sentence, re.I):
        return "I'm " + sentence[0].lower() + sentence[1:]
    if re.match(r"^(?:just\s+|finally\s+)?cut\s+out\b", sentence, re.I):  # "cut out coffee completely"
        return "I " + sentence[0].lower() + sentence[1:]
    # A missed subject keeps the sentence as said; a wrongly added "I am" makes nonsense of it: look far.
    head = " ".join(sentence.split(",", 1)[0].split()[:12])
    if first.endswith("ing") and len(first) > 5 and first not in _NOT_GERUNDS and sentence[:1].isupper() \
            and not _GERUND_SUBJECT_VERB.search(head) and not re.match(r"^going to be\b", sentence, re.I) \
            and not _PARTICIPLE_PREAMBLE.match(sentence):
        # "Researching adoption agencies" lacks its subject; "Taking care of yourself is vital" and
        # "Exploring new places can be so inspiring" have one: the gerund phrase before the verb;
        # "Speaking of the script, I ..." has its subject after the comma
        return "I am " + sentence[0].lower() + sentence[1:]
    if _PAST_START.match(sentence) and not re.match(r"^(been|had)\s+(a|an|the|so|such)\b", sentence, re.I):
        return "I " + sentence[0].lower() + sentence[1:]
    return sentence


def without_openers(sentence: str) -> str:
    """ "Oh yeah, by the way, I got a dog." -> "I got a dog." """
    while True:
        shorter = INTERJECTION.sub("", LEAD_IN.sub("", _LEADING_MARKS.sub("", sentence)))
        if shorter == sentence:
            return sentence
        sentence = shorter


# A request, then what the speaker says of themselves after a comma: "Give me a 3-day itinerary for
# Rome, I'm going with my parents in May." The request is no fact; the clause is one. (Also apart:
# two favourites said in one sentence.)
_PRAISE = re.compile(r"^(?:that's|that is|it's|so)\b", re.I)
_AFTER_REQUEST = re.compile(r",\s+(?=(?:i|i'm|i've|i'll|i'd|my|we|we're|we've)\b)", re.I)


# A request can carry a contact detail of the speaker's: "Please use my new email, jane@doe.dev, from
# now on", "Can you update my number to 555-0199?" The request is no fact; the detail is, said plainly.
_CONTACT_IN_REQUEST = re.compile(r"\bmy\s+(?P<new>new\s+)?(?P<what>e-?mail(?:\s+address)?|(?:phone\s+|cell\s+|mobile\s+)?number)"
                                 r"\s*(?:is\s+|[,:(]\s*|to\s+)?(?P<value>[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d ().-]{5,}\d)",
                                 re.I)


# "My favorite band is Queen and my favorite food is lasagna": two favourite lines
_NEXT_FAVORITE = re.compile(r",?\s+and\s+(?=my\s+(?:all-time\s+)?favou?rite\s+\w+(?:\s+\w+)?\s+is\b)", re.I)


def request_apart(sentence: str) -> list[str]:
    asks = REQUEST.match(sentence.strip()) and not _PRAISE.match(sentence.strip())  # "That's great, I'll ..." is chat
    parts = _AFTER_REQUEST.split(sentence, maxsplit=1) if asks else [sentence]
    if len(parts) == 2:
        parts = [parts[0] + ("?" if sentence.rstrip().endswith("?") else "."), parts[1]]
    if asks and (contact := _CONTACT_IN_REQUEST.search(parts[0])):
        parts.append(f"My {contact.group('new') or ''}{contact.group('what')} is {contact.group('value')}.")
    return [piece for part in parts for piece in _NEXT_FAVORITE.split(part)]


def without_thanks(sentence: str) -> str:
    """ "Thank you for the tips, I will try them." -> "I will try them."; "I fixed it, thanks!" ->
    "I fixed it!". A sentence that is all thanks stays (THANKS tells it apart)."""
    return capitalised(_CLOSING_THANKS.sub("", _OPENING_THANKS.sub("", sentence)))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def without_vocative(sentence: str, other: str) -> str:
    """'I totally agree, Caroline!' -> 'I totally agree!': a form of address is not content."""
    if not other or other[:1].islower():
        return sentence
    # the other's name or a short form of it of three letters or more ("Mel" for Melanie)
    name = "(?:" + "|".join(re.escape(other[:n]) for n in range(len(other), 2, -1)) + r")\b" \
        if len(other) > 2 else re.escape(other) + r"\b"
    sentence = re.sub(rf",?\s+{name}\s*(?=[!.?]*$)", "", sentence)
    sentence = re.sub(rf"^(?:(?:hey|hi|oh|wow|thanks|thank you|yeah|yep|yup|yes|aw+)\s*,?\s*)?{name}\s*[,!.]\s*", "",
                      sentence, flags=re.I)
    return sentence[:1].upper() + sentence[1:] if sentence else sentence
