"""Semantic-pivot discovery, frequency-matched controls and document retrieval."""

import math
import random
from collections import Counter

import pandas as pd
import pytest

from semantic_pivots.analyses import pivots
from semantic_pivots.data import corpus, counts, retrieval, words
from semantic_pivots.data.clwtd import Item
from semantic_pivots.errors import UserError
from semantic_pivots.prompts import Pair
from semantic_pivots.report import tables

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
        # every document as long, so that no length stratum holds only the planted ones
        words += [w for w in FILLER + FILLER_FR if w not in words][: 14 - len(words)]
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
    w = [frozenset({"aa", "bb"}), frozenset({"aa"})]
    y = [frozenset({"aa", "bb"}), frozenset({"bb", "cc"})]
    bg = pivots.shares([frozenset({"bb"}), frozenset(), frozenset(), frozenset()])
    ranked = pivots.rank(w, y, bg, set(), 10)
    scores = {p.word: p.score for p in ranked}
    # aa: min(1 - 0, 0.5 - 0) = 0.5; bb: min(0.5 - 0.25, 1 - 0.25) = 0.25; cc: not next to w
    assert scores == {"aa": 0.5, "bb": 0.25}
    assert pivots.rank(y, w, bg, set(), 10) == [
        pivots.Pivot(p.word, p.score, p.df_target, p.df_source, p.df_background) for p in ranked
    ]
    assert pivots.rank(w, y, bg, {"aa"}, 10)[0].word == "bb"
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


def _mass(rows):
    """Mass and peak frames for (model, pair, item, label, layer, layers, pivots, control)."""
    mass = pd.DataFrame(
        [
            {"model": m, "pair": p, "item": i, "layer": layer, "depth": layer / n,
             "pivots": pv, "control": c, "pivot tokens": 3, "control tokens": 3}
            for m, p, i, _, layer, n, pv, c in rows
        ]
    )  # fmt: skip
    labels = {(m, p, i): label for m, p, i, label, *_ in rows}
    peaks = pd.DataFrame(
        [{"model": m, "pair": p, "item": i, "label": lab} for (m, p, i), lab in labels.items()]
    )
    return mass, peaks


def test_the_middle_layers_are_the_middle_third_or_the_layer_nearest_the_middle():
    rows = [("deep", "en-fr", "a", "co-occurrence", layer, 18, 0.0, 0.0) for layer in range(19)]
    rows += [("shallow", "en-fr", "a", "co-occurrence", layer, 2, 0.0, 0.0) for layer in range(3)]
    rows += [("four", "en-fr", "a", "co-occurrence", layer, 4, 0.0, 0.0) for layer in range(5)]
    mass, _ = _mass(rows)
    kept = pivots.middle_layers(mass).groupby("model")["layer"].apply(list).to_dict()
    assert kept == {"deep": list(range(6, 13)), "shallow": [1], "four": [2]}


def test_the_behaviours_difference_in_excess_has_a_concept_interval_computed_by_hand():
    # five concepts, each labelled semantic pivot in one direction and co-occurrence in the
    # other; layer 2 of 4 is the middle third. Excess (pivots - control): co-occurrence 1
    # everywhere; semantic pivot 1, but 6 for concept E
    rows = []
    for item in "ABCDE":
        pivot_excess = 6.0 if item == "E" else 1.0
        for layer in range(5):
            rows.append(("m", "en-fr", item, "semantic pivot", layer, 4, pivot_excess + 1, 1.0))
            rows.append(("m", "fr-en", item, "co-occurrence", layer, 4, 2.0, 1.0))
    mass, peaks = _mass(rows)
    d = pivots.excess_difference(mass, peaks, seed=0).iloc[0]
    assert d["difference"] == pytest.approx(1.0)
    # a resample draws E k times of 5, k ~ Binomial(5, 1/5), and its difference is k:
    # P(k = 0) = 0.33 > 0.025 and P(k <= 2) = 0.942 < 0.975 < P(k <= 3) = 0.993
    assert (d["difference low"], d["difference high"]) == (pytest.approx(0), pytest.approx(3))
    assert (d["n pivot"], d["n co-occurrence"]) == (5, 5)
    one = pivots.excess_difference(mass, peaks[peaks["label"] == "co-occurrence"], seed=0)
    assert one["difference"].isna().all()
    reading = tables.excess_reading(pivots.excess(mass, peaks), one.iloc[:0])
    assert "semantic-pivot items (n = 5)" in reading and "minus" not in reading
    reading = tables.excess_reading(
        pivots.excess(mass, peaks), pivots.excess_difference(mass, peaks)
    )
    assert "Semantic-pivot minus co-occurrence items: +1.00 [0.00, +3.00]" in reading
    assert "not detectably different between the behaviours" in reading
    # four concepts are too few for an interval, and the reading says so
    few = mass[mass["item"] != "E"], peaks[peaks["item"] != "E"]
    assert pivots.excess_difference(*few)["difference low"].isna().all()
    reading = tables.excess_reading(pivots.excess(*few), pivots.excess_difference(*few))
    assert "too few concepts for an interval" in reading and "holds more" not in reading
    assert "nan" not in reading
    # groups come as they come in the mass, not by name: a continued run's start first
    rows = [(m, "en-fr", i, "co-occurrence", 2, 4, 1.0, 0.0) for m in "zy" for i in "AB"]
    rows += [("y", "fr-en", i, "semantic pivot", 2, 4, 1.0, 0.0) for i in "AB"]
    two = _mass(rows[4:] + rows[:4])  # y's semantic-pivot items come first
    order = pivots.excess(*two)[["model", "label"]].values.tolist()
    assert order == [["y", "co-occurrence"], ["y", "semantic pivot"], ["z", "co-occurrence"]]
    assert pivots.excess(two[0], two[1].iloc[:0]).empty  # no labelled item: nothing, no error


def test_prompt_tokens_leave_both_the_pivot_and_the_control_set():
    from semantic_pivots.models import tiny

    tok = tiny.build_tokenizer()
    words = ["house", "river", "table", "music", "water", "light"]
    ids = {w: pivots.first_token(tok, w) for w in words}
    assert len(set(ids.values())) == len(words)  # each word its own first token
    found = pivots.ItemPivots(
        "en-fr", "i", "cat", "chat", 5, 5,
        [pivots.Pivot(w, 0.5, 0.6, 0.6, 0.1) for w in ("house", "river", "table")],
        ["music", "water", "light"],
    )  # fmt: skip
    key = ("en-fr", "i")
    free = pivots.model_sets(tok, {key: found})[key]
    assert free["pivots"] == sorted(ids[w] for w in ("house", "river", "table"))
    prompt = tok(" river\nFrench: music", add_special_tokens=False)["input_ids"]
    kept = pivots.model_sets(tok, {key: found}, {key: prompt})[key]
    assert ids["river"] not in kept["pivots"] and ids["music"] not in kept["control"]
    assert len(kept["pivots"]) == len(kept["control"]) == 2


def test_an_items_word_in_another_language_stays_a_pivot_and_latent_english_is_counted(cache):
    def documents():  # the planted documents' English lines as French, their French as German
        for doc_id, lines in _planted_documents():
            yield doc_id, [({"en": "fr", "fr": "de"}[lang], text) for lang, text in lines]

    collection = retrieval.build("planted-fr-de", {"test": 1}, documents)
    docs = retrieval.Local(collection, "in-house")
    # the planted word is this item's "English" word, and French-German is the pair
    item = Item("cat", {"fr": "cat", "de": "chat", "en": "zorblat"})
    (found,) = pivots.discover(docs, [item], Pair("fr", "de"), 1000, 5, 1, 1.5, seed=0)
    assert found.pivots[0].word == "zorblat"
    assert not {p.word for p in found.pivots} & {"cat", "chat"}  # the pair's own words
    latent = pivots.latent_english({("fr-de", "cat"): found}, {"cat": item})
    assert latent.to_dict("records") == [
        {"pair": "fr-de", "items": 1, "English top pivot": 1, "English a pivot": 1}
    ]
    english_pair = pivots.latent_english({("en-fr", "cat"): found}, {"cat": item})
    assert english_pair.empty  # only pairs without English ask for a latent English pivot


def test_the_noise_floor_drops_a_word_seen_in_too_few_documents():
    def docs(n_with: int) -> list[frozenset[str]]:
        return [frozenset({"wolf"}) if i < n_with else frozenset({"xylo"}) for i in range(10)]

    background = {"xylo": 1.0}  # "xylo" everywhere: never a pivot
    # in 2 of 10 on both sides, never in 500 background documents: 0.2 - 1.645 * 0.126 < 0
    assert pivots.rank(docs(2), docs(2), background, set(), 5) != []  # no floor: a pivot
    assert pivots.rank(docs(2), docs(2), background, set(), 5, n_background=500) == []
    # in 6 of 10: 0.6 - 1.645 * 0.155 > 0 on both sides
    (kept,) = pivots.rank(docs(6), docs(6), background, set(), 5, n_background=500)
    assert kept.word == "wolf" and kept.score == pytest.approx(0.6)
    # one side under the floor is enough to drop it
    assert pivots.rank(docs(6), docs(2), background, set(), 5, n_background=500) == []


def test_function_words_come_from_the_lists_one_token_each():
    from semantic_pivots.data import function_words

    english, french = function_words.function_words("en"), function_words.function_words("fr")
    assert {"the", "with", "whose"} <= english and not {"house", "river"} & english
    # the second list adds what the first lacks: the auxiliary do, than, whether, numerals
    assert {"do", "than", "whether", "two"} <= english
    assert {"因为", "并且"} <= function_words.function_words("zh")
    assert {"que", "avec", "qu", "lorsqu"} <= french and "maison" not in french
    assert "人" not in function_words.function_words("ja")  # あの人 is two tokens: left out
    assert function_words.function_words("xx") == frozenset()  # no list: nothing barred
    assert function_words.of_languages(["en", "fr"]) == english | french
    # the setting pivots.function_words: the added lists, the lists without them, or none
    assert function_words.barred(["en", "fr"], "extended") == english | french
    base = function_words.barred(["en"], "base")
    assert "the" in base and "than" not in base and base < english
    assert function_words.barred(["en", "zh"], "none") == frozenset()
    # the measuring list is another, broader one: it holds words the filter's list does not
    measuring = function_words.measuring_words("en")
    assert "the" in measuring and measuring - english and "house" not in measuring
    assert function_words.measuring_words("xx") == frozenset()


def test_a_function_word_next_to_both_words_is_never_a_pivot(cache):
    def documents():
        for doc_id, lines in _planted_documents():
            ((lang, text),) = lines
            words = text.split()
            if "zorblat" in words:
                words.append("whose")  # an English function word beside the planted pivot
            yield doc_id, [(lang, " ".join(words))]

    collection = retrieval.build("planted-function", {"test": 2}, documents)
    docs = retrieval.Local(collection, "in-house")
    item = Item("cat", {"en": "cat", "fr": "chat"})
    pair = Pair("en", "fr")
    (free,) = pivots.discover(docs, [item], pair, 1000, 5, 0, 1.5, seed=0)
    assert "whose" in {p.word for p in free.pivots}
    function = frozenset({"whose", "the"})
    (found,) = pivots.discover(docs, [item], pair, 1000, 5, 0, 1.5, 0, 1, function)
    assert found.pivots[0].word == "zorblat"
    assert not {p.word for p in found.pivots} & function and not set(found.control) & function


def _genre_documents():
    """Long documents of one source (every one with the genre word "chapter"), most holding
    "cat" or "chat" and some "zorblat" beside them; and many short documents of another source."""
    rng = random.Random(0)
    for i in range(200):
        words = rng.sample(FILLER, 8) + rng.sample(FILLER_FR, 8) + ["chapter"]
        lang = "fr" if i % 2 else "en"
        if i % 4 in (0, 1):
            words.append("chat" if lang == "fr" else "cat")
            if i % 8 in (0, 1):
                words.append("zorblat")
        yield f"long/{i}", [(lang, " ".join(words))]
    for i in range(800):
        yield f"short/{i}", [("en", " ".join(rng.sample(FILLER, 2)))]


def test_a_genre_word_wins_against_a_uniform_background_and_loses_against_a_matched_one(cache):
    collection = retrieval.build("genre", {"test": 3}, _genre_documents)
    docs = retrieval.Local(collection, "in-house")
    found = docs.with_word("cat", "en", 100, 0)
    matched = docs.background_like(found, 100, 0)
    sources = Counter(collection.strata[i][0] for i in found.positions)
    assert sources == {"long": 50}
    # the matched background comes from the sample's stratum, long English documents with
    # "chapter" (the 50 outside the sample), topped up from the nearest: short English ones
    assert len(matched) == 100 and sum("chapter" in words for words in matched) == 50
    uniform = pivots.shares(docs.background(100, 0))
    cat, chat = found.words, docs.with_word("chat", "fr", 100, 0).words
    against_uniform = pivots.rank(cat, chat, uniform, set(), 5, 100)
    assert against_uniform[0].word == "chapter"  # the genre, not a pivot
    item = Item("cat", {"en": "cat", "fr": "chat"})
    (pivoted,) = pivots.discover(docs, [item], Pair("en", "fr"), 100, 5, 0, 1.5, seed=0)
    assert pivoted.pivots[0].word == "zorblat" and "chapter" not in {p.word for p in pivoted.pivots}


def test_common_pivots_count_each_item_once_per_language_pair():
    def found(pair: str, item: str, words: list[str]) -> pivots.ItemPivots:
        ps = [pivots.Pivot(w, 0.5, 0.6, 0.6, 0.1) for w in words]
        return pivots.ItemPivots(pair, item, "s", "t", 5, 5, ps, [])

    table = pivots.common_pivots(
        {
            ("en-fr", "a"): found("en-fr", "a", ["x", "y"]),
            ("fr-en", "a"): found("fr-en", "a", ["x", "y"]),  # the same item, reversed
            ("en-fr", "b"): found("en-fr", "b", ["x", "z"]),
            ("en-fr", "c"): found("en-fr", "c", []),  # no pivots: not counted
        },
        top=1,
    )
    assert table.to_dict("records") == [{"pivot": "x", "items": 2, "share of items": 1.0}]


def test_one_letter_tokens_are_never_pivots_but_one_chinese_character_may_be():
    assert not words.content_like("f") and not words.content_like("D")
    assert words.content_like("神") and words.content_like("dev")
    assert not words.content_like("42") and not words.content_like("3d")


def test_controls_match_the_pivots_script_before_its_frequency():
    frequency = {"river": 100, "water": 90, "水": 100, "みず": 100, "山": 50}
    assert [words.script(w) for w in ("river", "水", "みず", "山に")] == [
        "other", "han", "kana", "kana",
    ]  # fmt: skip
    for seed in range(5):
        assert pivots.matched_control(["river"], frequency, 1.5, seed) == ["water"]
        assert pivots.matched_control(["水"], frequency, 1.5, seed) == ["山"]  # nearest Han
    # a script the pool lacks falls back to the whole pool
    assert pivots.matched_control(["ὕδωρ"], {"ὕδωρ": 100, "river": 100}, 1.5, 0) == ["river"]


def test_controls_match_the_pivots_language_where_it_is_known():
    frequency = {"maison": 100, "house": 100, "arbre": 90, "tree": 95}
    language = {"maison": "fr", "house": "en", "arbre": "fr", "tree": "en"}
    for seed in range(8):
        assert pivots.matched_control(["maison"], frequency, 1.5, seed, language=language) == [
            "arbre"
        ]
        assert pivots.matched_control(["tree"], frequency, 1.5, seed, language=language) == [
            "house"
        ]
    # without languages both scripts' words are fair game: some seed draws across languages
    assert {pivots.matched_control(["maison"], frequency, 1.5, s)[0] for s in range(8)} > {"arbre"}


def test_a_collection_knows_each_words_language_and_its_proper_names(cache):
    def documents():
        yield "a/1", [("en", "The son of Jacob went to Paris."), ("en", "Then Paris slept.")]
        yield "a/2", [("fr", "Son fils est à Paris. Le chat dort.")]
        yield "a/3", [("fr", "Le chat de son ami. Son chien aussi.")]
        yield "a/4", [("de", "Der Hund und die Katze sehen den Hund.")]
        yield "a/5", [("en", "We saw Paris. OK, we saw it: HTML and OK and Pierre OK.")]
        yield "a/6", [("en", "Two lines."), ("fr", "Son ami.")]  # a unit of two languages

    collection = retrieval.build("facts", {"test": 4}, documents)
    docs = retrieval.Local(collection, "in-house")
    assert collection.languages == [("en",), ("fr",), ("fr",), ("de",), ("en",), ("en", "fr")]
    # "son": in one English line and two French ones; "le": sentence-initial only, not a name
    assert docs.language(["son", "paris", "hund", "absent"]) == {
        "son": "fr", "paris": "en", "hund": "de",
    }  # fmt: skip
    # inside English sentences Paris is capitalised three times (a name), Jacob and Pierre once
    # (too few); German nouns, words in capitals (OK, HTML) and sentence openers say nothing
    assert docs.names() == {"paris"}
    # the English "son" is sought in documents with an English line only (a document, not a
    # line: a unit of two languages holds both words)
    assert docs.with_word("son", "en", 10, 0).positions == (0, 5)
    assert docs.with_word("son", "fr", 10, 0).positions == (1, 2, 5)


def test_a_proper_name_next_to_both_words_is_kept_apart(cache):
    def documents():
        for doc_id, lines in _planted_documents():
            ((lang, text),) = lines
            words = text.split()
            if "zorblat" in words:
                words.insert(1, "Zorblat")  # inside the sentence, capitalised: a name
                words.remove("zorblat")
            yield doc_id, [(lang, " ".join(words))]

    collection = retrieval.build("planted-name", {"test": 5}, documents)
    docs = retrieval.Local(collection, "in-house")
    assert "zorblat" in docs.names()
    (found,) = pivots.discover(docs, [Item("cat", {"en": "cat", "fr": "chat"})],
                               Pair("en", "fr"), 1000, 5, 1, 1.5, seed=0)  # fmt: skip
    assert found.names[0].word == "zorblat"
    assert "zorblat" not in {p.word for p in found.pivots} | set(found.control)
    assert pivots.ItemPivots.from_json(found.to_json()) == found


def test_what_remains_counts_function_words_and_names_among_the_top():
    def p(word: str, score: float) -> pivots.Pivot:
        return pivots.Pivot(word, score, 0.6, 0.6, 0.1)

    found = {
        ("en-fr", "a"): pivots.ItemPivots(
            "en-fr", "a", "s", "t", 5, 5, [p("with", 0.5), p("river", 0.2)], [], [p("paris", 0.4)]
        ),
        ("fr-en", "a"): pivots.ItemPivots("fr-en", "a", "t", "s", 5, 5, [p("with", 0.5)], []),
        ("en-fr", "b"): pivots.ItemPivots(
            "en-fr", "b", "s", "t", 5, 5, [p("tree", 0.3)], [], [p("rome", 0.1)]
        ),
    }
    (row,) = pivots.what_remains(found, frozenset({"with"}), top=2).to_dict("records")
    # a: with, river (pivots), with, paris (candidates); b: tree; tree, rome
    assert row["items"] == 2 and row["top pivots"] == 3 and row["top candidates"] == 4
    assert row["function words"] == pytest.approx(1 / 3) and row["function-word examples"] == "with"
    assert row["names"] == pytest.approx(2 / 4) and row["name examples"] == "paris, rome"


def test_a_control_stays_within_the_tolerance_before_it_stays_within_the_language():
    # two Japanese-language pivots in Latin script; one Japanese word far off in frequency,
    # two English words at the pivots' frequency: both pivots get a control, at frequency
    frequency = {"p1": 100, "p2": 100, "c_ja": 5000, "e1": 100, "e2": 110, "水": 100}
    language = {"p1": "ja", "p2": "ja", "c_ja": "ja", "e1": "en", "e2": "en", "水": "ja"}
    for seed in range(5):
        control = pivots.matched_control(["p1", "p2"], frequency, 1.5, seed, language=language)
        assert sorted(control) == ["e1", "e2"]  # never 水 (another script) nor c_ja
    # with every same-script word used, the nearest of its script, then another script's
    control = pivots.matched_control(["p1", "p2", "e1"], frequency, 1.5, 0, language=language)
    assert control[:2] == ["e2", "c_ja"] and control[2] == "水"


def test_the_noise_floor_holds_against_an_empty_background():
    docs = [frozenset({"wolf"}) if i < 2 else frozenset({"xylo"}) for i in range(10)]
    # wolf in 2 of 10 documents fails the floor, xylo in 8 of 10 passes it
    floored = pivots.rank(docs, docs, {}, set(), 5, n_background=(0, 0))
    assert [p.word for p in floored] == ["xylo"]
    assert {p.word for p in pivots.rank(docs, docs, {}, set(), 5)} == {"wolf", "xylo"}


def test_the_function_word_setting_reaches_discovery_its_cache_key_and_the_settings_line(
    monkeypatch,
):
    from semantic_pivots import config
    from semantic_pivots.data import function_words

    seen = []
    monkeypatch.setattr(pivots, "discover", lambda *args: seen.append(args[-1]) or [])
    monkeypatch.setattr(pivots, "cached_json", lambda kind, key, make: seen.append(key) or make())
    item = Item("cat", {"en": "cat", "fr": "chat"})
    lines = []
    for extent in ("extended", "base", "none"):
        p = config.settings("smoke", pivots={"function_words": extent}).pivots
        pivots.cached_discover(None, "c", [item], Pair("en", "fr"), p, seed=0)
        key, barred = seen[-2]["function words"], seen[-1]
        assert barred == function_words.barred({"en", "fr"}, extent)
        lines.append((key, tables.pivot_settings_line(p, {})))
    assert len({key for key, _ in lines}) == 3  # each setting caches its own pivots
    assert "function_words: extended`: functionwordsets" in lines[0][1]
    assert "function_words: base`" in lines[1][1] and "functionwords package" not in lines[1][1]
    assert "no function word as such" in lines[2][1]
