"""What a statement replaces or ends, as hints for conflict resolution (pipeline.stages.resolve).

- A slot names a subject that holds one value at a time: a later statement on the same slot
  replaces the earlier one ("I live in Beijing" ... "I moved to Shanghai"). Fixed slots (residence,
  diet, job, relationship, age, car, where and when one works, whom one lives with...) and ones
  named by the statement ("favorite:food").
- An ending names the old value itself, when the speaker says it is over or was wrong: "I sold my
  Civic", "I'm not into Coldplay any more" (pipeline.extract.endings, which shares this module's
  guards).
- A compound's clauses each set their own (pipeline.extract.clauses).

Both are read from the speaker's own first-person sentence, before the third-person rewrite. They
must not fire on a sentence that only mentions the words: "We moved to a new office" is no new
home, "I'm single-handedly organising the bake sale" no break-up, "my kids still eat meat" no diet."""
from __future__ import annotations

import re

# What people are by trade, for "I'm a nurse now" (the job slot): a plain list, since a pattern cannot
# tell "a nurse" from "a fan". Not words said as often of a skill: "a terrible cook", "a careful driver".
OCCUPATION_WORDS = r"""
accountant actor actress administrator analyst architect artist assistant attorney auditor baker
barber barista bartender bookkeeper builder butcher carpenter cashier chef chemist cleaner clerk
coach consultant contractor counselor counsellor courier dentist designer developer dietitian
director doctor economist editor electrician engineer entrepreneur farmer firefighter freelancer
gardener geologist hairdresser hygienist illustrator instructor intern investor janitor journalist
judge lawyer lecturer librarian lifeguard machinist manager mechanic midwife musician nanny nurse
nutritionist officer optometrist painter paralegal paramedic pharmacist photographer physician
physicist physiotherapist pilot plumber police policeman policewoman politician producer professor
programmer psychiatrist psychologist realtor receptionist recruiter researcher salesman saleswoman
scientist secretary server shopkeeper singer soldier statistician student surgeon surveyor tailor
teacher technician therapist translator tutor veterinarian vet waiter waitress welder writer
homemaker housewife househusband retiree agent dispatcher principal teller coordinator supervisor
specialist representative associate executive operator planner strategist marketer advisor adviser
banker broker trader underwriter actuary caregiver housekeeper custodian detective ranger stylist
cosmetologist esthetician dean postdoc apprentice foreman laborer roofer mason landscaper locksmith
florist jeweler radiologist anesthesiologist cardiologist dermatologist pediatrician orthodontist
optician chiropractor phlebotomist EMT zookeeper curator archivist animator composer choreographer
dancer comedian filmmaker screenwriter novelist blogger copywriter reporter publisher CEO CTO CFO
founder co-founder cofounder stay-at-home\s+(?:mom|dad|mum|parent)
(?:truck|bus|taxi|delivery|uber|lyft|ambulance|forklift)\s+driver (?:line|prep|short-order)\s+cook
""".split()
OCCUPATIONS = "|".join(OCCUPATION_WORDS)
_OCCUPATION = re.compile(r"\b(?:" + OCCUPATIONS + r")(?=s?\b)", re.I)
# "a new car seat", "a car charger": things for a car, not one
_NOT_A_CAR_THING = r"(?![\s-]+(?:seats?|wash|charger|mats?|insurance|loan|smell|battery|stereo|keys?|tires?|tyres?|payments?|" \
                   r"accident|ride|rental|wreck|repair))"
# A place is named by a capitalised word: "I moved to Lisbon", not "we moved into a bigger flat"
_PLACE = r"(?:the\s+)?(?-i:[A-Z])(?![\w-]*(?:\s+[\w-]+)?\s+(?:team|department|office|role|position|floor|desk|" \
         r"project|division|branch|unit|squad|shift|group|account)\b)"
SLOTS = [
    ("residence", re.compile(r"\b(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+(?:now\s+|currently\s+|still\s+|actually\s+)?"
                             r"(?:live|living|reside|residing|based)\s+in\s+" + _PLACE +
                             r"|\b(?:i|we)(?:'ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+|officially\s+)?"
                             r"(?:moved|relocated)\s+(?:back\s+)?(?:to|into)\s+" + _PLACE +
                             # "since relocating to Edinburgh", "the company relocated me to Dubai", "the keys
                             # to our new place in Austin". Not "I'm in London now": a trip as often as a home.
                             r"|\b(?:relocating|relocated\s+(?:me|us))\s+to\s+" + _PLACE +
                             r"|\b(?:my|our|first\s+(?:day|week|month|night)s?\s+(?:at|in)\s+the)\s+new\s+(?:place|apartment|flat|"
                             r"house|home|condo)\s+in\s+" + _PLACE +
                             # "Glasgow is my home now", "Lisbon is officially home" (not "Dave is home now")
                             r"|^(?:the\s+)?(?-i:[A-Z])[\w-]+(?:\s+(?-i:[A-Z])[\w-]+)?\s+is\s+(?:officially\s+(?:my\s+|our\s+)?|"
                             r"(?:now\s+)?(?:my|our)\s+)(?:new\s+)?home\b" +
                             # "My apartment is in Chicago", "Just finished moving to Seattle"
                             r"|\b(?:my|our)\s+(?:place|apartment|flat|house|home|condo)\s+is\s+(?:now\s+)?in\s+" + _PLACE +
                             r"|\b(?:finished|done|finally)\s+moving\s+(?:to|into)\s+" + _PLACE +
                             # "I live in a tiny apartment in Brooklyn", "I rent a flat in Seattle", "we bought a
                             # house in Tacoma"
                             r"|\b(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+(?:now\s+|currently\s+|still\s+)?(?:live|living|rent|renting|bought|own)"
                             # (a house rented "for the weekend" is a trip)
                             r"(?![^.;!?]*\bfor\s+(?:the|a|our|my|this)\s+(?:weekend|week|night|trip|vacation|holiday|summer|month)\b)"
                             r"\s+(?:in\s+)?(?:a|an|the|my|our)\s+"
                             r"(?:[\w-]+\s+){0,2}?(?:place|apartment|flat|house|home|condo|studio|townhouse)\s+in\s+"
                             + _PLACE, re.I)),
    # the speaker's own diet, not the family's ("my kids still eat meat")
    # (and now: "I was vegetarian for years before I went vegan" tells of the past)
    # ("I'd never quit being vegan" is no diet said)
    # (nor a place or person one is near: "I'm 2 min from a vegan doner place", "cooking for a vegan friend")
    ("diet", re.compile(r"\b(?:i(?!')|i'm|i've|we(?!')|we're)\b(?!\s+(?:was|were|used\s+to|had\s+been)\b)"
                        r"(?:(?!\b(?:from|near|at|for|with|about|of|by|into|in)\b|\bto\s+(?:a|an|the|this|that|my|our)\s+"
                        r"(?![\w-]+\s+(?:[\w-]+\s+)?diet\b))[^.,;!?]){0,25}?"
                        r"\b(?:vegetarian|vegan|pescatarian|"
                        r"eat(?:ing)? meat|eat(?:ing)? fish|plant-based)\b"
                        # "I'm on a keto diet", "I follow a Mediterranean diet", "I eat pretty much everything"
                        r"|\b(?:i(?!')|i'm|i've)\s+(?:am\s+|now\s+|currently\s+|been\s+|strictly\s+)?(?:on|following|follow|doing|do|"
                        r"started|eating|eat)\s+(?:a|the)\s+(?:[\w-]+\s+){1,2}?diet\b"
                        r"|\bi\s+(?:eat|will\s+eat)\s+(?:pretty\s+much\s+|just\s+about\s+|basically\s+)?(?:everything|anything)"
                        r"(?=\s*(?:[,.;!]|$|and\b|but\b|really\b))",
                        re.I)),
    # where the speaker studies: "I'm studying at Ohio State", "I'm a sophomore at UCLA", "I transferred
    # to Michigan" (before the job: "a student at UCLA" is a school, not an employer)
    ("school", re.compile(r"\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+)?(?:studying|enrolled|majoring\s+in\s+[\w\s]{1,30}?)\s+at\s+"
                          r"(?-i:[A-Z])"
                          r"|\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+)?(?:an?\s+)?(?:[\w-]+\s+)?(?:student|freshman|sophomore|"
                          r"undergrad|grad\s+student|phd\s+student|postdoc)\s+at\s+(?-i:[A-Z])"
                          r"|\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+)?taking\s+(?:night\s+|evening\s+|online\s+|weekend\s+)?(?:classes|"
                          r"courses)\s+at\s+(?-i:[A-Z])"
                          r"|\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+)?doing\s+(?:a|an|my)\s+(?:[\w'-]+\s+){0,2}?(?:degree|masters?|"
                          r"master's|phd|bachelor's|mba|diploma)\s+at\s+(?-i:[A-Z])"
                          # (to a school, not "transferred to Boston for work")
                          r"|\bi\s+(?:just\s+|finally\s+)?transferred\s+to\s+(?-i:[A-Z])[^.,;!?]{0,40}?(?:\b(?:university|college|state|"
                          r"tech|institute|school)\b|\b(?:this|next|last)\s+(?:semester|term|fall|spring|year)\b)", re.I)),
    ("job", re.compile(r"\b(?:i|i've|i'm)\s+(?:am\s+|have\s+)?(?:now\s+|currently\s+|just\s+|recently\s+)?"
                       r"(?:work(?:ing)?\s+(?:at|for|as)\b|got\s+a\s+(?:new\s+)?job\b(?!\s+(?:offer|interview))"
                       r"|started\s+(?:(?:a|my|the)\s+)?(?:new\s+)?(?:job|role|position)\b(?!\s+(?:search|hunt|hunting|interviews?|"
                       r"applications?|fair|offers?|board|listings?))|started\s+working"
                       r"|(?:was|got)\s+promoted|got\s+laid\s+off"
                       # "I've been at Deloitte for three years"
                       r"|been\s+at\s+(?-i:[A-Z])[\w&.-]*(?:\s+(?-i:[A-Z])[\w&.-]*){0,2}\s+for\s+(?:\w+\s+){0,2}?(?:years?|months?)\b"
                       r"|joined\s+(?-i:[A-Z])[\w&.-]*(?:\s+[\w&.-]+){0,2}\s+as\s+an?\b"
                       r"|landed\s+(?:a\s+|the\s+)?(?:new\s+)?(?:job|role|position)\b)"
                       # "first day at Pfizer" (the speaker's: not "my daughter's first day at school")
                       r"|(?:^|\bmy\s+|\bi\s+start\s+my\s+)first\s+(?:day|week|month)\s+(?:of\s+work\s+)?at\s+(?-i:[A-Z])"
                       # "I left Amazon in June and I'm at Shopify now" (a job left, then a place now)
                       r"|\b(?:left|quit)\b[^.;!?]*\bi(?:'m|\s+am)\s+(?:now\s+)?at\s+(?-i:[A-Z])[\w&.-]*\s+now\b"
                       # "I'm a nurse at St. Mary's", not "I'm a regular at the climbing gym"
                       r"|\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+)?an?\s+(?!(?:regular|member|guest|patient|customer|"
                       r"fan|visitor|volunteer|client|tourist|beginner|newbie|big|huge|little|bit|lot|tad|wee)\b)"
                       r"[\w-]+(?:\s+[\w-]+)?\s+(?:at\s+(?!the\s+moment|home|work|least|all|night|times|first|last|once|heart)"
                       r"|by profession)\b"
                       # "I left Google and started working at Stripe"
                       r"|\bi\s+(?:left|quit)\s+[^.,;!?]{1,40}?\s+and\s+(?:now\s+|then\s+)?(?:started\s+working|work(?:ing)?\s+(?:at|for)|"
                       r"joined\s+(?-i:[A-Z]))"
                       # "I teach 4th grade", "I teach math at Lincoln High" (not "I teach my kids to swim")
                       r"|\bi\s+(?:now\s+|currently\s+|still\s+)?teach\s+(?:\d+(?:st|nd|rd|th)\s+grade|kindergarten|preschool|"
                       r"(?:high|middle|elementary|primary|secondary)\s+school|(?:[\w-]+\s+){0,2}?at\s+(?-i:[A-Z]))"
                       # "I work in marketing at Nike"
                       r"|\bi\s+(?:now\s+|currently\s+)?work\s+in\s+[\w\s-]{1,30}?\s+(?:at|for)\s+(?-i:[A-Z])"
                       # "My employer is Shopify", "I switched careers and now work as a data analyst"
                       r"|\bmy\s+(?:current\s+|new\s+)?employer\s+is\s+(?:now\s+)?(?-i:[A-Z])|\bi(?:'m|\s+am)\s+employed\s+(?:at|by)\b"
                       # (a name or a trade after it: not "work for two hours")
                       r"|\bi\b[^.;!?]{0,60}?\band\s+(?:now\s+|currently\s+)?work\s+(?:at|for|as)\s+(?:an?\s|(?-i:[A-Z]))"
                       # "Got promoted, I'm the store manager now!"
                       r"|\bi(?:'m|\s+am)\s+(?:now\s+)?the\s+(?:[\w-]+\s+){0,2}?(?:" + OCCUPATIONS + r")s?\b(?=[^.;!?]*\bnow\b)"
                       # "I'm a nurse now", "I'm a high school teacher": an occupation said of oneself,
                       # with at most three words before it; not "a former teacher" or "an aspiring writer"
                       r"|\bi(?:'m|\s+am)\s+(?:now\s+|currently\s+|still\s+|actually\s+)?an?\s+"
                       r"(?!(?:former|ex|aspiring|amateur|hobby|wannabe|budding|future|would-be|bit|lot|terrible|bad|good|"
                       r"great|decent|awful|horrible|poor|lousy|slow|fast|careful|nervous|natural|born|really|pretty|"
                       r"very|such|total|complete|huge|big)\b)"
                       r"(?:[\w-]+\s+){0,3}?(?:" + OCCUPATIONS + r")s?\b(?!['\u2019]s|\s+at\s+heart\b)"
                       # "I work in retail as a store clerk"
                       r"|\bi\s+work\s+[^.,;!?]{0,30}?\bas\s+an?\s+(?:[\w-]+\s+){0,2}?(?:" + OCCUPATIONS + r")\b"
                       # "I got hired as a paralegal", "took a full-time job as", "I became a product manager"
                       r"|\bi\s+(?:just\s+|recently\s+|finally\s+)?(?:got\s+hired|was\s+hired|started)\s+as\s+an?\b"
                       r"|\bi\s+(?:just\s+|recently\s+|finally\s+)?(?:took|accepted|got)\s+(?:a|the|an)\s+(?:[\w-]+\s+){0,2}?"
                       r"(?:job|position|role)\s+as\b"
                       r"|\bi\s+(?:just\s+|recently\s+|finally\s+|officially\s+)?became\s+an?\s+(?:[\w-]+\s+){0,2}?"
                       r"(?:" + OCCUPATIONS + r")\b",
                       re.I)),
    ("relationship", re.compile(r"\bi(?:'m|\s+am)\s+(?:now\s+)?in\s+a\s+(?:new\s+|serious\s+)?relationship\b"
                                r"|\b(?:i'm|i am|i got|i just got|we got|we just got|we're|we are)\s+(?:now\s+)?"
                                r"(?:single|married|divorced|engaged|dating|separated)(?![\w-])"
                                r"|\b(?:i|we)\s+(?:just\s+|finally\s+)?(?:broke\s+up|split\s+up|finali[sz]ed\s+(?:our|my)\s+"
                                r"divorce)\b|\band\s+i\s+(?:are|got)\s+(?:now\s+)?(?:divorced|separated|married|engaged)\b"
                                r"|\bi\s+(?:have|'ve\s+got)\s+a\s+(?:new\s+)?(?:girlfriend|boyfriend|partner)\s+now\b"
                                # "my boyfriend and I have been dating for two years"
                                r"|\b(?:and\s+i|we)\s+(?:have\s+been|'ve\s+been|are|'re)\s+(?:dating|together)\b"
                                r"|\bi(?:'ve|\s+have)\s+been\s+dating\b"
                                # "I've started seeing someone"
                                # (not "I'm seeing Hamilton with my sister on Friday")
                                r"|\bi(?:'m|\s+am)\s+(?:now\s+)?seeing\s+(?:someone|somebody)\b"
                                r"|\bi(?:'ve\s+started|\s+have\s+started|\s+started|'ve\s+been|\s+have\s+been)\s+(?:now\s+)?seeing\s+"
                                r"(?:someone|somebody|"
                                r"a\s+(?:guy|girl|man|woman)|(?-i:[A-Z]))", re.I)),
    ("weight", re.compile(r"\bi\s+(?:now\s+|currently\s+)?weigh\s+(?:about\s+|around\s+)?\d"
                          # "I'm at 195 lbs now", "down to 195 pounds now"; not a goal ("get down to 65kg")
                          r"|\b(?:i'm|i\s+am)\s+(?:now\s+)?(?:at|down\s+to|up\s+to)\s+\d+\s*(?:pounds|lbs?|kg|kilos)\b"
                          r"|(?<!get )(?<!go )(?<!be )\b(?:down|up)\s+to\s+\d+\s*(?:pounds|lbs?|kg|kilos)\s+now\b", re.I)),
    ("salary", re.compile(r"\bi(?:'m|\s+am)?\s+(?:now\s+|currently\s+)?(?:make|making|earn|earning)\s+(?:about\s+|around\s+|roughly\s+|approximately\s+|over\s+|almost\s+)?"
                          r"(?:[$\u00a3\u20ac]\s?\d|\d[\d,.]*\s?(?:k|grand|dollars|euros|pounds\s+a|a\s+year|per))"
                          r"|\bmy\s+(?:new\s+)?(?:salary|pay)\s+is\b", re.I)),
    # the car one drives: "I drive a Tesla now", "my new car is a Mazda"; not "I drove a Ferrari once"
    ("car", re.compile(r"\bi(?:'m|\s+am)?\s+(?:now\s+|currently\s+|still\s+|mostly\s+)?driv(?:e|ing)\s+(?:an?|the)\s+"
                       r"(?:(?:new|used|old|little|beat-up|trusty|red|blue|black|white|silver|grey|gray)\s+|\d{4}\s+){0,2}"
                       r"(?:(?-i:[A-Z])|(?:minivan|van|truck|pickup|suv|sedan|hatchback|"
                       r"convertible|motorcycle|motorbike|jeep|hybrid|ev|electric\s+car|station\s+wagon)\b)"
                       r"|\bmy\s+(?:new\s+)?(?:car|daily\s+driver|ride)\s+is\s+(?:now\s+)?(?:an?\s+)?(?:\d{4}\s+)?(?-i:[A-Z])"
                       # "Picked up my new car yesterday", "so that's what I drive now"
                       r"|\bmy\s+new\s+car\b|\bwhat\s+i\s+drive\s+now\b"
                       # "I don't have a car", "bought my first car"
                       r"|\bi\s+(?:don't|do\s+not|no\s+longer)\s+(?:have|own)\s+a\s+car\b" + _NOT_A_CAR_THING +
                       r"|\b(?:got|bought)\s+(?:my|our)\s+(?:first|new)\s+car\b" + _NOT_A_CAR_THING +
                       # "I got a new car, a Mazda"; not "a new car seat"
                       r"|(?:\bi\s+|^)(?:just\s+|finally\s+)?(?:got|bought|picked\s+up)\s+a\s+new\s+car\b" + _NOT_A_CAR_THING, re.I)),
    # where the speaker works from: "I work from home", "I'm fully remote", "I'm back in the office
    # full-time", "I go into the office three days a week now"
    ("workplace", re.compile(r"\bi(?:'m|\s+am|'ve\s+been|\s+have\s+been)?\s+(?:now\s+|currently\s+|still\s+|mostly\s+|"
                             r"fully\s+)?work(?:ing)?\s+(?:fully\s+|full[- ]time\s+|completely\s+)?(?:from\s+home|remotely|remote|hybrid|"
                             r"on-?site|in-?person)\b"
                             r"|\b(?:i|we)(?:'m|'re|\s+am|\s+are)\s+(?:now\s+)?(?:fully\s+|completely\s+|100%\s+)?(?:remote|hybrid)\b"
                             r"|\bmy\s+(?:job|role|position|work)\s+is\s+(?:now\s+)?(?:fully\s+)?(?:remote|hybrid|in-?person|on-?site)\b"
                             r"|\b(?:i|we)(?:'m|'re|\s+am|\s+are|\s+work|\s+go|'ll\s+be)\s+(?:now\s+)?(?:back\s+)?(?:in|into|at)\s+(?:the|an)\s+office\s+"
                             r"(?:full[- ]time|every\s+day|(?:\w+|\d)\s+days\s+a\s+week|now|for\s+good|permanently)\b"
                             r"|\b(?:i|we)(?:'m|'re|'ve|\s+am|\s+are|\s+have)?\s+(?:just\s+|finally\s+)?(?:went|going|gone|returned|switched)\s+"
                             r"back\s+to\s+(?:working\s+(?:in|at|from)\s+)?(?:the\s+|an\s+)?office\b(?!\s+to\s+\w)"
                             r"|\bi\s+(?:now\s+|still\s+)?commute\s+(?:in)?to\s+(?:the|an|my|our)\s+(?:[\w-]+\s+){0,2}?office\b"
                             r"|\bi\s+(?:just\s+|finally\s+)?switched\s+to\s+(?:working\s+)?(?:fully\s+|full[- ]time\s+)?(?:remote|remotely|"
                             r"hybrid|from\s+home|in[- ]person|in\s+the\s+office)\b"
                             # "my team went fully remote": the user's work with it
                             r"|\b(?:my\s+(?:team|company|job|office|employer|department)|we)\s+(?:just\s+)?(?:went|are\s+going|'re\s+going|"
                             r"is\s+going|switched\s+to)\s+(?:fully\s+|full[- ]time\s+)?(?:remote|hybrid)\b", re.I)),
    # the hours: "I work the night shift", "I work nights", "I switched to day shifts"
    ("shift", re.compile(r"\bi(?:'m|\s+am|'ve\s+been|\s+have\s+been)?\s+(?:now\s+|currently\s+|still\s+|just\s+|finally\s+)?"
                         r"(?:work(?:ing)?|on|doing|switched\s+to|moved\s+to|back\s+on|got\s+moved\s+to)\s+(?:the\s+)?"
                         r"(?:(?:night|day|evening|overnight|graveyard|morning|afternoon|early|late|swing|closing|opening)\s+){1,2}"
                         r"shifts?\b"
                         r"|\bi(?:'m|\s+am)?\s+(?:now\s+|currently\s+|still\s+|mostly\s+)?work(?:ing)?\s+(?:nights|days|evenings|"
                         r"overnights)\b"
                         r"|\bi(?:'m|\s+am)\s+(?:now\s+)?(?:back\s+)?on\s+(?:nights|days|evenings)\b"
                         # "they moved me to day shift!!"
                         r"|\b(?:moved|put|switched)\s+me\s+(?:over\s+)?to\s+(?:the\s+)?(?:night|day|evening|overnight|graveyard|"
                         r"morning|early|late|swing)\s+shifts?\b", re.I)),
    # who the speaker lives with: "I live with my parents", "I live alone", "I finally got my own place"
    ("household", re.compile(r"\bi(?:'m|\s+am)?\s+(?:now\s+|currently\s+|still\s+)?(?:live|living)\s+(?:with\s+(?:my\s+)?"
                             r"(?:(?:two|three|four|\d)\s+)?(?:parents|mom|dad|mum|mother|father|family|folks|roommates?|flatmates?|housemates?|boyfriend|"
                             r"girlfriend|partner|fianc\w*|husband|wife|grandparents|grandma|grandmother|in-laws|sister|"
                             r"brother|aunt|uncle|friends?|cousins?)|alone|by\s+myself|on\s+my\s+own)\b"
                             r"|\b(?:i|we)\s+(?:just\s+|finally\s+)?moved\s+(?:back\s+)?(?:in\s+with|out\s+of)\s+my\b"
                             r"|\bmoved\s+in\s+with\s+(?:me|us)\b"
                             r"|\b(?:got|have|found|bought|rented|rent|in|into)\s+my\s+(?:very\s+)?own\s+(?:place|apartment|flat|house|home)\b"
                             r"|\bi\s+(?:have|'ve\s+got)\s+(?:a\s+|\w+\s+)?(?:new\s+)?(?:roommates?|flatmates?|housemates?)\b"
                             r"|\bi\s+(?:now\s+|currently\s+|still\s+)?share\s+(?:a|an|the|my)\s+(?:flat|apartment|house|place|room)\s+with\b",
                             re.I)),
    # (and what one goes by: "everyone calls me Liz" ... "I actually go by Beth now")
    ("name", re.compile(r"\bmy\s+(?:full\s+|last\s+|first\s+|sur|maiden\s+)?name\s+is\b"
                        # ("I go by Beth now", "I actually go by Beth"; not "I go by Starbucks every morning")
                        r"|\bi\s+(?:now\s+|actually\s+|prefer\s+to\s+)go\s+by\s+(?-i:[A-Z])[a-z]+(?=\s*(?:[.,;!]|$|now\b|"
                        r"instead\b|these\s+days\b))"
                        r"|\bi\s+go\s+by\s+(?-i:[A-Z])[a-z]+\s+(?:now|instead|these\s+days)\b"
                        r"|\b(?:everyone|everybody|people|friends|my\s+friends)\s+calls?\s+me\s+(?!(?-i:Mom|Mum|Mommy|Mama|Dad|"
                        r"Daddy|Papa|Grandma|Grandpa|Nana|Boss|Doc|Chef|Coach|Sir|Madam|Auntie|Aunt|Uncle|Teacher|Miss|Captain)\b)"
                        r"(?-i:[A-Z])"
                        r"|(?:^|\bplease\s+)call\s+me\s+(?-i:[A-Z])", re.I)),
    # ("my new number btw: 555-0199", "my new phone number: 555-0177")
    ("phone number", re.compile(r"\bmy\s+(?:new\s+)?(?:phone\s+|cell\s+|mobile\s+)?number\s*(?:btw\s*|now\s*)?(?:is\b|:)"
                                r"|\bmy\s+(?:new\s+)?(?:cell\s+|mobile\s+)?phone\s+is\s+\+?\d"
                                r"|\bmy\s+(?:new\s+)?(?:cell|mobile)\s+is\s+\+?\d|\bi\s+got\s+a\s+new\s+(?:phone\s+)?number\b"
                                r"|\bi\s+changed\s+my\s+(?:phone\s+|cell\s+)?number\b"
                                r"|\b(?:i've|i\s+have)\s+(?:got\s+)?a\s+new\s+(?:phone\s+)?number\b", re.I)),
    ("email", re.compile(r"\bmy\s+(?:new\s+)?e-?mail(?:\s+address)?\s*(?:btw\s*|now\s*)?(?:is\b|:)"
                         r"|\buse\s+my\s+new\s+e-?mail(?:\s+address)?\b", re.I)),
    # "my address is 14 Birch Lane", "new address for the forms: 88 Harbor Rd"
    ("address", re.compile(r"\bmy\s+(?:new\s+|home\s+|mailing\s+|postal\s+)?address(?:\s+for\s+[\w\s]{1,20}?)?\s*(?:is\s+|:\s*)"
                           r"(?:now\s+)?\d", re.I)),
    ("age", re.compile(r"\bi(?:'m|\s+am)\s+(?:now\s+|finally\s+|officially\s+)?\d{1,3}(?:\s+years?\s+old\b|"
                       r"(?=\s*(?:now\b|so\b|btw\b|lol\b|haha\b|though\b|tho\b|as\s+of\b|[,.;!]|$)))"
                       r"|(?:\bi\s+|^)(?:just\s+)?turned\s+\d{1,3}\b(?!\s*(?:%|percent|degrees|minutes|pages))"
                       r"|\b(?:had|celebrated)\s+my\s+\d{1,3}(?:st|nd|rd|th)\s+birthday\b"
                       # "Just hit 42, feeling old": only a number standing alone ("hit 100 pushups" is no age)
                       r"|(?:\bi\s+|^)(?:just\s+|finally\s+)?hit\s+\d{2}(?![\d,.]\d)(?=\s*(?:[,.;!]|$|today|yesterday|this|last|on\b|years?))",
                       re.I)),
]
# A job on the side is not the job: "volunteering on weekends, on top of my day job"
_SIDE_JOB = re.compile(r"\b(?:on top of|on the side|side (?:gig|hustle|job)|volunteer\w*|"
                       r"on weekends|part[- ]time|in my (?:free|spare) time|for fun|as a hobby)\b", re.I)
# (but "I bought my first car this weekend" is the car: the weekend is when)
_BOUGHT_A_CAR = re.compile(r"\b(?:bought|got|picked\s+up|purchased)\s+(?:my|our|a)\s+(?:first\s+|new\s+)?car\b", re.I)
# A day out of the routine is not the routine: "I'm working from the office today", "covering a night
# shift tonight", "staying with my parents this weekend"
_ONE_OFF = re.compile(r"\b(?:today|tonight|tomorrow|this\s+(?:week(?:end)?|morning|afternoon|evening|time)|for\s+the\s+"
                      r"(?:day|week(?:end)?|holidays?)|for\s+a\s+(?:few\s+)?(?:days|weeks?|while))\b", re.I)
_ROUTINE_SLOTS = ("workplace", "shift", "household")
# A car driven for a while is not the car: "I'm driving a rental Jeep this week"
_NOT_MY_CAR = re.compile(r"\b(?:rental|rented|renting|borrowed|borrowing|loaner|test[- ]driv\w*|today|tonight|"
                         r"this\s+week(?:end)?|for\s+the\s+(?:trip|weekend|week|day))\b", re.I)
# (a favourite part, scene or moment belongs to whatever it is of, not to the user: "my favorite part
# is the music" says nothing of the next film's favourite part)
_NOT_A_FAVORITE_THING = r"(?!(?:part|thing|bit|moment|scene|line|memory|quote|episode|time|day|one|character|" \
                        r"song\s+on|track\s+on)\b)"
LATELY = r"(?:\s+(?:these\s+days|now|right\s+now|lately|at\s+the\s+moment|currently|nowadays))?"
# "my favorite band (these days) is", "Pizza is my favorite food", "X has become / replaced Y as my favorite author"
_FAVORITE = re.compile(r"\bmy\s+(?:all-time\s+|new\s+)?(?:favou?rite|fave?)\s+" + _NOT_A_FAVORITE_THING +
                       r"(?P<thing>[a-z]+(?:\s+[a-z]+)?)" + LATELY + r"\s+(?:is|are|has to be)\b"
                       r"|\b(?:is|become|became|as)\s+my\s+(?:all-time\s+|new\s+)?(?:favou?rite|fave?)\s+" + _NOT_A_FAVORITE_THING +
                       r"(?P<thing2>[a-z]+(?:\s+(?!now\b)[a-z]+)?)\s*(?:[.,;!?]|$|now\b)", re.I)


# Who or what serves the speaker, one at a time: "my dentist is Smile Studio" ... "found a new dentist,
# Bright Dental"; "my laptop is a ThinkPad"; "I switched my major to nursing"; "switched gyms".
_PROVIDERS = {"gym": "gym", "doctor": "doctor", "gp": "doctor", "physician": "doctor", "dentist": "dentist",
              "therapist": "therapist", "psychiatrist": "psychiatrist", "bank": "bank", "insurance": "insurance",
              "insurer": "insurance", "health insurance": "insurance", "carrier": "carrier", "phone carrier": "carrier",
              "internet provider": "internet provider", "landlord": "landlord", "hairdresser": "hairdresser",
              "barber": "barber", "vet": "vet", "major": "major", "pharmacy": "pharmacy", "mechanic": "mechanic",
              "laptop": "laptop", "phone": "phone"}
_PROVIDER_NOUN = r"(?P<noun{}>" + "|".join(sorted(_PROVIDERS, key=len, reverse=True)) + r")(?!\s+number)"  # (a phone number is its own)
_PROVIDER = re.compile(r"\bmy\s+(?:new\s+|current\s+|primary\s+care\s+|family\s+|regular\s+)?" + _PROVIDER_NOUN.format(1) +
                       r"\s+is\s+(?:now\s+)?(?:over\s+at\s+|at\s+|through\s+|with\s+|an?\s+)?(?:Dr\.?\s+)?(?-i:i?[A-Z])"
                       r"|\b(?:switched|changed)\s+(?:my\s+)?" + _PROVIDER_NOUN.format(2) +
                       r"(?:s|es)?\b(?!\s+(?:off|on|around)\b)"
                       r"|\b(?:found|got|have|switched\s+to|changed\s+to|picked)\s+a\s+new\s+" + _PROVIDER_NOUN.format(3) + r"\b"
                       r"|\bi\s+bank\s+with\s+(?-i:[A-Z])(?P<bank>)|\bi(?:'m|\s+am)\s+majoring\s+in\b(?P<major>)"
                       # "I switched to Dr. Nguyen", "moved all my accounts over to Ally"
                       r"|\b(?:switched|moved|changed)\s+(?:over\s+)?to\s+Dr\.?\s+(?-i:[A-Z])(?P<dr>)"
                       r"|\b(?:moved|switched|transferred)\s+(?:all\s+)?my\s+(?:bank\s+|banking\s+)?accounts?\s+(?:over\s+)?to\s+"
                       r"(?-i:[A-Z])(?P<bank2>)"
                       # "I've switched to an iPhone 15", "upgraded to a Pixel 8", "switched to a MacBook Air"
                       # (the speaker's: not "my mom switched to an iPhone")
                       r"|(?:\b(?:i|i've|we|we've)\s+|^)(?:just\s+|finally\s+)?(?:switched|upgraded|moved|changed)\s+(?:over\s+)?"
                       r"to\s+(?:an?\s+|the\s+|my\s+)?(?:new\s+)?"
                       r"(?:(?-i:iPhone|Pixel|Galaxy|OnePlus|Android|Motorola|Xiaomi)(?P<handset>)|"
                       r"(?-i:MacBook|ThinkPad|Chromebook|Surface\s+Laptop|XPS)(?P<computer>))\b(?!\s+(?:Studio|Auto|TV)\b)", re.I)


def _provider(found: re.Match) -> str:
    noun = "bank" if found.group("bank") is not None or found.group("bank2") is not None else \
        "major" if found.group("major") is not None else "doctor" if found.group("dr") is not None else \
        "phone" if found.group("handset") is not None else "laptop" if found.group("computer") is not None else \
        " ".join(next(found.group(f"noun{n}") for n in (1, 2, 3) if found.group(f"noun{n}")).lower().split())
    return "provider:" + _PROVIDERS[noun]


def favorite_slot(what: str) -> str:
    """"My favourite food", "favorite food" -> "favorite:food"."""
    thing = re.sub(r"^(?:my\s+)?(?:all-time\s+|new\s+)?(?:favou?rite|fave?|preferred)\s+", "", what.strip(), flags=re.I)
    return _favorite(re.sub(LATELY + "$", "", thing, flags=re.I))


def _favorite(thing: str) -> str:
    """One slot for one thing however it is named: "TV show", "show" and "series" are one."""
    thing = " ".join(thing.lower().split())
    return "favorite:" + _SAME_THING.get(thing, thing)


_SAME_THING = {"tv show": "show", "tv series": "show", "series": "show", "television show": "show",
               "movie": "film", "flick": "film", "musician": "artist", "singer": "artist", "dish": "food",
               "meal": "food", "author": "writer", "novel": "book", "tune": "song"}


# How many of something the speaker has: "I have two kids", "now I only have one cat"
_COUNT = re.compile(r"\bi\s+(?:now\s+|only\s+|still\s+|just\s+)*have\s+(?:\d+|no|one|two|three|four|five|six|seven|eight)\s+"
                    r"(?P<what>kids?|children|child|sons?|daughters?|cats?|dogs?|pets?|siblings?|brothers?|sisters?|"
                    r"grandchildren|grandkids?|cars?)\b", re.I)
_SINGULAR = {"kids": "child", "kid": "child", "children": "child", "grandchildren": "grandchild",
             "grandkids": "grandchild", "grandkid": "grandchild"}


# Long messages: endings and slots are read in the first few hundred characters of a sentence
# (a pasted log or a 100k-character message would take seconds of regex work for nothing)
READ_CHARS = 1000
# Not said as so: a hypothetical, a plan, a wish or a joke before the words ("If I moved to Paris",
# "thinking about going vegan", "I joked that I'd quit")
HYPOTHETICAL = re.compile(r"\b(?:if|whether|would|might|could|should|maybe|thinking|considering|planning|"
                         r"want|wanna|joked|joking|kidding|hope|hoping|wish|wishing|dream|dreaming|someday|trying|"
                         r"can't\s+wait|cannot\s+wait|i'd\s+(?:love|like))\b[^.;!?]*$", re.I)


def straight(sentence: str) -> str:
    """A phone keyboard's apostrophe as the plain one the patterns spell: "I’m a nurse now"."""
    return sentence.replace("\u2019", "'")


def said_plainly(sentence: str) -> str:
    """What the slot and ending rules read of a sentence: its first READ_CHARS, with plain
    apostrophes, without what it quotes (in 'My wife told me "I quit my job"' nothing of the
    speaker's ended)."""
    return re.sub(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|(?<!\w)'[^']*'(?!\w)", " ", straight(sentence[:READ_CHARS]))


# A child's school, one per child: "my son goes to Lincoln Elementary" ... "my son started at Jefferson
# Middle School" ("my daughter Mia ..." is Mia's: two children, two schools)
# (not a class or an event: "Sunday School at our church", "Dance Academy on Tuesdays", "the High School musical")
_CHILDS_SCHOOL = re.compile(r"\bmy\s+(?P<child>son|daughter|kid|oldest|youngest)\s+(?:(?P<name>(?-i:[A-Z])[a-z]+)\s+)?"
                            r"(?:now\s+|just\s+)?(?:goes|started|transferred)\s+(?:to|at)\s+"
                            r"(?:the\s+)?(?!(?-i:Sunday|Saturday|Dance|Music|Art|Swim|Karate|Ballet|Drama|Summer|Bible|Driving|Coding|"
                            r"Chess|Soccer|Football|Tennis|Gymnastics|Martial|Cooking|Language|Hebrew|Religious|Space|Band)\b)"
                            r"(?-i:[A-Z])[\w'.-]*(?:\s+(?-i:[A-Z])[\w'.-]*){0,3}?\s+(?-i:Elementary|Middle|High|"
                            r"School|Academy|Preschool|Kindergarten|Montessori|Prep|Primary|Secondary)\b"
                            r"(?!\s+(?:musical|play|game|concert|dance|fair|event|show|reunion|camp)\b)"
                            r"(?![^.;!?]*\bon\s+\w+days\b)", re.I)


def slot_of(sentence: str) -> str | None:
    """The subject a first-person sentence sets, if it is one that holds a single value."""
    sentence = said_plainly(sentence)
    if favorite := _FAVORITE.search(sentence):
        return _favorite(favorite.group("thing") or favorite.group("thing2"))
    if (provider := _PROVIDER.search(sentence)) and not HYPOTHETICAL.search(sentence, 0, provider.end()):
        return _provider(provider)
    if (school := _CHILDS_SCHOOL.search(sentence)) and not HYPOTHETICAL.search(sentence, 0, school.end()):
        return " ".join(["school of", school.group("child").lower(), (school.group("name") or "").lower()]).strip()
    if count := _COUNT.search(sentence):
        what = count.group("what").lower()
        return "count:" + _SINGULAR.get(what, what.removesuffix("s"))
    for name, pattern in SLOTS:
        found = pattern.search(sentence)
        if found and not (name == "job" and _SIDE_JOB.search(sentence)) \
                and not (name == "car" and _NOT_MY_CAR.search(sentence) and not _BOUGHT_A_CAR.search(sentence)) \
                and not (name in _ROUTINE_SLOTS and _ONE_OFF.search(sentence)) \
                and not HYPOTHETICAL.search(sentence, 0, found.end()):  # "If I moved to Paris", "thinking about going vegan"
            return name
    return None


def occupations_in(text: str) -> set[str]:
    """The occupations a text names ("a registered nurse" -> {"nurse"}), lowercased."""
    return {" ".join(m.lower().split()) for m in _OCCUPATION.findall(text)}


# The plain words that are a slot's value, beside names and numbers: a diet, a relationship state
_STATE_VALUE = re.compile(r"\b(?:vegetarian|vegan|pescatarian|plant-based|keto|single|married|divorced|engaged|"
                          r"dating|separated|widowed)\b", re.I)
# ...and on the routine slots, words that are their values only there ("night shifts are tiring" is
# no new value of a job)
_SLOT_VALUE = {"workplace": re.compile(r"\b(?:remote|remotely|hybrid|office|home)\b", re.I),
               # (not "day": "I'm on nights, so I sleep during the day")
               "shift": re.compile(r"\b(?:nights?|overnights?|graveyard|swing)\b", re.I),
               "household": re.compile(r"\b(?:alone|myself|parents|roommates?|flatmates?|housemates?|own)\b", re.I)}
# Words that say a value changed, even when the new statement also names the old value ("I got laid
# off from Target", "I left Google"): such a statement is never the same value said again
CHANGE_WORDS = re.compile(r"\b(?:left|leaving|quit|quitting|laid\s+off|fired|lost|moved|moving|relocat\w*|broke\s+up|"
                          r"split|sold|traded|switched|upgraded|no\s+longer|former|ex|used\s+to|any\s?more|"
                          r"unemployed|retired|new|now|again|instead)\b", re.I)


def values_in(text: str, slot: str | None = None) -> set[str]:
    """What a statement on `slot` names as its value, besides names and numbers: occupations, diets,
    relationship states, and the routine slot's own words, lowercased."""
    found = occupations_in(text) | {m.lower() for m in _STATE_VALUE.findall(text)}
    if slot in _SLOT_VALUE:
        found |= {m.lower() for m in _SLOT_VALUE[slot].findall(text)}
    return found
