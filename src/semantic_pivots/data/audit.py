"""The word list's blind audit: a seeded sample judged by a reviewer who did not write the rule.

``data/clwtd/audit.csv`` holds one row per judged word, with the sample's seed and the
sha256 of the ``items.jsonl`` it judged: every answer of the sampled items (and the English
word) is judged against the item's WordNet synset, and for the first ``DISTRACTOR_ITEMS``
items their French and Chinese distractors. This module reads it, checks that it judged the
committed list, and summarises it with Wilson intervals.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from semantic_pivots.data import clwtd
from semantic_pivots.data.clwtd import Item, sample
from semantic_pivots.data.words import CORE, MIN_ZIPF, zipf
from semantic_pivots.errors import UserError
from semantic_pivots.languages import BUILT as LANGS
from semantic_pivots.paths import CLWTD_DIR, atomic_write_text
from semantic_pivots.stats import wilson

AUDIT_PATH = CLWTD_DIR / "audit.csv"
SAMPLE_SIZE = 200
PACKETS = 4  # the sample is judged in this many packets of equal size
DISTRACTOR_ITEMS = 13  # per packet, the first items have their distractors judged too
DISTRACTOR_LANGS = ("fr", "zh")
PACKET_COLUMNS = ("item", "wordnet_synonyms", "definition", "lang", "kind", "word")
# The judgments; an answer counts as an error when it is of another sense or simply wrong.
ANSWER = ("correct", "acceptable", "wrong_sense", "wrong")
ERRORS = frozenset({"wrong_sense", "wrong"})
DISTRACTOR = ("translation", "close", "unrelated")
# a judgment as the book writes it (the data keeps the packets' words)
READS = {"wrong_sense": "another sense"}
COLUMNS = (
    "sample_seed",
    "list_sha256",
    "item",
    "synset",
    "lang",
    "kind",
    "word",
    "judgment",
    "note",
    "reviewer",
)


@dataclass(frozen=True)
class Judgment:
    """One judged word: an answer (or the English word) or a distractor of a sampled item."""

    item: str
    lang: str
    kind: str  # answer or distractor
    word: str
    judgment: str
    note: str = ""


def list_digest(path: Path) -> str:
    """The sha256 of a word-list file, as the audit records it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def to_judge(items: list[Item], seed: int, n: int = SAMPLE_SIZE) -> list[list[tuple]]:
    """What a reviewer judges, in ``PACKETS`` packets of (item, lang, kind, word) rows.

    The sample in a seeded random order, so that no reviewer gets one band of the list (it
    runs from the most frequent English words down); each item's word in every language, and
    for the first ``DISTRACTOR_ITEMS`` items of each packet their distractors in
    ``DISTRACTOR_LANGS``.
    """
    drawn = sample(items, n, seed)
    drawn = random.Random(seed).sample(drawn, len(drawn))
    size = math.ceil(len(drawn) / PACKETS)
    out = []
    for start in range(0, len(drawn), size):
        rows = []
        for j, it in enumerate(drawn[start : start + size]):
            rows += [(it.id, lg, "answer", it.words[lg]) for lg in LANGS if lg in it.words]
            if j < DISTRACTOR_ITEMS:
                rows += [
                    (it.id, lg, "distractor", w)
                    for lg in DISTRACTOR_LANGS
                    for w in it.distractors[lg]
                ]
        out.append(rows)
    return out


def packets(items: list[Item], nouns, seed: int, n: int = SAMPLE_SIZE) -> list[list[dict]]:
    """The packets of :func:`to_judge` as rows for a reviewer.

    The reviewer adds a ``judgment`` and a ``note`` to each without seeing the rule that built
    the list; each row also gives the item's synset (its lemmas and definition), against which
    the words are judged.
    """
    by_id = {it.id: it for it in items}
    out = []
    for rows in to_judge(items, seed, n):
        packet = []
        for item, lang, kind, word in rows:
            synset = nouns.synsets[by_id[item].synset]
            packet.append(
                {
                    "item": item,
                    "wordnet_synonyms": ", ".join(synset.lemmas),
                    "definition": synset.gloss,
                    "lang": lang,
                    "kind": kind,
                    "word": word,
                }
            )
        out.append(packet)
    return out


def collect(
    judged: list[Path],
    items: list[Item],
    seed: int,
    list_path: Path,
    reviewer: str,
    out: Path = AUDIT_PATH,
) -> int:
    """Merge judged packets into the audit file with the seed and the list's hash.

    Returns the number of rows. Every row must carry a valid judgment, and the rows must be
    exactly those the seed draws from this list (:func:`to_judge`); nothing is written
    otherwise.
    """
    by_id = {it.id: it for it in items}
    digest = list_digest(list_path)
    rows = []
    for path in judged:
        with open(path, encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                if row.get("item") not in by_id:
                    raise UserError(
                        f"{path}:{line_no}: item {row.get('item')!r} is not in the list"
                    )
                rows.append(
                    {
                        "sample_seed": seed,
                        "list_sha256": digest,
                        "item": row["item"],
                        "synset": by_id[row["item"]].synset,
                        "lang": row["lang"],
                        "kind": row["kind"],
                        "word": row["word"],
                        "judgment": row["judgment"],
                        "note": row.get("note") or "",
                        "reviewer": reviewer,
                    }
                )
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    meta, judgments = parse(text.getvalue(), str(out))  # a bad judgment: refused, nothing written
    check_list(meta, judgments, items, list_path)
    atomic_write_text(out, text.getvalue())
    return len(rows)


def read(path: Path = AUDIT_PATH) -> tuple[dict, list[Judgment]]:
    """The audit's header (seed, list hash) and its judgments; one-line errors for bad rows."""
    return parse(Path(path).read_text(encoding="utf-8"), str(path))


def parse(text: str, where: str) -> tuple[dict, list[Judgment]]:
    """:func:`read` on the text of an audit file (``where`` names it in errors)."""
    rows: list[Judgment] = []
    meta: dict = {}
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        at = f"{where}:{line_no}"
        allowed = ANSWER if row.get("kind") == "answer" else DISTRACTOR
        if row.get("kind") not in ("answer", "distractor"):
            raise UserError(f"{at}: kind {row.get('kind')!r}: expected answer or distractor")
        if row.get("judgment") not in allowed:
            expected = ", ".join(allowed)
            raise UserError(f"{at}: judgment {row.get('judgment')!r}: expected {expected}")
        here = {"sample_seed": int(row["sample_seed"]), "list_sha256": row["list_sha256"]}
        if meta and here != meta:
            raise UserError(f"{at}: a second sample or list in one audit")
        meta = here
        rows.append(
            Judgment(
                row["item"], row["lang"], row["kind"], row["word"], row["judgment"], row["note"]
            )
        )
    if not rows:
        raise UserError(f"{where}: no judgments")
    return meta, rows


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe's interval for p1 - p2 of two independent proportions, from their Wilson ones."""
    if not (n1 and n2):
        return (math.nan, math.nan)
    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (low, high)


def _languages(rows: list[Judgment]) -> list[str]:
    """The languages the rows judge, in the list's order."""
    return [lang for lang in LANGS if any(r.lang == lang for r in rows)]


def _rate_row(label: str, k: int, n: int) -> dict:
    low, high = wilson(k, n)
    return {
        "language": label,
        "judged": n,
        "errors": k,
        "error rate": k / n if n else math.nan,
        "error rate low": low,
        "error rate high": high,
    }


def error_rates(rows: list[Judgment]) -> pd.DataFrame:
    """Error rates of the answers per language, with Wilson intervals.

    Per language: answers judged, errors (wrong sense or wrong), the rate and its interval;
    then the share of items with an error in any core answer (en, fr, zh, ja).
    """
    answers = [r for r in rows if r.kind == "answer"]
    out = []
    for lang in _languages(answers):
        mine = [r for r in answers if r.lang == lang]
        out.append(_rate_row(lang, sum(r.judgment in ERRORS for r in mine), len(mine)))
    items = dict.fromkeys(r.item for r in answers)
    bad = {r.item for r in answers if r.lang in CORE and r.judgment in ERRORS}
    out.append(_rate_row("any core answer", len(bad), len(items)))
    return pd.DataFrame(out)


def judgment_counts(rows: list[Judgment], kind: str) -> pd.DataFrame:
    """Counts of each judgment per language, for answers or distractors, as the book reads them."""
    labels = ANSWER if kind == "answer" else DISTRACTOR
    mine = [r for r in rows if r.kind == kind]
    return pd.DataFrame(
        {
            lang: [sum(r.lang == lang and r.judgment == j for r in mine) for j in labels]
            for lang in _languages(mine)
        },
        index=pd.Index([READS.get(j, j) for j in labels], name="judgment"),
    )


def errors(rows: list[Judgment]) -> pd.DataFrame:
    """Every answer judged wrong or of another sense, with the reviewer's note."""
    frame = pd.DataFrame(
        [r.__dict__ for r in rows if r.kind == "answer" and r.judgment in ERRORS],
        columns=["item", "lang", "word", "judgment", "note"],
    )
    return frame.assign(judgment=frame["judgment"].replace(READS))


def check_list(meta: dict, rows: list[Judgment], items: list[Item], list_path: Path) -> None:
    """The audit judged this list, row for row the sample its seed draws; else one line."""
    digest = list_digest(list_path)
    if meta["list_sha256"] != digest:
        raise UserError(
            f"the audit judged list {meta['list_sha256'][:12]}, not {list_path} ({digest[:12]}): "
            "audit the committed list again"
        )
    n = len({r.item for r in rows})
    drawn = sorted(row for packet in to_judge(items, meta["sample_seed"], n) for row in packet)
    if sorted((r.item, r.lang, r.kind, r.word) for r in rows) != drawn:
        raise UserError(
            f"the audit's rows are not the sample seed {meta['sample_seed']} draws from this list"
        )


def committed(dataset: str | None) -> tuple[dict, list[Judgment]] | None:
    """The committed audit, checked against the committed list; None for any other list.

    ``dataset``: the run's word list (None: the committed one, the only list the audit judged).
    """
    if dataset is not None:
        return None
    meta, judged = read()
    check_list(meta, judged, clwtd.load().items, clwtd.DEFAULT_PATH)
    return meta, judged


def frequency_profile(items: list[Item], langs: list[str], floor: float = MIN_ZIPF) -> pd.DataFrame:
    """How common the answers are, per language.

    The answers' median Zipf frequency (wordfreq, exact look-up) and the share below
    ``floor`` (the rule's floor by default); then the same for each item's rarest core answer.
    """
    import wordfreq

    def row(label: str, values: list[float]) -> dict:
        return {
            "language": label,
            "answers": len(values),
            "median Zipf": float(pd.Series(values).median()),
            f"share below {floor:g}": sum(x < floor for x in values) / len(values),
        }

    values = {
        lang: [
            zipf(wordfreq.get_frequency_dict(lang), it.words[lang])
            for it in items
            if lang in it.words
        ]
        for lang in langs
    }
    core = [lang for lang in CORE if lang in values]
    rarest = [
        min(zipf(wordfreq.get_frequency_dict(lg), it.words[lg]) for lg in core)
        for it in items
        if all(lg in it.words for lg in core)
    ]
    rows = [row(lang, v) for lang, v in values.items() if v]
    return pd.DataFrame([*rows, row("rarest core answer", rarest)])
