"""Pivot-aware pre-training data: a co-occurrence graph, its pivot set, and a document selection.

After the authors: a graph of word tokens over the pre-training documents, two tokens joined
with the number of times they occur within ``window`` tokens of each other in a document
(``count``), or with their positive pointwise mutual information (``ppmi``: log of that count
over what the two tokens' frequencies predict, negatives cut to zero); each token's weighted
degree is the sum of its edges (a token with many partners sums many, frequent or not). The
pivot set is the top tokens by weighted degree after the stop rule of the pivot analysis (no
number, no punctuation, not among the most frequent words). A document's score is the share of
its tokens that are in the pivot set, and the selection takes documents by descending score
(ties in a seeded order) while they fit a token budget.

Tokens are the study's word tokens (a collection's segmented text, the counts' tokenisation);
budgets are in the model's tokens. The scoring runs as a ``datatrove`` pipeline (reader, scorer,
writer), so the same step scores a web-scale corpus on a cluster executor; the budgeted
selection is a sort of (score, length) pairs, small at any scale.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from datatrove.pipeline.base import PipelineStep

from semantic_pivots.errors import UserError

WEIGHTINGS = ("count", "ppmi")
MAX_WINDOW = 100  # edges per token grow with the window


def graph(documents: Iterable[list[str]], window: int, weighting: str = "ppmi"):
    """(vocabulary, symmetric sparse matrix of edge weights) over ``documents``' tokens."""
    from scipy import sparse

    if weighting not in WEIGHTINGS:
        raise UserError(f"graph weighting {weighting!r}: expected one of {', '.join(WEIGHTINGS)}")
    if not 2 <= window <= MAX_WINDOW:
        raise UserError(f"graph window {window}: expected 2 to {MAX_WINDOW} tokens")
    index: dict[str, int] = {}
    rows, cols = [], []
    for toks in documents:
        ids = np.fromiter((index.setdefault(t, len(index)) for t in toks), dtype=np.int64)
        for d in range(1, window):
            if len(ids) > d:
                rows.append(ids[:-d])
                cols.append(ids[d:])
    n = len(index)
    a = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    b = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    keep = a != b  # a token next to itself is no edge
    a, b = a[keep], b[keep]
    ones = np.ones(2 * len(a))
    counts = sparse.coo_matrix((ones, (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    counts.sum_duplicates()
    vocab = sorted(index, key=index.get)  # type: ignore[arg-type]  # every key is in index
    if weighting == "count" or counts.nnz == 0:
        return vocab, counts
    totals = np.asarray(counts.sum(axis=1)).ravel()
    coo = counts.tocoo()
    pmi = np.log(coo.data * counts.sum() / (totals[coo.row] * totals[coo.col]))
    positive = pmi > 0
    weights = sparse.coo_matrix(
        (pmi[positive], (coo.row[positive], coo.col[positive])), shape=(n, n)
    ).tocsr()
    return vocab, weights


def weighted_degree(weights) -> np.ndarray:
    return np.asarray(weights.sum(axis=1)).ravel()


def admitted(token: str, dropped: set[str]) -> bool:
    """Whether the pivot set may hold ``token``: not one of ``dropped``, and content-like.

    None without a letter or with a digit, no one-letter token of an alphabetic script
    (``words.content_like``, as for analysis 4's pivots).
    """
    from semantic_pivots.data.words import content_like

    return token not in dropped and content_like(token)


def pivot_set(vocab: list[str], degree: np.ndarray, size: int, dropped: set[str]) -> list[str]:
    """The ``size`` tokens of highest weighted degree (ties in string order).

    Only tokens the set may hold (:func:`admitted`).
    """
    order = sorted(range(len(vocab)), key=lambda i: (-degree[i], vocab[i]))
    return [vocab[i] for i in order if admitted(vocab[i], dropped)][:size]


def pivot_share(tokens: list[str], pivots: set[str]) -> float:
    """The share of a document's tokens that are in the pivot set (0 for an empty one)."""
    return sum(t in pivots for t in tokens) / len(tokens) if tokens else 0.0


def _tie_order(doc_id: str, seed: int) -> bytes:
    return hashlib.sha1(f"{seed}:{doc_id}".encode()).digest()


def select(
    ids: list[str], scores: list[float], lengths: list[int], budget: int, seed: int, slack: int
) -> list[str]:
    """Documents by descending score (ties in a seeded order) while they fit ``budget`` tokens.

    A document that does not fit is skipped and the next tried; the selection stops once it
    is within ``slack`` tokens of the budget (one training sequence), or the documents run out.
    """
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], _tie_order(ids[i], seed)))
    return _fill([ids[i] for i in order], dict(zip(ids, lengths, strict=True)), budget, slack)


def _fill(ranked: list[str], length: dict[str, int], budget: int, slack: int) -> list[str]:
    chosen, total = [], 0
    for doc_id in ranked:
        if total + length[doc_id] <= budget:
            chosen.append(doc_id)
            total += length[doc_id]
            if total >= budget - slack:
                break
    return chosen


def length_deciles(lengths: list[int]) -> list[int]:
    """Each length's decile (0-9) among ``lengths``."""
    cuts = sorted(lengths)
    bounds = [cuts[min(len(cuts) - 1, (len(cuts) * k) // 10)] for k in range(1, 10)]
    return [bisect.bisect_right(bounds, n) for n in lengths]


def random_like(ids: list[str], strata: list[tuple], like: list[str], seed: str) -> list[str]:
    """A random selection matched to ``like`` stratum by stratum.

    ``strata``: each document's stratum (source, languages, length decile); from every stratum
    as many documents are drawn at random, in a ``seed``-ed order, as ``like`` has there, so the
    two selections differ in what ranked ``like``'s documents and in nothing their strata hold.
    """
    stratum = dict(zip(ids, strata, strict=True))
    wanted: dict[tuple, int] = {}
    for doc_id in like:
        wanted[stratum[doc_id]] = wanted.get(stratum[doc_id], 0) + 1
    rng = random.Random(f"{seed}|random-like")
    chosen = []
    for key in sorted(wanted):
        pool = [i for i in ids if stratum[i] == key]
        chosen += rng.sample(pool, wanted[key])
    return chosen


def score_documents(source: Path, pivots: list[str], out: Path) -> dict[str, float]:
    """Every document's pivot share, by a datatrove pipeline over the collection's JSONL.

    The pipeline reads ``source`` (JSONL with ``id`` and ``text``, the collection's segmented
    documents), scores each document and writes it with its score into ``out``; the scores are
    read back by id.
    """
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from loguru import logger

    # its progress lines would fill the notebook; a failure still raises
    logger.disable("datatrove")
    try:
        pipeline = [
            JsonlReader(str(source.parent), glob_pattern=source.name, id_key="id", text_key="text"),
            PivotShare(pivots),
            JsonlWriter(str(out), output_filename="scored.jsonl", compression=None),
        ]
        LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=str(out / "logs")).run()
    finally:
        logger.enable("datatrove")
    scores = {}
    with open(out / "scored.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            scores[row["id"]] = row["metadata"]["pivot_share"]
    return scores


class PivotShare(PipelineStep):
    """A datatrove step: adds each document's pivot share to its metadata."""

    name = "pivot share"
    type = "scorer"

    def __init__(self, pivots: list[str]):
        super().__init__()
        self.pivots = set(pivots)

    def run(self, data, rank: int = 0, world_size: int = 1):
        for doc in data:
            doc.metadata["pivot_share"] = pivot_share(doc.text.split(), self.pivots)
            self.stat_update("scored")
            yield doc
