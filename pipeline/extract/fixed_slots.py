"""The fixed slots: the subjects the user holds one value of at a time (residence, diet, school, job,
relationship, weight, salary, car, where and when one works, whom one lives with, name, phone number,
email, address, age), each with the pattern of a first-person sentence that sets it, and the guards
that keep a sentence off a slot it only mentions (a side job, a rental car, a one-off day).

Apart from pipeline.extract.updates, which reads this table in slot_of after the slots a statement
names itself (a favourite, a provider, a child's school, a count): the table is most of the slot
rules, and is one list to read."""
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
SIDE_JOB = re.compile(r"\b(?:on top of|on the side|side (?:gig|hustle|job)|volunteer\w*|"
                      r"on weekends|part[- ]time|in my (?:free|spare) time|for fun|as a hobby)\b", re.I)
# (but "I bought my first car this weekend" is the car: the weekend is when)
BOUGHT_A_CAR = re.compile(r"\b(?:bought|got|picked\s+up|purchased)\s+(?:my|our|a)\s+(?:first\s+|new\s+)?car\b", re.I)
# A day out of the routine is not the routine: "I'm working from the office today", "covering a night
# shift tonight", "staying with my parents this weekend"
ONE_OFF = re.compile(r"\b(?:today|tonight|tomorrow|this\s+(?:week(?:end)?|morning|afternoon|evening|time)|for\s+the\s+"
                     r"(?:day|week(?:end)?|holidays?)|for\s+a\s+(?:few\s+)?(?:days|weeks?|while))\b", re.I)
ROUTINE_SLOTS = ("workplace", "shift", "household")
# A car driven for a while is not the car: "I'm driving a rental Jeep this week"
NOT_MY_CAR = re.compile(r"\b(?:rental|rented|renting|borrowed|borrowing|loaner|test[- ]driv\w*|today|tonight|"
                        r"this\s+week(?:end)?|for\s+the\s+(?:trip|weekend|week|day))\b", re.I)
