"""Semantic-pivot discovery, frequency-matched controls and document retrieval."""

import math
import random

import pytest

from semantic_pivots.analyses import pivots
from semantic_pivots.data import corpus, counts, retrieval
from semantic_pivots.data.clwtd import Item
from semantic_pivots.errors import UserError
from semantic_pivots.prompts import Pair

FILLER = "house tree river stone cloud bread wine road field door".split()
FILLER_FR = "maison arbre fleuve pierre nuage pain vin route champ porte".split()


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    return tmp_path


def _planted_documents(seed: int = 0):
    """English documents with "cat", French ones with "chat", both often holding "zorblat"
    (planted), and documents of filler words; "the" and a number are everywhere."""
    rng = random.Random(seed)
    docs = []
    for i in range(300):
        words = rng.sample(FILLER, 4) + rng.sample(FILLER_FR, 4) + ["the", "42"]
        if i % 5 == 0:
            words += ["cat", "zorblat"] if i % 10 == 0 else ["cat"]
        if i % 5 == 1:
            words += ["chat", "zorblat"] if i % 10 == 1 else ["chat"]
        if i % 7 == 0:
            words += ["zorblat"]  # in the background too, less often
        if i % 5 in (0, 1) and i % 3 == 0:
            words += ["house"]  # frequent everywhere: near zero score
        rng.shuffle(words)
        lang = "fr" if i % 5 == 1 else "en"
        docs.append((f"d{i}", [(lang, " ".join(words))]))
    return docs


def test_the_planted_word_ranks_first_and_the_filter_holds(cache):
    collection = retrieval.build("planted", {"test": 1}, _planted_documents)
    item = Item("cat", {"en": "cat", "fr": "chat"})
    for engine in retrieval.ENGINES:
        docs = retrieval.Local(collection, engine)
        (found,) = pivots.discover(docs, [item], Pair("en", "fr"), 1000, 5, 1, 1.5, seed=0)
        assert found.pivots[0].word == "zorblat"
        assert found.source_documents == 60 and found.target_documents == 60
        words = {p.word for p in found.pivots}
        assert not words & {"cat", "chat", "42", "the"}  # the item, a number, the most frequent
        assert all(p.score > 0 for p in found.pivots)


def test_the_score_is_the_smaller_excess_over_the_background():
    w = [frozenset({"a", "b"}), frozenset({"a"})]
    y = [frozenset({"a", "b"}), frozenset({"b", "c"})]
    bg = pivots.shares([frozenset({"b"}), frozenset(), frozenset(), frozenset()])
    ranked = pivots.rank(w, y, bg, set(), 10)
    scores = {p.word: p.score for p in ranked}
    # a: min(1 - 0, 0.5 - 0) = 0.5; b: min(0.5 - 0.25, 1 - 0.25) = 0.25; c: not next to w
    assert scores == {"a": 0.5, "b": 0.25}
    assert pivots.rank(y, w, bg, set(), 10) == [
        pivots.Pivot(p.word, p.score, p.df_target, p.df_source, p.df_background) for p in ranked
    ]
    assert pivots.rank(w, y, bg, {"a"}, 10)[0].word == "b"
    assert pivots.rank([], y, bg, set(), 10) == []


def test_controls_match_pivot_frequencies_within_the_tolerance():
    rng = random.Random(1)
    frequency = {f"w{i}": int(10 ** rng.uniform(0, 4)) for i in range(3000)}
    chosen = sorted(frequency)[:50]
    control = pivots.matched_control(chosen, frequency, 1.5, seed=3)
    assert len(control) == len(chosen) == len(set(control))
    assert not set(control) & set(chosen)
    for pivot, word in zip(chosen, control, strict=True):
        assert abs(math.log(frequency[word] / frequency[pivot])) <= math.log(1.5) + 1e-9
    assert control == pivots.matched_control(chosen, frequency, 1.5, seed=3)
    assert control != pivots.matched_control(chosen, frequency, 1.5, seed=4)


def test_a_control_falls_back_to_the_nearest_frequency():
    frequency = {"p": 100, "a": 1, "b": 30, "c": 1000}
    assert pivots.matched_control(["p"], frequency, 1.5, seed=0) == ["b"]


def _brute_force(docs, word: str, lang: str) -> list[int]:
    """Documents in which a run of whole tokens of a line spells ``word`` (counts' rule, in a
    line of any language: 身体 is one string in Chinese and Japanese)."""
    vocab = {counts.match_form(word, lang): 0}
    return [
        i
        for i, (_, lines) in enumerate(docs)
        if any(
            any(True for _ in counts.matches(counts.tokens(line, line_lang), lang, vocab))
            for line_lang, line in lines
        )
    ]


def test_the_index_and_the_scan_find_the_same_documents(cache, dataset):
    """On the test corpus: infini-gram's index, the in-house scan and a brute-force match over
    the original lines agree for every word, Chinese and Japanese words cut in any way included."""
    test_corpus = corpus.load()
    langs = ["en", "fr", "zh", "ja"]
    collection = retrieval.corpus_collection(test_corpus, langs, "aligned")
    docs = [
        (unit[0].align, list(corpus.interleave(unit)))
        for unit in counts.unit_documents(test_corpus, set(langs), "aligned")
    ]
    engine, scan = retrieval.Engine(collection), retrieval.InHouse(collection)
    words = [(lang, it.words[lang]) for it in dataset.items[:40:2] for lang in langs]
    words += [("fr", "pomme de terre"), ("en", "absentword"), ("zh", "牛奶"), ("ja", "牛乳")]
    hits = 0
    for lang, word in words:
        expected = _brute_force(docs, word, lang)
        assert engine.containing(word, lang) == expected, (lang, word)
        assert scan.containing(word, lang) == expected, (lang, word)
        hits += bool(expected)
    assert hits >= len(words) // 2
    a, b = retrieval.Local(collection, "infini-gram"), retrieval.Local(collection, "in-house")
    for lang, word in words[:12]:
        assert a.with_word(word, lang, 5, 0) == b.with_word(word, lang, 5, 0)


def test_the_sample_does_not_depend_on_order():
    ids = list(range(100))
    first = retrieval.sample(ids, 10, seed=0)
    assert first == retrieval.sample(ids[::-1], 10, seed=0) == sorted(first)
    assert first != retrieval.sample(ids, 10, seed=1)
    assert retrieval.sample(ids[:5], 10, seed=0) == ids[:5]


def test_every_cut_of_a_chinese_word_is_searched():
    assert retrieval.queries("牛奶", "zh") == [" 牛 奶 ", " 牛奶 "]
    assert retrieval.queries("Pomme de terre", "fr") == [" pomme de terre "]
    assert len(retrieval.queries("ありがとう", "ja")) == 2**4


def test_an_unknown_engine_is_refused(cache):
    collection = retrieval.build("planted", {"test": 1}, _planted_documents)
    with pytest.raises(UserError, match="unknown retrieval engine 'bm25'"):
        retrieval.finder(collection, "bm25")


def test_the_hosted_index_is_asked_for_documents_and_counts():
    asked = []

    drawn = iter(range(100))

    def post(url, payload):
        asked.append(payload["query_type"])
        if payload["query_type"] == "search_docs":  # 12 distinct documents, drawn with repeats
            spans = [["the cat and the zorblat", None]]
            ixs = [next(drawn) % 12 for _ in range(10)]
            return {"cnt": 30, "documents": [{"doc_ix": i, "spans": spans} for i in ixs]}
        if payload["query_type"] == "get_doc_by_ix":
            return {"doc_ix": payload["doc_ix"], "spans": [["a tree", None]]}
        return {"count": 3}

    hosted = retrieval.Hosted(total_docs=1000, post=post)
    found = hosted.with_word("cat", "en", 15, 0)
    assert found.total == 30 and len(found.words) == 12  # each distinct document once
    assert found.words[0] == frozenset({"the", "cat", "and", "zorblat"})
    assert asked.count("search_docs") == 3  # the third call brings nothing new
    assert len(hosted.background(4, 0)) == 4 and hosted.frequency(["cat"]) == {"cat": 3}
    assert asked.count("get_doc_by_ix") == 4
