"""Document retrieval: which documents of a collection contain a word, and the words they hold.

A collection is a list of documents (the study corpus's units, or the distinct training documents
of a glass-box model) segmented into the study's word tokens (``counts.tokens``, the same
tokenisation as the counts) and stored one per JSONL line as text whose lines are the document's
lines with every token between single spaces (``" le chat dort "``). A word then occurs in a
document exactly where the padded string of its tokens occurs: a run of whole tokens that
spells it (``counts.matches``' rule), never across lines, as a line break is no space. The
engines find a word in a line of any language (身体 in Japanese text too, "table" in English and
French), as in web documents, whose lines carry no language; a local collection records each
document's languages, and pivot discovery keeps the documents with a line of the word's own
(:meth:`Local.with_word`). A Chinese or Japanese word may be cut into tokens in several ways, so
every cut is searched.

Two engines answer "which documents contain w" over one collection and must agree: the in-house
scan (a substring search of every document, the reference) and an infini-gram index of the
collection (infini-gram's own indexer, byte-level; the engine behind the authors' counts). The
hosted infini-gram indices (Dolma and others) answer the same questions online through
:class:`Hosted`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from semantic_pivots.cache import key_digest, source_digest
from semantic_pivots.data import counts
from semantic_pivots.errors import UserError
from semantic_pivots.languages import CAPITALISED_NOUNS, CJK
from semantic_pivots.paths import atomic_dir, cache_dir

ENGINES = ("infini-gram", "in-house")
DOCS = "docs.jsonl"
FREQUENCY = "frequency.json"
WORDS = "words.json"  # each word's language, and the words read as proper names
HOSTED_BACKGROUND = 2000  # documents from which a hosted index's most frequent words are read

Lines = Iterable[tuple[str, str]]  # (language, line) in reading order


def segment_lines(lines: Lines) -> list[tuple[str, list[str]]]:
    """A document's lines as (language, word tokens), the lines without a token left out."""
    out = []
    for lang, line in lines:
        toks = counts.tokens(line, lang)
        if toks:
            out.append((lang, toks))
    return out


def joined(segmented: list[tuple[str, list[str]]]) -> str:
    """A document's text as the collection stores it: each line's tokens between spaces."""
    return "\n".join(" " + " ".join(toks) + " " for _, toks in segmented)


# a proper name: capitalised in at least this share of its occurrences inside a sentence,
# of at least NAME_MIN such occurrences, in the lines of languages that case only names
NAME_SHARE, NAME_MIN = 0.9, 3
_TERMINAL = re.compile(r"[.!?:;]")


@dataclass
class WordFacts:
    """What a collection's lines say of its words beyond the lower-cased text it stores.

    A word's language is the language of most of the lines that hold it (ties in code order).
    A word is a proper name where, in the lines of its language and inside sentences (not the
    first word of a line nor the first after ., !, ?, : or ;, whatever stands between), it is
    capitalised at least :data:`NAME_SHARE` of the time, in at least :data:`NAME_MIN`
    occurrences. Occurrences in capitals throughout (OK, HTML) say nothing and are not counted;
    nor are the lines of languages without case (Chinese, Japanese) or that capitalise every
    noun (German).
    """

    lines: dict[str, Counter] = field(default_factory=dict)
    inside: Counter = field(default_factory=Counter)  # (language, word) -> occurrences
    capitalised: Counter = field(default_factory=Counter)

    def add(self, raw: Lines, segmented: list[tuple[str, list[str]]]) -> None:
        for lang, toks in segmented:
            for tok in set(toks):
                self.lines.setdefault(tok, Counter())[lang] += 1
        for lang, line in raw:
            if lang in CJK or lang in CAPITALISED_NOUNS:
                continue
            previous = None  # where the previous word of the line ended
            for m in counts.cased_tokens(line):
                word = m.group()
                if not word.isalpha():
                    continue
                initial = previous is None or _TERMINAL.search(line, previous, m.start())
                previous = m.end()
                if initial or (len(word) > 1 and word.isupper()):
                    continue
                self.inside[lang, word.lower()] += 1
                self.capitalised[lang, word.lower()] += word[0].isupper()

    def to_json(self) -> dict:
        language = {w: min(c, key=lambda g: (-c[g], g)) for w, c in self.lines.items()}
        return {
            "language": language,
            "names": sorted(
                w
                for (lang, w), n in self.inside.items()
                if lang == language.get(w)
                and n >= NAME_MIN
                and self.capitalised[lang, w] >= NAME_SHARE * n
            ),
        }


def _cuts(form: str) -> Iterator[list[str]]:
    """Every way of cutting ``form`` into consecutive pieces."""
    if len(form) <= 1:
        yield [form]
        return
    for rest in _cuts(form[1:]):
        yield [form[0], *rest]
        yield [form[0] + rest[0], *rest[1:]]


def queries(word: str, lang: str) -> list[str]:
    """The padded strings whose occurrence in a segmented document is an occurrence of ``word``."""
    form = counts.match_form(word, lang)
    if not form:
        return []
    if lang in CJK:
        return sorted({" " + " ".join(cut) + " " for cut in _cuts(form)})
    return [f" {form} "]


@dataclass
class Collection:
    """Segmented documents in a folder (``docs.jsonl``), loaded on first use."""

    root: Path

    @cached_property
    def _rows(self) -> tuple[list[str], list[str], list[tuple[str, ...]]]:
        ids, texts, langs = [], [], []
        with open(self.root / DOCS, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                ids.append(row["id"])
                texts.append(row["text"])
                langs.append(tuple(row.get("languages", ())))
        return ids, texts, langs

    @property
    def ids(self) -> list[str]:
        return self._rows[0]

    @property
    def texts(self) -> list[str]:
        return self._rows[1]

    @property
    def languages(self) -> list[tuple[str, ...]]:
        """Each document's languages: those of its lines (empty where the collection predates)."""
        return self._rows[2]

    def __len__(self) -> int:
        return len(self.ids)

    def words(self, i: int) -> frozenset[str]:
        if i not in self._words:  # sampled again and again by pivot discovery
            self._words[i] = frozenset(self.texts[i].split())
        return self._words[i]

    @cached_property
    def _words(self) -> dict[int, frozenset[str]]:
        return {}

    @cached_property
    def strata(self) -> list[tuple[str, str, int]]:
        """Each document's (source, languages, length decile).

        The source is its id's first part; the languages those of its lines (``en+fr``); the
        decile that of its length in tokens.
        """
        lengths = [len(t.split()) for t in self.texts]
        ranked = sorted(lengths)
        deciles = [
            min(9, bisect.bisect_right(ranked, n) * 10 // max(1, len(ranked))) for n in lengths
        ]
        sources = [i.split("/")[0] if "/" in i else "" for i in self.ids]
        langs = ["+".join(each) for each in self.languages]
        return list(zip(sources, langs, deciles, strict=True))

    @cached_property
    def words_facts(self) -> dict:
        """Each word's language and the proper names (:class:`WordFacts`, from :func:`build`)."""
        path = self.root / WORDS
        if not path.exists():
            return {"language": {}, "names": []}
        return json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.words_facts["names"])

    @cached_property
    def members(self) -> dict[tuple[str, str, int], list[int]]:
        """The documents of each stratum (:attr:`strata`), by position."""
        out: dict[tuple[str, str, int], list[int]] = {}
        for i, s in enumerate(self.strata):
            out.setdefault(s, []).append(i)
        return out

    @cached_property
    def frequency(self) -> Counter:
        """Each word's document frequency over the whole collection (written by :func:`build`)."""
        return Counter(json.loads((self.root / FREQUENCY).read_text(encoding="utf-8")))


def build(name: str, key: dict, documents: Callable[[], Iterable[tuple[str, Lines]]]) -> Collection:
    """The collection of ``documents()`` ((id, lines) each), segmented once and cached by ``key``.

    Written atomically with every word's document frequency beside it.
    """
    full = {
        **key,
        "segmenters": counts.segmenters(),
        "names": [NAME_SHARE, NAME_MIN, _TERMINAL.pattern, sorted(CAPITALISED_NOUNS)],
        "code": source_digest(
            joined,
            segment_lines,
            WordFacts.add,
            WordFacts.to_json,
            counts.tokens,
            counts.cased_tokens,
            counts._jieba,
            counts._mecab,
        ),
    }
    root = cache_dir("collections") / f"{name}-{key_digest(full)[:12]}"
    if (root / DOCS).exists():
        return Collection(root)
    with atomic_dir(root) as tmp:
        df: Counter = Counter()
        facts = WordFacts()
        with open(tmp / DOCS, "w", encoding="utf-8") as f:
            for doc_id, lines in tqdm(documents(), desc=f"segmenting {name}", unit=" docs"):
                raw = list(lines)
                segmented = segment_lines(raw)
                text = joined(segmented)
                facts.add(raw, segmented)
                df.update(set(text.split()))
                langs = sorted({lang for lang, _ in segmented})
                row = {"id": doc_id, "text": text, "languages": langs}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        (tmp / FREQUENCY).write_text(json.dumps(df, ensure_ascii=False))
        (tmp / WORDS).write_text(json.dumps(facts.to_json(), ensure_ascii=False))
        (tmp / "key.json").write_text(json.dumps(full, indent=1, ensure_ascii=False))
    return Collection(root)


class Finder(Protocol):
    def containing(self, word: str, lang: str) -> list[int]:
        """The collection's documents (their positions, ascending) that contain ``word``."""
        ...


@dataclass
class InHouse:
    """The reference: a substring search of every document."""

    collection: Collection
    name: str = "in-house"

    def containing(self, word: str, lang: str) -> list[int]:
        wanted = queries(word, lang)
        return [i for i, t in enumerate(self.collection.texts) if any(q in t for q in wanted)]


def _indexer_cpus(size: int) -> int:
    # the indexer's parallel merge fails on inputs too small to split between processes
    return 1 if size < 1_000_000 else min(2, os.cpu_count() or 1)


def build_index(collection: Collection) -> Path:
    """infini-gram's byte-level suffix-array index of the collection, built once beside it."""
    index = collection.root / "infini-gram"
    if (index / "table.0").exists():
        return index
    source = collection.root / DOCS
    with atomic_dir(index) as tmp:
        (tmp / "in").mkdir()
        (tmp / "in" / DOCS).symlink_to(source)
        command = [
            sys.executable,
            "-m",
            "infini_gram.indexing",
            "--data_dir",
            str((tmp / "in").absolute()),
            "--save_dir",
            str((tmp / "out").absolute()),
            "--token_dtype",
            "u8",
            "--cpus",
            str(_indexer_cpus(source.stat().st_size)),
            "--mem",
            "4",
            "--shards",
            "1",
            "--ulimit",
            str(resource.getrlimit(resource.RLIMIT_NOFILE)[1]),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode or "wrong" in done.stdout or not (tmp / "out" / "table.0").exists():
            raise UserError(
                f"infini-gram could not index {source}: {(done.stderr or done.stdout)[-300:]!r}"
            )
        for f in (tmp / "out").iterdir():
            f.replace(tmp / f.name)
        (tmp / "in" / DOCS).unlink()
        (tmp / "in").rmdir()
        (tmp / "out").rmdir()
    return index


@dataclass
class Engine:
    """infini-gram's engine over the collection's local index (built on first use)."""

    collection: Collection
    name: str = "infini-gram"

    @cached_property
    def engine(self):
        from infini_gram.engine import InfiniGramEngine

        # byte mode: vocabulary 255 (256 overflows the u8 binding), end-of-document id 0
        engine = InfiniGramEngine(
            index_dir=str(build_index(self.collection)),
            eos_token_id=0,
            vocab_size=255,
            token_dtype="u8",
        )
        if engine.get_total_doc_cnt() != len(self.collection):
            raise UserError(f"the index of {self.collection.root} is stale: remove it and rerun")
        return engine

    @cached_property
    def _pointers(self):
        """The suffix array and document offsets of the index, memory-mapped.

        The engine finds a query's suffix-array range in O(log n); its documents are then read
        here in one vectorised step (byte offsets of the matches, located among the documents'
        start offsets) rather than one engine call per occurrence.
        """
        import numpy as np

        index = Path(build_index(self.collection))
        size = (index / "tokenized.0").stat().st_size
        table = np.memmap(index / "table.0", dtype=np.uint8, mode="r")
        width, rest = divmod(table.size, size)
        if rest or not 1 <= width <= 8:
            raise UserError(f"{index}: not a byte-level infini-gram index; remove it and rerun")
        starts = np.fromfile(index / "offset.0", dtype=np.uint64)
        return table.reshape(-1, width), starts

    def _documents(self, start: int, end: int) -> set[int]:
        import numpy as np

        table, starts = self._pointers
        rows = np.asarray(table[start:end], dtype=np.uint64)
        ptrs = (rows << (8 * np.arange(rows.shape[1], dtype=np.uint64))).sum(axis=1)
        return set((np.searchsorted(starts, ptrs, side="right") - 1).tolist())

    def containing(self, word: str, lang: str) -> list[int]:
        found: set[int] = set()
        for query in queries(word, lang):
            ((start, end),) = self.engine.find(input_ids=list(query.encode()))["segment_by_shard"]
            if end > start and self.engine.get_doc_by_rank(s=0, rank=start, max_disp_len=1)[
                "doc_ix"
            ] not in self._documents(start, start + 1):
                raise UserError(f"the index of {self.collection.root} is unreadable: remove it")
            found |= self._documents(start, end)
        return sorted(found)


def finder(collection: Collection, engine: str) -> Finder:
    if engine == "infini-gram":
        return Engine(collection)
    if engine == "in-house":
        return InHouse(collection)
    raise UserError(f"unknown retrieval engine {engine!r}: expected one of {', '.join(ENGINES)}")


def hash_order(positions, seed: int, salt: str = "") -> list[int]:
    """``positions`` in a seeded hash order: the same whatever order they come in."""

    def rank(i: int) -> bytes:
        return hashlib.sha1(f"{seed}:{salt}:{i}".encode()).digest()

    return sorted(positions, key=rank)


def sample(positions: list[int], limit: int, seed: int, salt: str = "") -> list[int]:
    """Up to ``limit`` positions, the same whatever order they come in (a seeded hash order)."""
    return sorted(hash_order(positions, seed, salt)[:limit])


@dataclass(frozen=True)
class Retrieved:
    """The documents that contain a word: how many there are, and the word sets of a sample.

    ``positions``: the sample's documents in the collection (empty for a hosted index).
    """

    total: int
    words: list[frozenset[str]]
    positions: tuple[int, ...] = ()


class Documents(Protocol):
    """What pivot discovery asks of a collection, local or hosted."""

    @property
    def name(self) -> str: ...

    def with_word(self, word: str, lang: str, limit: int, seed: int) -> Retrieved: ...

    def background(self, limit: int, seed: int) -> list[frozenset[str]]: ...

    def background_like(self, sample: Retrieved, limit: int, seed: int) -> list[frozenset[str]]: ...

    def frequency(self, words: Iterable[str]) -> dict[str, int]: ...

    def frequent(self, n: int, seed: int) -> list[str]: ...

    def language(self, words: Iterable[str]) -> dict[str, str]: ...

    def names(self) -> frozenset[str]: ...


def most_frequent(df: Counter, n: int) -> list[str]:
    """The ``n`` words in most documents (ties in string order)."""
    return [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


@dataclass
class Local:
    """A local collection searched by ``engine`` (infini-gram or the in-house scan)."""

    collection: Collection
    engine: str = "infini-gram"
    _orders: dict = field(default_factory=dict, repr=False)
    _near: dict = field(default_factory=dict, repr=False)

    @cached_property
    def finder(self) -> Finder:
        return finder(self.collection, self.engine)

    @property
    def name(self) -> str:
        return f"{self.collection.root.name} ({self.engine})"

    def with_word(self, word: str, lang: str, limit: int, seed: int) -> Retrieved:
        """The documents that contain ``word`` and hold a line of ``lang``.

        A document whose lines are all of other languages is left out: the English "son" is
        not sought in French documents, where it is a possessive.
        """
        langs = self.collection.languages
        found = [i for i in self.finder.containing(word, lang) if not langs[i] or lang in langs[i]]
        chosen = sample(found, limit, seed, f"{lang}:{word}")
        return Retrieved(len(found), [self.collection.words(i) for i in chosen], tuple(chosen))

    def background(self, limit: int, seed: int) -> list[frozenset[str]]:
        chosen = sample(range(len(self.collection)), limit, seed, "background")  # type: ignore[arg-type]
        return [self.collection.words(i) for i in chosen]

    def background_like(self, found: Retrieved, limit: int, seed: int) -> list[frozenset[str]]:
        """About ``limit`` documents with the stratum mix of ``found``'s sample.

        Strata: source (the document id's part before its first "/"; one source where ids
        have none) x languages of its lines x length decile of the collection (in word tokens).
        Each stratum gets its share of ``limit`` (largest remainders), drawn from the
        collection's documents of that stratum that are not in the sample, in a seeded hash
        order. A stratum with too few such documents is topped up from its nearest strata:
        the same source and languages at the nearest length deciles, then the same languages,
        then any; so the background has ``limit`` documents wherever the collection has them.
        """
        strata = self.collection.strata
        wanted = Counter(strata[i] for i in found.positions)
        total = sum(wanted.values())
        if not total:
            return self.background(limit, seed)
        exact = {s: limit * n / total for s, n in wanted.items()}
        counts_ = {s: int(v) for s, v in exact.items()}
        for s in sorted(exact, key=lambda s: (counts_[s] - exact[s], s))[
            : limit - sum(counts_.values())
        ]:
            counts_[s] += 1
        taken = set(found.positions)
        chosen: list[int] = []
        for s in sorted(counts_):
            for near in self._nearest(s):
                free = (j for j in self._stratum_order(near, seed) if j not in taken)
                drawn = list(islice(free, counts_[s]))
                taken.update(drawn)
                chosen += drawn
                counts_[s] -= len(drawn)
                if not counts_[s]:
                    break
        return [self.collection.words(i) for i in sorted(chosen)]

    def _nearest(self, stratum: tuple[str, str, int]) -> list[tuple[str, str, int]]:
        """Every stratum, nearest ``stratum`` first.

        Same languages first, then same source, then the nearest length decile.
        """
        if stratum not in self._near:  # asked again for every item's sample
            source, langs, decile = stratum
            self._near[stratum] = sorted(
                self.collection.members,
                key=lambda s: (s[1] != langs, s[0] != source, abs(s[2] - decile), s),
            )
        return self._near[stratum]

    def _stratum_order(self, stratum: tuple[str, str, int], seed: int) -> list[int]:
        """A stratum's documents in their seeded hash order (drawn from for every item)."""
        key = (stratum, seed)
        if key not in self._orders:
            members = self.collection.members[stratum]
            salt = "background:" + ":".join(map(str, stratum))
            self._orders[key] = hash_order(members, seed, salt)
        return self._orders[key]

    def frequency(self, words: Iterable[str]) -> dict[str, int]:
        df = self.collection.frequency
        return {w: df.get(w, 0) for w in words}

    def frequent(self, n: int, seed: int) -> list[str]:
        return most_frequent(self.collection.frequency, n)

    def language(self, words: Iterable[str]) -> dict[str, str]:
        """Each word's language (:class:`WordFacts`), for the words the collection holds."""
        known = self.collection.words_facts["language"]
        return {w: known[w] for w in words if w in known}

    def names(self) -> frozenset[str]:
        return self.collection.names


@dataclass
class Hosted:
    """A hosted infini-gram index (Dolma v1.7 by default), for users online.

    Documents containing a word are drawn by the service (``search_docs``, ten a call, repeats
    dropped; not reproducible from a seed), the background by document number (seeded, below
    ``total_docs``),
    word frequencies by ``count`` (occurrences, the service's measure), the most frequent words
    from the background sample. Retrieved text is segmented in each of ``languages``.
    ``post`` sends one JSON payload and returns the answer (replaced in tests).
    """

    total_docs: int
    index: str = counts.DOLMA
    languages: tuple[str, ...] = ("en",)
    post: Callable[[str, dict], dict] = counts._post
    url: str = counts.INFINIGRAM_URL
    _background: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.index} (hosted infini-gram)"

    def _ask(self, payload: dict) -> dict:
        try:
            answer = self.post(self.url, {"index": self.index, **payload})
        except OSError as e:
            raise UserError(f"infini-gram {payload['query_type']} failed: {e}") from None
        if "error" in answer:
            raise UserError(f"infini-gram refused {payload}: {answer['error']}")
        return answer

    @staticmethod
    def _text(doc: dict) -> str:
        return "".join(span[0] for span in doc.get("spans", []))

    def _words(self, text: str, lang: str | None = None) -> frozenset[str]:
        """Words of retrieved text, segmented in each of the index's languages and ``lang``.

        A hosted document carries no language, so background and word samples are cut alike.
        """
        langs = dict.fromkeys([*self.languages, *([lang] if lang else [])])
        return frozenset(w for each in langs for w in counts.tokens(text, each))

    def with_word(self, word: str, lang: str, limit: int, seed: int) -> Retrieved:
        """Distinct documents the service draws (``total``: its match count, not documents)."""
        found: dict[int, frozenset[str]] = {}
        total = 0
        while len(found) < limit:
            answer = self._ask({"query_type": "search_docs", "query": word, "maxnum": 10})
            total = answer.get("cnt", 0)
            new = {d["doc_ix"]: d for d in answer.get("documents", []) if d["doc_ix"] not in found}
            if not new:  # the service has no other document to give
                break
            found.update({i: self._words(self._text(d), lang) for i, d in new.items()})
        return Retrieved(total, list(found.values())[:limit])

    def background(self, limit: int, seed: int) -> list[frozenset[str]]:
        key = (limit, seed)
        if key not in self._background:
            rng = random.Random(seed)  # a hash order over billions of documents would not do
            chosen = sorted(rng.sample(range(self.total_docs), min(limit, self.total_docs)))
            docs = [
                self._ask({"query_type": "get_doc_by_ix", "doc_ix": i, "max_disp_len": 10000})
                for i in chosen
            ]
            self._background[key] = [self._words(self._text(d)) for d in docs]
        return self._background[key]

    def background_like(self, found: Retrieved, limit: int, seed: int) -> list[frozenset[str]]:
        """The uniform background: a hosted document carries no source or stratum to match."""
        return self.background(limit, seed)

    def frequency(self, words: Iterable[str]) -> dict[str, int]:
        return {w: self._ask({"query_type": "count", "query": w}).get("count", 0) for w in words}

    def language(self, words: Iterable[str]) -> dict[str, str]:
        """None known: a hosted document's lines carry no language (controls match on script)."""
        return {}

    def names(self) -> frozenset[str]:
        """None known: the service returns no case statistics (names are not kept apart)."""
        return frozenset()

    def frequent(self, n: int, seed: int) -> list[str]:
        df: Counter = Counter()
        for words in self.background(HOSTED_BACKGROUND, seed):
            df.update(words)
        return most_frequent(df, n)


def corpus_collection(corpus, langs: list[str], view: str = "aligned") -> Collection:
    """The study corpus in ``langs`` as a collection: its aligned units, or its documents."""
    from semantic_pivots.data.corpus import interleave

    def documents():
        for unit in counts.unit_documents(corpus, set(langs), view):
            yield unit[0].align or unit[0].id, interleave(unit)

    key = {
        "corpus": corpus.digest(),
        "languages": sorted(langs),
        "view": view,
        "units": source_digest(counts.unit_documents, interleave),
    }
    return build(f"corpus-{view}", key, documents)
