"""Run profiles and the result cache."""

import pytest

from semantic_pivots import cache, config
from semantic_pivots.errors import UserError


def test_profiles_and_overrides():
    assert {"smoke", "default", "paper"} <= set(config.profiles())
    cfg = config.settings("default", n_items=5, languages=None)
    assert cfg.n_items == 5 and cfg.languages == ["en", "fr", "zh", "ja"]
    assert config.settings("smoke", model="some/model").models == ["some/model"]
    assert config.settings("smoke", models="a/b").models == ["a/b"]
    assert config.settings("paper").k == 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"profile": "fast"}, "unknown profile 'fast'"),
        ({"languages": ["en", "tlh"]}, "unknown language code 'tlh'"),
        ({"shots": 3}, "unknown setting 'shots'"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(UserError, match=message):
        config.settings(**kwargs)


def test_cache_computes_once_per_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    calls = []

    def compute(value):
        calls.append(value)
        return {"v": value}

    assert cache.cached_json("t", {"a": 1}, lambda: compute(1)) == {"v": 1}
    assert cache.cached_json("t", {"a": 1}, lambda: compute(2)) == {"v": 1}
    assert cache.cached_json("t", {"a": 2}, lambda: compute(3)) == {"v": 3}
    assert calls == [1, 3]
    assert not list(tmp_path.rglob("*.tmp"))
