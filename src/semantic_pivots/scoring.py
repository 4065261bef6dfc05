"""CLWTD scores (METHOD.md section 1): log-likelihood requests, two scorers, item scores.

A request is one sequence ``prefix + middle + answer``: the prefix (instruction, shots and the
source-language label) is shared by every candidate of a shot set, the middle is
``" {X}\\n{L2}:"`` and the answer ``" {y}"``. Its value is the mean negative log-likelihood of the
answer tokens. The three parts are tokenized separately and concatenated, so both scorers see
exactly the same token ids.

* :func:`reference_nll`: one full forward per sequence, full logits, no batching, no cache.
* :func:`fast_nll`: each distinct prefix runs once; its key/value cache is copied to batches of
  right-padded candidate suffixes (causal attention never looks at the padding after a token);
  the unembedding is applied only where an answer token is predicted.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import asdict, dataclass

from tqdm import tqdm

from . import kv, languages
from .cache import cached_json, key_digest
from .clwtd import Item, sample
from .errors import UserError
from .models import LoadedModel
from .prompts import Pair, answer, prefix, split_shots

MODES = ("shared", "paper")


@dataclass(frozen=True)
class Request:
    prefix: str
    middle: str
    answer: str


def encode(lm: LoadedModel, request: Request) -> tuple[list[int], list[int], int]:
    """(prefix ids with special tokens, suffix ids, number of answer tokens)."""
    tok = lm.tokenizer
    head = tok(request.prefix)["input_ids"]
    middle = tok(request.middle, add_special_tokens=False)["input_ids"]
    ans = tok(request.answer, add_special_tokens=False)["input_ids"]
    if not middle or not ans:
        raise UserError(f"empty tokenization for {request.middle!r} or {request.answer!r}")
    return head, middle + ans, len(ans)


def _mean_nll(logits, targets) -> float:
    import torch

    logp = torch.log_softmax(logits.float(), dim=-1)
    return float(-logp.gather(-1, targets.unsqueeze(-1)).mean())


def reference_nll(lm: LoadedModel, requests: list[Request]) -> list[float]:
    """The plain scorer the fast one is tested against."""
    import torch

    out = []
    for request in tqdm(requests, desc="reference", leave=False):
        head, suffix, n_ans = encode(lm, request)
        ids = torch.tensor([head + suffix], device=lm.device)
        with torch.no_grad():
            logits = lm.model(input_ids=ids).logits[0]
        # logits at t predict token t + 1
        out.append(_mean_nll(logits[-n_ans - 1 : -1], ids[0, -n_ans:]))
    return out


def fast_nll(lm: LoadedModel, requests: list[Request], batch_size: int = 64) -> list[float]:
    """Equal to :func:`reference_nll` (within float tolerance), much faster."""
    import torch

    encoded = [encode(lm, r) for r in requests]
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i, (head, _, _) in enumerate(encoded):
        groups[tuple(head)].append(i)
    base = lm.model.base_model  # the decoder stack without the unembedding
    cache_arg = kv.cache_kwarg(base)
    pad = lm.tokenizer.pad_token_id or 0
    out = [math.nan] * len(requests)
    bar = tqdm(total=len(requests), desc="fast", leave=False)
    with torch.no_grad():
        for head, members in groups.items():
            cache, last_hidden = kv.run_prefix(lm, list(head))
            for start in range(0, len(members), batch_size):
                batch = members[start : start + batch_size]
                suffixes = [encoded[i][1] for i in batch]
                width = max(map(len, suffixes))
                ids = torch.tensor(
                    [s + [pad] * (width - len(s)) for s in suffixes], device=lm.device
                )
                # all ones: right padding needs no mask under causal attention
                mask = torch.ones(len(batch), len(head) + width, dtype=torch.long, device=lm.device)
                hidden = base(
                    input_ids=ids,
                    attention_mask=mask,
                    use_cache=True,
                    **{cache_arg: kv.expand(cache, len(batch))},
                ).last_hidden_state
                # The state before suffix position p predicts it (p = 0: the prefix's last
                # state). One unembedding for the whole batch reads its weights once.
                states, spans = [], []
                for row, i in enumerate(batch):
                    suffix, n_ans = encoded[i][1], encoded[i][2]
                    first = len(suffix) - n_ans
                    spans.append((len(states), row, first, len(suffix)))
                    states += [
                        hidden[row, p - 1] if p > 0 else last_hidden
                        for p in range(first, len(suffix))
                    ]
                logits = lm.adapter.logits(torch.stack(states), lm.adapter.n_layers)
                for (at, row, first, end), i in zip(spans, batch, strict=True):
                    out[i] = _mean_nll(logits[at : at + end - first], ids[row, first:end])
                bar.update(len(batch))
    bar.close()
    return out


SCORERS = {"fast": fast_nll, "reference": reference_nll}


# -- the task --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    model: str
    pair: str
    item: str
    source: str
    target: str
    p_true: float
    p_distractors: float
    score: float
    rank: int  # 1 when the true source word is the most likely of the candidates
    n_candidates: int


def shot_sets(pair: Pair, items: list[Item], k: int, sets: int, mode: str, seed: int):
    """(items to score, item id -> its ``sets`` shot lists)."""
    if mode not in MODES:
        raise UserError(f"unknown shot mode {mode!r}: expected one of {', '.join(MODES)}")
    if len(items) < k + 1:
        raise UserError(
            f"{len(items)} items: at least k+1 = {k + 1} are needed for {k}-shot prompts"
        )
    rng = random.Random(f"{seed}|{pair}|{mode}")
    sets = 1 if k == 0 else sets  # zero-shot prompts are all the same
    if mode == "shared":
        # A held-out pool never scored; every item sees the same S prefixes.
        pool, scored = split_shots(items, min(len(items) - 1, k * sets), seed)
        shared = [rng.sample(pool, k) for _ in range(sets)]
        return scored, {it.id: shared for it in scored}
    per_item = {}
    for it in items:
        others = [o for o in items if o.id != it.id]
        per_item[it.id] = [rng.sample(others, k) for _ in range(sets)]
    return items, per_item


def requests_for(pair: Pair, item: Item, shots: list[list[Item]]) -> list[list[Request]]:
    """Per candidate source word (the true one first), one request per shot set."""
    src, tgt = languages.name(pair.src), languages.name(pair.tgt)
    candidates = [item.words[pair.src], *item.source_distractors(pair.src, pair.tgt)]
    return [
        [
            Request(prefix(pair, s) + f"{src}:", f" {x}\n{tgt}:", answer(item.words[pair.tgt]))
            for s in shots
        ]
        for x in candidates
    ]


def score_items(nll: list[list[float]], model: str, pair: Pair, item: Item) -> ItemScore:
    """Item score from per-candidate, per-shot-set losses (losses averaged over shot sets)."""
    probs = [math.exp(-sum(losses) / len(losses)) for losses in nll]
    p_true, others = probs[0], probs[1:]
    p_dis = sum(others) / len(others)
    return ItemScore(
        model,
        str(pair),
        item.id,
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
    items: list[Item],
    pair: Pair,
    k: int = 5,
    sets: int = 3,
    mode: str = "shared",
    seed: int = 0,
    n_items: int | None = None,
    scorer: str = "fast",
    batch_size: int = 64,
) -> list[ItemScore]:
    """Scores of one ordered pair, cached by everything they depend on."""
    scored, shots = shot_sets(pair, items, k, sets, mode, seed)
    scored = sample(scored, n_items, seed)
    for it in scored:
        if len(it.source_distractors(pair.src, pair.tgt)) == 0:
            raise UserError(f"item {it.id!r} has no {pair.src} distractors for {pair}")
    requests = [requests_for(pair, it, shots[it.id]) for it in scored]
    flat = [r for item_reqs in requests for cand in item_reqs for r in cand]
    key = {
        "model": lm.info.fingerprint,
        "scorer": scorer,
        "pair": str(pair),
        "requests": key_digest([[r.prefix, r.middle, r.answer] for r in flat]),
    }

    def compute():
        fn = SCORERS[scorer]
        return fn(lm, flat, batch_size) if scorer == "fast" else fn(lm, flat)

    losses = iter(cached_json("nll", key, compute))
    out = []
    for it, item_reqs in zip(scored, requests, strict=True):
        nll = [[next(losses) for _ in cand] for cand in item_reqs]
        out.append(score_items(nll, lm.info.name, pair, it))
    return out


def score_pairs(lm: LoadedModel, items: list[Item], pairs: list[Pair], **kwargs) -> list[dict]:
    """All ordered pairs, as plain records (a progress bar over pairs)."""
    rows = []
    for pair in tqdm(pairs, desc=f"{lm.info.name} CLWTD"):
        rows += [asdict(s) for s in score_pair(lm, items, pair, **kwargs)]
    return rows


def study_scores(lms: list[LoadedModel], items: list[Item], pairs: list[Pair], cfg) -> list[dict]:
    """Item scores of every model and pair with a run profile's settings (``config.Settings``)."""
    return [
        row
        for lm in lms
        for row in score_pairs(
            lm,
            items,
            pairs,
            k=cfg.k,
            sets=cfg.shot_sets,
            mode=cfg.mode,
            seed=cfg.seed,
            n_items=cfg.n_items,
        )
    ]
