"""A fast, in-process replay of the LoCoMo / LongMemEval protocol for iterating on extraction and
ranking: the same pipeline stages (extract -> embed -> resolve -> write -> recall) and the
reference scorer's own metric functions, without the HTTP/Celery round trips, with embeddings
cached on disk. It is a development aid; `make eval` (eval.run) is the measurement of record.

  python -m eval.sim --memeval ../shared/tools/memeval.py --locomo FILE [--lme FILE] [--convs N]"""
from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import tempfile
import time
from datetime import timedelta
from pathlib import Path


from pipeline.chat_time import BEIJING
from pipeline.extract.offline import OfflineExtractor
from pipeline.models import Batch, Message
from pipeline.recall import SearchRequest, search
from pipeline.stages.embed import embed
from pipeline.stages.extract import extract
from pipeline.stages.resolve import resolve
from pipeline.stages.write import write
from pipeline.stores.edge_store import EdgeVectorStore
from pipeline.stores.graph_store import InMemoryGraphStore

CACHE = Path(__file__).resolve().parent / "results" / "embed_cache.pkl"


class CachedEmbedder:
    dim = 384

    def __init__(self):
        self.cache: dict[str, list[float]] = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}
        self.model = None
        self.fresh = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            if self.model is None:
                from pipeline.embedder import MiniLMEmbedder
                self.model = MiniLMEmbedder()
            for text, vector in zip(missing, self.model.embed(missing)):
                self.cache[text] = vector
            self.fresh += len(missing)
        return [self.cache[t] for t in texts]

    def save(self) -> None:
        if self.fresh:
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            CACHE.write_bytes(pickle.dumps(self.cache))


class Service:
    def __init__(self, root: Path, embedder: CachedEmbedder):
        self.store = EdgeVectorStore(root / "qdrant", dim=384)
        self.embedder, self.graphs, self.extractor = embedder, InMemoryGraphStore(), OfflineExtractor()
        self.n = 0

    def add(self, user: str, cid: str, msgs: list[dict]) -> None:
        self.n += 1
        messages = [Message(role=m["role"], content=m["content"], message_index=i,
                            chat_time=m["chat_time"].replace(tzinfo=BEIJING)) for i, m in enumerate(msgs)]
        batch = Batch(task_id=f"t{self.n}", project="eval", user_id=user, conversation_id=cid,
                      messages=messages, accepted_at=time.time())
        extraction = extract(batch, self.extractor)
        embedded = embed(extraction.candidates, self.embedder)
        now = int(time.time() * 1000)
        plan = resolve(batch, embedded, self.store, now)
        write(batch, plan, self.store, self.graphs, now)

    def search(self, user: str, query: str, k: int, prefs: int) -> list[dict]:
        out = search(SearchRequest(project="eval", user_id=user, query=query, memory_limit=k,
                                   preference_limit=prefs), self.store, self.embedder, self.graphs)
        return out["memory_detail_list"] + out["preference_detail_list"]


def locomo(mv, data, service: Service, k: int, show: int, ingest: bool = True, dump: list | None = None):
    where, results = {}, []
    for conv in data:
        a, b = conv["conversation"]["speaker_a"], conv["conversation"]["speaker_b"]
        for me in (a, b):
            for n, when, sess in mv.sessions(conv):
                cid = f"{conv['sample_id']}-s{n}"
                msgs = []
                for i, t in enumerate(sess):
                    where[(cid, i)] = t["dia_id"]
                    msgs.append({"role": "user" if t["speaker"] == me else "assistant",
                                 "content": f"{t['speaker']}: {mv.turn_text(t)}",
                                 "chat_time": when + timedelta(seconds=30 * i)})
                if ingest:
                    service.add(f"{conv['sample_id']}-{me}", cid, msgs)
    for conv in data:
        a, b = conv["conversation"]["speaker_a"], conv["conversation"]["speaker_b"]
        for qa in mv.questions(conv):
            items = []
            for me in (a, b):
                items += service.search(f"{conv['sample_id']}-{me}", qa["question"], k, k)
            got = {where.get((s["conversation_id"], s["message_index"])) for m in items for s in m["sources"]}
            text = "\n".join(m.get("memory_value") or m.get("preference") or "" for m in items)
            ev = mv.evidence_ids(qa)
            r = (qa["category"], (sum(e in got for e in ev) / len(ev)) if ev else None,
                 mv.answer_recall(qa["answer"], text), len(text.split()))
            results.append(r)
            if dump is not None:
                dump.append({"question": qa["question"], "type": mv.CATS[qa["category"]], "answer": str(qa["answer"]),
                             "evidence": r[1], "answer_recall": r[2], "words": r[3], "evidence_ids": ev,
                             "items": [{"text": m.get("memory_value") or m.get("preference"),
                                        "type": m.get("memory_type") or "preference",
                                        "sources": sorted(where.get((s["conversation_id"], s["message_index"])) or ""
                                                          for s in m["sources"])} for m in items]})
            if show and r[1] is not None and r[1] < 1 and show > 0:
                show -= 1
                print(f"\n## {qa['question']} -> {qa['answer']} ev={ev} got_ev={r[1]:.2f} ans={r[2]:.2f}\n{text}")
    return mv.score(results)


def lme(mv, data, service: Service, k: int, ingest: bool = True, dump: list | None = None):
    results = []
    records = list(mv.lme_items(data))
    for rec in records if ingest else []:  # every record written before any is searched, as memeval does
        for sid, date, sess in zip(rec["haystack_session_ids"], rec["haystack_dates"], rec["haystack_sessions"]):
            when = mv.lme_date(date)
            service.add(f"lme-{rec['question_id']}", sid[:100],
                        [{"role": t["role"], "content": t["content"], "chat_time": when + timedelta(seconds=30 * i)}
                         for i, t in enumerate(sess)])
    for rec in records:
        items = service.search(f"lme-{rec['question_id']}", rec["question"], 2 * k, k)
        got = {(s["conversation_id"], s["message_index"]) for m in items for s in m["sources"]}
        ev = [(sid[:100], i) for sid, sess in zip(rec["haystack_session_ids"], rec["haystack_sessions"])
              for i, t in enumerate(sess) if t.get("has_answer")]
        text = "\n".join(m.get("memory_value") or m.get("preference") or "" for m in items)
        results.append((rec["question_type"], (sum(e in got for e in ev) / len(ev)) if ev else None,
                        mv.answer_recall(rec["answer"], text), len(text.split())))
        if dump is not None:
            dump.append({"id": rec["question_id"], "type": rec["question_type"], "question": rec["question"],
                         "answer": str(rec["answer"]), "evidence": results[-1][1], "answer_recall": results[-1][2],
                         "words": results[-1][3], "items": [{"text": m.get("memory_value") or m.get("preference"),
                                                              "type": m.get("memory_type") or "preference",
                                                              "sources": [(s["conversation_id"], s["message_index"])
                                                                          for s in m["sources"]]} for m in items]})
    return mv.score(results)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--memeval", type=Path, required=True)
    ap.add_argument("--locomo", type=Path)
    ap.add_argument("--lme", type=Path)
    ap.add_argument("--convs", type=int, default=0)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--show", type=int, default=0, help="print N missed questions with what was retrieved")
    # (Keyword search's IDF is Qdrant's, over the whole collection, so other users' memories move a
    # user's ranking a little: each dataset is written whole before it is searched, as memeval does,
    # and a --keep rerun searches the same store. Until 28 Nov each LongMemEval record was searched
    # right after its own was written: 68 of 236 questions got other items or another order, answer
    # recall 0.8063 against 0.8106.)
    ap.add_argument("--keep", type=Path, help="keep the ingested store here and reuse it (search-only reruns; "
                    "compare them with each other, see above)")
    ap.add_argument("--dump", type=Path, help="write each LongMemEval question's retrieved items here (JSON), "
                    "and each LoCoMo question's beside it (FILE.locomo.json)")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("memeval", args.memeval)
    mv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mv)
    embedder = CachedEmbedder()
    out, dump, dump_locomo = {}, [], []
    try:
        for name, path in (("locomo", args.locomo), ("longmemeval", args.lme)):
            if not path:
                continue
            data = json.loads(path.read_text())
            data = data[: args.convs] if args.convs else data
            with tempfile.TemporaryDirectory() as tmp:
                root = (args.keep / name) if args.keep else Path(tmp)
                ingest = not (root / "graphs.pkl").exists()
                service = Service(root, embedder)
                if not ingest:
                    service.graphs.graphs = pickle.loads((root / "graphs.pkl").read_bytes())
                started = time.time()
                out[name] = locomo(mv, data, service, args.k, args.show, ingest, dump_locomo) if name == "locomo" else \
                    lme(mv, data, service, args.k, ingest, dump)
                service.store.close()
                if ingest and args.keep:
                    (root / "graphs.pkl").write_bytes(pickle.dumps(service.graphs.graphs))
            print(name, f"{time.time() - started:.0f} s")
            for cat, s in out[name].items():
                print(f"  {cat:28} ev={s['evidence_recall']} ans={s['answer_recall']} words={s['words']} n={s['n']}")
        if args.dump:
            args.dump.write_text(json.dumps(dump, indent=1))
            if dump_locomo:  # beside it: each LoCoMo question's retrieved items, their sources as dia_ids
                args.dump.with_suffix(".locomo.json").write_text(json.dumps(dump_locomo, indent=1))
    finally:
        embedder.save()


if __name__ == "__main__":
    main()
