"""The CLWTD scorer: fast equals reference, the score's arithmetic, shot sets, caching."""

import math

import pytest

from semantic_pivots import models, prompts, scoring
from semantic_pivots.clwtd import Item
from semantic_pivots.errors import UserError

WORDS = [
    ("dog", "chien", "犬"),
    ("cat", "chat", "猫"),
    ("horse", "cheval", "馬"),
    ("cow", "vache", "牛"),
    ("bird", "oiseau", "鳥"),
    ("fish", "poisson", "魚"),
    ("bear", "ours", "熊"),
    ("wolf", "loup", "狼"),
    ("sheep", "mouton", "羊"),
    ("rabbit", "lapin", "兎"),
    ("monkey", "singe", "猿"),
    ("mouse", "souris", "鼠"),
]


def _items():
    out = []
    for i, (en, fr, ja) in enumerate(WORDS):
        others = [w for j, w in enumerate(WORDS) if j != i][:9]
        out.append(
            Item(
                en,
                {"en": en, "fr": fr, "ja": ja},
                distractors={
                    "en": [o[0] for o in others],
                    "fr": [o[1] for o in others],
                    "ja": [o[2] for o in others],
                },
            )
        )
    return out


def _requests(pair, n_items=2, k=3, sets=1):
    scored, shots = scoring.shot_sets(pair, _items(), k, sets, "shared", 0)
    return [
        r
        for it in scored[:n_items]
        for cand in scoring.requests_for(pair, it, shots[it.id])
        for r in cand
    ]


@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2", "qwen2", "bloom"])
@pytest.mark.parametrize("pair", [("en", "ja"), ("ja", "fr")])
def test_fast_scorer_equals_reference(arch, pair):
    lm = models.load_model(f"tiny-{arch}", device="cpu")
    requests = _requests(prompts.Pair(*pair))
    # multi-token answers and sources: the tiny byte-level BPE splits most CJK words
    assert any(len(scoring.encode(lm, r)[1]) > 3 for r in requests)
    ref = scoring.reference_nll(lm, requests)
    fast = scoring.fast_nll(lm, requests, batch_size=7)  # batches that cut across items
    assert max(abs(a - b) for a, b in zip(ref, fast, strict=True)) <= 1e-4


def test_request_layout_matches_the_prompt():
    pair = prompts.Pair("en", "fr")
    items = _items()
    (req, *_), *_ = scoring.requests_for(pair, items[0], [items[1:3]])
    assert req.prefix + req.middle + req.answer == prompts.query(pair, items[1:3], "dog") + " chien"
    assert req.middle == " dog\nFrench:" and req.answer == " chien"


def test_item_score_arithmetic():
    item = _items()[0]
    # candidate 0 (true) has losses 0.1 and 0.3 over two shot sets; distractors lose 2.0
    nll = [[0.1, 0.3]] + [[2.0, 2.0]] * 9
    s = scoring.score_items(nll, "m", prompts.Pair("en", "fr"), item)
    assert s.p_true == pytest.approx(math.exp(-0.2))
    assert s.p_distractors == pytest.approx(math.exp(-2.0))
    assert s.score == pytest.approx(math.exp(-0.2) - math.exp(-2.0))
    assert s.rank == 1 and s.n_candidates == 10
    worse = scoring.score_items(
        [[3.0]] + [[1.0]] * 4 + [[5.0]] * 5, "m", prompts.Pair("en", "fr"), item
    )
    assert worse.rank == 5 and worse.score < 0


def test_shot_sets_shared_and_paper():
    pair = prompts.Pair("en", "fr")
    items = _items()
    scored, shots = scoring.shot_sets(pair, items, 2, 3, "shared", 0)
    pool = {it.id for s in shots[scored[0].id] for it in s}
    assert not pool & {it.id for it in scored}  # the shot pool is never scored
    assert all(shots[it.id] == shots[scored[0].id] for it in scored)  # identical prefixes
    scored, shots = scoring.shot_sets(pair, items, 2, 3, "paper", 0)
    assert len(scored) == len(items)
    for it in scored:
        assert len(shots[it.id]) == 3 and all(
            it.id not in {s.id for s in st} for st in shots[it.id]
        )
    _, zero = scoring.shot_sets(pair, items, 0, 3, "shared", 0)
    assert all(s == [[]] for s in zero.values())  # zero-shot prompts are one set


def test_bad_inputs_stop_with_one_line():
    pair = prompts.Pair("en", "fr")
    with pytest.raises(UserError, match="unknown shot mode 'random'"):
        scoring.shot_sets(pair, _items(), 2, 1, "random", 0)
    with pytest.raises(UserError, match="3 items: at least k\\+1 = 6"):
        scoring.shot_sets(pair, _items()[:3], 5, 1, "paper", 0)
    with pytest.raises(UserError, match="at least k\\+1"):
        scoring.shot_sets(pair, _items()[:3], 5, 1, "shared", 0)


def test_scores_are_cached_and_keyed_by_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    lm = models.load_model("tiny-llama", device="cpu")
    pair = prompts.Pair("en", "fr")
    first = scoring.score_pair(lm, _items(), pair, k=2, sets=1, n_items=3)
    assert len(list((tmp_path / "results" / "nll").glob("*.json"))) == 1
    calls = []
    monkeypatch.setitem(scoring.SCORERS, "fast", lambda *a: calls.append(a) or [])
    assert scoring.score_pair(lm, _items(), pair, k=2, sets=1, n_items=3) == first
    assert not calls  # an identical rerun reads the cache
    with pytest.raises(StopIteration):  # a changed parameter recomputes (here: the stub)
        scoring.score_pair(lm, _items(), pair, k=1, sets=1, n_items=3)
    assert len(calls) == 1
