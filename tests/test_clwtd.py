"""The committed word list, its readers and the validator."""

import json

import pytest

from semantic_pivots import languages
from semantic_pivots.data import clwtd
from semantic_pivots.errors import UserError
from semantic_pivots.paths import CLWTD_DIR

SIX = {"en", "fr", "de", "es", "zh", "ja"}
CORE = {"en", "fr", "zh", "ja"}


def test_committed_dataset_is_valid_and_large_enough(dataset):
    clwtd.validate(dataset)
    assert len(dataset.items) >= 400  # the audited list (notebook 00)
    assert set(dataset.languages) == CORE  # de and es where the dictionaries allow
    for item in dataset.items:
        assert set(item.words) >= CORE and set(item.words) <= SIX
        for lang in item.words:
            dis = item.distractors[lang]
            assert len(dis) == 9 and len(set(dis)) == 9
            assert not set(dis) & set(item.answers(lang))
            assert all(languages.is_single_word(d, lang) for d in dis)


def test_no_answer_belongs_to_two_items(dataset):
    for lang in SIX:
        seen = {}
        for item in dataset.items:
            for answer in item.answers(lang) if lang in item.words else ():
                assert answer not in seen, (lang, answer, seen.get(answer), item.id)
                seen[answer] = item.id


def test_the_commonest_nouns_are_in_with_their_usual_words(dataset):
    by_id = {it.id: it for it in dataset.items}
    usual = {
        "cat": ("chat", "猫", "猫"),
        "dog": ("chien", "狗", "犬"),
        "car": ("voiture", "汽车", "車"),
        "water": ("eau", "水", "水"),
        "coffee": ("café", "咖啡", "コーヒー"),
    }
    for word, (fr, zh, ja) in usual.items():
        it = by_id[word]
        assert (it.words["fr"], it.words["zh"], it.words["ja"]) == (fr, zh, ja), word


def test_provenance_counts_match_the_list(dataset):
    provenance = json.loads((CLWTD_DIR / "PROVENANCE.json").read_text(encoding="utf-8"))
    per_lang = provenance["counts"]["items_per_language"]
    assert per_lang == {lang: sum(lang in it.words for it in dataset.items) for lang in per_lang}
    assert provenance["counts"]["items"] == len(dataset.items)


def test_normalised_spellings(dataset):
    by_id = {it.id: it for it in dataset.items}
    assert by_id["dog"].words["ja"] == "犬" and "いぬ" in by_id["dog"].answers("ja")
    assert by_id["dog"].words["zh"] == "狗"
    assert by_id["tea"].words["fr"] == "thé" and by_id["tea"].words["zh"] == "茶"


def test_single_word_rule():
    assert languages.is_single_word("chien", "fr")
    assert languages.is_single_word("きのこ", "ja")
    assert not languages.is_single_word("オオカミの顔", "ja")
    assert not languages.is_single_word("pomme de terre", "fr")
    assert not languages.is_single_word("t-shirt", "en")
    assert not languages.is_single_word("dog", "zh")


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def test_authors_layout(tmp_path):
    row = {
        "en": {"en": "dog", "fr": ["chat"] * 3},
        "fr": {"fr": "chien", "en": ["cat", "wolf", "fox"]},
    }
    failed = {"en": "house", "fr": "maison"}  # their file keeps rows whose generation failed
    data = clwtd.load(_write(tmp_path, "a.jsonl", [row, failed]))
    (item,) = data.items
    assert item.words == {"en": "dog", "fr": "chien"}
    # row[l2][l1] holds the l1 distractors used when translating l1 -> l2
    assert item.source_distractors("en", "fr") == ["cat", "wolf", "fox"]
    assert item.source_distractors("fr", "en") == ["chat"] * 3


def test_csv_layout(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        "en,fr,ja,ja_alternatives,fr_distractors\ndog,chien,犬,イヌ|犬,chat|loup\n",
        encoding="utf-8",
    )
    (item,) = clwtd.load(path).items
    assert item.answers("ja") == ["犬", "イヌ"]
    assert item.distractors == {"fr": ["chat", "loup"]}
    with pytest.raises(UserError, match=r"w.csv:2: item 'dog': fr: 2 distractors, expected 9"):
        clwtd.validate(clwtd.load(path))


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("en,fr\ndog,chien\ncat,chat\n".encode("utf-8-sig"))
    data = clwtd.load(path)
    assert data.languages == ["en", "fr"] and data.items[0].words == {"en": "dog", "fr": "chien"}
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(('{"id": "dog", "words": {"en": "dog"}}\n').encode("utf-8-sig"))
    assert clwtd.load(jsonl).items[0].id == "dog"


def test_random_distractor_rule(dataset, tmp_path):
    """Nine other words of the list, in the item's language, never one of its answers."""
    core = [{lang: it.words[lang] for lang in CORE} for it in dataset.items]
    bare = clwtd.Dataset(
        [clwtd.Item(it.id, w, it.accepted) for it, w in zip(dataset.items, core, strict=True)]
    )
    drawn = clwtd.with_distractors(bare, "random", seed=0)
    clwtd.validate(drawn)
    assert drawn == clwtd.with_distractors(bare, "random", seed=0)  # deterministic
    assert drawn != clwtd.with_distractors(bare, "random", seed=1)
    for it in drawn.items:
        for lang in CORE:
            words = {o.words[lang] for o in dataset.items if o.id != it.id}
            dis = it.distractors[lang]
            assert len(set(dis)) == 9 and set(dis) <= words
            assert not set(dis) & set(it.answers(lang))
            assert it.source_distractors(lang, "en" if lang != "en" else "fr") == dis
    # never a phrase, never a word of an item that shares an answer (ox and cow share 牛)
    extra = [
        clwtd.Item("ice cream", {"en": "ice cream", "fr": "glace", "zh": "冰淇淋", "ja": "アイス"}),
        clwtd.Item("ox", {"en": "ox", "fr": "bœuf", "zh": "牛", "ja": "雄牛"}),
        clwtd.Item("cow", {"en": "cow", "fr": "vache", "zh": "牛", "ja": "雌牛"}),
    ]
    small = clwtd.Dataset(
        extra
        + [clwtd.Item(it.id, {lg: it.words[lg] for lg in extra[0].words}) for it in bare.items[:9]]
    )
    drawn = {it.id: it for it in clwtd.with_distractors(small, "random", seed=0).items}
    others = {it.words["en"] for it in bare.items[:9]}
    assert set(drawn["ox"].distractors["en"]) == set(drawn["cow"].distractors["en"]) == others
    assert clwtd.with_distractors(dataset, "list") is dataset
    with pytest.raises(UserError, match="unknown distractor rule 'close'"):
        clwtd.with_distractors(dataset, "close")
    with pytest.raises(UserError, match="random distractor rule needs 9"):
        clwtd.with_distractors(clwtd.Dataset(bare.items[:5]), "random")


def test_native_round_trip(tmp_path, dataset):
    path = tmp_path / "items.jsonl"
    clwtd.save_jsonl(dataset.items[:5], path)
    again = clwtd.load(path)
    assert again.items == dataset.items[:5]
    assert again.digest() == clwtd.Dataset(dataset.items[:5]).digest()


@pytest.mark.parametrize(
    "row, reason",
    [
        (
            {"id": "x", "words": {"en": "dog"}, "distractors": {"en": ["cat"] * 9}},
            "repeated distractors",
        ),
        (
            {
                "id": "x",
                "words": {"en": "dog"},
                "distractors": {"en": ["dog"] + [f"c{c}" for c in "abcdefgh"]},
            },
            "distractor equals an accepted answer",
        ),
        (
            {
                "id": "x",
                "words": {"en": "dog"},
                "distractors": {"en": ["big cat"] + list("abcdefgh")},
            },
            "not a single en word",
        ),
        ({"id": "x", "words": {"xx": "dog"}}, "unknown language 'xx'"),
    ],
)
def test_validator_names_file_line_and_reason(tmp_path, row, reason):
    good = {"id": "ok", "words": {"en": "cat"}}
    path = _write(tmp_path, "bad.jsonl", [good, row])
    with pytest.raises(UserError, match=rf"bad.jsonl:2: item 'x': .*{reason}"):
        clwtd.validate(clwtd.load(path))


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "words": {"en": "cat"}}\n{"id": \n')
    with pytest.raises(UserError, match=r"broken.jsonl:2: not valid JSON"):
        clwtd.load(path)


def test_require_names_the_problem(dataset):
    with pytest.raises(UserError, match="unknown language code 'xx'"):
        dataset.require(["en", "xx"])
    small = clwtd.Dataset([clwtd.Item("a", {"en": "cat"})], source="tiny.jsonl")
    with pytest.raises(UserError, match="item 'a' has no word for fr"):
        small.require(["en", "fr"])
    with pytest.raises(UserError, match="1 items, at least 4 needed"):
        small.require(["en"], min_items=4)
