"""What a statement says is over or was wrong, as hints for conflict resolution
(pipeline.stages.resolve): an ending names the old value itself ("I sold my Civic", "I'm not into
Coldplay any more", "the trip to Rome is off", "Saturday, not Friday"), and whatever the user's
current memories say about it is archived, whatever its subject. Read from the speaker's own
sentence, like the slots (pipeline.extract.updates), and with the same guards: not in a
hypothetical, a quotation, a story or history ("I quit smoking in 2010")."""
from __future__ import annotations

import re

from pipeline.extract.updates import HYPOTHETICAL, said_plainly

_NOT_JUST_TODAY = r"(?![^.,;!?]*\b(?:today|tonight|for\s+now|for\s+today|this\s+time)\b)"
_EVENT = r"(?:trip|vacation|holiday|wedding|party|move|visit|concert|tour|course|class|plan|plans)"
# What was said to be over. Each pattern's "what" is the old value, cut where its phrase ends.
_ENDED = [re.compile(p, re.I) for p in (
    r"\b(?:switched|moved\s+on|upgraded|downgraded)\s+(?:me\s+|us\s+)?from\s+(?P<what>[^.,;!?]+?)\s+to\b",
    r"\btraded\s+in\s+(?P<what>[^.,;!?]+?)\s+for\b",
    # ("traded my night shift for a day off" is a swap, not an end: a name after "traded my")
    r"\btraded\s+(?:my|the|our|an?)\s+(?:old\s+)?(?P<what>(?-i:[A-Z])[^.,;!?]*?)\s+for\b",
    # "I moved out of the dorms into an apartment"
    r"\b(?:i|we)\s+(?:just\s+|finally\s+)?moved\s+out\s+of\s+(?P<what>(?:the|my|our)\s+[^.,;!?]+?)(?=\s+(?:into|to|and|"
    r"because|since|last|this|in)\b|\s*[.,;!?]|$)",
    # "stopped" only before what one did ("I stopped running"), not a stop on the way ("I stopped at
    # the Starbucks"); the speaker's "I" may be dropped ("Finally sold the Civic!")
    # (giving up or stopping "today" is a bad day, not an end: "I gave up on the crossword today")
    r"(?:\bi\s+|^)(?:just\s+|finally\s+|recently\s+|already\s+|officially\s+)?stopped\s+" + _NOT_JUST_TODAY +
    r"(?P<what>\w+ing\b[^.,;!?]*)",
    r"(?:\bi\s+|^)(?:just\s+|finally\s+|recently\s+|already\s+|officially\s+)?gave\s+up\s+(?:on\s+)?" +
    _NOT_JUST_TODAY + r"(?P<what>[^.,;!?]+)",
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+|recently\s+|already\s+|officially\s+)?"
    # ("I sell vintage guitars" is a trade: the present only after "had to")
    r"(?:(?:had|decided)\s+to\s+(?:sell|rehome)|sold|quit|rehomed|"
    r"got\s+rid\s+of|gave\s+away|cancell?ed|called\s+off|ditched|moved\s+on\s+from|"
    # ("dumped comcast", not "dumped my coffee on my laptop")
    r"dumped(?=\s+(?!(?:my|the|a|an|some|it|all|out|on|him|her|them)\b)))\s+"
    r"(?!on\b|with\b|at\b|for\b|plans\b)(?P<what>[^.,;!?]+)",
    # "we lost Max last week" (one who died), "had to pull out of the marathon", "I'm off metformin now",
    # "got LASIK, no more glasses!" (not what one has run out of: "we have no more milk")
    # (not "lost Jenny's number", nor one lost and found again)
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|sadly\s+|recently\s+)?lost\s+(?P<what>(?-i:[A-Z])[a-z]+)\b(?!['\u2019]s\b)"
    r"(?!\s+(?-i:[A-Z]))(?![^.;!?]*\b(?:found|back|again|for\s+a\s+(?:minute|moment|bit|while))\b)",
    r"(?:\b(?:i|we)\s+|^)(?:(?:had|have|decided)\s+to\s+pull|pulled)\s+out\s+of\s+(?P<what>(?:the|my|our)\s+"
    r"(?:[\w'-]+\s+){0,2}?(?:race|marathon|half|triathlon|competition|tournament|deal|program|programme|course|"
    r"league|team|show|project|trip|wedding|contest|event|match|game|season|class|production|play))\b",
    r"\bi(?:'m|\s+am)\s+(?:finally\s+|officially\s+)?off\s+(?!(?:to|work|school|sick|duty|today|tomorrow|tonight|"
    r"for|the|my|on|in|at|this|next|till|until|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekends?|"
    r"mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b)"
    r"(?P<what>[\w'-]+(?:\s+[\w'-]+)?)(?=\s*(?:[.,;!?]|$|now\b|for\s+good\b))",
    # (said on its own, "..., no more glasses!": not "no more wine for me tonight", "my husband says no more dogs")
    r"(?:^|[,;:]\s*|\bso\s+)no\s+more\s+(?P<what>[\w'-]+)(?=\s*(?:[!.]|$))",
    # "closed my Chase account", "graduated from NYU", "turns out I'm not actually allergic to penicillin"
    r"\bi(?:'m|\s+am)\s+not\s+actually\s+(?P<what>(?:allergic|intolerant|sensitive)\s+to\s+[^.,;!?]+)",
    # "I came off sertraline", "we had to put Max down", "moved over to Apple Music and cancelled Spotify"
    r"\b(?:i|we)\s+(?:just\s+|finally\s+)?came\s+off\s+(?P<what>[^.,;!?]+)",
    r"\bput\s+(?P<what>(?-i:[A-Z])[a-z]+)\s+down\b",
    # "we gave the piano away"
    # (not what one tells or lends: "I gave my phone number to the dentist")
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+)?gave\s+(?!(?:the|my|our)\s+(?:\w+\s+)?(?:phone|number|e-?mail|address|name|"
    r"word|notice|attention|advice|feedback|opinion|details|info|information|contact|card|keys?|seat|time|"
    r"blessing|permission|support|thanks)\b)(?P<what>(?:the|my|our)\s+[^.,;!?]+?)\s+(?:away\b|to\s+(?:my|our|a|an|"
    r"the|his|her|their)\b)",
    # "my last day at Cardinal is Friday", "replaced my ThinkPad with a MacBook", "dropped out of the MBA
    # program", "I've cut coffee completely"
    r"\bmy\s+last\s+day\s+at\s+(?P<what>(?-i:[A-Z])[\w&.'-]*(?:\s+(?-i:[A-Z])[\w&.'-]*){0,2})",
    r"\breplaced\s+(?P<what>(?:my|the|our)\s+[^.,;!?]+?)\s+with\b",
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+)?dropped\s+out\s+of\s+(?P<what>(?:the|my|our)\s+[^.,;!?]+?)(?:\s+program)?"
    r"(?=\s*[.,;!?]|$|\s+(?:because|since|last|this|in|after)\b)",
    r"\b(?:i|i've|we|we've)\s+(?:just\s+|finally\s+)?cut\s+(?:out\s+)?(?P<what>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:out\b|completely|"
    r"entirely|for\s+good)",
    # "my bike got stolen", "I'm done with keto", "my doctor took me off sertraline", "I haven't touched my
    # guitar in months"
    r"\bmy\s+(?P<what>(?:[\w'-]+\s+){0,2}?[\w'-]+)\s+(?:got|was)\s+stolen\b",
    r"\bi(?:'m|\s+am)\s+(?:so\s+|totally\s+)?done\s+with\s+(?P<what>[\w'-]+(?:\s+[\w'-]+)?)(?=\s*(?:[.,;!?]|$|for\s+good|"
    r"forever|now\b))",
    r"\btook\s+me\s+off\s+(?P<what>[^.,;!?]+)",
    r"\bi\s+(?:haven't|have\s+not)\s+touched\s+(?P<what>(?:my|the)\s+[^.,;!?]+?)\s+in\s+(?:months|years|ages|forever)\b",
    r"\band\s+(?:then\s+)?(?:cancell?ed|sold|quit|ditched)\s+(?P<what>[^.,;!?]+)",
    # "I dropped Spanish", "dropped out of the marathon"; not "I dropped Lily off at practice"
    r"(?:\bi\s+|^)(?:just\s+|finally\s+)?dropped\s+(?![^.,;!?]*\boff\b)(?:out\s+of\s+)?"
    r"(?P<what>(?:the\s+)?(?-i:[A-Z])[^.,;!?]*)",
    r"\bi\s+(?:no\s+longer|don't|do\s+not|can't|cannot)\s+\w+\s+(?P<what>[^.,;!?]+?)\s+any\s?more\b",
    r"\bi\s+no\s+longer\s+\w+\s+(?P<what>[^.,;!?]+)",
    r"(?:\bi(?:'m|\s+am)\s+|^)not\s+(?P<what>[^.,;!?]+?)\s+(?:any\s?more|after\s+all)\b",
    r"\bi(?:'m|\s+am)\s+no\s+longer\s+(?P<what>[^.,;!?]+)",
    r"\b(?:the|my|our)\s+(?P<what>[\w'-]+(?:\s+[\w'-]+){0,4}?\s+" + _EVENT + r"|" + _EVENT +
    r"\s+to\s+[\w'-]+(?:\s+[\w'-]+)?)\s+(?:is|was|got|has\s+been)\s+(?:off|cancell?ed|called\s+off)\b",
    # a death ends what was said of the one who died ("I have a golden retriever named Max")
    # (a death of long ago is history, not news: "Elvis died in 1977")
    r"^(?:my\s+\w+\s+)?(?P<what>(?-i:[A-Z])[\w'-]+)\s+(?:just\s+|sadly\s+)?(?:passed away|died)\b"
    r"(?![^.;!?]*\bin\s+\d{4})",
)]
# A break-up names the person, and ends only what was said of the two of them: "Jonah is my boyfriend",
# not "Jonah can have the spare room" (see MATTER_MARKS)
_TIES_ENDED = [re.compile(p, re.I) for p in (
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+|recently\s+|already\s+|officially\s+)?broke\s+up\s+with\s+"
    r"(?P<what>[^.,;!?]+)",
    r"\b(?P<what>(?-i:[A-Z])[a-z]+)\s+and\s+i\s+(?:just\s+|finally\s+)?(?:broke\s+up|split\s+up|got\s+divorced|"
    r"don't\s+talk\s+any\s?more)\b",
)]
# Leaving a named place, said as news ("I left Shopify.", "I left Google in May and joined Stripe"), ends
# the job there and nothing else that names it; leaving it on an errand or a trip ("I left Google early
# today", "we left Boston at 6am") is no ending
_JOB_ENDED = [re.compile(
    r"\bi\s+(?:finally\s+|officially\s+|recently\s+)?left\s+(?P<what>(?-i:[A-Z])[\w&-]*(?:\s+(?-i:[A-Z])[\w&-]*){0,2})"
    r"(?=\s*(?:[.!;]|$)|\s+(?:in\s+(?-i:[A-Z])|last\s+(?:week|month|year)|after\s+\w+\s+years?|to\s+(?:join|start|work)|"
    r"for\s+(?:good|a\s+new\s+job)|and\s+(?:joined|started|now)))", re.I)]
# Closing an account ends the provider ("closed my Chase account"), graduating the school
_PROVIDER_ENDED = [re.compile(
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+)?closed\s+(?:my|our)\s+(?P<what>[\w&'-]+(?:\s+[\w&'-]+)?)\s+account", re.I)]
_SCHOOL_ENDED = [re.compile(
    r"(?:\b(?:i|we)\s+|^)(?:just\s+|finally\s+|officially\s+)?graduated\s+from\s+(?P<what>[^.,;!?]+)", re.I)]
# A correction names the wrong value beside the right one: "it's not Tuesday, it's Wednesday",
# "my flight is on Saturday, not Friday". The wrong value alone ("Friday") says little: a memory
# it ends must share another word with the correction too (see pipeline.stages.resolve).
_CORRECTED = [re.compile(p, re.I) for p in (
    r"\bi\s+(?:said|told\s+you)\s+(?P<what>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:earlier|last\s+time)\b",
    r"\b(?:it's|it\s+is|that's|that\s+is)\s+not\s+(?:on\s+|in\s+|at\s+)?(?P<what>[\w'-]+(?:\s+[\w'-]+)?)\s*[,;]\s*"
    r"(?:it's|it\s+is|but)\b",
    r"\b[\w'-]+\s*,\s+not\s+(?:on\s+|in\s+|at\s+)?(?P<what>[\w'-]+(?:\s+[\w'-]+)?)\s*(?:[.!;]|$)",
)]
# What someone else in the user's life gave up ("My daughter Mia quit ballet", "my husband stopped
# drinking", "Sam dropped out of the MBA program"): the activity alone would end the user's own
# memories of it ("I love ballet"), so it is read as a correction is: a memory it ends must also
# share another word of the sentence, the person ("Mia", "daughter").
_THEIRS_ENDED = [re.compile(
    # (a name, not a pronoun or a thing: "It stopped raining", "This quit working")
    r"^(?:[\w']+[,!]\s+)?(?:(?:my|our)\s+(?:[\w'-]+\s+)?(?:(?-i:[A-Z])[a-z]+\s+)?|"
    r"(?!(?:it|this|that|there|he|she|they|we|you|what|everything|nothing|everyone|nobody|someone)\s)(?-i:[A-Z])[a-z]+\s+)"
    r"(?:just\s+|finally\s+|recently\s+|officially\s+)?(?:quit|gave\s+up(?:\s+on)?|dropped\s+out\s+of|"
    r"stopped(?=\s+\w+ing\b)|stopped\s+going\s+to|is\s+(?:no\s+longer|not)\s+(?:doing|playing|taking)|"
    r"isn't\s+(?:doing|playing|taking)(?=\s+[^.,;!?]+\s+any\s?more\b))"
    r"\s+" + _NOT_JUST_TODAY + r"(?!on\b|with\b|at\b|for\b|to\b|me\b|us\b|him\b|her\b|them\b)"
    r"(?:(?:his|her|their)\s+)?(?P<what>[^.,;!?]+)", re.I)]


def gives_up(sentence: str) -> bool:
    """Whether the sentence tells that someone in the user's life gave something up ("Mia quit
    ballet."): a statement to keep however short, for what it ends."""
    return any(pattern.search(sentence) for pattern in _THEIRS_ENDED)


# Where the old value's phrase ends: "I sold the Civic and bought a Tesla", "I stopped running in May",
# "I quit smoking two months ago"
_PHRASE_END = re.compile(r"\s+(?:(?:\d+|an?|one|two|three|four|five|six|several|a\s+few|few)\s+"
                         r"(?:days?|weeks?|months?|years?)\b|"
                         r"and|but|because|so|since|after|when|as|last|this|yesterday|today|recently|ago|finally|at\s+last|"
                         r"in|on|at|for|with|now|any\s?more|after\s+all|anyway|though|too|either|which|that|"
                         r"to\s+(?:be|focus|save|get|do|make|try|start)|completely|entirely|totally|altogether|"
                         r"for\s+good|cold\s+turkey)\b.*$", re.I)
# History, not news: "I quit smoking in 2010", "back when I was in college"
_NOT_NOW = re.compile(r"\b(?:in|back\s+in|since|around)\s+(?:19|20)\d\d\b|\byears\s+ago\b|\bback\s+(?:in|when)\b|"
                      r"\bwhen\s+i\s+was\b|\bused\s+to\b", re.I)
# What names nothing by itself ("doing that"), or a single word too common to name one thing of the
# user's: ending it would end every memory that uses it ("I'm not a fan any more", "I quit my job"
# of "my sister got a new job").
_GENERIC = re.compile(r"^(?:(?:my|a|an|the|his|her|doing)\s+)?(?:it|that|this|them|those|these|one|there|doing|"
                      r"fan|friend|friends|phone|game|games|job|work|thing|things|"
                      r"people|person|family|kids|kid|team|class|show|time|day|night|week|month|year|way|life|"
                      r"mom|dad|mother|father|brother|sister|son|daughter|wife|husband|boyfriend|girlfriend|partner|"
                      r"boss|doctor|trip|plan|plans|place|home|house|stuff|everything|anything|something|"
                      r"city|town|area|neighbou?rhood|country|state|apartment|flat|office|"
                      # what a cut suffix leaves ("my old job" -> "old")
                      r"old|new|summer|weekend|part-time|full-time|first|last|current|previous|side|second|other|"
                      r"[a-z]{1,2})$", re.I)
# A story told, not the user's life: "Sarah died in a car crash in the movie"
_FICTION = re.compile(r"\bin\s+(?:the|that|this|a)\s+(?:movie|film|show|series|book|novel|game|episode|story|"
                      r"dream|play)\b", re.I)
CORRECTION_MARK = "corrected:"  # an ending that must share another word with the memory it ends
# An ending bound to a matter ends only memories on it (pipeline.stages.rivals): a break-up what was
# said of the couple, eating meat again a diet ("vegan", not "the vegan place round the corner"),
# leaving a place the job there, closing an account the provider, graduating the school
RELATIONSHIP_MARK, DIET_MARK, JOB_MARK, PROVIDER_MARK, SCHOOL_MARK = "relationship:", "diet:", "job:", "provider:", \
    "school:"
MATTER_MARKS = (RELATIONSHIP_MARK, DIET_MARK, JOB_MARK, PROVIDER_MARK, SCHOOL_MARK)


def endings_of(sentence: str) -> list[str]:
    """The old values a first-person sentence says are over ("my Civic") or wrong ("corrected:Friday")."""
    found = []
    sentence = said_plainly(sentence)
    if _NOT_NOW.search(sentence) or _FICTION.search(sentence):
        return found
    for patterns, mark in ((_ENDED, ""), (_TIES_ENDED, RELATIONSHIP_MARK), (_JOB_ENDED, JOB_MARK),
                           (_PROVIDER_ENDED, PROVIDER_MARK), (_SCHOOL_ENDED, SCHOOL_MARK), (_CORRECTED, CORRECTION_MARK),
                           (_THEIRS_ENDED, CORRECTION_MARK)):
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                if HYPOTHETICAL.search(sentence, 0, m.start()):
                    continue  # "If I sold my car", "I'm thinking I might quit yoga": nothing ended yet
                # (an emoji or a symbol ends the phrase: "had to rehome Luna 😢 new landlord ...")
                what = _PHRASE_END.sub("", re.split(r"[^\w\s'&.-]", m.group("what"))[0]).strip(" '\"").rstrip(".")
                what = re.sub(r"^(?:my|the|our|a|an|on|into|being|eating|drinking)\s+", "", what, flags=re.I)
                # the thing, not its wrapping: "my Planet Fitness membership", "the trip to Rome"
                # "a fan of the Lakers", "a Lakers fan": the team, not the fandom
                what = re.sub(r"^(?:big\s+|huge\s+)?fans?\s+of\s+(?:the\s+)?|\s+fans?$", "", what, flags=re.I)
                what = re.sub(r"\s+(?:membership|subscription|account|contract|lease|job|gig|thing|stuff|" + _EVENT[3:-1] + r")$",
                              "", what, flags=re.I)
                what = re.sub(r"^(?:" + _EVENT[3:-1] + r"|flight)\s+to\s+", "", what, flags=re.I)
                if what and not _GENERIC.match(what) and len(what.split()) <= 5:
                    found.append(mark + what)
    if _DIET_ENDED.search(sentence) and not HYPOTHETICAL.search(sentence, 0, _DIET_ENDED.search(sentence).start()):
        found += [DIET_MARK + diet for diet in ("vegan", "vegetarian", "pescatarian")]
    return list(dict.fromkeys(found))


# Eating meat again ends a diet that excluded it
_DIET_ENDED = re.compile(r"\b(?:eat|eating|ate)\s+(?:meat|fish|chicken|beef|pork|seafood)\s+again\b", re.I)
