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
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from semantic_pivots.data.clwtd import Item, sample
from semantic_pivots.errors import UserError
from semantic_pivots.paths import CLWTD_DIR

AUDIT_PATH = CLWTD_DIR / "audit.csv"
SAMPLE_SIZE = 200
PACKETS = 4  # the sample is judged in this many packets of equal size
DISTRACTOR_ITEMS = 13  # per packet, the first items have their distractors judged too
DISTRACTOR_LANGS = ("fr", "zh")
LANGS = ("en", "fr", "de", "es", "zh", "ja")
PACKET_COLUMNS = ("item", "wordnet_synonyms", "definition", "lang", "kind", "word")
CORE = ("en", "fr", "zh", "ja")
# The judgments; an answer counts as an error when it is of another sense or simply wrong.
ANSWER = ("correct", "acceptable", "wrong_sense", "wrong")
ERRORS = frozenset({"wrong_sense", "wrong"})
DISTRACTOR = ("translation", "close", "unrelated")
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


def draw(items: list[Item], n: int, seed: int) -> list[Item]:
    """The audit's sample: the list's own seeded sample, so anyone can draw it again."""
    return sample(items, n, seed)


def packets(items: list[Item], nouns, seed: int, n: int = SAMPLE_SIZE) -> list[list[dict]]:
    """The rows a reviewer judges, in ``PACKETS`` packets.

    For each sampled item its synset's lemmas and definition, and its word in every language;
    for the first ``DISTRACTOR_ITEMS`` items of each packet, also their distractors in
    ``DISTRACTOR_LANGS``. The reviewer adds a ``judgment`` and a ``note`` to each row, without
    seeing the rule that built the list.
    """
    drawn = draw(items, n, seed)
    size = math.ceil(len(drawn) / PACKETS)
    out = []
    for start in range(0, len(drawn), size):
        rows = []
        for j, it in enumerate(drawn[start : start + size]):
            synset = nouns.synsets[it.synset]
            head = {
                "item": it.id,
                "wordnet_synonyms": ", ".join(synset.lemmas),
                "definition": synset.gloss,
            }
            rows += [
                head | {"lang": lg, "kind": "answer", "word": it.words[lg]}
                for lg in LANGS
                if lg in it.words
            ]
            if j < DISTRACTOR_ITEMS:
                rows += [
                    head | {"lang": lg, "kind": "distractor", "word": w}
                    for lg in DISTRACTOR_LANGS
                    for w in it.distractors[lg]
                ]
        out.append(rows)
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

    Returns the number of rows. Every packet row must carry a valid judgment, and the packets
    must be the sample the seed draws from this list; nothing is written otherwise.
    """
    by_id = {it.id: it for it in items}
    digest = list_digest(list_path)
    rows = []
    for path in judged:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
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
                        "note": row.get("note", ""),
                        "reviewer": reviewer,
                    }
                )
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    meta, judgments = read(tmp)  # refuses a bad judgment before the file lands
    check_list(meta, judgments, items, list_path)
    tmp.replace(out)
    return len(rows)


def read(path: Path = AUDIT_PATH) -> tuple[dict, list[Judgment]]:
    """The audit's header (seed, list hash) and its judgments; one-line errors for bad rows."""
    rows, meta = [], {}
    with open(path, encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{path}:{line_no}"
            allowed = ANSWER if row.get("kind") == "answer" else DISTRACTOR
            if row.get("kind") not in ("answer", "distractor"):
                raise UserError(f"{where}: kind {row.get('kind')!r}: expected answer or distractor")
            if row.get("judgment") not in allowed:
                expected = ", ".join(allowed)
                raise UserError(f"{where}: judgment {row.get('judgment')!r}: expected {expected}")
            here = {"sample_seed": int(row["sample_seed"]), "list_sha256": row["list_sha256"]}
            if meta and here != meta:
                raise UserError(f"{where}: a second sample or list in one audit")
            meta = here
            rows.append(
                Judgment(
                    row["item"], row["lang"], row["kind"], row["word"], row["judgment"], row["note"]
                )
            )
    if not rows:
        raise UserError(f"{path}: no judgments")
    return meta, rows


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (95 % by default)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


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
    for lang in dict.fromkeys(r.lang for r in answers):
        mine = [r for r in answers if r.lang == lang]
        out.append(_rate_row(lang, sum(r.judgment in ERRORS for r in mine), len(mine)))
    items = dict.fromkeys(r.item for r in answers)
    bad = {r.item for r in answers if r.lang in CORE and r.judgment in ERRORS}
    out.append(_rate_row("any core answer", len(bad), len(items)))
    return pd.DataFrame(out)


def judgment_counts(rows: list[Judgment], kind: str) -> pd.DataFrame:
    """Counts of each judgment per language, for answers or distractors, with shares."""
    labels = ANSWER if kind == "answer" else DISTRACTOR
    mine = [r for r in rows if r.kind == kind]
    table = pd.DataFrame(
        {
            lang: [sum(r.lang == lang and r.judgment == j for r in mine) for j in labels]
            for lang in dict.fromkeys(r.lang for r in mine)
        },
        index=pd.Index(labels, name="judgment"),
    )
    return table


def errors(rows: list[Judgment]) -> pd.DataFrame:
    """Every answer judged wrong or of another sense, with the reviewer's note."""
    return pd.DataFrame(
        [r.__dict__ for r in rows if r.kind == "answer" and r.judgment in ERRORS],
        columns=["item", "lang", "word", "judgment", "note"],
    )


def check_list(meta: dict, rows: list[Judgment], items: list[Item], list_path: Path) -> None:
    """The audit judged this list, on the sample its seed draws; else a one-line error."""
    digest = list_digest(list_path)
    if meta["list_sha256"] != digest:
        raise UserError(
            f"the audit judged list {meta['list_sha256'][:12]}, not {list_path} ({digest[:12]}): "
            "audit the committed list again"
        )
    audited = set(r.item for r in rows)
    drawn = {it.id for it in draw(items, len(audited), meta["sample_seed"])}
    if drawn != audited:
        raise UserError(f"the audit's items are not the sample seed {meta['sample_seed']} draws")


def frequency_profile(items: list[Item], langs: list[str], floor: float = 3.0) -> pd.DataFrame:
    """How common the answers are, per language.

    The answers' median Zipf frequency (wordfreq, exact look-up) and the share below
    ``floor``; then the same for each item's rarest core answer.
    """
    import wordfreq

    from semantic_pivots.data.build_clwtd import zipf

    values = {
        lang: [
            zipf(wordfreq.get_frequency_dict(lang), it.words[lang])
            for it in items
            if lang in it.words
        ]
        for lang in langs
    }
    rows = [
        {
            "language": lang,
            "answers": len(v),
            "median Zipf": float(pd.Series(v).median()),
            f"share below {floor:g}": sum(x < floor for x in v) / len(v),
        }
        for lang, v in values.items()
        if v
    ]
    core = [lang for lang in CORE if lang in values]
    rarest = [
        min(zipf(wordfreq.get_frequency_dict(lg), it.words[lg]) for lg in core)
        for it in items
        if all(lg in it.words for lg in core)
    ]
    rows.append(
        {
            "language": "rarest core answer",
            "answers": len(rarest),
            "median Zipf": float(pd.Series(rarest).median()),
            f"share below {floor:g}": sum(x < floor for x in rarest) / len(rarest),
        }
    )
    return pd.DataFrame(rows)
