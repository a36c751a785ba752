"""`make eval`: start the real stack (what `make run` starts, in a temp dir), then run the
reference scorer's modes against it and beside it:

  LoCoMo       memeval.py service       vs  memeval.py baseline
  LongMemEval  memeval.py lme-service   vs  memeval.py lme-baseline

The scorer is used as it is (not copied), so the protocol and metrics are exactly the ones the
held-out checks use. Results go to eval/results/<dataset>.json and eval/results/table.md, and
the table is printed. Data paths are arguments (the Makefile's variables), never read elsewhere."""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.report import markdown

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "eval" / "results"
# The eval ingests a few million characters in minutes: the per-key quota and request limits
# are production guards, not what is measured here.
STACK_ENV = {"MEMQ_QUOTA_TOKENS": "1000000000", "MEMQ_MAX_REQUEST_TOKENS": "200000",
             "MEMQ_MAX_CONTENT_CHARS": "1000000", "MEMQ_LOG_LEVEL": "WARNING"}


def scorer(memeval: Path, mode: str, data: Path, args: argparse.Namespace, stack=None) -> dict:
    cmd = [sys.executable, str(memeval), mode, "--data", str(data), "--k", str(args.k)]
    if args.convs:
        cmd += ["--convs", str(args.convs)]
    if stack is not None:
        cmd += ["--base-url", stack.base_url, "--key", stack.api_key, "--timeout", str(args.timeout)]
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"memeval {mode} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    # The scorer prints one JSON object, then a one-line summary.
    body = done.stdout.strip().rsplit("\n", 1)[0]
    out = json.loads(body)
    out["wall_s"] = round(time.monotonic() - started, 1)
    print(f"  {mode}: {done.stdout.strip().splitlines()[-1]} ({out['wall_s']} s)", flush=True)
    return out


def run(args: argparse.Namespace) -> dict:
    from tests.stack import new_stack  # the same way the integration tests start the stack

    datasets = [("locomo", args.locomo, "service", "baseline"),
                ("longmemeval", args.lme, "lme-service", "lme-baseline")]
    datasets = [d for d in datasets if d[1] and d[0] in args.only]
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="memq-eval-") as tmp:
        stack = new_stack(Path(tmp))
        print(f"starting the stack in {stack.data_dir} ...", flush=True)
        stack.start(extra_env=STACK_ENV)
        try:
            for name, data, service_mode, baseline_mode in datasets:
                print(f"{name}: {data}", flush=True)
                memq = scorer(args.memeval, service_mode, Path(data), args, stack)
                baseline = scorer(args.memeval, baseline_mode, Path(data), args) if not args.no_baseline else None
                results[name] = {"memq": memq, "baseline": baseline, "data": str(data),
                                 "k": args.k, "convs": args.convs}
                (RESULTS / f"{name}.json").write_text(json.dumps(results[name], indent=1))
                (RESULTS / "table.md").write_text(markdown(results))  # a partial run still leaves its table
        finally:
            stack.stop()
    print("\n" + markdown(results))
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memeval", type=Path, required=True, help="the reference scorer, memeval.py")
    ap.add_argument("--locomo", type=Path, help="LoCoMo json (empty: skipped)")
    ap.add_argument("--lme", type=Path, help="LongMemEval oracle json (empty: skipped)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--convs", type=int, default=0, help="only the first N conversations/questions (0: all)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds to wait for ingestion")
    ap.add_argument("--only", default="locomo,longmemeval", help="comma-separated datasets to run")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline (quick iterations)")
    args = ap.parse_args(argv)
    args.only = set(args.only.split(","))
    for path in (args.memeval, args.locomo, args.lme):
        if path and not path.exists():
            raise SystemExit(f"not found: {path} (set MEMEVAL / LOCOMO / LME on the make command line)")
    # a terminated eval stops the stack it started (and the scorer it runs) on its way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run(args)


if __name__ == "__main__":
    main()
