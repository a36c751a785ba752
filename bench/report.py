"""The markdown table `make bench` prints: each figure beside its reference, the ratio, the
target and whether it is met, with the load average measured next to it."""
from __future__ import annotations


def _row(what, memq, reference, ratio, target, met, load) -> str:
    mark = "n/a" if met is None else ("met" if met else "**not met**")
    return f"| {what} | {memq} | {reference} | {ratio} | {target} | {mark} | {load} |"


def table(r: dict) -> str:
    lines = [f"Machine: {r['machine']['cores']} cores, {r['machine']['memory_gb']} GB; settings: "
             + ", ".join(f"{k}={v}" for k, v in r["settings"].items()),
             "",
             "| figure | memq | reference | ratio | target | | load avg |",
             "|---|---|---|---|---|---|---|"]
    i = r.get("intake")
    if i:
        lines.append(_row(f"intake add/message, {i['connections']} conn ({i['generator']})",
                          f"{i['memq']['req_per_s']} req/s, p50 {i['memq']['p50_ms']:.1f} ms, p99 {i['memq']['p99_ms']:.1f} ms",
                          f"{i['reference']['req_per_s']} req/s, p50 {i['reference']['p50_ms']:.1f} ms, "
                          f"p99 {i['reference']['p99_ms']:.1f} ms (FastAPI + LPUSH)",
                          f"{i['ratio']:.2f}", ">= 0.70", i["ratio"] >= 0.7, i["memq"]["load_avg"]))
        b = i["memq_workers_running"]
        lines.append(_row("intake, workers busy beside it", f"{b['req_per_s']} req/s, p50 {b['p50_ms']:.1f} ms, "
                          f"p99 {b['p99_ms']:.1f} ms", "", "", "", None, b["load_avg"]))
    for name, e in (r.get("end_to_end") or {}).items():
        if e.get("skipped"):
            lines.append(_row(f"end to end, {name}", "skipped: " + e["skipped"], "", "", ">= 0.70", None, ""))
            continue
        ref = e["reference"]
        lines.append(_row(f"end to end, {name} ({e['memq']['messages']} messages, "
                          f"{e['memq'].get('texts_embedded', '?')} texts embedded)",
                          f"{e['memq']['messages_per_s']} msg/s; CPU {e['memq'].get('cpu_ms_per_message', '?')} ms/msg",
                          f"{ref['texts_per_s']} texts/s (embedder alone, {ref['processes']} proc x 1 thread, "
                          f"before and after); CPU {ref.get('cpu_ms_per_text', '?')} ms/text",
                          f"{e['ratio']:.2f} (CPU {e.get('cpu_ratio', '?')})", ">= 0.70", e["ratio"] >= 0.7,
                          f"{e['memq']['load_avg']} / {ref['load_avg']}"))
    t = r.get("time_to_searchable")
    if t:
        lines.append(_row(f"time to searchable at {t['sent_messages_per_s']} msg/s (half load)",
                          f"p50 {t['p50_s']} s, p95 {t['p95_s']} s ({t['probes']} probes, "
                          f"{t['not_found_in_30s']} not found)", "", "", "p95 <= 2 s", t["p95_s"] <= 2.0,
                          t["load_avg"]))
    for s in r.get("search") or []:
        if s.get("skipped"):
            lines.append(_row(f"search {s['size']}", "skipped: " + s["skipped"], "", "", "p95 <= 50 ms", None, ""))
            continue
        lines.append(_row(f"search at {s['size']} memories, filtered, ingest running",
                          f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms (worst filter; CPU p95 "
                          f"{s['cpu_p95_ms']} ms; ingest {s['ingesting_messages_per_s']} msg/s)", "", "", "p95 <= 50 ms",
                          s["p95_ms"] <= 50 if s["size"] >= 100_000 else None, s.get("load_avg", "")))
    for name, mb in (r.get("rss_mb") or {}).items():
        lines.append(_row(f"peak RSS {name}", f"{mb:.0f} MB", "", "", "<= 1536 MB", mb <= 1536, ""))
    p = r.get("peer")
    if p and not p.get("skipped"):
        lines.append(_row(f"mem0 peer: add {p['mem0']['messages']} messages (infer=False)",
                          f"{p['memq_messages_per_s']} msg/s", f"{p['mem0']['messages_per_s']} msg/s (mem0)",
                          f"{p['messages_ratio']:.2f}", "> 1", p["messages_ratio"] > 1, p["load_avg"]))
        lines.append(_row("mem0 peer: search p95 (user filter)", f"{p['memq_search_p95_ms']} ms",
                          f"{p['mem0']['search_p95_ms']} ms (mem0)", f"{p['search_ratio']:.2f} (memq/mem0)",
                          "< 1", p["search_ratio"] < 1, p["load_avg"]))
    elif p:
        lines.append(_row("mem0 peer", "skipped: " + p["skipped"], "", "", "", None, ""))
    for name, prof in (r.get("profiles") or {}).items():
        shares = ", ".join(f"{mark} {pct}%" for mark, pct in prof["inclusive_pct"].items() if pct >= 1)
        lines.append(f"\npy-spy, {name} ({prof['samples']} samples), share of samples under: {shares}")
    return "\n".join(lines)
