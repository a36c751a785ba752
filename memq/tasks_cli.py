"""`memq tasks`: the dead-letter list. A batch that failed (with its code and reason) stays
listed until it is retried or expires; `retry` replays it from the stage that failed, with the
same idempotence as a first run."""
from __future__ import annotations

import json
import time

import typer
from rich.console import Console
from rich.table import Table

tasks_app = typer.Typer(no_args_is_help=True, help="Inspect and retry failed tasks.")
console = Console()


def _parts():
    from memq.cli import redis_client  # the CLI's way to find the running instance's Redis
    from memq.settings import get_settings
    from pipeline.stores.task_store import TaskStore
    from workers.celery_app import app

    client = redis_client()
    return client, TaskStore(client, get_settings().task_ttl_seconds), \
        (lambda name, task_id: app.send_task(name, args=[task_id]))


@tasks_app.command("failed")
def failed(limit: int = typer.Option(100, help="Show at most this many, newest first."),
           as_json: bool = typer.Option(False, "--json", help="One JSON object per line, for scripts.")) -> None:
    """List failed batches with their stage, code and reason."""
    from workers.recovery import failed_tasks

    client, tasks, _ = _parts()
    rows = failed_tasks(client, tasks, limit)
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return
    table = Table(title=f"{len(rows)} failed task(s)")
    table.add_column("task_id", no_wrap=True)
    for column in ("failed at", "project", "user_id", "stage", "code", "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["task_id"], time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["failed_at"])),
                      row["project"] or "", row["user_id"] or "", row["stage"] or "", str(row["code"] or ""),
                      (row["reason"] or "")[:200])
    console.print(table)


@tasks_app.command("retry")
def retry(task_id: str = typer.Argument(None, help="The failed task to replay."),
          all_: bool = typer.Option(False, "--all", help="Replay every failed task.")) -> None:
    """Replay failed batches from the stage that failed (after fixing the cause)."""
    from workers.recovery import failed_tasks, retry_failed

    if bool(task_id) == all_:
        raise typer.BadParameter("give a TASK_ID or --all")
    client, tasks, publish = _parts()
    targets = [r["task_id"] for r in failed_tasks(client, tasks, limit=1_000_000)] if all_ else [task_id]
    problems = 0
    for target in targets:
        try:
            stage = retry_failed(client, tasks, publish, target)
            console.print(f"{target}: requeued from {stage}")
        except (LookupError, ValueError) as exc:
            problems += 1
            console.print(f"[red]{target}: {exc}[/red]")
    if problems:
        raise typer.Exit(1)
