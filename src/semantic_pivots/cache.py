"""Results cached by a hash of everything they depend on, so reruns are instant and an
interrupted run resumes; a changed input gives a new key and never reuses a stale result."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from .paths import atomic_write_text, cache_dir


def key_digest(key) -> str:
    """A short hash of any JSON-serialisable value (long inputs go into keys as digests)."""
    text = json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def cached_json(kind: str, key: dict, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per ``key``; the value must be JSON-serialisable."""
    path = cache_dir("results", kind) / f"{key_digest(key)}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["value"]
    value = compute()
    atomic_write_text(path, json.dumps({"key": key, "value": value}, ensure_ascii=False))
    return value
