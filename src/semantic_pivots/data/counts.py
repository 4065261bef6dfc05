"""Word and word-pair counts, from the local corpus or from a proxy, behind one interface.

Matching rule. Text is split into word tokens per language: Latin scripts by a regex (runs of
letters and digits, lower-cased, so an apostrophe splits French elisions: l'eau -> l, eau),
Chinese by jieba, Japanese by MeCab (fugashi with UniDic Lite). A word of the list occurs where a
run of consecutive tokens spells it exactly (joined with a space in Latin scripts, with nothing in
Chinese and Japanese): it must begin and end on token boundaries. So 牛 is not counted inside 牛乳
when the segmenter keeps 牛乳 whole, and "cat" is not counted inside "category".

Counting units. In the ``aligned`` view (default) the documents that share an alignment id (the
verses of one chapter in every translation, one Wesnoth string and its translations, one help
page) form one multilingual unit, their lines interleaved; in the ``documents`` view each
document is a unit. Per word: occurrences and the number of units containing it. Per pair: the
number of units containing both, and the number of 100-token windows (consecutive blocks of a
unit's token stream) containing both, the local analogue of infini-gram's AND query.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from tqdm import tqdm

from semantic_pivots.cache import Kind, cached_json
from semantic_pivots.data.corpus import Corpus, Document, interleave
from semantic_pivots.errors import UserError
from semantic_pivots.languages import CJK

WINDOW = 100
_LATIN = re.compile(r"[^\W_]+")

Word = tuple[str, str]  # (language, word)
Pair = tuple[str, str, str, str]  # (source language, source word, target language, target word)


@cache
def segmenters() -> dict[str, str]:
    """The versions of the word segmenters: a new one may cut words differently."""
    from importlib.metadata import version

    return {name: version(name) for name in ("jieba", "fugashi", "unidic-lite")}


def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


@cache
def _mecab():
    import fugashi

    return fugashi.Tagger()


def tokens(text: str, lang: str) -> list[str]:
    """Word tokens of ``text`` in ``lang`` (white space and punctuation dropped)."""
    if lang == "zh":
        pieces = _jieba().lcut(text)
    elif lang == "ja":
        pieces = [w.surface for w in _mecab()(text)]
    else:
        return _LATIN.findall(text.lower())
    return [t for t in pieces if any(c.isalnum() for c in t)]


def cased_tokens(text: str) -> Iterator[re.Match]:
    """The word tokens of an alphabetic-script line, as matches: case and offsets kept."""
    return _LATIN.finditer(text)


def match_form(word: str, lang: str) -> str:
    """The form a word is matched in.

    CJK without spaces; Latin as its tokens joined by a
    space (lower case, punctuation dropped).
    """
    if lang in CJK:
        return "".join(word.split())
    return " ".join(_LATIN.findall(word.lower()))


def matches(
    toks: list[str], lang: str, vocab: dict[str, int], longest: int | None = None
) -> Iterator[tuple[int, int]]:
    """Find every run of tokens that spells a vocabulary word.

    (term index, token position) for every run of tokens that spells a vocabulary word
    (``longest``: the longest word's length, when the caller knows it).
    """
    if not vocab:
        return
    joiner = "" if lang in CJK else " "
    longest = longest or max(len(w) for w in vocab)
    for i in range(len(toks)):
        spelled = ""
        for j in range(i, len(toks)):
            spelled = spelled + joiner + toks[j] if j > i else toks[j]
            if len(spelled) > longest:
                break
            if spelled in vocab:
                yield vocab[spelled], i


@dataclass(frozen=True)
class Counts:
    backend: str
    words: dict[Word, dict]  # {"occurrences": int, "units": int}; None where unknown
    pairs: dict[Pair, dict]  # {"units": int, "windows": int}; None where unknown
    totals: dict = field(default_factory=dict)  # units, windows, tokens per language

    def word(self, lang: str, word: str, measure: str = "occurrences"):
        return self.words[lang, word][measure]

    def pair(self, src: str, w: str, tgt: str, y: str, measure: str = "units"):
        return self.pairs[src, w, tgt, y][measure]


def unit_documents(corpus: Corpus, langs: set[str], view: str) -> Iterator[list[Document]]:
    """Units of documents: all documents sharing an alignment id, or each document alone."""
    if view == "documents":
        for doc in corpus.documents(langs):
            yield [doc]
        return
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in corpus.documents(langs):
        groups[doc.align or doc.id].append(doc)
    yield from groups.values()


def unit_lines(unit: list[Document]) -> Iterator[tuple[str, list[str]]]:
    """The unit's lines interleaved across its documents: (language, tokens) per line."""
    for lang, line in interleave(unit):
        yield lang, tokens(line, lang)


def scan(
    units: Iterable[Iterable[tuple[str, list[str]]]], words: list[Word], window: int = WINDOW
) -> tuple[list[list[int]], list[list[int]], dict]:
    """Scan units of tokenized lines once for every term.

    One pass over ``units`` (each an iterable of (language, tokens) lines): per unit and per
    window, the term indices found (with repeats), and the totals.
    """
    vocab: dict[str, dict[str, int]] = defaultdict(dict)
    for index, (lang, word) in enumerate(words):
        vocab[lang].setdefault(match_form(word, lang), index)
    longest = {lang: max(map(len, words)) for lang, words in vocab.items()}
    per_unit, per_window = [], []  # type: ignore[var-annotated]
    totals = {"units": 0, "windows": 0, "tokens": defaultdict(int)}
    for unit in tqdm(units, desc="counting", unit=" units"):
        found, offset, windows = [], 0, defaultdict(list)
        for lang, toks in unit:
            totals["tokens"][lang] += len(toks)  # type: ignore[index]
            for term, pos in matches(toks, lang, vocab.get(lang, {}), longest.get(lang)):
                found.append(term)
                windows[(offset + pos) // window].append(term)
            offset += len(toks)
        totals["units"] += 1  # type: ignore[operator]
        totals["windows"] += max(1, math.ceil(offset / window))  # type: ignore[operator]
        per_unit.append(found)
        per_window.extend(windows.values())
    totals["tokens"] = dict(totals["tokens"])  # type: ignore[call-overload]
    return per_unit, per_window, totals


def _matrix(rows: list[list[int]], n_terms: int):
    """A sparse unit-term count matrix, built by scikit-learn's CountVectorizer."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=lambda row: row, vocabulary=list(range(n_terms)))
    return vectorizer.transform(rows)


def count_units(
    units: Iterable[Iterable[tuple[str, list[str]]]],
    words: list[Word],
    pairs: list[Pair],
    window: int = WINDOW,
) -> dict:
    """All word and pair counts over ``units`` in one pass and two sparse products (JSON rows)."""
    # a pair's words are counted too, listed or not
    terms = list(
        dict.fromkeys([*words, *((p[0], p[1]) for p in pairs), *((p[2], p[3]) for p in pairs)])
    )
    index = {t: i for i, t in enumerate(terms)}
    per_unit, per_window, totals = scan(units, terms, window)
    units_matrix = _matrix(per_unit, len(terms))
    present = (units_matrix > 0).astype("int64")
    windows = (_matrix(per_window, len(terms)) > 0).astype("int64")
    cooc_units, cooc_windows = (present.T @ present).tocsr(), (windows.T @ windows).tocsr()
    occurrences = units_matrix.sum(axis=0).A1
    df = present.sum(axis=0).A1
    word_rows = [
        [lang, w, int(occurrences[index[lang, w]]), int(df[index[lang, w]])] for lang, w in terms
    ]
    pair_rows = []
    for src, w, tgt, y in pairs:
        a, b = index[src, w], index[tgt, y]
        pair_rows.append([src, w, tgt, y, int(cooc_units[a, b]), int(cooc_windows[a, b])])
    return {"words": word_rows, "pairs": pair_rows, "totals": totals}


def from_rows(backend: str, value: dict) -> Counts:
    """Counts from the JSON rows of :func:`count_units`."""
    return Counts(
        backend,
        {(r[0], r[1]): {"occurrences": r[2], "units": r[3]} for r in value["words"]},
        {tuple(r[:4]): {"units": r[4], "windows": r[5]} for r in value["pairs"]},
        value["totals"],
    )


def local_counts(
    corpus: Corpus,
    words: list[Word],
    pairs: list[Pair],
    view: str = "aligned",
    window: int = WINDOW,
) -> Counts:
    """All word and pair counts of the corpus (units: its aligned units, or its documents)."""
    if view not in ("aligned", "documents"):
        raise UserError(f"unknown counting view {view!r}: expected aligned or documents")
    langs = {lang for lang, _ in words} | {p[0] for p in pairs} | {p[2] for p in pairs}
    missing = sorted(langs - set(corpus.languages))
    if missing:
        raise UserError(
            f"the word list has language(s) {', '.join(missing)} that the corpus lacks: "
            f"it has {', '.join(corpus.languages)}"
        )
    key = {
        "corpus": corpus.digest(),
        "words": words,
        "pairs": pairs,
        "view": view,
        "window": window,
        "segmenters": segmenters(),
    }

    def compute() -> dict:
        units = (unit_lines(u) for u in unit_documents(corpus, langs, view))
        return count_units(units, words, pairs, window)

    return from_rows(f"corpus ({view})", cached_json(COUNTS, key, compute))


COUNTS = Kind(
    "counts",
    2,
    (
        _jieba,
        _mecab,
        tokens,
        match_form,
        matches,
        unit_documents,
        interleave,
        unit_lines,
        scan,
        _matrix,
        count_units,
        local_counts,
    ),
)


def wordfreq_counts(words: list[Word], pairs: list[Pair]) -> Counts:
    """The corpus-free proxy: wordfreq's frequency per billion words; no pair counts."""
    from wordfreq import word_frequency

    table = {
        (lang, w): {"occurrences": word_frequency(w, lang) * 1e9, "units": None}
        for lang, w in words
    }
    return Counts("wordfreq", table, {p: {"units": None, "windows": None} for p in pairs})


INFINIGRAM_URL = "https://api.infini-gram.io/"
DOLMA = "v4_dolma-v1_7_llama"


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@dataclass
class InfiniGram:
    """Count and AND-count queries on an infini-gram index.

    Count and AND-count queries on an infini-gram index (the authors used Dolma v1.7).
    ``post`` sends one JSON payload and returns the JSON answer (replaced in tests).
    """

    index: str = DOLMA
    max_diff_tokens: int = WINDOW
    post: Callable[[str, dict], dict] = _post
    url: str = INFINIGRAM_URL

    def count(self, query: str) -> int:
        payload = {"index": self.index, "query_type": "count", "query": query}
        if " AND " in query:
            payload["max_diff_tokens"] = self.max_diff_tokens  # type: ignore[assignment]
        try:
            answer = self.post(self.url, payload)
        except OSError as e:
            raise UserError(f"infini-gram query {query!r} failed: {e}") from None
        if "error" in answer:
            raise UserError(f"infini-gram refused {query!r}: {answer['error']}")
        if not isinstance(answer.get("count"), int):
            raise UserError(f"infini-gram answered {query!r} without a count: {answer}")
        return answer["count"]

    def counts(self, words: list[Word], pairs: list[Pair]) -> Counts:
        def compute() -> dict:
            ws = [[lang, w, self.count(w)] for lang, w in tqdm(words, desc="infini-gram words")]
            ps = [
                [*p, self.count(f"{p[1]} AND {p[3]}")]
                for p in tqdm(pairs, desc="infini-gram pairs")
            ]
            return {"words": ws, "pairs": ps}

        key = {"index": self.index, "window": self.max_diff_tokens, "words": words, "pairs": pairs}
        value = cached_json(INFINIGRAM, key, compute)
        return Counts(
            f"infini-gram {self.index}",
            {(r[0], r[1]): {"occurrences": r[2], "units": None} for r in value["words"]},
            {tuple(r[:4]): {"units": None, "windows": r[4]} for r in value["pairs"]},
        )


INFINIGRAM = Kind("infinigram", 1, (InfiniGram.count, InfiniGram.counts))


def count_requests(items, pairs) -> tuple[list[Word], list[Pair]]:
    """The words and word pairs that CLWTD items need counted.

    The words and (source, target) pairs that CLWTD items need counted, for ``pairs`` of
    languages (objects with ``src`` and ``tgt``).
    """
    langs = list(dict.fromkeys(lang for p in pairs for lang in (p.src, p.tgt)))
    words = list(dict.fromkeys((lang, it.words[lang]) for lang in langs for it in items))
    wanted = [(p.src, it.words[p.src], p.tgt, it.words[p.tgt]) for p in pairs for it in items]
    return words, list(dict.fromkeys(wanted))


BACKENDS = ("corpus", "wordfreq", "infini-gram")


def get_counts(backend: str, words: list[Word], pairs: list[Pair], **options) -> Counts:
    """Counts from the named backend.

    ``corpus`` (the local corpus; options corpus, view,
    window), ``wordfreq`` or ``infini-gram`` (options index, post).
    """
    if backend == "corpus":
        from semantic_pivots.data import corpus as corpus_module

        found = options.pop("corpus", None) or corpus_module.load()
        return local_counts(found, words, pairs, **options)
    if backend == "wordfreq":
        return wordfreq_counts(words, pairs)
    if backend == "infini-gram":
        return InfiniGram(**options).counts(words, pairs)
    raise UserError(f"unknown counts backend {backend!r}: expected one of {', '.join(BACKENDS)}")
