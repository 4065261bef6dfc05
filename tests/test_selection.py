"""Pivot-aware data selection: the graph, the pivot set, document scores and budgets."""

import json
import random
from collections import Counter

import pytest

from semantic_pivots.errors import UserError
from semantic_pivots.training import selection


def _planted(n: int = 200, seed: int = 0):
    """Documents of rare words; "hub" and "nexus" (planted) sit next to many different words,
    and some documents are full of them."""
    rng = random.Random(seed)
    docs = {}
    for i in range(n):
        words = [f"w{rng.randrange(2000)}" for _ in range(rng.randrange(20, 60))]
        rich = i % 10 == 0
        for _ in range(15 if rich else 1):
            words.insert(rng.randrange(len(words) + 1), rng.choice(["hub", "nexus"]))
        docs[f"d{i:03d}"] = words
    return docs


def test_the_count_graph_equals_a_brute_force_count():
    docs = [["a", "b", "c", "a"], ["b", "b", "c"]]
    vocab, weights = selection.graph(docs, window=3, weighting="count")
    expected = Counter()
    for toks in docs:
        for i, a in enumerate(toks):
            for j in range(i + 1, min(len(toks), i + 3)):
                if a != toks[j]:
                    expected[a, toks[j]] += 1
                    expected[toks[j], a] += 1
    got = {
        (vocab[i], vocab[j]): weights[i, j]
        for i in range(len(vocab))
        for j in range(len(vocab))
        if weights[i, j]
    }
    assert got == expected


@pytest.mark.parametrize("weighting", selection.WEIGHTINGS)
def test_planted_hubs_are_the_pivot_set_and_their_documents_come_first(weighting):
    docs = _planted()
    vocab, weights = selection.graph(docs.values(), window=5, weighting=weighting)
    chosen = selection.pivot_set(vocab, selection.weighted_degree(weights), 2, set())
    assert set(chosen) == {"hub", "nexus"}
    ids = list(docs)
    scores = [selection.pivot_share(docs[i], set(chosen)) for i in ids]
    lengths = [len(docs[i]) for i in ids]
    budget = sum(len(docs[i]) for i in ids if i.endswith("0"))  # the rich documents' size
    picked = selection.select(ids, scores, lengths, budget, seed=0, slack=10)
    assert {i for i in picked} == {i for i in ids if i.endswith("0")}


def test_budgets_hold_to_within_one_sequence_and_seeds_repeat():
    rng = random.Random(2)
    ids = [f"d{i}" for i in range(500)]
    lengths = [rng.randrange(5, 100) for _ in ids]
    scores = [rng.choice([0.0, 0.1, 0.2]) for _ in ids]  # many ties
    kinds = [rng.choice(["en", "fr", "en+fr"]) for _ in ids]
    length = dict(zip(ids, lengths, strict=True))
    for budget in (1000, 5000, 12000):
        picked = selection.select(ids, scores, lengths, budget, seed=0, slack=128)
        assert budget - 128 <= sum(length[i] for i in picked) <= budget
        assert picked == selection.select(ids, scores, lengths, budget, seed=0, slack=128)
        assert picked != selection.select(ids, scores, lengths, budget, seed=1, slack=128)
        # the random arm's matching: stratum by stratum (tests/test_transfer.py)
        strata = list(zip(kinds, selection.length_deciles(lengths), strict=True))
        like = selection.random_like(ids, strata, picked, "0|0")
        assert len(like) == len(picked)
        mix = Counter(k for i, k in zip(ids, kinds, strict=True) if i in set(picked))
        got = Counter(k for i, k in zip(ids, kinds, strict=True) if i in set(like))
        assert mix == got  # the same documents of each kind, and tokens within the deciles
        assert abs(sum(length[i] for i in like) - sum(length[i] for i in picked)) < 0.2 * budget


def test_the_datatrove_pipeline_scores_as_the_function_does_and_quietly(tmp_path, capfd):
    docs = _planted(30)
    source = tmp_path / "in" / "docs.jsonl"
    source.parent.mkdir()
    source.write_text(
        "".join(json.dumps({"id": i, "text": " ".join(t)}) + "\n" for i, t in docs.items())
    )
    scores = selection.score_documents(source, ["hub", "nexus"], tmp_path / "out")
    assert scores == {i: selection.pivot_share(t, {"hub", "nexus"}) for i, t in docs.items()}
    assert "datatrove" not in capfd.readouterr().err


def test_bad_graph_settings_are_refused():
    with pytest.raises(UserError, match="graph weighting 'tf'"):
        selection.graph([["a"]], 5, "tf")
    with pytest.raises(UserError, match="graph window 1: expected 2 to 100"):
        selection.graph([["a"]], 1)
    with pytest.raises(UserError, match="graph window 5000"):
        selection.graph([["a"]], 5000)


def test_the_pivot_sets_bars_follow_the_function_word_setting(monkeypatch):
    from types import SimpleNamespace

    from semantic_pivots import config
    from semantic_pivots.data import function_words, retrieval
    from semantic_pivots.training import continued

    class Local:  # the collection's most frequent words
        def __init__(self, collection):
            pass

        def frequent(self, n, seed):
            return ["le", "the"][:n]

    monkeypatch.setattr(retrieval, "Local", Local)
    collection, seen = SimpleNamespace(names={"Paris"}), set()
    for extent in function_words.EXTENTS:
        settings = config.settings("default", pivots={"function_words": extent})
        barred = continued.barred_words(settings, collection)
        function = function_words.barred(settings.languages, extent)
        assert barred == {"le", "the", "Paris"} | function
        seen.add(frozenset(barred))
    assert len(seen) == 3  # each setting bars its own words
