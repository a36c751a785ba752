"""The clauses a compound fact leaves current, for stage 3 (pipeline.stages.resolve): when a plan
archives "The user has a cat named Oliver and drives a Prius" for its Prius (sold), the cat is still
true. The extractor keeps a compound's independent clauses with their own slots and endings
(Candidate.parts, pipeline.extract.clauses); those the change neither replaces nor ends come back
as statements of their own, said when the compound was, with its sources and vector."""
from __future__ import annotations

from pipeline.models import Candidate, StoredMemory, WritePlan
from pipeline.stages.rivals import says_what_ends, statement_endings
from pipeline.stores.vector_store import VectorStore

# settling a remainder may archive more compounds (each remainder is a statement): a few rounds
REMAINDER_ROUNDS = 3


def compound_remainders(store: VectorStore, plan: WritePlan, planned: dict[str, StoredMemory],
                        settled: set[str]) -> list[list[tuple[Candidate, list[float]]]]:
    """For each compound fact this plan archives (and not `settled` yet), the clauses that the
    memory superseding it neither replaces (their slot) nor ends, as new statements with the
    compound's sources, said time and vector: "The user has a cat named Oliver" of "... and drives
    a Prius" when the Prius is sold. When no clause, or every clause, is the one changed, there is
    nothing to keep apart."""
    pairs = [(old, new) for old, new in plan.archive.items() if old not in settled]
    settled.update(old for old, _ in pairs)
    wanted = [mid for pair in pairs for mid in pair if mid not in planned]
    known = {**{m.id: m for m in store.get(wanted)}, **planned} if wanted else dict(planned)
    compounds = [(known[old], known[new]) for old, new in pairs if old in known and new in known
                 and known[old].kind == "fact" and len(known[old].parts) > 1]
    if not compounds:
        return []
    vectors = store.dense_vectors([old.id for old, _ in compounds if old.id not in plan.add_vectors])
    found = []
    for old, successor in compounds:
        endings = statement_endings(successor.text, successor.ends)
        changed = [part.slot is not None and part.slot == successor.slot or
                   says_what_ends(part.text, endings, frozenset([part.slot])) for part in old.parts]
        if not any(changed) or all(changed) or (dense := plan.add_vectors.get(old.id) or vectors.get(old.id)) is None:
            continue
        found.append([(Candidate(kind="fact", text=part.text, key=old.key, sources=old.sources, said_at=old.said_at,
                                 confidence=old.confidence, tags=old.tags, entities=old.entities, slot=part.slot,
                                 ends=part.ends), dense)
                      for part, was_changed in zip(old.parts, changed) if not was_changed])
    return found
