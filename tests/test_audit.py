"""The word list's blind audit: Wilson intervals, summaries, packets, and the committed audit."""

import csv
import math

import pytest

from semantic_pivots import stats
from semantic_pivots.data import audit, clwtd
from semantic_pivots.data.clwtd import Item
from semantic_pivots.data.wordnet import Nouns, Synset
from semantic_pivots.errors import UserError


def test_wilson_interval_by_hand():
    # k = 0: the upper bound is z^2 / (n + z^2)
    low, high = stats.wilson(0, 10)
    assert low == 0.0 and math.isclose(high, 1.959964**2 / (10 + 1.959964**2), rel_tol=1e-9)
    # k = n/2: symmetric about 1/2, half-width z*sqrt(n/4 + z^2/4) / (n + z^2)
    low, high = stats.wilson(50, 100)
    half = 1.959964 * math.sqrt(25 + 1.959964**2 / 4) / (100 + 1.959964**2)
    assert math.isclose(low, 0.5 - half) and math.isclose(high, 0.5 + half)


def _rows() -> list[audit.Judgment]:
    j = audit.Judgment
    return [
        j("dog", "en", "answer", "dog", "correct"),
        j("dog", "fr", "answer", "chien", "correct"),
        j("dog", "zh", "answer", "狗", "acceptable"),
        j("star", "en", "answer", "star", "correct"),
        j("star", "fr", "answer", "vedette", "wrong_sense"),
        j("star", "zh", "answer", "星", "correct"),
        j("star", "de", "answer", "Star", "wrong"),
        j("dog", "fr", "distractor", "chat", "close"),
        j("dog", "fr", "distractor", "ruban", "unrelated"),
    ]


def test_error_rates_count_wrong_senses_and_wrong_words_only():
    rates = audit.error_rates(_rows()).set_index("language")
    assert rates.loc["fr", "errors"] == 1 and rates.loc["fr", "judged"] == 2
    assert rates.loc["zh", "errors"] == 0  # acceptable is no error
    assert rates.loc["de", "error rate"] == 1.0
    # de is no core language: one of the two items has an error in a core answer
    assert rates.loc["any core answer", "errors"] == 1
    assert rates.loc["any core answer", "judged"] == 2
    counts = audit.judgment_counts(_rows(), "distractor")
    assert counts.loc["unrelated", "fr"] == 1 and counts.loc["translation", "fr"] == 0
    assert list(audit.errors(_rows())["word"]) == ["vedette", "Star"]
    # the book writes the judgment in words, never the packets' code
    assert "another sense" in audit.judgment_counts(_rows(), "answer").index
    assert "wrong_sense" not in set(audit.errors(_rows())["judgment"])


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, audit.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_judgment_or_a_second_list_is_refused_in_one_line(tmp_path):
    row = dict.fromkeys(audit.COLUMNS, "") | {
        "sample_seed": "1",
        "list_sha256": "ab",
        "kind": "answer",
        "judgment": "fine",
    }
    _write(tmp_path / "a.csv", [row])
    with pytest.raises(UserError, match=r"a.csv:2: judgment 'fine': expected correct"):
        audit.read(tmp_path / "a.csv")
    good = row | {"judgment": "correct"}
    _write(tmp_path / "b.csv", [good, good | {"list_sha256": "cd"}])
    with pytest.raises(UserError, match="a second sample or list"):
        audit.read(tmp_path / "b.csv")


def _judge(tmp_path, packets, change=None) -> list:
    """Write packets as a reviewer returns them; ``change`` edits the first row."""
    paths = []
    for k, rows in enumerate(packets):
        rows = [r | {"judgment": "correct" if r["kind"] == "answer" else "close"} for r in rows]
        if change and k == 0:
            rows[0] = rows[0] | change
        path = tmp_path / f"judged_{k}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [*audit.PACKET_COLUMNS, "judgment", "note"])
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def test_packets_judged_and_collected_make_an_audit_of_that_list(tmp_path):
    items = [
        Item(
            id=f"w{i}",
            words={"en": f"w{i}", "fr": f"m{i}", "zh": f"字{i}"},
            distractors={"fr": [f"d{i}"], "zh": [f"汉{i}"]},
            synset=f"{i}-n",
        )
        for i in range(12)
    ]
    synsets = {
        f"{i}-n": Synset(f"{i}-n", "noun.animal", (f"w{i}",), (), "a thing") for i in range(12)
    }
    nouns = Nouns(synsets, {}, {})
    list_path = tmp_path / "items.jsonl"
    clwtd.save_jsonl(items, list_path)
    packets = audit.packets(items, nouns, seed=5, n=8)
    assert len(packets) == audit.PACKETS and len({r["item"] for p in packets for r in p}) == 8
    assert {r["kind"] for p in packets for r in p} == {"answer", "distractor"}
    out = tmp_path / "audit.csv"
    n = audit.collect(_judge(tmp_path, packets), items, 5, list_path, "a reviewer", out)
    meta, rows = audit.read(out)
    assert n == len(rows) == sum(map(len, packets)) and meta["sample_seed"] == 5
    audit.check_list(meta, rows, items, list_path)
    before = out.read_bytes()
    # another seed's sample, an edited row or a foreign item: refused, the file untouched
    with pytest.raises(UserError, match="not the sample seed 6 draws"):
        audit.collect(_judge(tmp_path, packets), items, 6, list_path, "a reviewer", out)
    with pytest.raises(UserError, match="not the sample seed 5 draws"):
        audit.collect(
            _judge(tmp_path, packets, {"word": "x"}), items, 5, list_path, "a reviewer", out
        )
    with pytest.raises(UserError, match="item 'zz' is not in the list"):
        audit.collect(
            _judge(tmp_path, packets, {"item": "zz"}), items, 5, list_path, "a reviewer", out
        )
    assert out.read_bytes() == before and not list(tmp_path.glob("*.tmp*"))
    clwtd.save_jsonl(items[:-1], list_path)  # the list changed after the audit
    with pytest.raises(UserError, match="audit the committed list again"):
        audit.check_list(meta, rows, items[:-1], list_path)


def test_the_committed_audit_judged_the_committed_list():
    meta, rows = audit.read()
    data = clwtd.load()
    audit.check_list(meta, rows, data.items, clwtd.DEFAULT_PATH)
    assert len({r.item for r in rows}) >= 200
    assert len({r.item for r in rows if r.kind == "distractor"}) >= 50
