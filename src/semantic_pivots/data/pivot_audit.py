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

from semantic_pivots.data.audit import wilson
from semantic_pivots.errors import UserError
from semantic_pivots.paths import DATA_DIR, atomic_write_text

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


def _key(row) -> tuple:
    return tuple(row[k] for k in KEY)


def packets(found: Pivots, seed: int) -> list[list[dict]]:
    """The sample as packets of rows for a reviewer (no collection, no set).

    :data:`PACKETS` packets of equal size, fewer where the sample is too small to fill them.
    """
    rows = draw(found, seed)
    size = math.ceil(len(rows) / PACKETS) if rows else 1
    shown = [
        {
            "row": i,
            "pair": r["pair"],
            "concept": r["item"],
            "source": r["source"],
            "target": r["target"],
            "word": r["word"],
        }
        for i, r in enumerate(rows, start=1)
    ]
    return [shown[start : start + size] for start in range(0, len(shown), size)]


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
                back[i] = row
    if len(back) != len(drawn):
        raise UserError(f"{len(back)} of the sample's {len(drawn)} rows judged: expected all")
    rows = [
        {
            "sample_seed": seed,
            **{k: d[k] for k in KEY},
            "judgment": back[i]["judgment"],
            "note": back[i].get("note") or "",
            "reviewer": reviewer,
        }
        for i, d in enumerate(drawn, start=1)
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    parse(text.getvalue(), str(out))  # a bad judgment: refused, nothing written
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, text.getvalue())
    return len(rows)


def parse(text: str, where: str) -> tuple[dict, list[Judgment]]:
    """The audit's header (its seed) and judgments; one-line errors for bad rows."""
    meta: dict = {}
    rows = []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UserError(f"{where}: no column {', '.join(missing)}: expected {', '.join(COLUMNS)}")
    for line_no, row in enumerate(reader, start=2):
        at = f"{where}:{line_no}"
        if row.get("judgment") not in JUDGMENTS:
            raise UserError(
                f"{at}: judgment {row.get('judgment')!r}: expected {', '.join(JUDGMENTS)}"
            )
        if row.get("set") not in ("pivot", "control"):
            raise UserError(f"{at}: set {row.get('set')!r}: expected pivot or control")
        here = {"sample_seed": int(row["sample_seed"])}
        if meta and here != meta:
            raise UserError(f"{at}: a second sample in one audit")
        meta = here
        rows.append(Judgment(*(row[k] for k in Judgment.__dataclass_fields__)))
    if not rows:
        raise UserError(f"{where}: no judgments")
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
                out.append(_shares_row(collection, kind, group))
    return pd.DataFrame(out)


def _shares_row(collection: str, kind: str, group: list[Judgment]) -> dict:
    row: dict = {"collection": collection, "set": kind, "judged": len(group)}
    for j in JUDGMENTS:
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
