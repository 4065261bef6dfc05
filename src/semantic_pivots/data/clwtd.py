"""The CLWTD word list: typed items, readers for three layouts, and a validator.

Layouts read here:

* the native JSONL (``data/clwtd/items.jsonl``): one item a line with ``id``, ``words``,
  ``accepted``, ``distractors`` and optionally ``pair_distractors``, ``synset``, ``group``,
  ``gloss``;
* the authors' JSONL: ``{"en": {"en": word, "fr": [options...]}, "fr": {...}}`` where
  ``row[l2][l1]`` lists source-language (l1) distractors for the pair l1 -> l2;
* a plain CSV: a column per language code, and optional ``{lang}_alternatives`` and
  ``{lang}_distractors`` columns holding ``|``-separated words.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from semantic_pivots import languages
from semantic_pivots.errors import UserError
from semantic_pivots.paths import CLWTD_DIR, atomic_write_text

N_DISTRACTORS = 9
DEFAULT_PATH = CLWTD_DIR / "items.jsonl"


@dataclass(frozen=True)
class Item:
    """One concept: its word in each language, accepted spellings, and distractors."""

    id: str
    words: dict[str, str]
    accepted: dict[str, list[str]] = field(default_factory=dict)
    distractors: dict[str, list[str]] = field(default_factory=dict)
    # "l1-l2" -> source-language (l1) distractors used when translating l1 -> l2.
    pair_distractors: dict[str, list[str]] = field(default_factory=dict)
    synset: str = ""  # a WordNet id, e.g. 02084071-n
    group: str = ""  # e.g. the WordNet lexicographer file, noun.animal
    gloss: str = ""  # what the concept is, in English
    # language -> how many of its distractors come from outside the item's neighbourhood
    far: dict[str, int] = field(default_factory=dict)

    def answers(self, lang: str) -> list[str]:
        """Every spelling that counts as a correct translation into ``lang``."""
        return self.accepted.get(lang) or [self.words[lang]]

    def same_string(self, src: str, tgt: str) -> bool:
        """The source and target words are one string (bus/bus, 豆/豆): copying answers it."""
        return self.words[src].casefold() == self.words[tgt].casefold()

    def source_distractors(self, src: str, tgt: str) -> list[str]:
        """The distractors that replace the source word when scoring ``src -> tgt``."""
        return self.pair_distractors.get(f"{src}-{tgt}") or self.distractors.get(src, [])

    def to_json(self) -> dict:
        row = {
            "id": self.id,
            "words": self.words,
            "accepted": self.accepted,
            "distractors": self.distractors,
        }
        if self.pair_distractors:
            row["pair_distractors"] = self.pair_distractors
        for key in ("synset", "group", "gloss"):
            if getattr(self, key):
                row[key] = getattr(self, key)
        if self.far:
            row["far_distractors"] = self.far
        return row


@dataclass(frozen=True)
class Dataset:
    items: list[Item]
    source: str = ""
    lines: list[int] = field(default_factory=list)  # each item's line in its file

    def line(self, index: int) -> int:
        return self.lines[index] if self.lines else index + 1

    @property
    def languages(self) -> list[str]:
        """Languages every item has, in the order of the first item."""
        if not self.items:
            return []
        common = set.intersection(*(set(it.words) for it in self.items))
        return [lang for lang in self.items[0].words if lang in common]

    def digest(self) -> str:
        """A hash of the content, for caching results computed on this dataset."""
        text = "\n".join(dumps_item(it) for it in self.items)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def require(self, langs: list[str], min_items: int = 1) -> None:
        """Stop with one line if a language is unknown, missing from an item, or items are few."""
        languages.check_codes(langs)
        for it in self.items:
            missing = [lang for lang in langs if lang not in it.words]
            if missing:
                raise UserError(
                    f"{self.source or 'dataset'}: item {it.id!r} has no word for "
                    f"{', '.join(missing)}"
                )
        if len(self.items) < min_items:
            raise UserError(
                f"{self.source or 'dataset'}: {len(self.items)} items, at least {min_items} needed"
            )


def dumps_item(item: Item) -> str:
    return json.dumps(item.to_json(), ensure_ascii=False, sort_keys=True)


def save_jsonl(items: list[Item], path: Path) -> None:
    atomic_write_text(path, "".join(dumps_item(it) + "\n" for it in items))


# -- validation ---------------------------------------------------------------------------


def problems(item: Item, n_distractors: int = N_DISTRACTORS) -> list[str]:
    """Why an item is malformed (empty when it is fine)."""
    out = []
    if not item.id:
        out.append("empty id")
    for lang, word in item.words.items():
        if lang not in languages.NAMES:
            out.append(f"unknown language {lang!r}")
            continue
        if not isinstance(word, str) or not word.strip():
            out.append(f"empty {lang} word")
            continue
        if "|" in word:
            out.append(f"{lang} word {word!r} holds several words: keep one, accept the others")
            continue
        answers = set(item.answers(lang))
        if word not in answers:
            out.append(f"{lang} word {word!r} is not among its accepted answers")
        dis = item.distractors.get(lang)
        if dis is None:
            continue
        if len(dis) != n_distractors:
            out.append(f"{lang}: {len(dis)} distractors, expected {n_distractors}")
        if len(set(dis)) != len(dis):
            out.append(f"{lang}: repeated distractors")
        clash = answers & set(dis)
        if clash:
            out.append(f"{lang}: distractor equals an accepted answer: {sorted(clash)[0]!r}")
        bad = [d for d in dis if not languages.is_single_word(d, lang)]
        if bad:
            out.append(f"{lang}: distractor is not a single {lang} word: {bad[0]!r}")
    for pair, dis in item.pair_distractors.items():
        src = pair.split("-")[0]
        if src in item.words and set(dis) & set(item.answers(src)):
            out.append(f"{pair}: a distractor equals the source word")
    return out


def has_distractors(item: Item, lang: str) -> bool:
    """Whether ``item`` can be scored from ``lang``: distractors of its own or per pair."""
    return bool(item.distractors.get(lang)) or any(
        pair.split("-")[0] == lang and dis for pair, dis in item.pair_distractors.items()
    )


def validate(
    dataset: Dataset, n_distractors: int = N_DISTRACTORS, scored: Sequence[str] = ()
) -> None:
    """Raise on the first malformed row, naming file, line and reason.

    Raise on the first malformed row, naming file, line and reason; also reject duplicate
    ids, and items without distractors in a language of ``scored`` (the languages a run scores
    from).
    """
    seen: dict[str, int] = {}
    for index, item in enumerate(dataset.items):
        line = dataset.line(index)
        where = f"{dataset.source or 'dataset'}:{line}"
        reasons = problems(item, n_distractors)
        reasons += [
            f"no {lang} distractors: give them, or choose the rule that draws them from the "
            "list (distractors random)"
            for lang in scored
            if lang in item.words and not has_distractors(item, lang)
        ]
        if reasons:
            raise UserError(f"{where}: item {item.id!r}: {reasons[0]}")
        if item.id in seen:
            raise UserError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = line


def warnings(dataset: Dataset) -> list[str]:
    """What is legal in a word list but likely unintended.

    What is legal but likely unintended: an answer two items share (two concepts with one
    word: the task cannot tell them apart), and traditional beside simplified Chinese.
    """
    out = []
    owners: dict[tuple[str, str], list[str]] = {}
    for it in dataset.items:
        for lang in it.words:
            for a in it.answers(lang):
                owners.setdefault((lang, a), []).append(it.id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    if shared:
        (lang, word), ids = next(iter(shared.items()))
        out.append(
            f"{len(shared)} answers belong to two or more items, e.g. {lang} {word!r}: "
            f"{', '.join(ids[:3])}"
        )
    zh = [it.words["zh"] for it in dataset.items if "zh" in it.words]
    if zh:
        import opencc

        t2s = opencc.OpenCC("t2s")
        traditional = [w for w in zh if t2s.convert(w) != w]
        if traditional and len(traditional) < len(zh):
            out.append(
                f"zh: {len(traditional)} of {len(zh)} words are in traditional characters "
                f"(e.g. {traditional[0]!r}), the others simplified: one script per column "
                "keeps the task uniform"
            )
    return out


def blanks(dataset: Dataset, langs: Sequence[str] | None = None) -> dict[str, str]:
    """Per language of ``langs`` (default: the list's) that some items lack, where they lack it.

    "N items have no word (file:line, ...)": a run in that language leaves them out.
    """
    present = {lang for it in dataset.items for lang in it.words}
    out = {}
    for lang in langs if langs is not None else sorted(present):
        lines = [dataset.line(i) for i, it in enumerate(dataset.items) if lang not in it.words]
        if lines and lang in present:
            where = ", ".join(f"{dataset.source or 'dataset'}:{n}" for n in lines[:3])
            more = f" and {len(lines) - 3} more" if len(lines) > 3 else ""
            out[lang] = (
                f"{len(lines)} items have no word ({where}{more}): a run in {lang} leaves them out"
            )
    return out


# -- readers ------------------------------------------------------------------------------


def _words_list(value, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise UserError(f"{where}: {key} must be a list of strings")
    return value


def _read_json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not data
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path}: cannot read ({exc.__class__.__name__}): expected UTF-8 JSONL"
        ) from None
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise UserError(f"{path}:{line_no}: expected a JSON object")
        yield line_no, row


def read_native(path: Path) -> Dataset:
    items, lines = [], []
    for line_no, row in _read_json_lines(path):
        where = f"{path}:{line_no}"
        if not isinstance(row.get("words"), dict) or not row.get("id"):
            raise UserError(f"{where}: expected keys 'id' and 'words' (a language -> word object)")
        items.append(
            Item(
                id=str(row["id"]),
                words=dict(row["words"]),
                accepted={
                    k: _words_list(v, where, f"accepted.{k}")
                    for k, v in row.get("accepted", {}).items()
                },
                distractors={
                    k: _words_list(v, where, f"distractors.{k}")
                    for k, v in row.get("distractors", {}).items()
                },
                pair_distractors={
                    k: _words_list(v, where, f"pair_distractors.{k}")
                    for k, v in row.get("pair_distractors", {}).items()
                },
                synset=row.get("synset", ""),
                group=row.get("group", ""),
                gloss=row.get("gloss", ""),
                far={k: int(v) for k, v in row.get("far_distractors", {}).items()},
            )
        )
        lines.append(line_no)
    return Dataset(items, source=str(path), lines=lines)


def read_authors(path: Path) -> Dataset:
    """The authors' layout; rows whose distractor generation failed (plain strings) are skipped."""
    items, lines = [], []
    for line_no, row in _read_json_lines(path):
        where = f"{path}:{line_no}"
        if not all(isinstance(v, dict) for v in row.values()):
            continue
        words = {}
        for lang, block in row.items():
            if not isinstance(block.get(lang), str):
                raise UserError(f"{where}: expected row[{lang!r}][{lang!r}] to be the {lang} word")
            words[lang] = block[lang]
        pairs = {}
        for tgt, block in row.items():
            for src, options in block.items():
                if src != tgt:
                    pairs[f"{src}-{tgt}"] = _words_list(options, where, f"{tgt}.{src}")[
                        :N_DISTRACTORS
                    ]
        items.append(Item(id=words.get("en", f"row{line_no}"), words=words, pair_distractors=pairs))
        lines.append(line_no)
    return Dataset(items, source=str(path), lines=lines)


CSV_FIELDS = ("id", "synset", "group", "gloss")  # a CSV list's columns besides the languages'
CSV_PER_LANGUAGE = ("alternatives", "distractors")  # columns named <language>_<kind>


def read_csv(path: Path) -> Dataset:
    try:
        # utf-8-sig: spreadsheet exports start with a byte-order mark, which would otherwise
        # become part of the first column's name
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: cannot read as UTF-8 CSV ({exc})") from None
    if not rows:
        raise UserError(f"{path}: no rows; expected a header with a column per language code")
    langs = [c for c in rows[0] if c in languages.NAMES]
    if not langs:
        raise UserError(f"{path}: no language column; expected columns named like en, fr, zh")
    known = {
        *langs,
        *CSV_FIELDS,
        *(f"{lang}_{kind}" for lang in langs for kind in CSV_PER_LANGUAGE),
    }
    # an empty name (a header's trailing comma) holds no column of the list
    unknown = [c for c in rows[0] if c and c not in known]
    if unknown:
        raise UserError(
            f"{path}: column {unknown[0]!r} is neither a language the study knows "
            f"({', '.join(sorted(languages.NAMES))}) nor {', '.join(CSV_FIELDS)} or "
            f"<language>_{' / _'.join(CSV_PER_LANGUAGE)}"
        )

    def split(cell: str | None) -> list[str]:
        return [w.strip() for w in (cell or "").split("|") if w.strip()]

    items, lines = [], []
    for line_no, row in enumerate(rows, start=2):
        if None in row:
            raise UserError(f"{path}:{line_no}: more cells than the header has columns")
        if None in row.values():
            given = sum(v is not None for v in row.values())
            raise UserError(f"{path}:{line_no}: {given} cells, the header has {len(row)} columns")
        words = {lang: row[lang].strip() for lang in langs if row[lang].strip()}
        if not words:
            raise UserError(f"{path}:{line_no}: empty row")
        for lang, word in words.items():
            if "|" in word:
                raise UserError(
                    f"{path}:{line_no}: the {lang} cell {word!r} holds several words: keep one "
                    f"and put the others in a {lang}_alternatives column"
                )
        accepted = {
            lang: [words[lang]]
            + [a for a in split(row.get(f"{lang}_alternatives")) if a != words[lang]]
            for lang in words
            if row.get(f"{lang}_alternatives")
        }
        # a distractor column with a blank cell gives that item none (the validator says so)
        distractors = {
            lang: split(row[f"{lang}_distractors"])
            for lang in words
            if f"{lang}_distractors" in row
        }
        items.append(
            Item(
                id=row.get("id") or words.get("en") or f"row{line_no}",
                words=words,
                accepted=accepted,
                distractors=distractors,
                synset=row.get("synset", ""),
                group=row.get("group", ""),
                gloss=row.get("gloss", ""),
            )
        )
        lines.append(line_no)
    return Dataset(items, source=str(path), lines=lines)


def load(path: str | Path | None = None, fmt: str = "auto") -> Dataset:
    """Read a word list in any supported layout (``fmt``: auto, native, authors or csv)."""
    path = Path(path) if path else DEFAULT_PATH
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected a CLWTD word list (.jsonl or .csv)")
    if fmt == "auto":
        if path.suffix.lower() == ".csv":
            fmt = "csv"
        else:
            first = next(_read_json_lines(path), (0, {}))[1]
            fmt = "native" if "words" in first else "authors"
    readers = {"native": read_native, "authors": read_authors, "csv": read_csv}
    if fmt not in readers:
        raise UserError(f"unknown word-list format {fmt!r}: expected auto, {', '.join(readers)}")
    return readers[fmt](path)


# How the distractors of a list are chosen: "list", the list's own (close in meaning when the
# list was built for the task); "random", nine other words of the same list in the source
# language. Random distractors make the task easier: scores under the two are not comparable.
DISTRACTOR_RULES = ("list", "random")


def check_rule(rule: str) -> str:
    if rule not in DISTRACTOR_RULES:
        raise UserError(
            f"unknown distractor rule {rule!r}: expected one of {', '.join(DISTRACTOR_RULES)}"
        )
    return rule


def with_distractors(dataset: Dataset, rule: str, seed: int = 0, n: int = N_DISTRACTORS) -> Dataset:
    """The dataset with its distractors chosen by ``rule`` (:data:`DISTRACTOR_RULES`).

    ``random``: for every item and language, ``n`` distinct one-word main words of other
    items, drawn with a seed from the item and language, never from an item that shares an
    accepted answer with it in any language (it would translate to the same word).
    """
    import random
    from collections import defaultdict
    from dataclasses import replace

    if check_rule(rule) == "list":
        return dataset
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, word) -> item ids
    words: dict[str, set[str]] = defaultdict(set)  # lang -> one-word main words
    for it in dataset.items:
        for lang, word in it.words.items():
            for a in {word, *it.answers(lang)}:
                owners[lang, a].add(it.id)
            if languages.is_single_word(word, lang):
                words[lang].add(word)
    vocab = {lang: sorted(words[lang]) for lang in {lg for it in dataset.items for lg in it.words}}
    items = []
    for it in dataset.items:
        related = {
            o
            for lang, word in it.words.items()
            for a in {word, *it.answers(lang)}
            for o in owners[lang, a]
        }

        drawn = {}
        for lang in it.words:
            rng = random.Random(f"{seed}|{it.id}|{lang}")
            # a sample a little larger than needed usually suffices; else the whole pool
            picks = [
                w
                for w in rng.sample(vocab[lang], min(len(vocab[lang]), 2 * n + 10))
                if not owners[lang, w] & related
            ]
            if len(picks) < n:
                picks = [w for w in vocab[lang] if not owners[lang, w] & related]
                rng.shuffle(picks)
            if len(picks) < n:
                raise UserError(
                    f"{dataset.source or 'dataset'}: item {it.id!r}: {len(picks)} one-word "
                    f"{lang} words of unrelated items: the random distractor rule needs {n}"
                )
            drawn[lang] = picks[:n]
        items.append(replace(it, distractors=drawn, pair_distractors={}))
    return Dataset(items, source=dataset.source, lines=dataset.lines)


def study_list(
    path: str | Path | None, rule: str, seed: int, langs: list[str], min_items: int
) -> Dataset:
    """The word list a notebook runs on, checked.

    The word list a notebook runs on: read, distractors chosen by ``rule``, the items with a
    word in every language of ``langs`` (at least ``min_items``), validated.
    """
    dataset = with_distractors(load(path), rule, seed)
    languages.check_codes(langs)
    # a list may leave out a language where it has no word (the default list: de, es)
    keep = [i for i, it in enumerate(dataset.items) if all(lang in it.words for lang in langs)]
    if not keep:
        raise UserError(
            f"{dataset.source or 'dataset'}: no item has a word in each of {', '.join(langs)}"
        )
    if len(keep) < len(dataset.items):
        import sys

        lost = "; ".join(f"{lang}: {b}" for lang, b in blanks(dataset, langs).items())
        print(
            f"{dataset.source or 'dataset'}: {len(dataset.items) - len(keep)} of "
            f"{len(dataset.items)} items left out, without a word in each run language ({lost})",
            file=sys.stderr,
        )
        dataset = Dataset(
            [dataset.items[i] for i in keep],
            source=dataset.source,
            lines=[dataset.line(i) for i in keep],
        )
    dataset.require(langs, min_items)
    validate(dataset, scored=langs)
    return dataset


def sample(items: list[Item], n: int | None, seed: int = 0) -> list[Item]:
    """A deterministic sample of ``n`` items in their original order (all when ``n`` is None)."""
    import random

    if n is None or n >= len(items):
        return items
    return sorted(random.Random(seed).sample(items, n), key=items.index)
