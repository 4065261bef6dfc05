"""Results cached by a hash of everything they depend on.

Results cached by a hash of everything they depend on, so reruns are instant and an
interrupted run resumes; a changed input gives a new key and never reuses a stale result.

Every cached kind carries a version: a number, bumped by hand when the meaning of a result
changes, and a digest of the code of the functions that compute it (their syntax trees, so
that comments, docstrings and layout do not count), so that any edit to that code is a new key.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from semantic_pivots.errors import UserError
from semantic_pivots.paths import atomic_write_text, cache_dir, sweep_stale


def key_digest(key) -> str:
    """A short hash of any JSON-serialisable value (long inputs go into keys as digests)."""
    text = json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Kind:
    """A kind of cached result: its folder name, a version number and the computing code."""

    name: str
    number: int
    code: tuple[Callable, ...] = ()

    @property
    def version(self) -> str:
        return _version(self)


def _code(fn: Callable) -> str:
    """A function's syntax tree without docstrings.

    Comments, docstrings, layout and the function's own name are no part of a computation, so
    editing them keeps every cached result. Where no syntax tree can be had (no source, a
    builtin), the compiled code object stands in.
    """
    try:
        source = inspect.getsource(fn)
        # an indented method parses inside a block, whatever its strings' indentation
        tree = ast.parse("if 1:\n" + source if source[:1].isspace() else source)
    except (OSError, TypeError, SyntaxError):
        code = getattr(fn, "__code__", None)
        return repr((code.co_code, code.co_consts)) if code else repr(fn)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == fn.__name__:
            node.name = "_"  # a renamed function computes the same
    return ast.dump(tree)


@cache
def source_digest(*functions: Callable) -> str:
    """A short hash of the functions' code (their syntax trees, docstrings left out)."""
    source = "\n".join(_code(fn) for fn in functions)
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _version(kind: Kind) -> str:
    return f"{kind.number}.{source_digest(*kind.code)}"


def cached_json(kind: Kind, key: dict, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per ``key`` and version of ``kind``; the value must be JSON."""
    key = {**key, "version": kind.version}
    path = cache_dir("results", kind.name) / f"{key_digest(key)}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["value"]
    value = compute()
    atomic_write_text(path, json.dumps({"key": key, "value": value}, ensure_ascii=False))
    return value


def results_dir() -> Path:
    return cache_dir("results")


# What the package writes into the cache besides results, by kind: its folder there.
STORES = {
    "sources": ("sources",),  # registry packages, downloaded
    "gguf": ("gguf",),  # GGUF files assembled from their packages
    "models": ("models",),  # pretrained models converted for transformers
    "corpus": ("corpus",),  # the study corpus (unless SEMANTIC_PIVOTS_CORPUS names another)
    "collections": ("collections",),  # retrieval indexes and their documents
    "glass-tokenizers": ("glass", "tokenizers"),
    "glass-runs": ("glass", "runs"),  # glass-box training runs, unfinished ones included
    "glass-selections": ("glass", "selections"),  # pivot-aware and random data selections
    "glass-continued": ("glass", "continued"),  # continued-training runs
    "lenses": ("lenses",),  # tuned lenses
    "failed": ("failed",),  # notebooks that stopped, as executed up to the error
}


def _root() -> Path:
    return cache_dir()


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)


def listing() -> list[dict]:
    """Every cached kind on disk: files, megabytes and, for results, the versions they hold."""
    rows = []
    results = _root() / "results"
    for folder in sorted(p for p in results.iterdir() if p.is_dir()) if results.is_dir() else []:
        files = list(folder.glob("*.json"))
        versions: dict[str, int] = {}
        for f in files:
            v = json.loads(f.read_text(encoding="utf-8"))["key"].get("version", "none")
            versions[v] = versions.get(v, 0) + 1
        rows.append(
            {
                "kind": folder.name,
                "files": len(files),
                "megabytes": sum(f.stat().st_size for f in files) / 1e6,
                "versions": versions,
            }
        )
    for kind, parts in STORES.items():
        folder = _root().joinpath(*parts)
        if folder.is_dir():
            n, size = _size(folder)
            rows.append({"kind": kind, "files": n, "megabytes": size / 1e6, "versions": {}})
    return rows


def sweep() -> None:
    """Remove what processes no longer running left half-written anywhere in the cache."""
    root = _root()
    results = root / "results"
    kinds = [p for p in results.iterdir() if p.is_dir()] if results.is_dir() else []
    for folder in [root, results, *kinds, *(root.joinpath(*p) for p in STORES.values())]:
        sweep_stale(folder)


def _folder(kind: str) -> Path:
    return _root().joinpath(*STORES[kind]) if kind in STORES else results_dir() / kind


def clear(kind: str | None = None) -> list[str]:
    """Remove one kind (a kind of result or a store), or every kind of result.

    Only folders inside the cache are removed.
    """
    kinds = [r["kind"] for r in listing()]
    if kind is not None:
        if kind not in kinds:
            raise UserError(
                f"no cached kind {kind!r}: the cache holds {', '.join(sorted(kinds)) or 'none'}"
            )
        kinds = [kind]
    else:
        kinds = [k for k in kinds if k not in STORES]
    for name in kinds:
        shutil.rmtree(_folder(name))
    return sorted(kinds)
