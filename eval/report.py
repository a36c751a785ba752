"""The eval's markdown table: memq beside the baseline, per category and overall."""
from __future__ import annotations


def _cell(value) -> str:
    return "–" if value is None else (f"{value:.2f}" if isinstance(value, float) and value <= 1 else f"{value:g}")


def _rows(name: str, memq: dict, baseline: dict | None) -> list[str]:
    ours, theirs = memq["scores"], (baseline or {}).get("scores", {})
    order = [k for k in ours if k != "overall"] + ["overall"]
    rows = []
    for cat in order:
        a, b = ours[cat], theirs.get(cat, {})
        label = f"**{cat}**" if cat == "overall" else cat
        rows.append(f"| {name} | {label} | {a['n']} | {_cell(a['evidence_recall'])} | {_cell(b.get('evidence_recall'))} "
                    f"| {_cell(a['answer_recall'])} | {_cell(b.get('answer_recall'))} "
                    f"| {a['words']:g} | {_cell(b.get('words'))} |")
    return rows


def markdown(results: dict[str, dict]) -> str:
    lines = ["| dataset | category | n | evidence recall memq | baseline | answer recall memq | baseline "
             "| words memq | baseline |",
             "|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for name, res in results.items():
        lines += _rows(name, res["memq"], res["baseline"])
        m = res["memq"]
        notes.append(f"- {name}: {m.get('messages')} messages in {m.get('tasks')} adds "
                     f"({m.get('tasks_failed')} failed, {m.get('tasks_unfinished')} unfinished), "
                     f"all processed in {m.get('all_done_s')} s"
                     + (f" ({m['ingest_msgs_per_s']} msg/s)" if m.get("ingest_msgs_per_s") else "")
                     + (f"; search p50 {m['search_p50_ms']} ms, p95 {m['search_p95_ms']} ms"
                        if m.get("search_p50_ms") is not None else "")
                     + (f"; {m['items_without_sources']} items without sources"
                        if m.get("items_without_sources") else ""))
    return "\n".join(lines + [""] + notes) + "\n"
