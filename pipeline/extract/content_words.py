"""Which words carry content: what a fact, an answer or a quoted question needs some of to say
anything (pipeline.extract.statements, pipeline.extract.replies)."""
from __future__ import annotations

import re

# Words that carry no content: a fact needs at least two others ("Melanie is so happy for Caroline" has none).
LIGHT = set("""who whom whose which where when why all any some these those there here from into about after
before over again out off up down back through being going gonna lot lots bit kind sort such own other others
more most very only than then too can't don't won't isn't wasn't it'll that's what's there's let's i've i'm
you're we're they're he's she's it'd i'd you'd i'll you'll we'll ones something anything everything nothing
someone anyone everyone people person guy guys folks hey hi hello mean meant say said tell told hear heard
see saw look looks looked keep kept put take took come came go went want wanted need needed try tried
happy glad proud thankful grateful excited thrilled awesome amazing great cool nice good wonderful
lovely sweet fun really so very totally super agree agrees appreciate appreciates thanks thank love loves hope
hopes sure means lot always there here for with the a an and or but to of in on at is are was were be been am
it its it's that this they them their he she his her you your we our us i me my mine myself just too also
much many feel feels felt know knows think thinks like likes get got make made do does did have has had
what how glad definitely absolutely true right yeah yes oh wow haha lol time times things thing stuff
one same well still even ever never now then can could would should will way
let lets knew loop yep okay ok support supports supporting list around soon later wish wishes best luck
chat chatting talk talking catch check sounds sound cheers welcome worries anytime""".split())


def informative(text: str, speaker: str, other: str, needed: int = 2) -> bool:
    """Whether `text` has at least `needed` words of content (not LIGHT, not the speakers' names)."""
    names = {speaker.lower(), other.lower()}
    words = [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in names]
    return sum(1 for w in words if w not in LIGHT and len(w) > 2) >= needed
