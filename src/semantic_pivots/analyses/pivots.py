"""Semantic pivots: the words that co-occur with both a source word and its translation.

Discovery (after the authors): for an item (w, y) of a pair, sample up to N documents that
contain w (and hold a line of w's language), up to N that contain y, and for each sample N
background documents drawn to match its source, languages and lengths; a word t's document
frequency in each sample (the share of its documents holding t); score(t) = min(DF_w(t) -
DF_bg(t), DF_y(t) - DF_bg(t)), high only where t is over-represented next to both words. The top
k scores are the item's pivots, among the words above a noise floor (both excesses with a
one-sided 95 % lower confidence bound above 0), after a filter: the item's words in the pair's
two languages and their accepted spellings, the function words of the list's languages
(``data.function_words``), tokens with a digit or without a letter, one-letter tokens of
alphabetic scripts, and the corpus's most frequent words (a setting) are never pivots. Proper
names (``retrieval.WordFacts``) are kept apart: ranked by the same score, but listed as the
item's names, never its pivots. The item's words in the list's other languages may be pivots:
the English word of a French-Chinese item is the "latent English" pivot (:func:`latent_english`
counts how often it comes first). The score is symmetric in w and y, so both directions of a
language pair share their pivots.

A control set per item holds as many words as its pivots, each drawn at random (seeded) among
the words of the background sample of the pivot's language (and script) whose document
frequency in the whole collection is within a factor of the pivot's (the nearest one where none
is), never a pivot, a name nor a filtered word. In the model, a word is its first token (the
first non-blank token of ``" {word}"``); tokens of the source word and of the answer, and every
token of the traced prompt (template and shot words), are left out of both sets, so neither
set's mass ever counts the answer itself or a word the model could copy from the prompt;
control tokens that are also pivot tokens are left out of the control set, and both sets are
cut to the same number of tokens.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import ChainMap, Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace

from semantic_pivots.cache import Kind, cached_json, key_digest
from semantic_pivots.data import counts, function_words, retrieval
from semantic_pivots.data.clwtd import Item
from semantic_pivots.data.retrieval import Documents
from semantic_pivots.data.words import admissible, content_like, script
from semantic_pivots.models.encoding import is_blank
from semantic_pivots.prompts import Pair


@dataclass(frozen=True)
class Pivot:
    """A semantic pivot of one item, with its pivot score and document shares.

    A word frequent in both the source word's and the target word's documents.
    """

    word: str
    score: float
    df_source: float  # share of the source word's documents that hold it
    df_target: float
    df_background: float


@dataclass(frozen=True)
class ItemPivots:
    """An item's pivots in one ordered pair, its document counts and its control words."""

    pair: str  # the ordered pair whose source and target these are
    item: str
    source: str
    target: str
    source_documents: int  # documents that contain the source word (all, not the sample)
    target_documents: int
    pivots: list[Pivot]
    control: list[str]  # frequency-matched non-pivots, one per pivot
    names: list[Pivot] = field(default_factory=list)  # proper names that would score, kept apart

    def to_json(self) -> dict:
        """A plain record, for the result cache."""
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict) -> ItemPivots:
        """The pivots of a record made by :meth:`to_json`."""
        listed = {k: [Pivot(**p) for p in row.get(k, [])] for k in ("pivots", "names")}
        return cls(**{**row, **listed})


def shares(word_sets: list[frozenset[str]]) -> dict[str, float]:
    """Each word's document frequency in a sample, as a share of its documents."""
    df: Counter = Counter()
    for words in word_sets:
        df.update(words)
    n = len(word_sets)
    return {w: c / n for w, c in df.items()}


def item_words(item: Item, langs: Iterable[str]) -> set[str]:
    """The tokens and match forms of an item's words and accepted spellings in ``langs``."""
    out: set[str] = set()
    for lang in langs:
        for word in {item.words[lang], *item.answers(lang)}:
            out.add(counts.match_form(word, lang))
            out.update(counts.tokens(word, lang))
    return out


# the noise floor: a one-sided 95 % normal quantile for each excess's lower bound
Z_FLOOR = 1.6449


def _lower_bound(p: float, n: int, q: float, m: int) -> float:
    """One-sided lower confidence bound of the difference of two shares, p of n and q of m."""
    return p - q - Z_FLOOR * math.sqrt(p * (1 - p) / n + (q * (1 - q) / m if m else 0.0))


def rank(
    source_docs: list[frozenset[str]],
    target_docs: list[frozenset[str]],
    background: dict[str, float] | tuple[dict[str, float], dict[str, float]],
    dropped: set[str],
    k: int | None,
    n_background: int | tuple[int, int] | None = None,
) -> list[Pivot]:
    """The top ``k`` words by pivot score (all where ``k`` is None), positive scores only.

    Ties in string order.

    ``background``: each word's share of the background documents (:func:`shares`), one for
    both samples or one per sample (a background matched to each), of ``n_background``
    documents (one number or one per sample). With ``n_background`` (even 0: an empty
    background), the noise floor: a word is kept only if both of its excesses have a one-sided
    95 % lower confidence bound above 0 (a word in 2 of 10 documents and in none of the
    background does not pass, one in 6 of 10 does). A pivot's ``df_background`` is the larger
    of its two background shares.
    """
    if not source_docs or not target_docs:
        return []
    bw, by = background if isinstance(background, tuple) else (background, background)
    floor = n_background is not None
    mw, my = n_background if isinstance(n_background, tuple) else (n_background or 0,) * 2
    dw, dy = shares(source_docs), shares(target_docs)
    nw, ny = len(source_docs), len(target_docs)
    scored = []
    for word in dw.keys() & dy.keys():
        if word in dropped or not content_like(word):
            continue
        gw, gy = bw.get(word, 0.0), by.get(word, 0.0)
        score = min(dw[word] - gw, dy[word] - gy)
        if score <= 0:
            continue
        if (
            floor
            and min(_lower_bound(dw[word], nw, gw, mw), _lower_bound(dy[word], ny, gy, my)) <= 0
        ):
            continue
        scored.append((-score, word))
    return [
        Pivot(word, -neg, dw[word], dy[word], max(bw.get(word, 0.0), by.get(word, 0.0)))
        for neg, word in (sorted(scored) if k is None else heapq.nsmallest(k, scored))
    ]


def frequency_pool(frequency: dict[str, int]) -> list[tuple[float, str]]:
    """Words with their log frequency, in ascending order: where controls are drawn from."""
    return sorted((math.log(f), w) for w, f in frequency.items() if f > 0)


@dataclass(frozen=True)
class ControlPool:
    """The words controls are drawn from, binned once for every item's draw.

    ``pool``: (log frequency, word) in ascending order; ``bins``: its words by (language,
    script), by ("script", script) and all (("pool",)); ``logs``: each bin's log frequencies.
    """

    pool: list[tuple[float, str]]
    bins: dict[tuple, list[tuple[float, str]]]
    logs: dict[tuple, list[float]]


def control_pool(pool: list[tuple[float, str]], language: Mapping[str, str]) -> ControlPool:
    """``pool`` (:func:`frequency_pool`) binned by each word's ``language`` and script."""
    bins: dict[tuple, list[tuple[float, str]]] = {}
    for x, w in pool:
        kind = script(w)
        bins.setdefault((language.get(w), kind), []).append((x, w))
        bins.setdefault(("script", kind), []).append((x, w))
    bins[("pool",)] = pool
    return ControlPool(pool, bins, {k: [x for x, _ in own] for k, own in bins.items()})


def matched_control(
    pivots: list[str],
    frequency: dict[str, int],
    tolerance: float,
    seed: int,
    salt: str = "",
    pool: ControlPool | None = None,
    excluded: frozenset[str] = frozenset(),
    language: Mapping[str, str] | None = None,
) -> list[str]:
    """One word per pivot at matched frequency, language and script, never a pivot.

    Nor a word of ``excluded``. For each pivot (pf its frequency, from ``frequency``), a word
    drawn at random from ``pool`` (default: ``frequency``'s words) among those whose frequency
    f satisfies pf / tolerance <= f <= pf * tolerance, of the pivot's language (``language``,
    where it knows the pivot's) and :func:`script` where there is one, else of its script;
    where none is, the word of its script of the nearest log frequency; a word of another
    script only where none of its script is left (within the tolerance if one is). No word is
    drawn twice; a control is missing only where the pool has no free word. A ``pool`` built
    once serves many draws: a word binned under a language other than ``language`` gives it
    is a pivot, never drawn.
    """
    rng = random.Random(f"{seed}:{salt}")
    language = language or {}
    pool = control_pool(frequency_pool(frequency), language) if pool is None else pool
    bins = pool.bins
    used = set(pivots) | excluded

    def within(k: tuple, centre: float) -> str | None:
        return _within(bins[k], pool.logs[k], centre, tolerance, used, rng) if k in bins else None

    out = []
    for pivot in pivots:
        same = ("script", script(pivot))
        lang = (language[pivot], script(pivot)) if pivot in language else ("none",)
        centre = math.log(max(frequency.get(pivot, 1), 1))
        choice = (
            within(lang, centre)
            or within(same, centre)
            or _nearest(bins.get(same, []), centre, used)
            or within(("pool",), centre)
            or _nearest(pool.pool, centre, used)
        )
        if choice is None:
            break
        used.add(choice)
        out.append(choice)
    return out


def _within(
    own: list[tuple[float, str]], logs: list[float], centre: float, tolerance: float, used, rng
):
    """A free word of ``own`` within ``tolerance`` of ``centre`` (``logs``: its ascending logs)."""
    low = bisect.bisect_left(logs, centre - math.log(tolerance) - 1e-12)
    high = bisect.bisect_right(logs, centre + math.log(tolerance) + 1e-12)
    inside = [w for _, w in own[low:high] if w not in used]
    return rng.choice(inside) if inside else None


def _nearest(own: list[tuple[float, str]], centre: float, used) -> str | None:
    """The free word of ``own`` of the nearest log frequency to ``centre``."""
    free = [(abs(x - centre), w) for x, w in own if w not in used]
    return min(free)[1] if free else None


def discover(
    docs: Documents,
    items: list[Item],
    pair: Pair,
    n_docs: int,
    k: int,
    stop: int,
    tolerance: float,
    seed: int,
    min_docs: int = 1,
    function: frozenset[str] = frozenset(),
) -> list[ItemPivots]:
    """Pivots and controls of ``items`` for the language pair of ``pair`` (either direction).

    ``function``: words never pivots nor controls (the list's languages' function words).

    An item whose source or target word is in fewer than ``min_docs`` documents gets none (in a
    single document every word has a document frequency of one, and the score says nothing),
    and so does an item whose two words are one string (their documents are the same).
    """
    from tqdm import tqdm

    background = docs.background(n_docs, seed)
    background_shares = shares(background) if background else {}
    frequent = set(docs.frequent(stop, seed)) | function
    names = docs.names()
    # controls come from the background's vocabulary: words of every frequency, no item's
    vocabulary = sorted(w for w in background_shares if content_like(w))
    language = docs.language(vocabulary)
    pool = control_pool(frequency_pool(docs.frequency(vocabulary)), language)
    out = []
    for item in tqdm(items, desc=f"pivots {pair}", leave=False):
        w, y = item.words[pair.src], item.words[pair.tgt]
        found_w = docs.with_word(w, pair.src, n_docs, seed)
        found_y = docs.with_word(y, pair.tgt, n_docs, seed)
        # the item's own words and spellings in the pair's languages; its words in other
        # languages stay (the English word between French and Chinese: a latent English pivot)
        dropped = frequent | item_words(item, (pair.src, pair.tgt))
        enough = min(found_w.total, found_y.total) >= min_docs and not item.same_string(
            pair.src, pair.tgt
        )
        ranked = []
        if enough:  # each sample against a background matched to its sources and lengths
            like = [docs.background_like(f, n_docs, seed) for f in (found_w, found_y)]
            ranked = rank(
                found_w.words,
                found_y.words,
                (shares(like[0]), shares(like[1])),
                dropped,
                None,
                (len(like[0]), len(like[1])),
            )
        pivots = [p for p in ranked if p.word not in names][:k]
        control = matched_control(
            [p.word for p in pivots],
            docs.frequency([p.word for p in pivots]),
            tolerance,
            seed,
            f"{pair}:{item.id}",
            pool,
            frozenset(dropped | names),
            ChainMap(docs.language([p.word for p in pivots]), language),  # no copy an item
        )
        kept_apart = [p for p in ranked if p.word in names][:k]
        out.append(
            ItemPivots(
                str(pair), item.id, w, y, found_w.total, found_y.total, pivots, control, kept_apart
            )
        )
    return out


def cached_discover(
    docs: Documents,
    collection_key: str,
    items: list[Item],
    pair: Pair,
    settings,
    seed: int,
) -> list[ItemPivots]:
    """:func:`discover` with the study's pivot settings, cached by the collection and items.

    The function words of every language of the items' words are never pivots.
    """
    langs = {lang for it in items for lang in it.words}
    function = function_words.barred(langs, settings.function_words)
    key = {
        "collection": collection_key,
        "pair": str(pair),
        "items": [[it.id, it.words[pair.src], it.words[pair.tgt]] for it in items],
        "answers": [[it.answers(pair.src), it.answers(pair.tgt)] for it in items],
        "n_docs": settings.n_docs,
        "n_pivots": settings.n_pivots,
        "stop": settings.stop,
        "tolerance": settings.tolerance,
        "min_docs": settings.min_docs,
        "seed": seed,
        "function words": key_digest(sorted(function)),
    }
    rows = cached_json(
        PIVOTS,
        key,
        lambda: [
            p.to_json()
            for p in discover(
                docs,
                items,
                pair,
                settings.n_docs,
                settings.n_pivots,
                settings.stop,
                settings.tolerance,
                seed,
                settings.min_docs,
                function,
            )
        ],
    )
    return [ItemPivots.from_json(r) for r in rows]


PIVOTS = Kind(
    "pivots",
    4,
    (
        shares,
        admissible,
        item_words,
        rank,
        content_like,
        _lower_bound,
        frequency_pool,
        control_pool,
        matched_control,
        _within,
        _nearest,
        script,
        discover,
        counts.tokens,
        counts.match_form,
        retrieval.sample,
        retrieval.queries,
        retrieval._cuts,
        retrieval.Local.with_word,
        retrieval.Local.language,
        retrieval.Local.background,
        retrieval.Local.background_like,
        retrieval.Local._stratum_order,
        retrieval.hash_order,
        retrieval.Local.frequent,
        retrieval.most_frequent,
    ),
)


def first_token(tokenizer, word: str) -> int:
    """The model's token for a word: the first non-blank token of ``" {word}"``."""
    ids = tokenizer(f" {word}", add_special_tokens=False)["input_ids"]
    return next((i for i in ids if not is_blank(tokenizer, i)), ids[0])


def token_sets(tokenizer, found: ItemPivots, words: set[int]) -> dict[str, list[int]]:
    """The pivot and control sets as the model's tokens, of equal size.

    The item's own ``words``' tokens are left out of both, pivot tokens out of the control
    set; both are then cut to the smaller one's size, keeping the best-ranked pivots and their
    matched controls, so that their masses sum over as many tokens.
    """
    pivots = list(dict.fromkeys(first_token(tokenizer, p.word) for p in found.pivots))
    pivots = [t for t in pivots if t not in words]
    control = list(dict.fromkeys(first_token(tokenizer, w) for w in found.control))
    control = [t for t in control if t not in words and t not in set(pivots)]
    n = min(len(pivots), len(control))
    return {"pivots": sorted(pivots[:n]), "control": sorted(control[:n])}


def pivots_by_pair(
    docs: Documents,
    collection_key: str,
    plans: dict[Pair, list],
    settings,
    seed: int,
) -> dict[tuple[str, str], ItemPivots]:
    """Pivots of every planned item, by (ordered pair, item id).

    Each language pair is discovered once, over the items planned in either direction.
    """
    out: dict[tuple[str, str], ItemPivots] = {}
    done: set[frozenset[str]] = set()
    for pair in plans:
        langs = frozenset((pair.src, pair.tgt))
        if langs in done:
            continue
        done.add(langs)
        both = [p for p in plans if {p.src, p.tgt} == langs]
        items = {pl.item.id: pl.item for p in both for pl in plans[p]}
        found = cached_discover(
            docs, collection_key, [items[i] for i in sorted(items)], pair, settings, seed
        )
        for p in both:
            for f in found:
                out[str(p), f.item] = f if p == pair else reversed_direction(f, p)
    return out


def reversed_direction(found: ItemPivots, pair: Pair) -> ItemPivots:
    """The same pivots read from the other side of the pair (the score is symmetric)."""
    return replace(
        found,
        pair=str(pair),
        source=found.target,
        target=found.source,
        source_documents=found.target_documents,
        target_documents=found.source_documents,
        pivots=[replace(p, df_source=p.df_target, df_target=p.df_source) for p in found.pivots],
    )


MASS_COLUMNS = [
    "model", "pair", "item", "layer", "depth", "pivots", "control", "pivot tokens",
    "control tokens",
]  # fmt: skip
PEAK_COLUMNS = [
    "model", "pair", "item", "label", "peak token", "peak on a pivot", "peak on a control",
    "has pivots",
]  # fmt: skip


def model_sets(
    tokenizer, found: dict, prompt_tokens: dict | None = None
) -> dict[tuple[str, str], dict[str, list[int]]]:
    """The pivot and control token sets of every item, by (ordered pair, item id).

    Besides the item's own words, the tokens of its traced prompt (``prompt_tokens``, by the
    same key: template, shot words and the source word) are left out of both sets, so that
    copying from the prompt lifts neither.
    """
    from semantic_pivots.models.lens import token_variants

    out = {}
    for key, f in found.items():
        own = set(token_variants(tokenizer, f.source)) | set(token_variants(tokenizer, f.target))
        out[key] = token_sets(tokenizer, f, own | set((prompt_tokens or {}).get(key, ())))
    return out


def mass_rows(traces: list, sets: dict, n_layers: int) -> list[dict]:
    """The pivot and control sets' lens mass at every layer of each trace (rows).

    ``traces`` were read with ``sets`` as extra token sets (``tracing.trace_pair``).
    """
    rows = []
    for t in traces:
        chosen = sets[t.pair, t.item]
        for reading in t.trace.layers:
            rows.append(
                {
                    "model": t.model,
                    "pair": t.pair,
                    "item": t.item,
                    "layer": reading.layer,
                    "depth": reading.layer / n_layers,
                    "pivots": reading.masses["pivots"],
                    "control": reading.masses["control"],
                    "pivot tokens": len(chosen["pivots"]),
                    "control tokens": len(chosen["control"]),
                }
            )
    return rows


def peak_rows(tokenizer, traces: dict, sets: dict, behaviour) -> list[dict]:
    """For every traced item with pivots: its label, and where its peak token falls.

    Whether the peak token (at the peak layer of ``behaviour``'s rows, the behaviour rule's) is
    a pivot token or a control token.
    """
    rows = []
    for r in behaviour.to_dict("records"):
        key = (r["pair"], r["item"])
        if key not in sets:
            continue
        peak = traces[r["model"], r["pair"], r["item"]].trace.top1()[r["peak layer"]][0]
        rows.append(
            {
                "model": r["model"],
                "pair": r["pair"],
                "item": r["item"],
                "label": r["label"],
                "peak token": tokenizer.decode([peak]),
                "peak on a pivot": peak in sets[key]["pivots"],
                "peak on a control": peak in sets[key]["control"],
                "has pivots": bool(sets[key]["pivots"]),
            }
        )
    return rows


BEHAVIOURS = ("semantic pivot", "co-occurrence")


def with_labels(mass, peaks):
    """Mass rows of the labelled items that have pivot tokens, with their behaviour."""
    labels = peaks[["model", "pair", "item", "label"]]
    joined = mass[mass["pivot tokens"] > 0].merge(labels, on=["model", "pair", "item"])
    return joined[joined["label"].isin(BEHAVIOURS)]


def curves(mass, peaks, seed: int = 0):
    """Mean mass of the pivot and control sets per model, behaviour and layer, with intervals.

    Intervals resample concepts (an item's rows in every pair come along).
    """
    import pandas as pd

    from semantic_pivots.stats import summarise

    long = with_labels(mass, peaks).melt(
        id_vars=["model", "pair", "item", "label", "layer", "depth"],
        value_vars=["pivots", "control"],
        var_name="set",
        value_name="mass",
    )
    if long.empty:
        return pd.DataFrame(columns=["model", "label", "set", "layer", "depth", "n", "mass"])
    return summarise(long, ["model", "label", "set", "layer", "depth"], ["mass"], "item", seed)


# the middle layers, as a share of a model's depth (layer / layers): its middle third
MIDDLE = (1 / 3, 2 / 3)


def middle_layers(rows):
    """The rows of the middle-third layers (:data:`MIDDLE`), at least the one nearest 1/2.

    ``rows`` carry ``model``, ``layer`` and ``depth`` (layer / the model's layers).
    """
    low, high = MIDDLE
    inside = (rows["depth"] >= low - 1e-9) & (rows["depth"] <= high + 1e-9)
    # a model too shallow for a layer in the window keeps the one nearest its middle
    distance = (rows["depth"] - 0.5).abs()
    nearest = distance == distance.groupby(rows["model"]).transform("min")
    has = inside.groupby(rows["model"]).transform("any")
    return rows[inside | (~has & nearest)]


def _middle_excess(mass, peaks, by: tuple[str, ...]):
    """Per item (and ``by``): pivot mass, control mass and their difference, middle layers."""
    middle = middle_layers(with_labels(mass, peaks))
    keys = list(dict.fromkeys([*by, "model", "pair", "item", "label"]))
    return (
        middle.assign(excess=middle["pivots"] - middle["control"])
        .groupby(keys, as_index=False)[["excess", "pivots", "control"]]
        .mean()
    )


def excess(mass, peaks, seed: int = 0, by: tuple[str, ...] = ("model",)):
    """Per group and behaviour: the pivot set's mass minus the control's, in the middle layers.

    Groups: ``by`` (the model, or a column of ``mass`` such as a continued run's arm). An item's
    value is the mean over its model's middle-third layers (:func:`middle_layers`) of pivot
    mass - control mass; mean and interval over the items of every model in the group,
    resampling concepts. Groups come in the order of their first row in ``mass``.
    """
    from semantic_pivots.stats import summarise

    per_item = _middle_excess(mass, peaks, by)
    summary = summarise(per_item, [*by, "label"], ["pivots", "control", "excess"], "item", seed)
    if summary.empty:  # no item with a behaviour label and pivots
        return summary
    # groups in the order they come in ``mass`` (a continued run's start first), not by name,
    # and the behaviours in one order in every group
    first = {c: {v: i for i, v in enumerate(dict.fromkeys(mass[c]))} for c in by}
    first["label"] = {v: i for i, v in enumerate(sorted(summary["label"].unique()))}
    keys = [*by, "label"]
    order = summary.sort_values(keys, key=lambda col: col.map(first[col.name]), kind="stable")
    return order.reset_index(drop=True)


def excess_difference(mass, peaks, seed: int = 0):
    """Per model: the middle-layer excess of semantic-pivot items minus co-occurrence items.

    The direct test of "specific to pivot items": the difference of the two behaviours' mean
    excess (:func:`excess`), with a 95 % interval that resamples concepts (a concept's rows of
    both behaviours and every pair come along; a draw without one of the behaviours is left
    out). NaN where a behaviour has no item; no interval where one has fewer concepts than
    ``stats.MIN_CLUSTERS``.
    """
    import numpy as np
    import pandas as pd

    from semantic_pivots.stats import LEVEL, MIN_CLUSTERS, N_BOOT, cluster_draws, interval

    per_item = _middle_excess(mass, peaks, ())
    rows = []
    for model, sub in per_item.groupby("model", sort=False):
        row = {"model": model, "difference": np.nan, "difference low": np.nan}
        row["difference high"] = np.nan
        is_pivot = (sub["label"] == "semantic pivot").to_numpy(float)
        row["n pivot"], row["n co-occurrence"] = int(is_pivot.sum()), int(len(sub) - is_pivot.sum())
        if row["n pivot"] and row["n co-occurrence"]:
            x = sub["excess"].to_numpy()
            row["difference"] = x[is_pivot == 1].mean() - x[is_pivot == 0].mean()
            if min(sub.groupby("label")["item"].nunique()) < MIN_CLUSTERS:
                rows.append(row)  # a behaviour with too few concepts for an interval
                continue
            draws, codes = cluster_draws(sub["item"], N_BOOT, seed)
            w = draws[:, codes].astype(float)
            wp, wc = w * is_pivot, w * (1 - is_pivot)
            ok = (wp.sum(axis=1) > 0) & (wc.sum(axis=1) > 0)
            boot = (wp @ x) / np.where(ok, wp.sum(axis=1), 1) - (wc @ x) / np.where(
                ok, wc.sum(axis=1), 1
            )
            row["difference low"], row["difference high"] = interval(boot[ok], LEVEL)
        rows.append(row)
    return pd.DataFrame(rows)


def peak_summary(peaks, seed: int = 0):
    """Per model, over its semantic-pivot items with pivots: how often the peak is a pivot.

    The share whose peak token is a pivot token, the share whose peak token is a control token
    (the control rate: words of matched frequency that are not pivots), and their difference.
    """
    from semantic_pivots.stats import summarise

    chosen = peaks[(peaks["label"] == "semantic pivot") & peaks["has pivots"]].copy()
    chosen["on pivot"] = chosen["peak on a pivot"].astype(float)
    chosen["on control"] = chosen["peak on a control"].astype(float)
    chosen["difference"] = chosen["on pivot"] - chosen["on control"]
    columns, shares = ["on pivot", "on control", "difference"], ["on pivot", "on control"]
    return summarise(chosen, ["model"], columns, "item", seed, shares=shares)


def common_pivots(found: dict, n: int = 15, top: int = 10):
    """The words most often among the items' ``top`` pivots, with the share of items.

    One row per word: in how many of the items with pivots (each language pair counted once)
    it is among the ``top``. What remains after the filter, for a reader to judge.
    """
    import pandas as pd

    seen: dict[tuple[frozenset[str], str], list[str]] = {}
    for (pair, item), f in found.items():
        if f.pivots:
            seen.setdefault((frozenset(pair.split("-")), item), [p.word for p in f.pivots[:top]])
    tally = Counter(w for words in seen.values() for w in words)
    rows = [
        {"pivot": w, "items": c, "share of items": c / len(seen)}
        for w, c in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    ]
    return pd.DataFrame(rows, columns=["pivot", "items", "share of items"])


def what_remains(found: dict, measuring: frozenset[str], top: int = 10, n_examples: int = 5):
    """What the items' top pivots are made of: function words, and the names kept apart.

    Over the items with pivots or names (each language pair once): the share of their ``top``
    pivots that are in ``measuring`` (a stop list other than the filter's own), and the share
    of names among their ``top`` candidates (pivots and names by score, as if names were not
    kept apart); with the most frequent of each as examples. One row.
    """
    import pandas as pd

    seen: dict[tuple[frozenset[str], str], ItemPivots] = {}
    for (pair, item), f in found.items():
        if f.pivots or f.names:
            seen.setdefault((frozenset(pair.split("-")), item), f)
    tops = [p.word for f in seen.values() for p in f.pivots[:top]]
    candidates = [
        (name, p.word)
        for f in seen.values()
        for name, p in sorted(
            [(False, p) for p in f.pivots] + [(True, p) for p in f.names],
            key=lambda c: (-c[1].score, c[1].word),
        )[:top]
    ]

    def common(words: list[str]) -> str:
        ranked = sorted(Counter(words).items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(w for w, _ in ranked[:n_examples])

    stop = [w for w in tops if w in measuring]
    names = [w for name, w in candidates if name]
    return pd.DataFrame(
        [
            {
                "items": len(seen),
                "top pivots": len(tops),
                "function words": len(stop) / len(tops) if tops else float("nan"),
                "function-word examples": common(stop),
                "top candidates": len(candidates),
                "names": len(names) / len(candidates) if candidates else float("nan"),
                "name examples": common(names),
            }
        ]
    )


def latent_english(found: dict, items: dict[str, Item]):
    """Per non-English pair: how many items have their English word as top pivot, or a pivot.

    ``found``: pivots by (ordered pair, item id); ``items``: the word list's items by id. Over
    the items with pivots whose English word is known (counts: a pair has few such items);
    the English word matches a pivot in its matching form.
    """
    import pandas as pd

    rows = []
    for (pair, item_id), f in found.items():
        item = items.get(item_id)
        if "en" in pair.split("-") or not f.pivots or item is None or "en" not in item.words:
            continue
        english = item_words(item, ["en"])
        words = [p.word for p in f.pivots]
        rows.append(
            {"pair": pair, "top": words[0] in english, "any": any(w in english for w in words)}
        )
    if not rows:
        return pd.DataFrame(columns=["pair", "items", "English top pivot", "English a pivot"])
    frame = pd.DataFrame(rows)
    return frame.groupby("pair", as_index=False).agg(
        items=("top", "size"), **{"English top pivot": ("top", "sum")},
        **{"English a pivot": ("any", "sum")},
    )  # fmt: skip


def examples(found: dict, pairs: list[str], per_pair: int = 2, n_words: int = 8):
    """A table a reader can judge: for each pair, the best-measured items with pivots.

    With their top pivots, control words and the proper names kept apart from the pivots.

    The best-measured: those whose rarer word is in the most documents.
    """
    import pandas as pd

    rows = []
    for pair in pairs:
        items = sorted(
            (f for (p, _), f in found.items() if p == pair and f.pivots),
            key=lambda f: (-min(f.source_documents, f.target_documents), f.item),
        )
        for f in items[:per_pair]:
            rows.append(
                {
                    "pair": pair,
                    "source": f.source,
                    "target": f.target,
                    "documents (source, target)": f"{f.source_documents}, {f.target_documents}",
                    "top pivots (score)": ", ".join(
                        f"{p.word} ({p.score:.2f})" for p in f.pivots[:n_words]
                    ),
                    "control words": ", ".join(f.control[:n_words]),
                    "names kept apart": ", ".join(p.word for p in f.names[:n_words]),
                }
            )
    return pd.DataFrame(rows)
