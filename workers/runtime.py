"""Per-process resources, created on first use inside the worker process that needs them
(never in Celery's parent: a model or a shard opened before the fork breaks the children)."""
from __future__ import annotations

from functools import lru_cache

import redis

from memq.settings import get_settings
from pipeline.embedder import MiniLMEmbedder
from pipeline.extract import Extractor
from pipeline.stages.resolve import OfflineResolver, Resolver
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.task_store import TaskStore
from pipeline.stores.vector_store import VectorStore


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url, health_check_interval=30)


@lru_cache(maxsize=1)
def task_store() -> TaskStore:
    return TaskStore(redis_client(), get_settings().task_ttl_seconds)


@lru_cache(maxsize=1)
def graph_store() -> GraphStore:
    return GraphStore(redis_client())


@lru_cache(maxsize=1)
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder(batch_size=get_settings().embed_batch_size)


@lru_cache(maxsize=1)
def extractor() -> Extractor:
    settings = get_settings()
    if settings.anthropic_api_key:
        from pipeline.extract.claude import ClaudeExtractor

        return ClaudeExtractor(settings)
    from pipeline.extract.offline import OfflineExtractor

    return OfflineExtractor()


@lru_cache(maxsize=1)
def resolver() -> Resolver:
    settings = get_settings()
    if settings.anthropic_api_key:
        from pipeline.extract.claude_resolve import ClaudeResolver

        return ClaudeResolver(settings)
    return OfflineResolver()


@lru_cache(maxsize=1)
def vector_store() -> VectorStore:
    settings = get_settings()
    if settings.qdrant_url:
        from pipeline.stores.qdrant_store import QdrantServerStore

        return QdrantServerStore(settings.qdrant_url, settings.qdrant_api_key, settings.qdrant_collection,
                                 dim=MiniLMEmbedder.dim)
    from pipeline.stores.edge_store import EdgeVectorStore

    return EdgeVectorStore(settings.qdrant_path, dim=MiniLMEmbedder.dim)
