"""The CLWTD scorer: fast equals reference, the score's arithmetic, shot sets, caching."""

import math

import pytest

from semantic_pivots import prompts
from semantic_pivots.analyses import scoring
from semantic_pivots.data.clwtd import Item
from semantic_pivots.errors import UserError
from semantic_pivots.models import loading

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


def _requests(pair, n_items=2, k=3, sets=1, mode="shared"):
    planned = prompts.plan(pair, _items(), k, sets, mode, 0, n_items)
    return [r for p in planned for cand in scoring.requests_for(pair, p) for r in cand]


@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2", "qwen2", "bloom"])
@pytest.mark.parametrize("pair", [("en", "ja"), ("ja", "fr")])
def test_fast_scorer_equals_reference(arch, pair):
    lm = loading.load_model(f"tiny-{arch}", device="cpu")
    requests = _requests(prompts.Pair(*pair))
    # multi-token answers: the tiny byte-level BPE splits most CJK words
    assert any(scoring.encode(lm, r).n_answer > 1 for r in requests)
    ref = scoring.reference_nll(lm, requests)
    fast = scoring.fast_nll(lm, requests, batch_size=7)  # batches that cut across items
    assert all(map(math.isfinite, ref + fast))
    assert max(abs(a - b) for a, b in zip(ref, fast, strict=True)) <= 1e-4


@pytest.fixture(scope="module")
def dummy_prefix_llama(tmp_path_factory):
    """A tiny Llama whose tokenizer adds a SentencePiece dummy prefix, as Llama-2 does."""
    from semantic_pivots.models import tiny

    folder = tiny.save("llama", tmp_path_factory.mktemp("sp"), tokenizer_style="sentencepiece")
    return loading.load_model(str(folder), device="cpu")


@pytest.mark.parametrize("mode", ["shared", "paper"])
def test_scorers_score_the_joint_tokenization_under_a_dummy_prefix(dummy_prefix_llama, mode):
    import torch

    lm, tok = dummy_prefix_llama, dummy_prefix_llama.tokenizer
    requests = _requests(prompts.Pair("en", "ja"), sets=2, mode=mode)
    # the premise: tokenizing the parts apart adds a spurious blank before the answer
    req = requests[0]
    apart = (
        tok(req.prefix + req.middle)["input_ids"]
        + tok(req.answer, add_special_tokens=False)["input_ids"]
    )
    joint = tok(req.prefix + req.middle + req.answer)["input_ids"]
    assert apart != joint and scoring.encode(lm, req).ids == joint
    # the reference scorer's loss is the mean loss of the joint string's answer tokens
    enc = scoring.encode(lm, req)
    with torch.no_grad():
        logits = lm.model(input_ids=torch.tensor([joint])).logits[0]
    logp = torch.log_softmax(logits[enc.answer_start - 1 : -1], -1)
    by_hand = -logp.gather(-1, torch.tensor(joint[enc.answer_start :])[:, None]).mean()
    ref = scoring.reference_nll(lm, requests)
    assert ref[0] == pytest.approx(float(by_hand), abs=1e-5)
    fast = scoring.fast_nll(lm, requests, batch_size=5)
    assert all(map(math.isfinite, ref + fast))
    assert max(abs(a - b) for a, b in zip(ref, fast, strict=True)) <= 1e-4


def test_request_layout_matches_the_prompt():
    pair = prompts.Pair("en", "fr")
    items = _items()
    (req, *_), *_ = scoring.requests_for(pair, prompts.Planned(items[0], [items[1:3]]))
    assert req.prefix + req.middle + req.answer == prompts.query(pair, items[1:3], "dog") + " chien"
    assert req.middle == " dog\nFrench:" and req.answer == " chien"


def test_item_score_arithmetic():
    item = prompts.Planned(_items()[0], [_items()[1:3], _items()[3:5]])
    # candidate 0 (true) has losses 0.1 and 0.3 over two shot sets; distractors lose 2.0
    nll = [[0.1, 0.3]] + [[2.0, 2.0]] * 9
    s = scoring.score_items(nll, "m", prompts.Pair("en", "fr"), item)
    assert s.p_true == pytest.approx(math.exp(-0.2))
    assert s.p_distractors == pytest.approx(math.exp(-2.0))
    assert s.score == pytest.approx(math.exp(-0.2) - math.exp(-2.0))
    assert s.rank == 1 and s.n_candidates == 10 and s.shots == "cat,horse|cow,bird"
    worse = scoring.score_items(
        [[3.0]] + [[1.0]] * 4 + [[5.0]] * 5, "m", prompts.Pair("en", "fr"), item
    )
    assert worse.rank == 5 and worse.score < 0


def test_plan_shared_and_paper():
    pair = prompts.Pair("en", "fr")
    items = _items()
    planned = prompts.plan(pair, items, 2, 3, "shared", 0)
    pool = {it.id for s in planned[0].shots for it in s}
    assert not pool & {p.item.id for p in planned}  # the shot pool is never scored
    assert all(p.shots == planned[0].shots for p in planned)  # identical prefixes
    planned = prompts.plan(pair, items, 2, 3, "paper", 0)
    assert len(planned) == len(items)
    for p in planned:
        assert len(p.shots) == 3 and all(p.item.id not in {s.id for s in st} for st in p.shots)
    zero = prompts.plan(pair, items, 0, 3, "shared", 0)
    assert all(p.shots == [[]] for p in zero)  # zero-shot prompts are one set
    some = prompts.plan(pair, items, 2, 3, "paper", 0, n_items=4)
    assert [p.item.id for p in some] == [
        p.item.id for p in prompts.plan(pair, items, 2, 3, "paper", 0) if p in some
    ] and len(some) == 4


def test_bad_inputs_stop_with_one_line():
    pair = prompts.Pair("en", "fr")
    with pytest.raises(UserError, match="unknown shot mode 'random'"):
        prompts.plan(pair, _items(), 2, 1, "random", 0)
    with pytest.raises(UserError, match="3 items: at least k\\+1 = 6"):
        prompts.plan(pair, _items()[:3], 5, 1, "paper", 0)
    with pytest.raises(UserError, match="at least k\\+1"):
        prompts.plan(pair, _items()[:3], 5, 1, "shared", 0)
    no_distractors = [Item(it.id, it.words) for it in _items()]
    with pytest.raises(UserError, match="no en distractors for en-fr.*distractors='random'"):
        scoring.score_pair(None, pair, prompts.plan(pair, no_distractors, 2, 1, "shared", 0))


def test_scores_are_cached_and_keyed_by_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    lm = loading.load_model("tiny-llama", device="cpu")
    pair = prompts.Pair("en", "fr")
    planned = {k: prompts.plan(pair, _items(), k, 1, "shared", 0, 3) for k in (1, 2)}
    first = scoring.score_pair(lm, pair, planned[2])
    assert len(list((tmp_path / "results" / "nll").glob("*.json"))) == 1
    monkeypatch.setattr(scoring, "NLL", scoring.NLL.__class__("nll", 99, scoring.NLL.code))
    assert scoring.score_pair(lm, pair, planned[2]) == first
    # a new version of the computation is a new key, never the old result's
    assert len(list((tmp_path / "results" / "nll").glob("*.json"))) == 2
    calls = []
    monkeypatch.setitem(scoring.SCORERS, "fast", lambda *a: calls.append(a) or [])
    assert scoring.score_pair(lm, pair, planned[2]) == first
    assert not calls  # an identical rerun reads the cache
    with pytest.raises(StopIteration):  # a changed parameter recomputes (here: the stub)
        scoring.score_pair(lm, pair, planned[1])
    assert len(calls) == 1
