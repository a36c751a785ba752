"""What the offline extractor reads as a preference: the patterns of liking, disliking, aversions
and diets said of oneself, and where a liked thing ends; and the slot that lets a later word on the
same thing replace an earlier one ("eating meat any more" and "meat" are one slot)."""
from __future__ import annotations

import re

LIKE = re.compile(r"\b(?:i|we)\s+(?:(?:really|also|do|just|absolutely|always|usually|generally|definitely|totally|"
                  r"honestly|still|now)\s+){0,2}(?P<verb>like|love|enjoy|prefer|adore"
                  r"|(?:am|are) (?:a )?(?:big |huge )?fans? of|(?:am|are) (?:really )?into"
                  # "I'm obsessed with spicy Thai food", "I'm a sucker for historical fiction": a like said
                  # in words stronger or other than liking is kept in them (group "as_said"): "is obsessed
                  # with their weight" is no taste to recommend from, "likes their weight" would be
                  # (not "hooked on": painkillers, sugar, nicotine)
                  r"|(?P<as_said>(?:am|are) (?:(?:so|totally|completely|absolutely|kind of|kinda|a bit|pretty|really|"
                  r"a little|honestly|lowkey|low-key) )?(?:obsessed with|(?:a |such a )?(?:total |huge |big |complete )?"
                  r"suckers? for(?!\s+punishment)|crazy about|passionate about|big on|all about(?!\s+to\b))"
                  r"|can't get enough of"
                  # what advice must honour: "I care a lot about being able to swap the battery"
                  # (not whom one cares for: "I care about my kids", "about you")
                  r"|care (?:a lot |a great deal |deeply |so much |most |more )?about(?!\s+(?:my|our|you|him|her|them|"
                  r"people|everyone|everybody|others)\b)))\s+(?P<what>[^.!?,;]+)", re.I)
# ("I've come to hate running": a taste turned)
DISLIKE = re.compile(r"\b(?:i|we)(?:(?:'ve|\s+have)\s+(?:come|grown)\s+to)?\s+(?:really\s+|honestly\s+|just\s+)?"
                     r"(?P<verb>(?:don't|dont|do not) (?:really )?like|dislike|hate"
                     r"|can't stand|cannot stand|never liked|never like|(?:am|are) not (?:a )?(?:big |huge )?fans? of"
                     r"|(?:am|are) not (?:really |that |too |very )?(?:big on|into|crazy about)"
                     r"|(?:don't|dont|do not) eat|no longer eat|(?:don't|dont|do not) drink"
                     r"|no longer like|don't enjoy|stopped eating|stopped drinking|avoid)\s+(?P<what>[^.!?,;]+)", re.I)
# What to keep away from the user, said of themselves: "I'm allergic to peanuts", "I'm terrified of
# heights", "I'm vegan". Preferences too: a recommendation must honour them.
AVERSION = re.compile(r"\b(?:i|we)\s+(?:am|are)\s+(?:(?:very|so|really|severely|deathly|quite|a bit|slightly|also|"
                      r"now)\s+)*(?P<verb>allergic to|afraid of|scared of|terrified of|intolerant to|intolerant of)"
                      r"\s+(?P<what>[^.!?,;]+)", re.I)
# ("I've been vegetarian for eight years" is one still)
DIET = re.compile(r"\b(?:i|we)(?:\s+(?:am|are)|(?:'ve|\s+have)\s+been)\s+(?:(?:now|also|strictly|fully)\s+)*(?:a\s+)?(?P<verb>)"
                  r"(?P<what>vegan|vegetarian|pescatarian|gluten[- ]free|lactose[- ]intolerant|kosher|halal)\b", re.I)
# How a dislike is told: what one does not eat or drink, or avoids, is said so, not as "does not like"
# ("I don't eat pork for religious reasons" is no matter of taste).
DISLIKE_AS = {"eat": "do not eat", "eating": "do not eat", "drink": "do not drink", "drinking": "do not drink",
               "avoid": "avoid"}
# A liked thing ends where the sentence turns: "I love coffee but hate tea" likes coffee.
TURN = re.compile(r"\s+(?:but|though|although|whereas|except|yet|and (?:i|we)|that (?:i|we)|so(?! much| many))\b.*$",
                  re.I)
# "Neither my wife nor I like ...", "I'm not sure I like ...", "What I love most ... is", "I like to
# think": no taste stated
# ("My wife says I'm obsessed with golf", "People think I love money": someone else's word)
NOT_A_TASTE_BEFORE = re.compile(r"(?:\b(?:neither|nor|not sure(?: if| whether| that)?|doubt|don't think|"
                                 r"do not think|what|whether|if|(?<!\bi\s)(?:thinks?|says?|said|claims?|claimed|insists?|"
                                 r"jokes?|joked)(?:\s+that)?)\s+(?:\w+\s+){0,3})$", re.I)
# What one asks to be left out ("please no cilantro"): up to three words, not a courtesy.
_LEFT_OUT = (r"(?!(?:problem|problems|rush|hurry|worries|worry|pressure|need|thanks|thank|offense|offence|judgment|"
             r"judgement|way|doubt|idea|one|more|longer|matter|comment|kidding|sweat|biggie|big|hard|charge|later|"
             r"earlier|sooner|fuss|stress)\b)[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?")


def _bored(verb: str, told: str) -> tuple[re.Pattern, str]:
    """ "<the thing> <verb> me to tears", and how the preference tells it."""
    return (re.compile(r"(?:^|[,.;!]\s*|\b(?:but|and|honestly|frankly)\s+)(?P<what>(?:the|that|this|those|these|my|his|"
                       r"her|their)\s+(?:[\w'-]+\s+){0,4}?(?!(?:kids|children|guests|people|guys|students|teacher|"
                       r"speaker|host|date|boss|family|parents|friends?|husband|wife|partner|son|daughter)\b)[\w'-]+)\s+"
                       + verb + r"\s+me\s+(?:stiff|to\s+tears|to\s+death|silly|senseless|out\s+of\s+my\s+mind)\b", re.I),
            told + " {what} boring")


def _cleft(verb: str) -> re.Pattern:
    """A taste said as a cleft, "What I <verb> (most) is <what>"."""
    return re.compile(r"\bwhat\s+i\s+(?:really\s+|honestly\s+|just\s+)?" + verb +
                      r"\s+(?:the\s+most\s+|most\s+)?(?:is|are)\s+(?P<what>[^.!?,;]+)", re.I)


# Tastes said without a verb of liking: "I'd rather write Go", "I'm not a morning person", "I don't
# drink". Each with the words the preference is said in.
PLAIN_TASTES = [
    # a condition any food or drink suggested must honour: "I was diagnosed with celiac disease last year"
    (re.compile(r"\bi\s+(?:was|got|have\s+been|'ve\s+been|am)\s+(?:recently\s+|just\s+)?diagnosed\s+with\s+"
                r"(?P<what>celiac(?:\s+disease)?|coeliac(?:\s+disease)?|lactose\s+intolerance|type\s+[12]\s+diabetes|"
                r"diabetes|a\s+(?:peanut|nut|tree\s+nut|shellfish|gluten|dairy|egg|soy)\s+allergy|ibs|gerd)\b", re.I), "have"),
    # ("I'd rather not say" is no taste)
    (re.compile(r"\bi(?:'d| would)\s+(?:much\s+)?rather\s+(?!not\s+(?:say|tell|talk|discuss|answer|share|comment|"
                r"get\s+into|go\s+into)\b)(?P<what>[^.!?,;]+)", re.I), "would rather"),
    (re.compile(r"\bi\s+am\s+(?P<what>(?:not\s+|definitely\s+not\s+|definitely\s+|more\s+of\s+|totally\s+|"
                r"such\s+|really\s+not\s+)?an?\s+(?:morning|night|cat|dog|people|coffee|tea|beach|mountain|city|"
                r"indoor|outdoor|early|summer|winter|big\s+picture|details)\s+(?:person|owl|bird|type))\b", re.I), "am"),
    # a trait that any advice must fit: "I'm pretty risk-averse with money", "I'm a homebody"
    # (not what qualifies a job: "I'm a minimalist designer")
    (re.compile(r"\bi\s+am\s+(?P<what>(?:(?:pretty|very|quite|really|a\s+bit|super|extremely|fairly|definitely|"
                r"generally|kind\s+of|kinda|more\s+of|a\s+bit\s+of|such)\s+)?(?:a\s+|an\s+)?(?:(?:total|huge|real|big)\s+)?"
                r"(?:risk[- ]averse|frugal|budget[- ]conscious|introverted|extroverted|introvert|extrovert|homebody|"
                r"minimalist|picky\s+eater|foodie|early\s+riser|creature\s+of\s+habit)"
                r"(?:\s+(?:with|about)\s+(?:money|food|spending|my\s+money|investing))?)"
                r"(?=\s*(?:[,.;:!?]|$)|\s+(?:and|but|so|when|because|though|at\s+heart|by\s+nature)\b)", re.I), "am"),
    # what one is a fan of, in the words of a kind of person: "I'm a huge history nerd", "I'm firmly a
    # Linux person", "I'm not a sports person" (not who one has become: "a different person", "a better person")
    (re.compile(r"\bi\s+am\s+(?P<what>(?:(?:not|firmly|definitely|totally|such|really|very\s+much|more\s+of|"
                r"always\s+been|a\s+bit\s+of)\s+)*an?\s+(?:(?:huge|big|total|massive|real|complete|die-?hard|lifelong|"
                r"self-confessed|proud|hopeless|certified)\s+)?(?!(?:different|better|good|bad|new|changed|nice|kind|whole|"
                r"private|real|single|young|old|same|other|grown|happy|sad|quiet|shy|nervous|stronger|worse|decent|normal|"
                r"regular|busy|lucky|free)\s)[a-z][\w-]*\s+(?:nerd|geek|buff|junkie|fanatic|enthusiast|lover|fiend|snob|"
                r"person|guy|girl|gal|type))\b(?!\s+(?:who|that|than|from|at|in|of)\b)", re.I), "am"),
    # a taste said as a cleft: "What I can't stand is small talk", "What I love most is ..."
    (_cleft(r"(?:can't|cannot)\s+stand"), "can't stand"),
    (_cleft(r"(?:hate|dislike|don't\s+like)"), "do not like"),
    (_cleft(r"(?:love|like|enjoy)"), "like"),
    (re.compile(r"\bi\s+(?:don't|do\s+not|never)\s+(?P<what>drink|smoke|drink\s+alcohol|gamble)\b"
                r"(?=\s*(?:[,.;!]|$|\s+(?:any\s?more|at\s+all|anymore|so\b|because\b)))", re.I), "do not"),
]
# Tastes said in passing, in a request or an exclamation as often as in a statement ("Make it hot,
# the spicier the better", "Two tacos, please no cilantro"): read in every sentence of the speaker's.
ASIDE_TASTES = [
    # a taste said as a comparison: "the spicier the better", "the more obscure the better" (not
    # haste, "the sooner / quicker the better", nor a word that only ends in -er)
    (re.compile(r"\b(?P<what>the\s+(?:more\s+[a-z][\w-]*|less\s+[a-z][\w-]*|(?!(?:sooner|quicker|faster|earlier|later|"
                r"other|weather|whether|either|neither|rather|together|after|over|under|never|ever|water|number|"
                r"order|paper|super|power|better)\b)[a-z]{2,}er)\s+the\s+better)\b", re.I), "think"),
    # what to leave out, asked for: "please no cilantro", "no onions for me, please" (not a
    # courtesy: "no worries, please", "no rush")
    (re.compile(r"\bplease,?\s+no\s+(?P<what>" + _LEFT_OUT + r")(?=\s*(?:[,.;!]|$))", re.I), "do not want"),
    (re.compile(r"(?:^|[,.;!]\s*)no\s+(?P<what>" + _LEFT_OUT + r")(?:\s+for\s+me)?,?\s+please\b", re.I), "do not want"),
    # a dislike said as what something did to one: "The second half bored me to tears", "My job
    # bores me stiff" (not a person: "the kids bored me")
    _bored("bored", "found"),
    _bored("bores", "find"),
]
# What makes a taste said in passing someone else's: a quote ("she yells 'please no broccoli!'"),
# another's plate ("For my son, please no peanuts", "no cilantro on hers"), a negation ("Not the
# spicier the better"). (A question states none: "Is the spicier the better?")
NOT_AN_ASIDE_TASTE = re.compile(r"[\"“”]|(?<!\w)'|\bfor\s+(?:my|our|his|her|their|the)\s+(?!self\b)\w+|"
                                r"\b(?:on|for)\s+(?:hers|his|theirs|him|her|them)\b|\bnot\s*$", re.I)
# A like inside a relative clause: its object is the noun before it, and the words after it name
# nothing ("Obsidian is a tool I like to use for notes", "the cafe I like near work closed down").
# Both must hold: "In the morning I like to cook for my family" is a taste.
RELATIVE_BEFORE = re.compile(r"\b(?:a|an|the|one|some|another|this|that)\s+(?:[\w'-]+\s+){0,2}"
                             r"(?<!day )(?<!morning )(?<!evening )(?<!night )(?<!weekend )(?<!weekends )"
                             r"(?<!time )(?<!end )(?<!week )(?<!summer )(?<!winter )$", re.I)
OBJECT_MISSING = re.compile(r"^(?:to\s+\w+\s+|\w+ing\s+)?(?:for|in|at|with|on|near|from|about|when|because|the\s+most|"
                            r"most|best|so\s+much|a\s+lot)\b", re.I)
NOT_A_TASTE_AFTER = re.compile(r"^(?:to think|most about|about (?:it|this|that) is)\b", re.I)
FAVORITE_LINE = re.compile(r"^\s*(?P<what>(?:my\s+)?(?:favou?rite|fave?|preferred)\s+[\w\s-]+?|[\w\s-]+?i care about most"
                           r"|[\w\s-]+?wanted|what i want ai to help with)\s*(?::|\bis\b)\s*(?P<value>.+)$", re.I)
# A liked thing that names nothing without its sentence: "them", "this genre", "their work", "how
# they take me places". The fact keeps the sentence; as a preference it would match any query.
VAGUE_OBJECT = re.compile(r"^(?:(?:it|its|them|they|him|one|ones|some|stuff|everything|something|anything|all)\b"
                          r"|(?:this|that|these|those|their|his|her|its|what|how|which)(?:\s+[\w'-]+){0,2}\s*$"
                          r"|(?:how|what|when|where)\s+(?:it|they|he|she|that|this|we|you|i)\b"
                          # a time, not a thing: "a job I enjoy every day" matches "I enjoy every day"
                          r"|(?:every|each)\s+(?:single\s+)?\w+\s*$)"
                          # a thing named only by what was said before: "having them around", "the
                          # freedom it brings", "those fantasy worlds", "escaping to that world"
                          r"|.*\b(?:it|them|they|these|those)\b|.*\bthat\s+[\w'-]+\s*$"
                          # what came of something named before: "I really like the results"
                          r"|the\s+(?:results?|outcome|idea|experience|process|feeling)\s*$", re.I)
# A frame fronted before the liked thing says where the taste holds: "For running, I prefer Saturday
# mornings" is not a taste for Saturday mornings in general; the preference keeps it.
PREFERENCE_FRAME = re.compile(r"^(?P<frame>(?:for|as for|when it comes to|in terms of|on|at|in|during)\s+"
                               r"[^,;.!?]{1,40}),\s*", re.I)
# The rest of a list the liked thing opens: "I enjoy reading, watching movies, and exploring nature"
# is three tastes, not "reading". At least two more items, the last after "and"/"or" ("X, and my wife
# loves Y" is a clause, not a list); no item opens on a word that starts a clause or holds a pronoun
# ("X, 'cause nature brings peace and quiet", "X, maybe we can do Y").
_LIST_ITEM = (r"(?!\s*(?:but|so|because|'?cause|cuz|since|as|though|although|while|when|if|even|especially|like"
              r"|maybe|perhaps|then|just|not|which|plus|my wife|my husband)\b)"
              r"(?:(?!\b(?:i|we|you|he|she|they|it|that|this)\b)[^,.!?;]){1,40}?")
LIST_REST = re.compile(rf"^(?:,\s*{_LIST_ITEM})+,?\s+(?:and|or)\s+{_LIST_ITEM}(?=\s*(?:[,.!?;]|$))", re.I)
LIKED_WORDS_MAX = 8  # a longer "I love ..." is a clause about something, not a thing one likes
LIKED_LIST_WORDS_MAX = 16
# Words that say how much or when, not what: "I love traveling too", "painting together lately"
TRAILING_QUALIFIER = re.compile(r"(?:\s+(?:too|as well|also|lately|so much|a lot|very much|these days|"
                                 r"nowadays|the most|more than anything))+\s*$", re.I)
_QUALIFIERS = re.compile(r"\b(any ?more|anymore|now|these days|either|at all|too|so much|a lot|very much|"
                         r"lately|nowadays|any longer)\b", re.I)
_GERUNDS = re.compile(r"^(?:eating|drinking|having|doing|eat|drink|have|the|a|an|to)\s+", re.I)


def preference_slot(what: str) -> str:
    """'eating meat any more' and 'meat' name the same thing: a later dislike replaces the like."""
    thing = re.sub(r"\b(my|our|your|his|her|their)\b", " ", _QUALIFIERS.sub(" ", what.lower()))
    while _GERUNDS.match(thing.strip()):
        thing = _GERUNDS.sub("", thing.strip())
    return "pref:" + " ".join(re.findall(r"[\w'-]+", thing)[:4])
