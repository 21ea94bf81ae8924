"""Writes of the performance app: installation keys, event ingestion, the daily rollup and purge."""

from .ingestion import IngestResult, MalformedBatch, usage_events_ingest
from .keys import usage_key_issue, usage_key_revoke
from .rollup import usage_days_rollup, usage_dirty_days_rollup, usage_events_purge

__all__ = [
    "IngestResult",
    "MalformedBatch",
    "usage_days_rollup",
    "usage_dirty_days_rollup",
    "usage_events_ingest",
    "usage_events_purge",
    "usage_key_issue",
    "usage_key_revoke",
]
