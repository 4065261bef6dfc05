import csv
from dataclasses import replace
from types import SimpleNamespace

import pytest

from semantic_pivots import stats
from semantic_pivots.data import pivot_audit
from semantic_pivots.errors import UserError
from semantic_pivots.report import readings


def _found(n_items=30, pivots=6, controls=6):
    """Two collections; items of en-fr (both directions), the first five also of en-zh, one
    item whose controls are all pivots and one without pivots."""

    def item(pair, i, control=None):
        src, tgt = pair.split("-")
        return SimpleNamespace(
            pair=pair,
            item=f"c{i}",
            source=f"{src}{i}",
            target=f"{tgt}{i}",
            pivots=[SimpleNamespace(word=f"p{i}_{k}") for k in range(pivots)],
            control=[f"q{i}_{k}" for k in range(controls)] if control is None else control,
        )

    by_key = {(pair, f"c{i}"): item(pair, i) for pair in ("en-fr", "fr-en") for i in range(n_items)}
    by_key |= {(pair, f"c{i}"): item(pair, i) for pair in ("en-zh", "zh-en") for i in range(5)}
    by_key["en-fr", "c99"] = item("en-fr", 99, control=["p99_0"])  # no control but pivots
    by_key["en-fr", "empty"] = SimpleNamespace(
        pair="en-fr", item="empty", source="a", target="b", pivots=[], control=[]
    )
    return {"corpus": by_key, "glass": dict(list(by_key.items())[:10])}


def _judge(packets, tmp_path, judgment=lambda row: "related"):
    paths = []
    for k, rows in enumerate(packets, start=1):
        path = tmp_path / f"packet_{k}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [*pivot_audit.PACKET_COLUMNS, "judgment", "note"])
            writer.writeheader()
            writer.writerows({**row, "judgment": judgment(row), "note": ""} for row in rows)
        paths.append(path)
    return paths


def test_the_sample_is_seeded_balanced_and_blind():
    found = _found()
    rows = pivot_audit.draw(found, seed=3)
    assert rows == pivot_audit.draw(found, seed=3) and rows != pivot_audit.draw(found, seed=4)
    corpus = [r for r in rows if r["collection"] == "corpus"]
    # ITEMS items of the collection, of a language pair each (one direction), never an item
    # without pivots or without controls; a concept may come in two pairs
    units = {(r["item"], r["pair"]) for r in corpus}
    assert len(units) == pivot_audit.ITEMS and {p for _, p in units} <= {"en-fr", "en-zh"}
    assert not {"empty", "c99"} & {r["item"] for r in rows}
    # as many controls as pivots per item, the top PER_ITEM of each
    for unit in units:
        sets = [r["set"] for r in corpus if (r["item"], r["pair"]) == unit]
        assert sets.count("pivot") == sets.count("control") == pivot_audit.PER_ITEM
    assert {r["word"] for r in corpus if r["set"] == "pivot"} <= {
        f"p{i}_{k}" for i in range(30) for k in range(pivot_audit.PER_ITEM)
    }
    # a collection with fewer items gives them all
    assert len({r["item"] for r in rows if r["collection"] == "glass"}) == 10
    # the packets: every row once, numbered in the sample's order, no set and no collection
    packets = pivot_audit.packets(found, seed=3)
    assert len(packets) == pivot_audit.PACKETS
    shown = [row for packet in packets for row in packet]
    assert [row["row"] for row in shown] == list(range(1, len(rows) + 1))
    assert [row["word"] for row in shown] == [r["word"] for r in rows]
    assert set(shown[0]) == set(pivot_audit.PACKET_COLUMNS)


def test_collected_judgments_give_shares_and_the_paired_difference(tmp_path):
    found = _found()
    paths = _judge(
        pivot_audit.packets(found, seed=1),
        tmp_path,
        lambda row: "related" if row["word"].startswith("p") else "function",
    )
    out = tmp_path / "audit.csv"
    n = pivot_audit.collect(paths, found, 1, "a reviewer", out)
    assert n == len(pivot_audit.draw(found, 1))
    meta, rows = pivot_audit.committed(found, out)
    assert meta == {"sample_seed": 1} and len(rows) == n
    shares = pivot_audit.shares(rows).set_index(["collection", "set"])
    assert shares.loc[("corpus", "pivot"), "related"] == 1.0
    assert shares.loc[("corpus", "control"), "function"] == 1.0
    assert shares.loc[("corpus", "pivot"), "judged"] == pivot_audit.ITEMS * pivot_audit.PER_ITEM
    low, high = stats.wilson(100, 100)
    assert shares.loc[("corpus", "pivot"), ["related low", "related high"]].tolist() == [
        pytest.approx(low),
        high,
    ]
    difference = pivot_audit.related_difference(rows).set_index("collection")
    assert difference.loc["corpus", "difference"] == 1.0
    assert difference.loc["corpus", "items"] == pivot_audit.ITEMS
    concepts = len({r.item for r in rows if r.collection == "corpus"})
    assert difference.loc["corpus", "concepts"] == concepts < pivot_audit.ITEMS
    text = readings.pivot_audit_lines(meta, pivot_audit.shares(rows), difference.reset_index())
    assert f"Sample seed 1: {n} words of 30 items judged." in text
    assert "**corpus**: 1.00 of the pivots judged related against 0.00 of their controls" in text
    assert (
        f"is 1.00 [1.00, 1.00] on average over 20 items ({concepts} concepts): pivots are "
        "judged related more often"
    ) in text
    # judged alike: no difference the sample can see
    alike = [replace(r, judgment="related" if r.word.endswith("0") else "unrelated") for r in rows]
    text = readings.pivot_audit_lines(
        meta, pivot_audit.shares(alike), pivot_audit.related_difference(alike)
    )
    assert "not detectably more often related" in text and "nan" not in text
    share = pivot_audit.shares(alike).set_index(["collection", "set"]).loc[("corpus", "pivot")]
    assert f"{share['unrelated']:.2f} of the pivots are judged content words unrelated" in text
    # a collection whose pivots changed under the sample: the audit describes the others
    other = {**found, "glass": dict(list(found["corpus"].items())[:3])}
    assert {r.collection for r in pivot_audit.committed(other, out)[1]} == {"corpus"}
    assert pivot_audit.committed({"glass": other["glass"]}, out) is None
    assert pivot_audit.committed(found, tmp_path / "none.csv") is None


def test_a_bad_packet_is_refused_in_one_line_and_nothing_is_written(tmp_path):
    found = _found()
    out = tmp_path / "audit.csv"
    bad = _judge(pivot_audit.packets(found, seed=1), tmp_path, lambda row: "maybe")
    # named at the packet's line, where the reviewer wrote it
    with pytest.raises(UserError, match=r"packet_1\.csv:2: judgment 'maybe': expected related"):
        pivot_audit.collect(bad, found, 1, "r", out)
    assert not out.exists()
    good = _judge(pivot_audit.packets(found, seed=1), tmp_path)
    with pytest.raises(UserError, match="rows judged: expected all"):
        pivot_audit.collect(good[:1], found, 1, "r", out)
    with pytest.raises(UserError, match="is not a row of seed 2"):
        pivot_audit.collect(good, found, 2, "r", out)
    with pytest.raises(UserError, match="row 1 judged twice"):
        pivot_audit.collect([good[0], *good], found, 1, "r", out)
    assert not out.exists()
    # a file whose item lacks its controls, or a column, or a seed that is not a number
    pivot_audit.collect(good, found, 1, "r", out)
    lines = out.read_text().splitlines()
    first_control = next(i for i, line in enumerate(lines) if ",control," in line)
    with pytest.raises(UserError, match="pivots and 4 controls judged: expected as many"):
        pivot_audit.parse("\n".join(lines[:first_control] + lines[first_control + 1 :]), "x")
    with pytest.raises(UserError, match="x: no column sample_seed"):
        pivot_audit.parse(out.read_text().replace("sample_seed", "seed"), "x")
    with pytest.raises(UserError, match=r"x:2: sample_seed 'one': expected a whole number"):
        pivot_audit.parse(out.read_text().replace("\n1,", "\none,", 1), "x")


def _pivot_set():
    """A set of 60 words with counts 100..159, candidates outside it at each of those counts,
    and two far from all of them."""
    pivots = [f"s{i}" for i in range(60)]
    candidates = {f"s{i}": 100 + i for i in range(60)}
    candidates |= {f"c{i}": 100 + i for i in range(60)}  # near every word of the set
    candidates |= {"rare": 1, "common": 100_000}
    return pivots, candidates


def test_the_set_sample_pairs_each_drawn_word_with_an_unused_control_of_its_frequency():
    pivots, candidates = _pivot_set()
    rows = pivot_audit.set_draw(pivots, candidates, seed=3)
    assert rows == pivot_audit.set_draw(pivots, candidates, seed=3)
    drawn = [r["word"] for r in rows if r["set"] == "pivot"]
    controls = [r["word"] for r in rows if r["set"] == "control"]
    assert len(drawn) == len(controls) == pivot_audit.SET_SAMPLE
    assert len(set(controls)) == len(controls) and not set(controls) & set(pivots)
    assert all(c.startswith("c") for c in controls)  # never a far one while a near one is left
    assert pivot_audit.set_draw(pivots, candidates, seed=4) != rows
    # none near: the nearest in log count, until the controls run out
    far = {w: n for w, n in candidates.items() if w in pivots or w in ("rare", "common")}
    sparse = pivot_audit.set_draw(pivots, far, 3)
    assert sorted(r["set"] for r in sparse) == ["control"] * 2 + ["pivot"] * 2
    # log 1 is nearer log 100..159 than log 100,000 is: with one draw, "rare" is taken
    one = pivot_audit.set_draw(["s0"], {"s0": 100, "rare": 1, "common": 100_000}, 3)
    assert [r["word"] for r in one if r["set"] == "control"] == ["rare"]


def test_the_set_audit_refuses_a_foreign_row_and_writes_its_judgments_for_that_set_only(
    tmp_path,
):
    pivots, candidates = _pivot_set()
    packets = pivot_audit.set_packets(pivots, candidates, seed=3)
    assert len(packets) == pivot_audit.SET_PACKETS and all("set" not in r for r in packets[0])
    out = tmp_path / "set_audit.csv"
    judged = _judge(packets, tmp_path, lambda row: "content" if row["row"] % 3 else "fragment")
    bad = tmp_path / "bad.csv"
    bad.write_text("row,word,judgment,note\n1,not-the-word,content,\n", encoding="utf-8")
    with pytest.raises(UserError, match="is not a row of seed 3"):
        pivot_audit.set_collect([*judged, bad], pivots, candidates, 3, "r", out)
    with pytest.raises(UserError, match="judged: expected all"):
        pivot_audit.set_collect(judged[:1], pivots, candidates, 3, "r", out)
    assert not out.exists()
    assert pivot_audit.set_collect(judged, pivots, candidates, 3, "r", out) == 80
    meta, rows = pivot_audit.set_committed(pivots, candidates, out)
    assert meta == {"sample_seed": 3} and len(rows) == 80
    assert pivot_audit.set_committed(pivots[1:], candidates, out) is None  # another set
    shares = pivot_audit.set_shares(rows).set_index("set")
    assert shares.loc["pivot", "judged"] == 40
    assert shares.loc["pivot", "content"] + shares.loc["pivot", "fragment"] == pytest.approx(1)


def test_the_content_difference_has_newcombes_interval():
    # Newcombe (1998), example (a): 56/70 - 48/80, method 10 gives [0.0524, 0.3339]
    rows = [
        pivot_audit.SetJudgment(i, kind, "w", 1, "content" if i < k else "fragment")
        for kind, k, n in (("pivot", 56, 70), ("control", 48, 80))
        for i in range(n)
    ]
    d = pivot_audit.content_difference(rows)
    assert d["difference"] == pytest.approx(0.2)
    assert (d["difference low"], d["difference high"]) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_the_method_chapter_states_both_pivot_audits_sample_sizes_and_tolerance():
    from pathlib import Path

    method = (Path(__file__).resolve().parents[1] / "book" / "method.md").read_text()
    text = " ".join(method.split())
    assert f"{pivot_audit.SET_SAMPLE} of its words" in text
    assert f"within a factor {pivot_audit.SET_TOLERANCE:g} of its count" in text
    assert f"up to {pivot_audit.ITEMS} items" in text
    assert f"their {pivot_audit.PER_ITEM} best pivots" in text


def test_the_set_audit_line_names_a_detected_difference_or_what_a_null_could_detect():
    import pandas as pd

    shares = pd.DataFrame({"set": ["pivot", "control"], "content": [0.8, 0.6]})
    found = {"pivots": 70, "controls": 80, "difference": 0.2}
    matching = {"matches": 70, "outside": 3, "median ratio": 1.1}

    def line(low, high, table=shares):
        found_ = {**found, "difference low": low, "difference high": high}
        return readings.set_audit_line({"sample_seed": 7}, table, found_, matching, 1.5)

    detected = line(0.0524, 0.3339)
    assert detected.startswith("Sample seed 7: 70 words of the set and 80 controls judged;")
    assert "3 controls of 70 lie beyond a factor 1.5 of their word's count (median ratio 1.10)" in (
        detected
    )
    assert "0.80 of the set's words against 0.60" in detected
    assert "0.200 [0.052, 0.334]" in detected and "more content words" in detected
    null = line(-0.05, 0.35)
    assert "no difference is detectable" in null and "one of 0.29 with 80 % power" in null
    # at the ceiling no power is claimed
    ceiling = pd.DataFrame({"set": ["pivot", "control"], "content": [0.975, 1.0]})
    bound = line(-0.129, 0.065, ceiling)
    assert "leaves no room for one" in bound and "power" not in bound


def test_a_control_is_drawn_within_the_tolerance_where_one_is_and_its_match_is_kept():
    # 140 lies within a factor 1.5 of 100, 160 does not: "a" every time, whatever the seed
    for seed in range(5):
        rows = pivot_audit.set_draw(["s"], {"s": 100, "a": 140, "b": 160}, seed)
        assert {(r["set"], r["word"], r["count"], r["match"]) for r in rows} == {
            ("pivot", "s", 100, 1),
            ("control", "a", 140, 1),
        }
    # none within it: the nearest in log count, 160 before 1,000, and the matching says so
    rows = pivot_audit.set_draw(["s"], {"s": 100, "b": 160, "c": 1000}, 0)
    assert [r["word"] for r in rows if r["set"] == "control"] == ["b"]
    judged = [
        pivot_audit.SetJudgment(r["match"], r["set"], r["word"], r["count"], "content")
        for r in rows
    ]
    assert pivot_audit.set_matching(judged) == {"matches": 1, "outside": 1, "median ratio": 1.6}
    with pytest.raises(UserError, match="pivot set word 's' has no count"):
        pivot_audit.set_draw(["s"], {"b": 160}, 0)


def test_a_set_audit_whose_match_lacks_its_control_is_refused(tmp_path):
    pivots, candidates = _pivot_set()
    out = tmp_path / "set_audit.csv"
    packets = pivot_audit.set_packets(pivots, candidates, seed=3)
    pivot_audit.set_collect(
        _judge(packets, tmp_path, lambda r: "content"), pivots, candidates, 3, "r", out
    )
    lines = out.read_text().splitlines()
    control = next(i for i, line in enumerate(lines) if ",control," in line)
    with pytest.raises(UserError, match=r"x: match \d+ holds pivot: expected one word"):
        pivot_audit.set_parse("\n".join(lines[:control] + lines[control + 1 :]), "x")
    bad = _judge(packets, tmp_path, lambda r: "related")  # the items' judgments, not the set's
    with pytest.raises(UserError, match=r"packet_1\.csv:2: judgment 'related': expected content"):
        pivot_audit.set_collect(bad, pivots, candidates, 3, "r", tmp_path / "other.csv")
    assert not (tmp_path / "other.csv").exists()
