"""Counts equal a brute-force count; the proxies and the infini-gram client behave."""

import json
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest

from semantic_pivots.data import corpus as corpus_module
from semantic_pivots.data import counts
from semantic_pivots.data.corpus import Document
from semantic_pivots.errors import UserError
from semantic_pivots.languages import CJK

DOCS = [
    Document("b1/en", "en", "t", "The cat sat.\nA category of cats, one cat.", "u1"),
    Document("b1/fr", "fr", "t", "Le chat dort.\nL'eau du chat; la catégorie.", "u1"),
    Document("b1/zh", "zh", "t", "一头牛在吃草，我喝牛乳。\n小狗和猫。", "u1"),
    Document("b1/ja", "ja", "t", "猫舌の猫が水を飲む。\n犬と猫。", "u1"),
    Document("b2/en", "en", "t", "water and a dog; the dog drinks water", "u2"),
    Document("b2/zh", "zh", "t", "牛奶很好喝，牛很大。", "u2"),
    Document("solo", "ja", "t", "オオカミの顔を見た。牛乳と牛。", None),
]
WORDS = [
    ("en", "cat"),
    ("en", "dog"),
    ("en", "water"),
    ("fr", "chat"),
    ("fr", "eau"),
    ("zh", "牛"),
    ("zh", "猫"),
    ("zh", "小狗"),
    ("ja", "猫"),
    ("ja", "牛"),
    ("ja", "オオカミ"),
]


def _brute(docs, words, view, window):
    """Every count by direct enumeration of token runs over the interleaved units."""
    groups = defaultdict(list)
    for d in docs:
        groups[(d.align or d.id) if view == "aligned" else d.id].append(d)
    occ, units, pair_units, pair_windows = (
        defaultdict(int),
        defaultdict(int),
        defaultdict(int),
        defaultdict(int),
    )
    for unit in groups.values():
        unit = sorted(unit, key=lambda d: d.lang)
        stream = []  # (lang, token)
        lines = [d.text.splitlines() for d in unit]
        for i in range(max(map(len, lines))):
            for d, ls in zip(unit, lines, strict=True):
                if i < len(ls):
                    stream += [(d.lang, t) for t in counts.tokens(ls[i], d.lang)]
        hits = defaultdict(set)  # word -> positions
        for lang, word in words:
            target = counts.match_form(word, lang)
            joiner = "" if lang in CJK else " "
            for i in range(len(stream)):
                for j in range(i + 1, len(stream) + 1):
                    run = stream[i:j]
                    if (
                        all(lg == lang for lg, _ in run)
                        and joiner.join(t for _, t in run) == target
                    ):
                        hits[lang, word].add(i)
        for w in words:
            occ[w] += len(hits[w])
            units[w] += bool(hits[w])
        for a in words:
            for b in words:
                pair_units[a + b] += bool(hits[a] and hits[b])
                wa = {p // window for p in hits[a]}
                pair_windows[a + b] += len(wa & {p // window for p in hits[b]})
    return occ, units, pair_units, pair_windows


@pytest.fixture
def small(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    return corpus_module.load(corpus_module.write(tmp_path / "corpus", DOCS))


@pytest.mark.parametrize("view", ["aligned", "documents"])
def test_counts_equal_brute_force_including_words_inside_longer_words(small, view):
    pairs = [a + b for a in WORDS for b in WORDS]
    found = counts.local_counts(small, WORDS, pairs, view=view, window=4)
    occ, units, pair_units, pair_windows = _brute(DOCS, WORDS, view, 4)
    for w in WORDS:
        assert found.word(*w) == occ[w], w
        assert found.word(*w, measure="units") == units[w], w
    for p in pairs:
        assert found.pair(*p) == pair_units[p], p
        assert found.pair(*p, measure="windows") == pair_windows[p], p
    # the matching rule on the cases it names
    assert found.word("en", "cat") == 2  # not inside "category" or "cats"
    assert found.word("zh", "牛") == 2  # not inside 牛乳 or 牛奶
    assert found.word("ja", "猫") == 2 and found.word("ja", "牛") == 1  # not inside 猫舌, 牛乳
    assert found.word("fr", "eau") == 1  # l'eau splits at the apostrophe
    if view == "aligned":
        assert found.pair("en", "cat", "fr", "chat") == 1
        assert found.pair("en", "dog", "zh", "牛") == 1
    else:
        assert found.pair("en", "cat", "fr", "chat") == 0  # monolingual documents


def test_random_latin_corpus_matches_a_regex_count(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    rng = random.Random(0)
    vocab = ["dog", "dogs", "hot", "hotdog", "sun", "sunday", "day"]
    docs = [
        Document(
            f"d{i}",
            "en",
            "t",
            "\n".join(
                " ".join(rng.choices(vocab, k=rng.randint(1, 12))) for _ in range(rng.randint(1, 4))
            ),
            f"a{i % 7}",
        )
        for i in range(60)
    ]
    c = corpus_module.load(corpus_module.write(tmp_path / "corpus", docs))
    words = [("en", w) for w in ["dog", "hot", "day", "sun"]]
    found = counts.local_counts(c, words, [], view="documents")
    for _, w in words:
        expected = sum(len(re.findall(rf"\b{w}\b", d.text)) for d in docs)
        assert found.word("en", w) == expected
        assert found.word("en", w, "units") == sum(
            bool(re.search(rf"\b{w}\b", d.text)) for d in docs
        )


def test_pair_words_are_counted_without_being_listed(small):
    found = counts.local_counts(small, [], [("en", "cat", "fr", "chat")])
    assert found.pair("en", "cat", "fr", "chat") == 1 and found.word("fr", "chat") == 2


def test_counts_are_cached_by_their_inputs(small):
    first = counts.local_counts(small, WORDS[:2], [])
    assert counts.local_counts(small, WORDS[:2], []) == first
    cached = list(Path(counts.cached_json.__globals__["cache_dir"]("results", "counts")).glob("*"))
    assert len(cached) == 1


def test_bad_corpora_and_word_lists_stop_with_one_line(tmp_path, small):
    with pytest.raises(UserError, match=r"language\(s\) de that the corpus lacks"):
        counts.local_counts(small, [("de", "Hund")], [])
    empty = corpus_module.write(tmp_path / "empty", [])
    with pytest.raises(UserError, match="is empty"):
        corpus_module.load(empty)
    with pytest.raises(UserError, match="no corpus at"):
        corpus_module.load(tmp_path / "nowhere")
    broken = corpus_module.write(tmp_path / "broken", DOCS[:2])
    (broken / "shards" / "en-00000.jsonl").write_text('{"id": "x", "lang": "en"')
    with pytest.raises(UserError, match=r"unreadable corpus shard .*en-00000.jsonl"):
        list(corpus_module.load(broken).documents())
    with pytest.raises(UserError, match="unknown counts backend"):
        counts.get_counts("bing", [], [])


def test_corpus_writer_is_atomic(tmp_path):
    def failing():
        yield DOCS[0]
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError):
        corpus_module.write(tmp_path / "c", failing())
    assert not (tmp_path / "c").exists()
    assert not list(tmp_path.glob(".c.*"))


def test_wordfreq_proxy_gives_frequencies_and_no_pair_counts():
    words = [("en", "dog"), ("fr", "chien"), ("zh", "狗"), ("ja", "犬")]  # ja needs MeCab
    found = counts.get_counts("wordfreq", words, [("en", "dog", "fr", "chien")])
    assert found.word("en", "dog") > found.word("fr", "chien") > 0
    assert found.word("zh", "狗") > 0 and found.word("ja", "犬") > 0
    assert found.pair("en", "dog", "fr", "chien", "windows") is None


RECORDED = json.loads((Path(__file__).parent / "data" / "infinigram.json").read_text())


def _replay(url, payload):
    """Answers from recorded responses, keyed by the request payload."""
    assert url == counts.INFINIGRAM_URL
    for rec in RECORDED:
        if rec["request"] == payload:
            return rec["response"]
    raise AssertionError(f"no recorded response for {payload}")


def test_infinigram_client_against_recorded_responses(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    ig = counts.InfiniGram(index="v4_rpj_llama_s4", post=_replay)
    assert ig.count("University of Washington") == 2349754
    found = counts.get_counts(
        "infini-gram",
        [("en", "dog"), ("fr", "chien")],
        [("en", "dog", "fr", "chien")],
        index=counts.DOLMA,
        post=_replay,
    )
    assert found.word("en", "dog") == 1000
    assert found.pair("en", "dog", "fr", "chien", "windows") == 10
    with pytest.raises(UserError, match="infini-gram refused 'zzzq'"):
        counts.InfiniGram(post=_replay).count("zzzq")
