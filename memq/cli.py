"""`memq`: the one command line entry point.

    memq run                      start everything (what `make run` does)
    memq import PATH              bulk-import history (JSONL, LoCoMo, LongMemEval, or a folder)
    memq keys create|list|revoke  manage API keys
    memq tasks failed|retry       inspect and retry failed tasks
    memq eval                     run the retrieval evaluation (`make eval`)

Commands that talk to Redis (keys, tasks) find it through MEMQ_REDIS_URL, else the
`runtime.json` a running `memq run` writes in the data dir (MEMQ_DATA_DIR, default ./data).
"""
from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from memq.settings import get_settings

app = typer.Typer(name="memq", no_args_is_help=True, rich_markup_mode="rich", add_completion=False,
                  help="memq: a self-hosted memory service for LLM apps, speaking the MemOS OpenMem v1 API.")
keys_app = typer.Typer(no_args_is_help=True, help="Create, list and revoke API keys (stored hashed in Redis).")
app.add_typer(keys_app, name="keys")
try:  # the tasks commands live in their own module, owned separately
    from memq.tasks_cli import tasks_app

    app.add_typer(tasks_app, name="tasks", help="Inspect and retry failed tasks.")
except ImportError:
    pass

out = Console()
err = Console(stderr=True)


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"  # a JSON array of the same conversation objects
    locomo = "locomo"
    longmemeval = "longmemeval"


# --- where the running instance is ---

def redis_url() -> str:
    """MEMQ_REDIS_URL, else the URL the running `memq run` wrote to runtime.json, else the default."""
    settings = get_settings()
    if "redis_url" in settings.model_fields_set:
        return settings.redis_url
    runtime = settings.data_dir / "runtime.json"
    if runtime.exists():
        return json.loads(runtime.read_text())["redis_url"]
    return settings.redis_url


def redis_client():
    import redis

    url = redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        err.print(f"[red]cannot reach Redis at {url}[/]: {exc}\n"
                  "Start memq with `memq run`, or point MEMQ_REDIS_URL at its Redis.")
        raise typer.Exit(2) from exc
    return client


def default_base_url() -> str:
    settings = get_settings()
    return f"http://{settings.host}:{settings.port}/api/openmem/v1"


def default_api_key() -> str | None:
    """MEMQ_API_KEY, else the key `memq run` saved in the data dir."""
    settings = get_settings()
    saved = settings.data_dir / "api_key"
    return settings.api_key or (saved.read_text().strip() if saved.exists() else None)


# --- commands ---

@app.command()
def run() -> None:
    """Start memq in the foreground: Redis, the API, the ingest and store workers. Ctrl-C stops it."""
    from memq.runner import run as run_stack

    raise typer.Exit(run_stack())


@app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, help="A .jsonl/.json file, or a folder of them."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f",
                                         help="Input format; guessed from each file when not given."),
    base_url: Optional[str] = typer.Option(None, help="API base URL (default: http://MEMQ_HOST:MEMQ_PORT/api/openmem/v1)."),
    api_key: Optional[str] = typer.Option(None, help="API key (default: MEMQ_API_KEY, else the key `memq run` saved)."),
    concurrency: int = typer.Option(4, min=1, max=64, help="Users imported in parallel."),
    wait: bool = typer.Option(False, "--wait", help="Also wait until every task is processed."),
    wait_timeout: float = typer.Option(3600.0, help="With --wait, give up after this many seconds."),
    checkpoint: Optional[Path] = typer.Option(None, help="Resume file: accepted requests are recorded here and "
                                                         "skipped by a rerun."),
    rejected: Path = typer.Option(Path("memq-import-rejected.jsonl"),
                                  help="Where to write items that failed, with code and reason."),
    user_prefix: str = typer.Option("", help="Prefix for the user ids made from LoCoMo/LongMemEval records."),
    quota_share: float = typer.Option(0.9, min=0.05, max=1.0, help="Share of the key's token quota to use."),
    max_requests: Optional[int] = typer.Option(None, min=0, help="Stop after sending this many requests "
                                                                 "(a trial run; rerun with --checkpoint to go on)."),
    batch_size: Optional[int] = typer.Option(None, min=1, help="At most this many messages per request "
                                                               "(default: the server's limit)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the live progress bars."),
) -> None:
    """Import conversation history, split under the request limits, paced under the key's quota, resumable.

    JSONL lines are {user_id, conversation_id, messages: [{role, content, chat_time}], agent_id?, tags?, info?}; LoCoMo and LongMemEval files are mapped as `make eval` maps them.

    A 40309 is waited out, 5xx and timeouts are retried; other refusals are written to --rejected. Each request carries a deterministic Idempotency-Key, so a rerun sends nothing twice.

    Exit code: 0 when everything was accepted (and with --wait processed), 1 when anything failed, 2 when the import could not start."""
    from memq.importer import FatalImportError, ImportOptions, run_import, summary_table

    key = api_key or default_api_key()
    if not key:
        err.print("[red]no API key[/]: pass --api-key, set MEMQ_API_KEY, or start memq with `memq run` first.")
        raise typer.Exit(2)
    options = ImportOptions(path=path, base_url=base_url or default_base_url(), api_key=key,
                            fmt=fmt.value if fmt else None, concurrency=concurrency, wait=wait,
                            wait_timeout=wait_timeout, checkpoint=checkpoint, rejected=rejected,
                            user_prefix=user_prefix, quota_share=quota_share, max_requests=max_requests,
                            batch_size=batch_size, show_progress=progress)
    try:
        importer = asyncio.run(run_import(options, err))
    except FatalImportError as exc:
        err.print(f"[red]import not started or aborted[/]: {exc}")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        hint = f" --checkpoint {checkpoint}" if checkpoint else ""
        err.print(f"[yellow]interrupted[/]: rerun the same command{hint and ' (with' + hint + ')'} to go on; "
                  "nothing already accepted is sent twice.")
        raise typer.Exit(130) from None
    out.print(summary_table(importer))
    if importer.rejects.entries:
        err.print(f"[red]{len(importer.rejects.entries)} item(s) failed[/]: see {rejected}")
    if not importer.stats.ok:
        raise typer.Exit(1)
    if importer.stopped_early:  # a trial run (--max-requests): not everything was sent
        err.print("[yellow]stopped early[/]: rerun without --max-requests (same --checkpoint) to send the rest.")
        raise typer.Exit(3)
    raise typer.Exit(0)


@keys_app.command("create")
def keys_create(project: str = typer.Option(..., "--project", "-p", help="The project the key belongs to."),
                quota: Optional[int] = typer.Option(None, "--quota", min=1,
                                                    help="The key's own token budget per quota window "
                                                         "(default: MEMQ_QUOTA_TOKENS).")) -> None:
    """Create a key for PROJECT and print it (only its hash is stored: keep it now)."""
    from api.auth import create_key

    key = create_key(redis_client(), project, quota_tokens=quota)
    out.print(key, soft_wrap=True, highlight=False)
    err.print(f"[dim]key for project '{project}' created; only its hash is stored, so keep it now.[/]")


@keys_app.command("list")
def keys_list() -> None:
    """List keys: project, key prefix, hash, creation time, revoked or not."""
    from api.auth import list_keys

    table = Table("project", "key", "hash", "created", "quota", "state")
    for record in list_keys(redis_client()):
        created = datetime.fromtimestamp(int(record["created_at"])).strftime("%Y-%m-%d %H:%M:%S")
        state = "[red]revoked[/]" if record.get("revoked") == "1" else "[green]active[/]"
        quota = record.get("quota_tokens", "default")  # tokens per window; "default": MEMQ_QUOTA_TOKENS
        table.add_row(record["project"], record.get("prefix", "") + "…", record["hash"][:16], created, quota, state)
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key: str = typer.Argument(..., help="The key itself, or its hash (or a unique hash prefix "
                                                       "as `keys list` shows it).")) -> None:
    """Revoke a key: requests with it get 40132 within seconds."""
    from api.auth import list_keys, revoke_key

    client = redis_client()
    matches = [r["hash"] for r in list_keys(client) if len(key) >= 8 and r["hash"].startswith(key)]
    target = matches[0] if len(matches) == 1 else key
    if not revoke_key(client, target):
        err.print("[red]no such key[/] (give the key itself, or its hash as `memq keys list` shows it)")
        raise typer.Exit(1)
    err.print("key revoked")


@app.command("eval", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def eval_(ctx: typer.Context) -> None:
    """Run the retrieval evaluation (`make eval`) from the repository root; extra arguments go to it."""
    root = Path.cwd()
    if not (root / "eval").is_dir():
        err.print("[red]no eval/ folder here[/]: run `memq eval` from the memq repository.")
        raise typer.Exit(2)
    extra = [f"EVAL_ARGS={shlex.join(ctx.args)}"] if ctx.args else []
    raise typer.Exit(subprocess.call(["make", "eval", *extra], cwd=root))


if __name__ == "__main__":
    sys.exit(app())
