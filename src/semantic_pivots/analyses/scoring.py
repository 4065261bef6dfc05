r"""CLWTD scores (book/method.md): log-likelihood requests, two scorers, item scores.

A request is one sequence ``prefix + middle + answer``: the prefix (instruction, shots and the
source-language label) is shared by every candidate of a shot set, the middle is
``" {X}\n{L2}:"`` and the answer ``" {y}"``. Its value is the mean negative log-likelihood of the
answer tokens. The whole string is tokenized once and the answer located by character offsets
(:mod:`.encoding`), so both scorers see exactly the same token ids.

* :func:`reference_nll`: one full forward per sequence, full logits, no batching, no cache.
* :func:`fast_nll`: the tokens shared by every request of a prefix run once; their key/value
  cache is copied to batches of right-padded suffixes of like length (causal attention never
  looks at the padding after a token); the unembedding is applied only where an answer token is
  predicted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass

from tqdm import tqdm

from semantic_pivots import languages, prompts
from semantic_pivots.cache import Kind, cached_json, key_digest
from semantic_pivots.errors import UserError
from semantic_pivots.models import encoding, kv
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.prompts import Pair, Planned, answer, prefix


@dataclass(frozen=True)
class Request:
    """One log-likelihood request: the answer's loss after ``prefix + middle``."""

    prefix: str
    middle: str
    answer: str


def encode(lm: LoadedModel, request: Request) -> encoding.Encoded:
    """The request tokenized as one string, its answer tokens located."""
    return encoding.encode(lm.tokenizer, request.prefix + request.middle, request.answer)


def _mean_nll(logits, targets) -> float:
    import torch

    logp = torch.log_softmax(logits.float(), dim=-1)
    return float(-logp.gather(-1, targets.unsqueeze(-1)).mean())


def reference_nll(lm: LoadedModel, requests: list[Request]) -> list[float]:
    """The plain scorer the fast one is tested against."""
    import torch

    out = []
    for request in tqdm(requests, desc="reference", leave=False):
        enc = encode(lm, request)
        ids = torch.tensor([enc.ids], device=lm.device)
        with torch.no_grad():
            logits = lm.model(input_ids=ids).logits[0]
        # logits at t predict token t + 1
        out.append(_mean_nll(logits[enc.answer_start - 1 : -1], ids[0, enc.answer_start :]))
    return out


def fast_nll(lm: LoadedModel, requests: list[Request], batch_size: int = 64) -> list[float]:
    """Equal to :func:`reference_nll` (within float tolerance), much faster.

    A model whose cache cannot be copied (recurrent state) is scored by the reference path.
    """
    import torch

    if not kv.copyable(lm):
        return reference_nll(lm, requests)

    encoded = [encode(lm, r) for r in requests]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, request in enumerate(requests):
        groups[request.prefix].append(i)
    base = lm.model.base_model  # the decoder stack without the unembedding
    cache_arg = kv.cache_kwarg(base)
    out = [math.nan] * len(requests)
    bar = tqdm(total=len(requests), desc="fast", leave=False)
    with torch.no_grad():
        for group in groups.values():
            # batches of like lengths: in request order, padding was a quarter to a third of
            # the positions run on the study's prompts
            members = sorted(group, key=lambda i: len(encoded[i].ids))
            # the shared tokens, never reaching into an answer
            n_shared = min(
                kv.common_prefix([encoded[i].ids for i in members]),
                *(encoded[i].answer_start for i in members),
            )
            cache, last_hidden = (
                kv.run_prefix(lm, encoded[members[0]].ids[:n_shared]) if n_shared else (None, None)
            )
            for start in range(0, len(members), batch_size):
                batch = members[start : start + batch_size]
                suffixes = [encoded[i].ids[n_shared:] for i in batch]
                width = max(map(len, suffixes))
                # padding repeats a row's last token: any id in the vocabulary will do, and a
                # pad id added to a tokenizer need not be in the model's embeddings
                ids = torch.tensor(
                    [s + s[-1:] * (width - len(s)) for s in suffixes], device=lm.device
                )
                # all ones: right padding needs no mask under causal attention
                mask = torch.ones(len(batch), n_shared + width, dtype=torch.long, device=lm.device)
                extra = {cache_arg: kv.expand(cache, len(batch))} if cache is not None else {}
                hidden = base(
                    input_ids=ids, attention_mask=mask, use_cache=cache is not None, **extra
                ).last_hidden_state
                # The state before suffix position p predicts it (p = 0: the prefix's last
                # state). One unembedding for the whole batch reads its weights once.
                states, spans = [], []  # type: ignore[var-annotated]
                for row, (i, suffix) in enumerate(zip(batch, suffixes, strict=True)):
                    first = encoded[i].answer_start - n_shared
                    spans.append((len(states), row, first, len(suffix)))
                    states += [
                        hidden[row, p - 1] if p > 0 else last_hidden
                        for p in range(first, len(suffix))
                    ]
                # last_hidden (None when n_shared is 0) is read at p == 0 only: encode never
                # starts an answer at 0, so every state is a tensor
                logits = lm.adapter.logits(torch.stack(states), lm.adapter.n_layers)  # type: ignore[arg-type]
                for (at, row, first, end), i in zip(spans, batch, strict=True):
                    out[i] = _mean_nll(logits[at : at + end - first], ids[row, first:end])
                bar.update(len(batch))
    bar.close()
    return out


def probe_requests(n_items: int = 2) -> list[Request]:
    """A few requests of the study's word list (en->fr, 3 shots), to check a scorer on."""
    from semantic_pivots.data import clwtd

    pair = Pair("en", "fr")
    items = [it for it in clwtd.load().items if {"en", "fr"} <= set(it.words)][:12]
    planned = prompts.plan(pair, items, 3, 1, "shared", 0, n_items)
    return [r for p in planned for cand in requests_for(pair, p) for r in cand]


NLL = Kind(
    "nll",
    2,
    (encode, _mean_nll, reference_nll, fast_nll, *encoding.CODE, *kv.CODE),
)


SCORERS = {"fast": fast_nll, "reference": reference_nll}


# -- the task --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    """One item's CLWTD score in one ordered pair, with the shots it was seen with."""

    model: str
    pair: str
    item: str
    shots: str  # the plan's shot sets as item ids (prompts.Planned.shot_ids)
    source: str
    target: str
    p_true: float
    p_distractors: float
    score: float
    rank: int  # 1 when the true source word is the most likely of the candidates
    n_candidates: int


def requests_for(pair: Pair, planned: Planned) -> list[list[Request]]:
    """Per candidate source word (the true one first), one request per shot set."""
    src, tgt = languages.name(pair.src), languages.name(pair.tgt)
    item = planned.item
    candidates = [item.words[pair.src], *item.source_distractors(pair.src, pair.tgt)]
    return [
        [
            Request(prefix(pair, s) + f"{src}:", f" {x}\n{tgt}:", answer(item.words[pair.tgt]))
            for s in planned.shots
        ]
        for x in candidates
    ]


def score_items(nll: list[list[float]], model: str, pair: Pair, planned: Planned) -> ItemScore:
    """Item score from per-candidate, per-shot-set losses (losses averaged over shot sets)."""
    item = planned.item
    probs = [math.exp(-sum(losses) / len(losses)) for losses in nll]
    p_true, others = probs[0], probs[1:]
    p_dis = sum(others) / len(others)
    return ItemScore(
        model,
        str(pair),
        item.id,
        planned.shot_ids,
        item.words[pair.src],
        item.words[pair.tgt],
        p_true,
        p_dis,
        p_true - p_dis,
        1 + sum(p > p_true for p in others),
        len(probs),
    )


def score_pair(
    lm: LoadedModel,
    pair: Pair,
    planned: list[Planned],
    scorer: str = "fast",
    batch_size: int = 64,
) -> list[ItemScore]:
    """Scores of the planned items of one ordered pair, cached by everything they depend on."""
    for p in planned:
        if len(p.item.source_distractors(pair.src, pair.tgt)) == 0:
            raise UserError(
                f"item {p.item.id!r} has no {pair.src} distractors for {pair}: give the list "
                "distractors, or choose the rule that draws them from the list "
                "(distractors='random')"
            )
    requests = [requests_for(pair, p) for p in planned]
    flat = [r for item_reqs in requests for cand in item_reqs for r in cand]
    key = {
        **lm.key(),
        "scorer": scorer,
        "batch_size": batch_size,
        "pair": str(pair),
        "requests": key_digest([[r.prefix, r.middle, r.answer] for r in flat]),
    }

    def compute():
        fn = SCORERS[scorer]
        return fn(lm, flat, batch_size) if scorer == "fast" else fn(lm, flat)

    losses = iter(cached_json(NLL, key, compute))
    out = []
    for p, item_reqs in zip(planned, requests, strict=True):
        nll = [[next(losses) for _ in cand] for cand in item_reqs]
        out.append(score_items(nll, lm.info.name, pair, p))
    return out


def score_pairs(lm: LoadedModel, plans: dict[Pair, list[Planned]]) -> list[dict]:
    """Every planned pair, as plain records (a progress bar over pairs)."""
    rows = []
    for pair, planned in tqdm(plans.items(), desc=f"{lm.info.name} CLWTD"):
        rows += [asdict(s) for s in score_pair(lm, pair, planned)]
    return rows


def with_measures(frame):
    """Score records (a DataFrame) with rank accuracy and the log ratio added.

    Rank accuracy: 1 where the true source word beats every distractor. Log ratio:
    log P(y | w) - log of the distractors' mean P(y | w'), readable where probabilities are tiny.
    """
    import numpy as np

    return frame.assign(
        **{
            "rank accuracy": (frame["rank"] == 1).astype(float),
            "log ratio": np.log(frame["p_true"]) - np.log(frame["p_distractors"]),
        }
    )
