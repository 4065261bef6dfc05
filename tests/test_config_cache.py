"""Run profiles and the result cache."""

import pytest

from semantic_pivots import cache, config
from semantic_pivots.errors import UserError


def test_profiles_and_overrides():
    assert {"smoke", "default", "paper"} <= set(config.profiles())
    cfg = config.settings("default", n_items=5, languages=None)
    assert cfg.scoring.n_items == 5 and cfg.languages == ["en", "fr", "zh", "ja"]
    assert config.settings("smoke", model="some/model").models == ["some/model"]
    assert config.settings("smoke", models="a/b").models == ["a/b"]
    assert config.settings("paper").scoring.k == 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"profile": "fast"}, "unknown profile 'fast'"),
        ({"languages": ["en", "tlh"]}, "unknown language code 'tlh'"),
        ({"shots": 3}, "unknown setting 'shots'"),
        ({"distractors": "close"}, "unknown distractor rule 'close'"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(UserError, match=message):
        config.settings(kwargs.pop("profile", "default"), **kwargs)


class _Holder:
    def method(self):
        return """a string
with lines at column 0"""


def test_cache_computes_once_per_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    calls = []

    def compute(value):
        calls.append(value)
        return {"v": value}

    kind = cache.Kind("t", 1, (compute,))
    assert cache.cached_json(kind, {"a": 1}, lambda: compute(1)) == {"v": 1}
    assert cache.cached_json(kind, {"a": 1}, lambda: compute(2)) == {"v": 1}
    assert cache.cached_json(kind, {"a": 2}, lambda: compute(3)) == {"v": 3}
    assert calls == [1, 3]
    assert not list(tmp_path.rglob("*.tmp"))
    # a new version number, or other code, is a new key
    assert cache.cached_json(cache.Kind("t", 2, (compute,)), {"a": 1}, lambda: compute(4)) == {
        "v": 4
    }

    # a docstring or comment is no part of the computation; a changed statement is
    def documented(value):
        """Compute, documented."""
        calls.append(value)  # the same statement
        return {"v": value}

    def changed(value):
        calls.append(value + 1)
        return {"v": value}

    assert cache.source_digest(documented) == cache.source_digest(compute)
    assert cache.source_digest(changed) != cache.source_digest(compute)
    # a method whose string has lines at column 0 still parses; a builtin has a digest too
    assert len(cache.source_digest(_Holder.method)) == 12 and len(cache.source_digest(len)) == 12
    other = cache.Kind("t", 1, (test_profiles_and_overrides,))
    assert other.version != kind.version and other.version.startswith("1.")
    assert cache.cached_json(other, {"a": 1}, lambda: compute(5)) == {"v": 5}


def test_cache_command_lists_and_clears_kinds(tmp_path, monkeypatch, capsys):
    from semantic_pivots.__main__ import main

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    for name in ("a", "b"):
        cache.cached_json(cache.Kind(name, 3), {"x": 1}, lambda: [1, 2])
    assert main(["cache", "list"]) == 0
    out = capsys.readouterr().out
    assert "a\t1 files" in out and "b\t1 files" in out and "versions 3." in out
    assert main(["cache", "clear", "a"]) == 0
    assert [r["kind"] for r in cache.listing()] == ["b"]
    assert main(["cache", "clear", "zzz"]) == 2
    assert "no cached kind 'zzz'" in capsys.readouterr().err
    # every store the package writes is listed and clearable; nothing outside is touched
    outside = tmp_path.parent / f"{tmp_path.name}-corpus"
    outside.mkdir()
    monkeypatch.setenv("SEMANTIC_PIVOTS_CORPUS", str(outside))
    for kind, parts in cache.STORES.items():
        folder = tmp_path.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{kind}.bin").write_bytes(b"x" * 2000)
    assert main(["cache", "list", "glass"]) == 0
    out = capsys.readouterr().out
    assert "glass-runs\t1 files\t0.0 MB" in out and "glass-continued" in out and "nll" not in out
    assert main(["cache", "clear"]) == 0  # every result, no store
    assert {r["kind"] for r in cache.listing()} == set(cache.STORES)
    for kind in cache.STORES:
        assert main(["cache", "clear", kind]) == 0
    assert cache.listing() == [] and outside.is_dir()
