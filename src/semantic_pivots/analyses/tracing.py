"""Layer tracing of CLWTD items.

Lens traces at the answer position, stored compactly and cached, with the behaviour of each item.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from semantic_pivots.analyses import behaviour
from semantic_pivots.cache import Kind, cached_json, key_digest
from semantic_pivots.config import Tracing
from semantic_pivots.models import encoding, kv, lens
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.prompts import Pair, Planned, answer, query, source_span


@dataclass(frozen=True)
class ItemTrace:
    """The lens trace of one item translated in one ordered pair, with its first shot set."""

    model: str
    pair: str
    item: str
    shots: str  # the plan's shot sets as item ids (prompts.Planned.shot_ids)
    source: str
    target: str
    source_tokens: list[int]  # the source word's tokens as they stand in the prompt, no blanks
    target_tokens: list[int]  # the answer's tokens, no blanks
    blanks: int  # blank tokens at the start of the answer, stepped over by the lens
    trace: lens.Trace

    def label(self, rule: str = "peak", threshold: float = 0.1) -> int:
        """The behaviour, from layer 1 on (layer 0 only decodes the input token)."""
        return behaviour.classify(
            self.trace.top1()[1:],
            set(self.source_tokens),
            set(self.target_tokens),
            self.source == self.target,
            rule,
            threshold,
        )


def trace_pair(
    lm: LoadedModel,
    planned: list[Planned],
    pair: Pair,
    top_k: int = 5,
    skip_blanks: bool = True,
    extra: dict[str, dict[str, list[int]]] | None = None,
    decoder: lens.Lens = lens.LOGIT,
) -> list[ItemTrace]:
    """Traces of the planned items translated ``pair``, each with its first shot set, cached.

    The lens reads the position that predicts the answer's first word token, after any blank
    tokens the answer starts with; ``skip_blanks=False`` reads the last prompt position instead
    (the prediction of the blank itself), kept to measure what the step changes. ``extra``
    adds token sets whose mass is read too (item id -> set name -> token ids). ``decoder``:
    the logit lens, or a tuned lens (whose key joins the cache key).
    """
    tok = lm.tokenizer
    encoded, sets = [], []
    for p in planned:
        src, tgt = p.item.words[pair.src], p.item.words[pair.tgt]
        prompt = query(pair, p.shots[0], src)
        encoded.append(
            encoding.encode(tok, prompt, answer(tgt), {"source": source_span(pair, prompt, src)})
        )
        names = {"source": src, "target": tgt}
        if "en" in p.item.words:  # the "latent English" reading, where the list has English
            names["english"] = p.item.words["en"]
        sets.append(
            {
                **{name: lens.token_variants(tok, w) for name, w in names.items()},
                **(extra or {}).get(p.item.id, {}),
            }
        )
    inputs = [e.lens_input if skip_blanks else e.ids[: e.answer_start] for e in encoded]
    key = {**lm.key(), "inputs": key_digest(inputs), "sets": key_digest(sets), "top_k": top_k}
    if decoder.key:
        key["lens"] = decoder.key
    rows = cached_json(
        TRACES,
        key,
        lambda: [
            t.to_json() for t in lens.trace_batch(lm, inputs, sets, top_k=top_k, decoder=decoder)
        ],
    )
    return [
        ItemTrace(
            lm.info.name,
            str(pair),
            p.item.id,
            p.shot_ids,
            p.item.words[pair.src],
            p.item.words[pair.tgt],
            e.spans["source"],
            [i for i in e.ids[e.answer_start :] if not encoding.is_blank(tok, i)],
            e.word_start - e.answer_start,
            lens.Trace.from_json(row),
        )
        for p, e, row in zip(planned, encoded, rows, strict=True)
    ]


TRACES = Kind(
    "traces",
    2,
    (
        lens.trace_batch,
        lens.token_variants,
        lens.Trace.to_json,
        lens.Lens.every_layer,
        lens.Lens.normed,
        lens.Lens.logits,
        *encoding.CODE,
        *kv.CODE,
    ),
)


def behaviour_row(
    t: ItemTrace, lm: LoadedModel, rule: str = "peak", threshold: float = 0.1
) -> dict:
    """One item's behaviour under ``rule`` and under the other rule, and its peak layer."""
    top1 = t.trace.top1()
    peak = 1 + behaviour.peak_layer(top1[1:])
    other = next(r for r in behaviour.RULES if r != rule)
    return {
        "model": t.model,
        "pair": t.pair,
        "item": t.item,
        "shots": t.shots,
        "source": t.source,
        "target": t.target,
        "blanks": t.blanks,
        "label": behaviour.LABELS[t.label(rule, threshold)],
        f"label ({other} rule)": behaviour.LABELS[t.label(other, threshold)],
        "peak layer": peak,
        "peak token": lm.tokenizer.decode([top1[peak][0]]),
        "peak prob": top1[peak][1],
    }


def study_behaviour(
    lm: LoadedModel,
    plans: dict[Pair, list[Planned]],
    tracing: Tracing,
    decoder: lens.Lens = lens.LOGIT,
    extra: dict[str, dict[str, dict[str, list[int]]]] | None = None,
) -> tuple[list[dict], dict[tuple[str, str, str], ItemTrace]]:
    """Behaviour rows and traces of the planned items, the traces keyed by (model, pair, item).

    Read with ``decoder`` (the logit lens by default); ``extra``: token sets read too, by
    ordered pair and item (:func:`trace_pair`), which change no label.
    """
    rows, traces = [], {}
    for pair, planned in plans.items():
        sets = (extra or {}).get(str(pair))
        for t in trace_pair(lm, planned, pair, tracing.top_k, extra=sets, decoder=decoder):
            traces[t.model, t.pair, t.item] = t
            rows.append(behaviour_row(t, lm, tracing.rule, tracing.threshold))
    return rows, traces


def blank_position_labels(
    lm: LoadedModel,
    plans: dict[Pair, list[Planned]],
    tracing: Tracing,
    traces: dict[tuple[str, str, str], ItemTrace],
) -> list[dict]:
    """Label each blank-led item as if the lens read the blank's position.

    For every item of ``traces`` (:func:`study_behaviour`) whose answer starts with blank
    tokens, its label when the lens reads the blank's position instead (the reading before
    the step over blanks).
    """
    rows = []
    for pair, planned in plans.items():
        stepped = [p for p in planned if traces[lm.info.name, str(pair), p.item.id].blanks]
        if not stepped:
            continue
        for t in trace_pair(lm, stepped, pair, tracing.top_k, skip_blanks=False):
            label = t.label(tracing.rule, tracing.threshold)
            rows.append(
                {
                    "model": t.model,
                    "pair": t.pair,
                    "item": t.item,
                    "label at the blank": behaviour.LABELS[label],
                }
            )
    return rows


def relabelling(rows: list[dict], at_blank: list[dict]):
    """Count, per model and pair, the labels that move when the lens reads the blank.

    Columns: the items, those whose answer starts with a blank, and how many of those change
    label when the lens reads the blank's position (``at_blank``: :func:`blank_position_labels`).
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    moved = frame.merge(
        pd.DataFrame(at_blank, columns=["model", "pair", "item", "label at the blank"]),
        on=["model", "pair", "item"],
        how="left",
    )
    moved["changed"] = moved["label at the blank"].notna() & (
        moved["label at the blank"] != moved["label"]
    )
    return moved.groupby(["model", "pair"], sort=False).agg(
        items=("item", "size"),
        **{
            "answer starts with a blank": ("blanks", lambda b: int((b > 0).sum())),
            "label changed": ("changed", "sum"),
        },
    )


def peak_note(model: str, rows, n_layers: int) -> str:
    """Describe a model's semantic-pivot peaks in one sentence.

    How many lie in the first quarter of the layers, the most common peak token, and what a
    blank or single-letter peak token means.
    """
    pivots = rows[rows.label == "semantic pivot"]
    if pivots.empty:
        return f"- **{model}**: no item is labelled a semantic pivot."
    early = (pivots["peak layer"] <= n_layers / 4).mean()
    shares = pivots["peak token"].value_counts(normalize=True)
    token, share = shares.index[0], shares.iloc[0]
    note = (
        f"- **{model}**: {early:.0%} of its semantic-pivot items peak in the first quarter of "
        f"the layers; the most common peak token is {token!r} ({share:.0%} of them)"
    )
    if share >= 0.5 and not token.strip():
        return note + (
            ", white space: a blank says nothing about meaning, so for this model most items "
            "the peak rule calls pivots are not semantic pivots."
        )
    if share >= 0.5 and len(token.strip()) == 1 and script(token) == "latin":
        return note + (
            ", a single Latin letter: the peak may be a lens artefact rather than a semantic pivot."
        )
    return note + "."


def junk(token: str) -> bool:
    """A peak token that cannot carry meaning.

    Blank, without a letter (punctuation, digits), a byte fragment (a character the tokenizer
    cannot decode alone), or one letter of an alphabetic script (one Chinese or Japanese
    character may be a word, and is not junk).
    """
    text = token.strip()
    if not text or "\ufffd" in text or not any(c.isalpha() for c in text):
        return True
    return len(text) == 1 and script(text) not in ("han", "kana")


ARTEFACTS = ("junk", "early", "artefact")


def early(frame, n_layers: dict[str, int]):
    """Whether each row's peak lies in the first quarter of its model's layers.

    There a lens reads little beyond the input token's embedding: such a peak is no
    intermediate meaning.
    """
    return frame["peak layer"] <= frame["model"].map(n_layers) / 4


def artefact_flags(frame, n_layers: dict[str, int]) -> dict:
    """Per row, whether its peak is a lens artefact: a boolean series per :data:`ARTEFACTS`.

    ``junk``: its token is junk (:func:`junk`); ``early``: it lies in the first quarter of the
    layers (:func:`early`); ``artefact``: either.
    """
    flags = {"junk": frame["peak token"].map(junk), "early": early(frame, n_layers)}
    flags["artefact"] = flags["junk"] | flags["early"]
    return flags


def artefact_shares(frame, n_layers: dict[str, int], by=("model",), seed: int = 0):
    """Per group, the shares of semantic-pivot items whose peak is an artefact of the lens.

    ``junk``: the peak token is junk (:func:`junk`); ``early``: the peak lies in the first
    quarter of the layers (:func:`early`); ``artefact``: either. Each with its 95 % interval
    resampling concepts; ``frame``: behaviour rows.
    """
    import pandas as pd

    from semantic_pivots.stats import summarise

    chosen = frame[frame["label"] == "semantic pivot"]
    if chosen.empty:
        columns = [c for a in ARTEFACTS for c in (a, f"{a} low", f"{a} high")]
        return pd.DataFrame(columns=[*by, "n", *columns])
    flags = artefact_flags(chosen, n_layers)
    chosen = chosen.assign(**{k: v.astype(float) for k, v in flags.items()})
    return summarise(chosen, list(by), list(ARTEFACTS), "item", seed, shares=ARTEFACTS)


def pivot_shares(frame, seed: int = 0):
    """Per model, the share of semantic-pivot items among the labelled (not excluded) ones.

    With its 95 % interval resampling concepts; ``frame``: behaviour rows.
    """
    from semantic_pivots.stats import summarise

    labelled = frame[frame["label"] != behaviour.LABELS[behaviour.EXCLUDED]]
    labelled = labelled.assign(pivot=(labelled["label"] == "semantic pivot").astype(float))
    return summarise(labelled, ["model"], ["pivot"], "item", seed, shares=["pivot"])


def by_lens(frames: dict):
    """Behaviour rows of several lenses in one frame, with a ``lens`` column (empty: no rows)."""
    import pandas as pd

    read = [f.assign(lens=name) for name, f in frames.items() if len(f)]
    return pd.concat(read) if read else pd.DataFrame(columns=["model", "label", "lens"])


def lens_crosstab(logit, tuned):
    """Per model, the items' labels under the logit lens (rows) and the tuned lens (columns)."""
    import pandas as pd

    keys = ["model", "pair", "item"]
    both = logit[[*keys, "label"]].merge(
        tuned[[*keys, "label"]], on=keys, suffixes=(" (logit lens)", " (tuned lens)")
    )
    return pd.crosstab([both["model"], both["label (logit lens)"]], both["label (tuned lens)"])


def script(text: str) -> str:
    """The writing system of a decoded token: latin, kana, han, other or blank."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "blank" if not text.strip() else "other"
    names = [unicodedata.name(c, "") for c in letters]
    if any("HIRAGANA" in n or "KATAKANA" in n for n in names):
        return "kana"
    if any("CJK" in n for n in names):
        return "han"
    if all("LATIN" in n for n in names):
        return "latin"
    return "other"


# why a peak is a lens artefact, as an example's title says it
WHY = {"junk": "peak token not a word", "early": "peak in the first quarter of the layers"}


@dataclass(frozen=True)
class Example:
    """An item shown as a typical one of its behaviour.

    ``artefact``: why its peak is a lens artefact ("" where it is not one).
    """

    label: str
    traced: ItemTrace
    artefact: str


def examples(
    frame,
    traces: dict[tuple[str, str, str], ItemTrace],
    model: str,
    labels: list[str],
    n_layers: dict[str, int],
) -> list[tuple[str, Example | None]]:
    """Per label, ``model``'s typical item of that behaviour (or None).

    Typical: the item at the median of the label's peak probabilities (the lower one of two),
    not the most confident, which on small models is most often a lens artefact. A
    semantic-pivot item whose peak is an artefact (:func:`artefact_flags`: a :func:`junk` token,
    or one in the first quarter of the layers) is marked as one, with its reason (a
    co-occurrence item's peak is the model's own prediction).
    """
    own = frame[frame.model == model]
    out: list[tuple[str, Example | None]] = []
    for label in labels:
        hits = own[own.label == label].sort_values(["peak prob", "pair", "item"])
        if hits.empty:
            out.append((label, None))
            continue
        middle = hits.iloc[[(len(hits) - 1) // 2]]
        row = middle.iloc[0]
        traced = traces[model, row["pair"], row["item"]]
        artefact = ""
        if label == behaviour.LABELS[behaviour.PIVOT]:
            flags = {k: bool(v.iloc[0]) for k, v in artefact_flags(middle, n_layers).items()}
            artefact = next((WHY[k] for k in ("junk", "early") if flags[k]), "")
        out.append((label, Example(label, traced, artefact)))
    return out


OWN_SETS = ("source", "target", "english")  # what every trace reads; extra sets come on top


def token_set_curves(traces: dict[tuple[str, str, str], ItemTrace]):
    """Each trace's own token-set probabilities by layer, one row per (trace, layer, set)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "model": t.model,
                "pair": t.pair,
                "layer": r.layer,
                "token set": name,
                "probability": r.masses[name],
            }
            for t in traces.values()
            for r in t.trace.layers
            for name in r.masses
            if name in OWN_SETS
        ]
    )
