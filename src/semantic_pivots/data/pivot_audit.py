"""The pivot sets' blind audit: a seeded sample of items, their pivots and controls judged.

Per collection of documents (the study corpus the pretrained models' pivots come from, the
glass-box model's training documents), :data:`ITEMS` items are drawn at random (seeded) among
those with pivots and controls: an item of a language pair (both directions share their
pivots), so that a concept may come in more than one pair. Each brings its top
:data:`PER_ITEM` pivots and as many of its control words, shuffled together over every packet,
so that the reviewer cannot tell a pivot from a control.
A reviewer who did not write the rules judges each word against the item's two words:

* ``related``: a content word associated with the concept (a typical context, part, attribute,
  kind, activity or domain of it);
* ``unrelated``: a content word with no evident association with the concept;
* ``function``: a function word (article, pronoun, preposition, conjunction, auxiliary or
  modal, numeral, a grammatical adverb such as also, even, now or where);
* ``name``: a proper name;
* ``fragment``: not a word of a language (a piece of a word, markup, code, an abbreviation).

``data/pivots/audit.csv`` holds the judgments with the sample's seed. It describes a
collection's pivots only where the seed draws from them exactly the rows judged
(:func:`committed`); the pivots chapter shows it for those collections. An item's pivots are read
through their attributes (``pair``, ``item``, ``source``, ``target``, ``pivots`` with a
``word`` each, ``control``), so that this module knows nothing of how they were found.

The pivot set of the pivot-aware data (chapter 5), the words of highest weighted degree, has
an audit of its own (``data/pivots/set_audit.csv``, the ``set_`` functions): a seeded sample of
its words, each with a control word of about the same frequency that the set's rules admit but
the set does not hold, shuffled together and judged alone (``content``, ``function``, ``name``,
``fragment``: no item to relate them to).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from semantic_pivots.data.audit import newcombe
from semantic_pivots.errors import UserError
from semantic_pivots.paths import DATA_DIR, atomic_write_text
from semantic_pivots.stats import wilson

AUDIT_PATH = DATA_DIR / "pivots" / "audit.csv"
ITEMS = 20  # per collection
PER_ITEM = 5  # pivots, and as many control words
PACKETS = 4
JUDGMENTS = ("related", "unrelated", "function", "name", "fragment")
PACKET_COLUMNS = ("row", "pair", "concept", "source", "target", "word")
COLUMNS = (
    "sample_seed",
    "collection",
    "pair",
    "item",
    "set",
    "word",
    "judgment",
    "note",
    "reviewer",
)


class Word(Protocol):
    word: str


class Found(Protocol):
    """An item's pivots in one ordered pair, as pivot discovery gives them."""

    pair: str
    item: str
    source: str
    target: str
    pivots: Sequence[Word]
    control: Sequence[str]


Pivots = Mapping[str, Mapping[tuple[str, str], Found]]  # per collection, by (pair, item)


@dataclass(frozen=True)
class Judgment:
    """One judged word of a sampled item: a pivot or a control word."""

    collection: str
    pair: str
    item: str
    set: str  # pivot or control
    word: str
    judgment: str
    note: str = ""


def draw(found: Pivots, seed: int) -> list[dict]:
    """The sample, in the seeded order the packets take: one row per word to judge.

    ``found``: per collection, the items' pivots by (ordered pair, item id). Each row holds the
    collection, pair, item, its two words, the word, and which set it is in (never shown).
    """
    rows = []
    for collection, by_key in sorted(found.items()):
        first: dict[tuple, Found] = {}
        for key in sorted(by_key):  # one ordered pair per language pair and item
            f = by_key[key]
            if f.pivots and _controls(f):
                first.setdefault((frozenset(f.pair.split("-")), f.item), f)
        chosen = sorted(first.values(), key=lambda f: (f.pair, f.item))
        for f in random.Random(f"{seed}:{collection}").sample(chosen, min(ITEMS, len(chosen))):
            control = _controls(f)
            n = min(PER_ITEM, len(f.pivots), len(control))
            words = [("pivot", p.word) for p in f.pivots[:n]]
            words += [("control", w) for w in control[:n]]
            rows += [
                {
                    "collection": collection,
                    "pair": f.pair,
                    "item": f.item,
                    "source": f.source,
                    "target": f.target,
                    "set": kind,
                    "word": word,
                }
                for kind, word in words
            ]
    return random.Random(seed).sample(rows, len(rows))


def _controls(found: Found) -> list[str]:
    return [w for w in found.control if w not in {p.word for p in found.pivots}]


# what makes a judged row the row drawn: where it comes from and its word
KEY = ("collection", "pair", "item", "set", "word")


def _key(row, keys: Sequence[str] = KEY) -> tuple:
    return tuple(str(row[k]) for k in keys)


def packets(found: Pivots, seed: int) -> list[list[dict]]:
    """The sample as packets of rows for a reviewer (no collection, no set).

    :data:`PACKETS` packets of equal size, fewer where the sample is too small to fill them.
    """
    shown = [
        {
            "row": i,
            "pair": r["pair"],
            "concept": r["item"],
            "source": r["source"],
            "target": r["target"],
            "word": r["word"],
        }
        for i, r in enumerate(draw(found, seed), start=1)
    ]
    return _split(shown, PACKETS)


def _split(rows: list[dict], n: int) -> list[list[dict]]:
    """``rows`` in ``n`` packets of equal size, fewer where there are too few rows to fill them."""
    size = math.ceil(len(rows) / n) if rows else 1
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def collect(
    judged: list[Path],
    found: Pivots,
    seed: int,
    reviewer: str,
    out: Path = AUDIT_PATH,
) -> int:
    """Merge judged packets into the audit file with the sample's seed.

    Returns the number of rows. Every row of the sample must come back once with a valid
    judgment; nothing is written otherwise.
    """
    drawn = draw(found, seed)
    return _merge(judged, drawn, KEY, JUDGMENTS, seed, reviewer, COLUMNS, parse, out)


def _merge(judged, drawn, key, judgments, seed, reviewer, columns, check, out: Path) -> int:
    """Judged packets' rows, checked against the ``drawn`` rows and written to ``out``.

    Every drawn row must come back once, under its number, with its word and one of
    ``judgments``; ``check`` (the audit's parser) reads the merged file back. Nothing is
    written where anything is refused.
    """
    back: dict[int, dict] = {}
    for path in judged:
        with open(path, encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                at = f"{path}:{line_no}"
                i = int(row["row"]) if (row.get("row") or "").isdigit() else 0
                if not 1 <= i <= len(drawn) or row.get("word") != drawn[i - 1]["word"]:
                    raise UserError(f"{at}: row {row.get('row')!r} is not a row of seed {seed}")
                if i in back:
                    raise UserError(f"{at}: row {i} judged twice")
                if row.get("judgment") not in judgments:
                    raise UserError(
                        f"{at}: judgment {row.get('judgment')!r}: expected {', '.join(judgments)}"
                    )
                back[i] = row
    if len(back) != len(drawn):
        raise UserError(f"{len(back)} of the sample's {len(drawn)} rows judged: expected all")
    rows = [
        {
            "sample_seed": seed,
            **{k: d[k] for k in key},
            "judgment": back[i]["judgment"],
            "note": back[i].get("note") or "",
            "reviewer": reviewer,
        }
        for i, d in enumerate(drawn, start=1)
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    check(text.getvalue(), str(out))  # a bad judgment: refused, nothing written
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, text.getvalue())
    return len(rows)


def parse(text: str, where: str) -> tuple[dict, list[Judgment]]:
    """The audit's header (its seed) and judgments; one-line errors for bad rows."""
    meta, rows = _parse(text, where, COLUMNS, JUDGMENTS, Judgment)
    sets: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        sets.setdefault((r.collection, r.pair, r.item), []).append(r.set)
    for (collection, pair, item), kinds in sets.items():
        if kinds.count("pivot") != kinds.count("control"):
            raise UserError(
                f"{where}: {collection} {pair} {item}: {kinds.count('pivot')} pivots and "
                f"{kinds.count('control')} controls judged: expected as many of each"
            )
    return meta, rows


def committed(found: Pivots, path: Path = AUDIT_PATH):
    """The committed audit's judgments of the collections it describes, and their seed.

    A collection is described where the audit's seed draws from ``found`` exactly the rows
    judged of it (its items, their pairs and words); None where there is no audit or it
    describes none of them.
    """
    if not path.exists():
        return None
    meta, rows = parse(path.read_text(encoding="utf-8"), str(path))
    drawn = draw(found, meta["sample_seed"])
    same = [
        c
        for c in dict.fromkeys(r.collection for r in rows)
        if sorted(_key(d) for d in drawn if d["collection"] == c)
        == sorted(_key(r.__dict__) for r in rows if r.collection == c)
    ]
    kept = [r for r in rows if r.collection in same]
    return (meta, kept) if kept else None


def shares(rows: list[Judgment]) -> pd.DataFrame:
    """Per collection and set: words judged, and each judgment's share with a Wilson interval.

    The intervals treat the judgments as independent draws (an item's words are not quite).
    """
    out = []
    for collection in dict.fromkeys(r.collection for r in rows):
        for kind in ("pivot", "control"):
            group = [r for r in rows if (r.collection, r.set) == (collection, kind)]
            if group:
                head = {"collection": collection, "set": kind}
                out.append(_shares_row(head, group, JUDGMENTS))
    return pd.DataFrame(out)


def _shares_row(head: dict, group: Sequence, judgments: Sequence[str]) -> dict:
    """``head``, the words judged, and each judgment's share with its Wilson interval."""
    row: dict = {**head, "judged": len(group)}
    for j in judgments:
        k = sum(r.judgment == j for r in group)
        row[j] = k / len(group)
        row[f"{j} low"], row[f"{j} high"] = wilson(k, len(group))
    return row


def related_difference(rows: list[Judgment], seed: int = 0) -> pd.DataFrame:
    """Per collection: the share of pivots judged related minus that of their controls.

    Paired by item: each drawn item (of a language pair) has as many of both, and gives its
    difference of shares; the mean over items, with a 95 % interval that resamples concepts
    (an item drawn in two language pairs is one concept).
    """
    from semantic_pivots.stats import bootstrap_ci

    out = []
    for collection in dict.fromkeys(r.collection for r in rows):
        mine = [r for r in rows if r.collection == collection]
        units = list(dict.fromkeys((r.pair, r.item) for r in mine))
        per_item = []
        for unit in units:
            related = {
                s: [
                    r.judgment == "related" for r in mine if (r.pair, r.item) == unit and r.set == s
                ]
                for s in ("pivot", "control")
            }
            per_item.append(
                sum(related["pivot"]) / len(related["pivot"])
                - sum(related["control"]) / len(related["control"])
            )
        concepts = [item for _, item in units]
        mean, low, high = bootstrap_ci(per_item, concepts, seed=seed)
        out.append(
            {
                "collection": collection,
                "items": len(units),
                "concepts": len(set(concepts)),
                "difference": mean,
                "difference low": low,
                "difference high": high,
            }
        )
    return pd.DataFrame(out)


# The continuation's pivot set (chapter 5): not an item's pivots but the words of highest
# weighted degree in the co-occurrence graph of the glass-box model's training documents.
SET_AUDIT_PATH = DATA_DIR / "pivots" / "set_audit.csv"
SET_SAMPLE = 40  # words of the set, and as many controls
SET_PACKETS = 2
SET_TOLERANCE = 1.5  # a control's count is within this factor of its pivot's, where one is
SET_JUDGMENTS = ("content", "function", "name", "fragment")
SET_KEY = ("match", "set", "word", "count")
SET_COLUMNS = ("sample_seed", *SET_KEY, "judgment", "note", "reviewer")
SET_PACKET_COLUMNS = ("row", "word")


def set_draw(pivots: Sequence[str], candidates: Mapping[str, int], seed: int) -> list[dict]:
    """The pivot set's sample with its controls, shuffled: one row per word to judge.

    :data:`SET_SAMPLE` words of the set drawn at random (seeded), each with one control word:
    a word the set's rules admit (``candidates``, with their counts in the same documents) that
    is not in the set, of a count within a factor :data:`SET_TOLERANCE` of the word's (drawn at
    random among those, each used once), else the nearest in log count. A row keeps its
    match (the drawn word's number) and its count, never shown to a reviewer.
    """
    import numpy as np

    missing = [w for w in pivots if w not in candidates]
    if missing:
        raise UserError(f"pivot set word {missing[0]!r} has no count: expected every word's")
    rng = random.Random(f"{seed}:pivot set")
    chosen = rng.sample(list(pivots), min(SET_SAMPLE, len(pivots)))
    in_set = set(pivots)
    pool = sorted(w for w in candidates if w not in in_set)
    rows = []
    for match, word in enumerate(chosen, start=1):
        if not pool:
            break
        gap = np.abs(np.log([candidates[w] for w in pool]) - np.log(candidates[word]))
        near = [w for w, g in zip(pool, gap, strict=True) if g <= np.log(SET_TOLERANCE)]
        control = rng.choice(near) if near else pool[int(np.argmin(gap))]
        pool.remove(control)
        rows += [
            {"match": match, "set": kind, "word": w, "count": candidates[w]}
            for kind, w in (("pivot", word), ("control", control))
        ]
    return random.Random(seed).sample(rows, len(rows))


def set_packets(pivots: Sequence[str], candidates: Mapping[str, int], seed: int):
    """The set's sample as :data:`SET_PACKETS` packets of numbered words (no set, no count)."""
    rows = [
        {"row": i, "word": r["word"]} for i, r in enumerate(set_draw(pivots, candidates, seed), 1)
    ]
    return _split(rows, SET_PACKETS)


def set_collect(
    judged: list[Path],
    pivots: Sequence[str],
    candidates: Mapping[str, int],
    seed: int,
    reviewer: str,
    out: Path = SET_AUDIT_PATH,
) -> int:
    """Merge the set's judged packets into its audit file, as :func:`collect` does."""
    drawn = set_draw(pivots, candidates, seed)
    return _merge(
        judged, drawn, SET_KEY, SET_JUDGMENTS, seed, reviewer, SET_COLUMNS, set_parse, out
    )


@dataclass(frozen=True)
class SetJudgment:
    """One judged word of the pivot set's sample: a word of the set or a control."""

    match: int  # the drawn word's number, its control's too
    set: str  # pivot or control
    word: str
    count: int  # in the documents the set comes from
    judgment: str
    note: str = ""


def set_parse(text: str, where: str) -> tuple[dict, list[SetJudgment]]:
    """The set audit's seed and judgments; one-line errors for bad rows."""
    meta, rows = _parse(text, where, SET_COLUMNS, SET_JUDGMENTS, SetJudgment)
    kinds: dict[int, list[str]] = {}
    for r in rows:
        kinds.setdefault(r.match, []).append(r.set)
    unmatched = [m for m, k in kinds.items() if sorted(k) != ["control", "pivot"]]
    if unmatched:
        raise UserError(
            f"{where}: match {unmatched[0]} holds {', '.join(sorted(kinds[unmatched[0]]))}: "
            "expected one word of the set and one control"
        )
    return meta, rows


def set_matching(rows: list[SetJudgment]) -> dict:
    """How closely the controls match their words' counts.

    The matches, how many lie outside :data:`SET_TOLERANCE`, and the median of the larger
    count over the smaller.
    """
    import numpy as np

    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r.match, {})[r.set] = r.count
    ratios = [max(c.values()) / min(c.values()) for c in counts.values()]
    return {
        "matches": len(ratios),
        "outside": sum(q > SET_TOLERANCE for q in ratios),
        "median ratio": float(np.median(ratios)),
    }


def _parse(text: str, where: str, columns, judgments, record) -> tuple[dict, list]:
    """An audit file's seed and its rows as ``record``s; one-line errors for bad rows."""
    meta: dict = {}
    rows = []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise UserError(f"{where}: no column {', '.join(missing)}: expected {', '.join(columns)}")
    for line_no, row in enumerate(reader, start=2):
        at = f"{where}:{line_no}"
        if row.get("judgment") not in judgments:
            raise UserError(
                f"{at}: judgment {row.get('judgment')!r}: expected {', '.join(judgments)}"
            )
        if row.get("set") not in ("pivot", "control"):
            raise UserError(f"{at}: set {row.get('set')!r}: expected pivot or control")
        values = {}
        for name, f in {"sample_seed": None, **record.__dataclass_fields__}.items():
            value = row[name]
            if name == "sample_seed" or f.type == "int":
                if not (value or "").isdigit():
                    raise UserError(f"{at}: {name} {value!r}: expected a whole number")
                value = int(value)
            values[name] = value
        here = {"sample_seed": values.pop("sample_seed")}
        if meta and here != meta:
            raise UserError(f"{at}: a second sample in one audit")
        meta = here
        rows.append(record(**values))
    if not rows:
        raise UserError(f"{where}: no judgments")
    return meta, rows


def set_committed(
    pivots: Sequence[str], candidates: Mapping[str, int], path: Path = SET_AUDIT_PATH
):
    """The committed set audit and its seed, where its seed draws exactly the words judged.

    None where there is no audit, or it judged another set (another profile or corpus).
    """
    if not path.exists():
        return None
    meta, rows = set_parse(path.read_text(encoding="utf-8"), str(path))
    drawn = set_draw(pivots, candidates, meta["sample_seed"])
    same = sorted(_key(d, SET_KEY) for d in drawn) == sorted(
        _key(r.__dict__, SET_KEY) for r in rows
    )
    return (meta, rows) if same else None


def set_shares(rows: list[SetJudgment]) -> pd.DataFrame:
    """Per set (pivot, control): words judged, each judgment's share with a Wilson interval."""
    groups = {kind: [r for r in rows if r.set == kind] for kind in ("pivot", "control")}
    return pd.DataFrame([_shares_row({"set": k}, g, SET_JUDGMENTS) for k, g in groups.items() if g])


def content_difference(rows: list[SetJudgment]) -> dict:
    """The share of the set's words judged content words minus that of their controls.

    With Newcombe's interval for a difference of two independent proportions (from the two
    Wilson intervals): the controls are matched to the words by count only, not judged in pairs.
    """
    content = {
        kind: [r.judgment == "content" for r in rows if r.set == kind]
        for kind in ("pivot", "control")
    }
    (k1, n1), (k2, n2) = ((sum(c), len(c)) for c in content.values())
    low, high = newcombe(k1, n1, k2, n2)
    return {
        "pivots": n1,
        "controls": n2,
        "difference": k1 / n1 - k2 / n2,
        "difference low": low,
        "difference high": high,
    }
