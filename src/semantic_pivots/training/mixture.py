"""The glass-box models' pre-training mixture: which documents, in which order.

The mixture is drawn from the study corpus: every document of the chosen sources and languages,
except that a stated share of the aligned units (an alignment id with a document in each
language of a pair) appear once as a bilingual document, their lines interleaved line by line
(the way parallel text reaches real pre-training data), instead of as two monolingual ones.
Which units are interleaved, and the order of every epoch, are pure functions of the seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from semantic_pivots import languages
from semantic_pivots.data.corpus import Corpus, Document, interleave
from semantic_pivots.errors import UserError


@dataclass(frozen=True)
class Mixture:
    languages: tuple[str, ...]  # of the monolingual documents
    sources: tuple[str, ...]  # corpus sources (bible, wesnoth, libreoffice-help, manpages)
    pairs: tuple[tuple[str, str], ...]  # language pairs whose aligned units may be interleaved
    interleaved: float  # the share of those aligned units shown interleaved
    tags: bool  # each interleaved line begins with its language's name ("English: ...")

    @classmethod
    def of(cls, languages, sources, pairs, interleaved: float, tags: bool) -> Mixture:
        """A mixture from settings or a record: pairs as "en-fr" strings or (en, fr) lists."""
        return cls(
            tuple(languages),
            tuple(sources),
            tuple(tuple(p.split("-") if isinstance(p, str) else p) for p in pairs),
            interleaved,
            tags,
        )


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


def documents(corpus: Corpus, mix: Mixture, seed: int) -> list[TrainDoc]:
    """The mixture's documents in a canonical order (not yet shuffled).

    Per alignment id, the pairs are tried in the order given, each interleaved with the
    stated probability unless one of its languages is already interleaved in that unit (so
    with several pairs sharing a language, later pairs are interleaved less often). Where a
    unit has several documents in one language (two English Bibles), the first in corpus
    order is the one interleaved; every other document comes in alone.
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
    absent = [s for s in mix.sources if s not in found]
    if absent:
        raise UserError(
            f"mixture sources {', '.join(absent)}: no corpus document in "
            f"{', '.join(sorted(wanted))}; the corpus has sources "
            f"{', '.join(sorted({d['source'] for d in corpus.manifest.get('sources', [])}))}"
        )
    rng = random.Random(f"{seed}|interleave")
    out = []
    for align in sorted(units):
        by_lang, paired = units[align], set()  # type: ignore[var-annotated]
        for a, b in mix.pairs:
            if (
                by_lang.get(a)
                and by_lang.get(b)
                and not {a, b} & paired
                and rng.random() < mix.interleaved
            ):
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
