"""The word-list rule on hand-made inputs, and the byte-identical rebuild from the sources."""

import filecmp

import pytest

from semantic_pivots.data import build_clwtd as b
from semantic_pivots.paths import CLWTD_DIR


def test_gloss_normalisation():
    assert b.normalise_gloss("dog (Canis (lupus) familiaris)") == "dog"
    assert b.normalise_gloss(" to go ") == "go"
    assert b.normalise_gloss("the Ram") == "ram"
    assert (
        b._strip_note("Note: word usually written using kana alonewolf (Canis lupus)")
        == "wolf (Canis lupus)"
    )
    assert b.katakana_to_hiragana("イヌ") == "いぬ"


def _toy():
    dog, cat, cow = (b.Emoji(c, "Animals", "mammal") for c in "dgc")
    car = b.Emoji("r", "Travel", "transport")
    names = {
        "en": {"d": ("dog", ()), "g": ("cat", ()), "c": ("cow", ()), "r": ("car", ())},
        "ja": {
            "d": ("イヌ", ("犬", "動物", "イヌの顔")),
            "g": ("ネコ", ("猫",)),
            "c": ("ウシ", ("牛",)),
            "r": ("自動車", ("車",)),
        },
    }
    cldr = {
        lang: {k: b.Names(n, kw) for k, (n, kw) in table.items()} for lang, table in names.items()
    }
    dictionaries = {
        "ja": {
            "犬": {"dog"},
            "いぬ": {"dog"},
            "猫": {"cat"},
            "牛": {"cow", "ox"},
            "うし": {"cow"},
            "車": {"car"},
        }
    }
    freq = {"ja": {"犬": 1e-4, "イヌ": 1e-6, "猫": 1e-4, "車": 1e-3, "牛": 1e-4}}
    return [dog, cat, cow, car], cldr, dictionaries, freq


def test_speller_prefers_the_frequent_confirmed_spelling():
    emoji, cldr, dictionaries, freq = _toy()
    speller = b.Speller(cldr, dictionaries, freq)
    dog = speller.spell("d", "ja")
    assert dog.word == "犬" and dog.accepted == ("犬", "イヌ") and dog.confirmed
    car = speller.spell("r", "ja")  # 自動車 is not confirmed as "car" by this toy dictionary
    assert car.accepted == ("車",)


def test_build_distractors_respect_the_rule():
    emoji, cldr, dictionaries, freq = _toy()
    items, counts = b.build(emoji, cldr, dictionaries, freq, langs=["en", "ja"])
    assert [it.id for it in items] == ["dog", "cat", "cow", "car"]
    dog = items[0]
    # never the item's own names or keywords; same subgroup first, then other groups
    assert "動物" not in dog.distractors["ja"] and "犬" not in dog.distractors["ja"]
    assert set(
        b.choose_distractors(
            "dog", "ja", emoji[0], {"犬"}, [(e, w) for e, w in zip(emoji, "AXBC", strict=True)], n=2
        )
    ) == {"X", "B"}
    assert counts["items"] == 4


def test_unclaimed_spellings_go_to_the_first_concept():
    spelling = b.Spelling("牛", ("牛", "ウシ"), True)
    assert b.unclaimed(spelling, {"牛"}).word == "ウシ"
    assert b.unclaimed(spelling, {"牛", "ウシ"}) is None


def test_distractor_order_is_deterministic():
    emoji, *_ = _toy()
    pool = [(e, w) for e in emoji[1:] for w in ("a", "b", "c")]
    first = b.choose_distractors("dog", "en", emoji[0], set(), pool, n=3)
    assert first == b.choose_distractors("dog", "en", emoji[0], set(), list(reversed(pool)), n=3)


@pytest.mark.slow
def test_make_data_rebuilds_the_committed_files_byte_identically(tmp_path):
    b.build_from_sources(tmp_path)
    for name in ("items.jsonl", "PROVENANCE.json", "LICENSE-CLDR.txt"):
        assert filecmp.cmp(tmp_path / name, CLWTD_DIR / name, shallow=False), name
