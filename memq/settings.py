"""The one settings object. Every knob is an environment variable with the MEMQ_ prefix;
nothing else in the code base reads os.environ (the Claude key keeps its conventional name)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEMQ_", extra="ignore")

    # --- where things run ---
    redis_url: str = "redis://127.0.0.1:6379/0"
    port: int = 8000
    host: str = "127.0.0.1"
    data_dir: Path = Path("./data")
    qdrant_url: str | None = None  # unset: embedded Qdrant Edge shard under data_dir
    qdrant_api_key: str | None = None
    qdrant_collection: str = "memq"
    api_key: str | None = None  # registered by `make run` when set
    default_project: str = "default"
    # Opens /metrics and the dashboard (every project's numbers) to remote clients that send
    # `Authorization: Bearer <token>`; unset, they answer loopback clients only (api/operator.py).
    operator_token: str | None = None

    # --- intake limits (each maps to a business error code) ---
    max_id_chars: int = 100  # 40010 / 40011
    max_messages: int = 500  # 40013
    max_content_chars: int = 100_000  # 40013
    max_request_tokens: int = 20_000  # 40305
    quota_tokens: int = 400_000  # 40309, per key per window
    quota_window_seconds: int = 60

    # --- processing ---
    task_ttl_days: int = 7
    sync_timeout_seconds: float = 120.0  # async_mode=false waits at most this long
    rpc_timeout_seconds: float = 30.0  # search/get/delete answered by the store worker
    ingest_concurrency: int = 2
    store_workers: int = 1  # more than one only with a Qdrant server (MEMQ_QDRANT_URL=http...)
    stage_max_retries: int = 5
    user_lock_lease_seconds: int = 120
    # texts per model batch: short batches of length-sorted texts pad least (bench: 16 beats 64)
    embed_batch_size: int = 16
    # An unacknowledged task returns to the queue after this long: above the longest stage
    # (an LLM extraction with its retries) so a slow task is never run twice at once.
    visibility_timeout_seconds: int = 900
    worker_role: str = "all"  # set by the runner: "ingest", "store" or "all"
    worker_max_memory_mb: int = 1200  # an ingest process above this is replaced after its task
    worker_start_timeout_seconds: float = 120.0  # for a new ingest process to load its model and report up

    # --- LLM (optional) ---
    anthropic_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "MEMQ_ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "MEMQ_ANTHROPIC_BASE_URL")
    )
    llm_model: str = "claude-sonnet-4-6"
    llm_timeout_seconds: float = 60.0

    # --- logging ---
    log_format: str = "console"  # "json" in production
    log_level: str = "INFO"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"

    @property
    def qdrant_path(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def task_ttl_seconds(self) -> int:
        return self.task_ttl_days * 86400


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
