"""The glass-box models' pre-training mixture: which documents, in which order.

The mixture is drawn from the study corpus: every document of the chosen sources and languages,
except that a stated share of the aligned units (an alignment id with a document in each
language of a pair) appear once as a bilingual document, their lines interleaved line by line
(the way parallel text reaches real pre-training data), instead of as two monolingual ones.
Which units are interleaved, and the order of every epoch, are pure functions of the seed.

The ``exposure`` design makes analysis 3 an experiment. The word list's items whose source and
target words occur in one aligned unit of the pair are *evaluated*, and assigned at random
(seeded) to two groups: the units that hold a *co-occurring* item's words are shown
interleaved; those that hold a *separated* item's words are shown only as monolingual
documents, so its two words never share a document. A unit holding words of both groups is not
interleaved (separation wins). Every other unit is interleaved with the stated share, so that
the model still learns some translation, as from real pre-training data.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from semantic_pivots import languages
from semantic_pivots.data import clwtd, counts
from semantic_pivots.data.corpus import Corpus, Document, interleave
from semantic_pivots.errors import UserError

DESIGNS = ("interleaved", "exposure")
COOCCURRING, SEPARATED = "co-occurring", "separated"


@dataclass(frozen=True)
class Mixture:
    """What a glass-box run trains on: languages, sources, pairs and how units are shown."""

    languages: tuple[str, ...]  # of the monolingual documents
    sources: tuple[str, ...]  # corpus sources (bible, wesnoth, libreoffice-help, manpages)
    pairs: tuple[tuple[str, str], ...]  # language pairs whose aligned units may be interleaved
    interleaved: float  # the share of aligned units shown interleaved (exposure: of the others)
    tags: bool  # each interleaved line begins with its language's name ("English: ...")
    design: str = "interleaved"  # or "exposure" (the module's docstring)
    cooccurring: float = 0.5  # exposure: the share of evaluated items shown together
    word_list: str = ""  # exposure: the digest of the word list whose items are assigned

    @classmethod
    def of(
        cls,
        languages,
        sources,
        pairs,
        interleaved: float,
        tags: bool,
        design: str = "interleaved",
        cooccurring: float = 0.5,
        word_list: str = "",
    ) -> Mixture:
        """A mixture from settings or a record: pairs as "en-fr" strings or (en, fr) lists."""
        return cls(
            tuple(languages),
            tuple(sources),
            tuple(tuple(p.split("-") if isinstance(p, str) else p) for p in pairs),
            interleaved,
            tags,
            design,
            cooccurring,
            word_list,
        )


@dataclass(frozen=True)
class Exposure:
    """The exposure design's assignment: each evaluated item's group, each unit's items."""

    groups: dict[str, str]  # item id -> co-occurring or separated
    units: dict[str, list[str]]  # alignment id -> the evaluated items whose two words it holds

    def interleaved(self, align: str) -> bool | None:
        """Whether a unit is shown interleaved: True, False, or None (no evaluated item)."""
        held = {self.groups[i] for i in self.units.get(align, [])}
        if SEPARATED in held:
            return False
        return True if held else None


@dataclass(frozen=True)
class TrainDoc:
    """One training document: a corpus document, or an aligned unit shown interleaved."""

    id: str
    parts: tuple[Document, ...]
    tags: bool = False

    def lines(self) -> Iterator[tuple[str, str]]:
        """(language, line) in the order the model reads them, tags included."""
        for lang, line in interleave(self.parts):
            yield lang, (f"{languages.name(lang)}: {line}" if self.tags else line)

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines())


def units_of(corpus: Corpus, mix: Mixture) -> dict[str, dict[str, list[Document]]]:
    """The mixture's corpus documents by alignment id, then by language.

    A document without an alignment id is a unit of its own.
    """
    if not 0 <= mix.interleaved <= 1:
        raise UserError(f"mixture share interleaved {mix.interleaved}: expected a share in [0, 1]")
    wanted = set(mix.languages) | {lang for pair in mix.pairs for lang in pair}
    missing = sorted(wanted - set(corpus.languages))
    if missing:
        raise UserError(
            f"mixture languages {', '.join(missing)}: the corpus has {', '.join(corpus.languages)}"
        )
    units: dict[str, dict[str, list[Document]]] = defaultdict(lambda: defaultdict(list))
    found = set()
    for doc in corpus.documents(wanted):
        if doc.source in mix.sources:
            units[doc.align or doc.id][doc.lang].append(doc)
            found.add(doc.source)
    if SMOKE in mix.sources and SMOKE not in found:  # made here where the corpus has none
        for doc in smoke_documents(clwtd.load().items):
            if doc.lang in wanted:
                units[doc.align or doc.id][doc.lang].append(doc)
                found.add(SMOKE)
    absent = [s for s in mix.sources if s not in found]
    if absent:
        raise UserError(
            f"mixture sources {', '.join(absent)}: no corpus document in "
            f"{', '.join(sorted(wanted))}; the corpus has sources "
            f"{', '.join(sorted({d['source'] for d in corpus.manifest.get('sources', [])}))}"
        )
    return units


SMOKE = "smoke"  # the source the package makes itself, for the smoke profile's model


def smoke_documents(items: list[clwtd.Item]) -> list[Document]:
    """The ``smoke`` source: a small aligned corpus made from a word list, in seconds.

    Every item's words a few times, next to its neighbours', in English, French, Chinese and
    Japanese units; and monolingual English and French documents of made-up syllables that hold
    none of the list's words, as a real corpus has (the continuation's pivot and random arms
    draw only from such documents). A corpus with documents of this source is read instead.
    """
    docs = [
        Document(
            f"s{i}/{lang}",
            lang,
            SMOKE,
            " ".join(items[(i + j) % len(items)].words[lang] for j in range(i % 3 + 1)),
            f"s{i}",
        )
        for i in range(3 * len(items))
        for lang in ("en", "fr", "zh", "ja")
        if lang in items[0].words
    ]
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "vu", "ze"]
    docs += [
        Document(
            f"f{i}/{lang}",
            lang,
            SMOKE,
            " ".join(
                syllables[(i + j) % 10] + syllables[(i * 3 + j * 7) % 10] + syllables[j % 10]
                for j in range(3 + i % 4)
            ),
        )
        for i in range(len(items))
        for lang in ("en", "fr")
    ]
    return docs


def documents(corpus: Corpus, mix: Mixture, seed: int) -> list[TrainDoc]:
    """The mixture's documents in a canonical order (not yet shuffled).

    Per alignment id, the pairs are tried in the order given, each interleaved with the
    stated probability unless one of its languages is already interleaved in that unit (so
    with several pairs sharing a language, later pairs are interleaved less often). Where a
    unit has several documents in one language (two English Bibles), the first in corpus
    order is the one interleaved; every other document comes in alone.
    """
    units = units_of(corpus, mix)
    plan = exposure(units, mix, seed) if mix.design == "exposure" else None
    rng = random.Random(f"{seed}|interleave")
    out = []
    for align in sorted(units):
        by_lang, paired = units[align], set()  # type: ignore[var-annotated]
        for a, b in mix.pairs:
            if not (by_lang.get(a) and by_lang.get(b)) or {a, b} & paired:
                continue
            shown = plan.interleaved(align) if plan else None
            if shown is None:  # the design leaves it to chance
                shown = rng.random() < mix.interleaved
            if shown:
                parts = (by_lang[a][0], by_lang[b][0])
                out.append(TrainDoc(f"{align}|{a}+{b}", parts, mix.tags))
                paired |= {a, b}
        out += [
            TrainDoc(doc.id, (doc,))
            for lang, docs in sorted(by_lang.items())
            if lang in mix.languages
            for doc in docs[1 if lang in paired else 0 :]
        ]
    return out


def word_vocab(items: list[clwtd.Item], lang: str) -> dict[str, int]:
    """Each item's word in ``lang`` in its matching form -> the item's index."""
    return {counts.match_form(it.words[lang], lang): i for i, it in enumerate(items)}


def found_in(docs: list[Document], lang: str, vocab: dict[str, int]) -> set[int]:
    """The indices of ``vocab``'s words that occur in ``docs`` (the counts' matching rules)."""
    longest = max(map(len, vocab), default=0)
    return {
        i
        for doc in docs
        for i, _ in counts.matches(counts.tokens(doc.text, lang), lang, vocab, longest)
    }


def held_items(
    units: dict[str, dict[str, list[Document]]], items: list[clwtd.Item], a: str, b: str
) -> dict[str, list[str]]:
    """Per unit, the items whose two words it holds.

    The ``a`` word in its ``a`` document and the ``b`` word in its ``b`` document, by the
    counts' matching rules (word tokens, multi-word forms too).
    """
    vocab = {lang: word_vocab(items, lang) for lang in (a, b)}
    out = {}
    for align, by_lang in units.items():
        if by_lang.get(a) and by_lang.get(b):
            both = found_in(by_lang[a][:1], a, vocab[a]) & found_in(by_lang[b][:1], b, vocab[b])
            if both:
                out[align] = sorted(items[i].id for i in both)
    return out


def line_pairs(
    units: dict[str, dict[str, list[Document]]],
    items: list[clwtd.Item],
    pair: tuple[str, str],
    per_item: int,
    tags: bool,
) -> list[TrainDoc]:
    """Each item's ``per_item`` shortest aligned line pairs that hold its two words.

    A line pair is the i-th line of a unit's ``a`` and ``b`` documents (units whose two
    documents differ in their number of lines are left out: their lines need not match); it
    holds an item when its ``a`` line holds the item's ``a`` word and its ``b`` line the ``b``
    word, and the two lines differ (an untranslated line teaches no translation). Identical
    line pairs of several units count once. One interleaved document per chosen line pair, in
    the order of its first unit and line.
    """
    a, b = pair
    vocab = {lang: word_vocab(items, lang) for lang in pair}
    first: dict[tuple[str, str], tuple[str, int]] = {}  # line pair -> its first unit and line
    holds: dict[int, set[tuple[str, str]]] = defaultdict(set)  # item -> its line pairs
    parts: dict[tuple[str, str], tuple[Document, Document]] = {}
    for align in sorted(units):
        docs = (units[align][a][0], units[align][b][0])
        lines = [d.text.splitlines() for d in docs]
        if len(lines[0]) != len(lines[1]):
            continue
        for n, texts in enumerate(zip(*lines, strict=True)):
            if texts[0] == texts[1]:
                continue
            cut = (replace(docs[0], text=texts[0]), replace(docs[1], text=texts[1]))
            both = found_in([cut[0]], a, vocab[a]) & found_in([cut[1]], b, vocab[b])
            for i in both:
                first.setdefault(texts, (align, n))
                parts.setdefault(texts, cut)
                holds[i].add(texts)
    chosen = {
        texts
        for found in holds.values()
        for texts in sorted(found, key=lambda t: (len(t[0]) + len(t[1]), t))[:per_item]
    }
    return [
        TrainDoc(f"{first[t][0]}|{a}+{b}|{first[t][1]}", parts[t], tags)
        for t in sorted(chosen, key=lambda t: first[t])
    ]


_EXPOSURES: dict[tuple, Exposure] = {}


def exposure(units: dict[str, dict[str, list[Document]]], mix: Mixture, seed: int) -> Exposure:
    """The exposure design's assignment for a mixture's units (its one pair, the committed list)."""
    if len(mix.pairs) != 1:
        raise UserError(
            f"mixture design exposure with pairs {mix.pairs}: expected exactly one pair"
        )
    dataset = clwtd.load()
    if mix.word_list != dataset.digest():
        raise UserError(
            f"mixture word list {mix.word_list or 'none'}: the committed list is "
            f"{dataset.digest()}; expected the list the design was made with"
        )
    key = (mix, seed, tuple(sorted(units)))
    if key not in _EXPOSURES:
        ((a, b),) = mix.pairs
        items = [it for it in dataset.items if a in it.words and b in it.words]
        held = held_items(units, items, a, b)
        evaluated = sorted({i for ids in held.values() for i in ids})
        random.Random(f"{seed}|exposure").shuffle(evaluated)
        n = round(mix.cooccurring * len(evaluated))
        groups = {i: COOCCURRING if k < n else SEPARATED for k, i in enumerate(evaluated)}
        _EXPOSURES[key] = Exposure(groups, held)
    return _EXPOSURES[key]


def exposure_of(
    corpus: Corpus, mix: Mixture, seed: int
) -> tuple[Exposure | None, dict[str, dict[str, list[Document]]]]:
    """A mixture's exposure assignment and the units it was made from (None, {} without it)."""
    if mix.design != "exposure":
        return None, {}
    units = units_of(corpus, mix)
    return exposure(units, mix, seed), units


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The order of the ``n`` documents in one epoch: a fresh permutation per epoch."""
    order = list(range(n))
    random.Random(f"{seed}|epoch|{epoch}").shuffle(order)
    return order


def shares(docs: Iterable[TrainDoc]) -> dict[str, int]:
    """Documents per kind: monolingual per language, interleaved per pair."""
    counts: dict[str, int] = defaultdict(int)
    for doc in docs:
        counts["+".join(p.lang for p in doc.parts)] += 1
    return dict(sorted(counts.items()))
