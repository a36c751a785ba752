"""The raw messages that only echo a memory a plan archives, for stage 3 (pipeline.stages.resolve).
Raw messages are the no-loss layer and are never superseded in their own right; but one that says
no more than a memory superseded from it ("I live in Beijing.") would, left current, let search
answer the old value beside the new one, and often above it. So it is archived with the memory,
superseded by the same successor, and stays readable (get/memory/{id}, a status filter); a message
that says more stays current."""
from __future__ import annotations

from pipeline.extract.common import RAW_PREFIX
from pipeline.filters import Eq
from pipeline.models import Batch, StoredMemory, WritePlan
from pipeline.stores import lexical
from pipeline.stores.vector_store import Scope, VectorStore

# A raw message (chunk) is an echo of a memory drawn from it when this share of its content words
# is in the memory ("[1 March 2024] user: I live in Beijing." in "The user lives in Beijing (1 March
# 2024).").
ECHO_COVERED_SHARE = 0.8
ECHO_SCAN_LIMIT = 5000  # raw messages of one conversation looked at for echoes


def archive_echoes(batch: Batch, store: VectorStore, plan: WritePlan, planned: dict[str, StoredMemory]) -> None:
    """The raw messages that only echo a memory this plan archives follow it (see the module's
    docstring), superseded by its successor. Only when something is archived: then one read, and
    one scan of each conversation the archived memories come from."""
    if not plan.archive:
        return
    known = dict(planned)
    known.update({m.id: m for m in store.get([mid for mid in plan.archive if mid not in planned])})
    raws: dict[str, list[StoredMemory]] = {}  # by conversation: stored, and planned in this batch
    for mid, successor in list(plan.archive.items()):
        memory = known.get(mid)
        if memory is None or memory.kind == "raw":
            continue
        for source in memory.sources:
            if source.conversation_id not in raws:
                scope = Scope(batch.project, batch.user_id, kinds=("raw",))
                raws[source.conversation_id] = store.scan(scope, Eq("conversation_id", source.conversation_id),
                                                          limit=ECHO_SCAN_LIMIT) + \
                    [m for m in planned.values() if m.kind == "raw" and m.conversation_id == source.conversation_id]
            for raw in raws[source.conversation_id]:
                if raw.sources and (raw.sources[0].message_index == source.message_index) and _echoes(raw, memory):
                    plan.archive.setdefault(raw.id, successor)


def _echoes(raw: StoredMemory, memory: StoredMemory) -> bool:
    """Whether a raw message (chunk) says nothing `memory` does not: at least ECHO_COVERED_SHARE of
    its words, without the "[date] speaker:" it opens with (those every memory of it shares)."""
    said = lexical.content_terms(RAW_PREFIX.sub("", raw.text))
    return bool(said) and len(said & lexical.content_terms(memory.text)) >= ECHO_COVERED_SHARE * len(said)
