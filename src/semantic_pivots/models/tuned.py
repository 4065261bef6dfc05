"""The tuned lens: one affine translator per layer, so that each layer decodes as the model does.

After Belrose et al. (2023), "Eliciting Latent Predictions from Transformers with the Tuned
Lens": layer l's hidden state h is decoded as the logit lens decodes h + A_l h + b_l, with A_l and
b_l trained to minimise the KL divergence of the layer's decoded distribution from the model's
final one, on text, the model frozen. Initialised at zero, an untrained tuned lens is the logit
lens; the last layer has no translator, so its decoding is the model's own logits.

Written here rather than taken from the ``tuned-lens`` package, whose release requires wandb,
datasets and torchdata, none of which the study otherwise needs. Two choices of this module's
own, for a CPU budget: each step's KL is taken over a sampled vocabulary (the tokens the final
distribution ranks highest at the step's positions and a weighted uniform draw of the others, as
in a sampled softmax with its correction), and training text is the study corpus's documents
in the study's languages, never the word list. Quality is measured on held-out documents over
the whole vocabulary.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, cast

from tqdm import tqdm

from semantic_pivots.cache import key_digest, source_digest
from semantic_pivots.errors import UserError
from semantic_pivots.languages import CJK
from semantic_pivots.models.loading import Adapter, LoadedModel
from semantic_pivots.paths import atomic_dir, cache_dir

if TYPE_CHECKING:
    import torch

SEQ_LEN = 128  # tokens per training window
TOP = 64  # the final distribution's best tokens per position, always in a step's vocabulary
HELD_OUT = 1  # windows per language held out to measure the lenses (never trained on)
WORDS_PER_WINDOW = 200  # words (Chinese, Japanese: characters) that fill a window


@dataclass(frozen=True)
class Budget:
    """How a tuned lens is trained: tokens, steps, learning rate and sampled vocabulary."""

    tokens: int
    steps: int
    lr: float
    vocab: int  # tokens per step's sampled vocabulary (0: the whole vocabulary)
    seed: int = 0


class Translators:
    """One affine map per layer but the last, zero at start: h -> h + A_l h + b_l."""

    def __init__(self, n_layers: int, width: int, device="cpu"):
        import torch

        self.weight = torch.nn.Parameter(torch.zeros(n_layers, width, width, device=device))
        self.bias = torch.nn.Parameter(torch.zeros(n_layers, width, device=device))

    def __call__(self, hidden, layer: int):
        if layer >= self.weight.shape[0]:  # the last layer decodes as the model does
            return hidden
        w, b = self.weight[layer].to(hidden), self.bias[layer].to(hidden)
        return hidden + hidden @ w.T + b

    def parameters(self) -> list:
        return [self.weight, self.bias]


@dataclass
class Lens:
    """A lens: how a layer's hidden state becomes logits (``translators`` None: the logit lens).

    ``key`` identifies a tuned lens in cache keys (empty for the logit lens, so that results
    read with the logit lens keep their keys).
    """

    name: str
    translators: Translators | None = None
    key: dict | None = None

    def logits(self, adapter: Adapter, hidden, layer: int):
        return adapter.unembedded(self.normed(adapter, hidden, layer))

    def normed(self, adapter: Adapter, hidden, layer: int):
        """Layer ``layer``'s state as the unembedding reads it, through the lens's translator."""
        if self.translators is not None:
            hidden = self.translators(hidden, layer)
        return adapter.normed(hidden, layer)

    def every_layer(self, adapter: Adapter, hiddens):
        """Logits of every layer's states (``hiddens``: layer 0 to the last), [..., layer, vocab].

        Equal to :meth:`logits` layer by layer; the unembedding is read once, not once a layer
        (with a large vocabulary, reading it is what a layer's decode costs).
        """
        import torch

        stacked = torch.stack([self.normed(adapter, h, i) for i, h in enumerate(hiddens)], -2)
        return adapter.unembedded(stacked)


LOGIT = Lens("logit")


def _over(adapter: Adapter, ids) -> Adapter:
    """The adapter with its unembedding cut to the rows ``ids`` (norm and capping as before)."""
    import torch

    weight = _unembedding(adapter).detach()[ids]
    bias = getattr(adapter.unembed, "bias", None)
    bias = None if bias is None else bias.detach()[ids]
    cut = cast("torch.nn.Module", lambda h: torch.nn.functional.linear(h, weight, bias))
    return replace(adapter, unembed=cut)


def _unembedding(adapter: Adapter) -> torch.Tensor:
    return cast("torch.Tensor", adapter.unembed.weight)


def windows(lm: LoadedModel, texts: dict[str, list[str]], n_tokens: int) -> list[list[int]]:
    """Token windows of :data:`SEQ_LEN`, each language in turn, about ``n_tokens`` in all.

    ``texts``: each language's documents in the order they are to be read; a language's
    documents are joined with the end-of-text token and cut into windows.
    """
    tok = lm.tokenizer
    # what the tokenizer puts before any text (a beginning-of-text token), as traced prompts
    # have it: each window starts with it
    start = tok("", add_special_tokens=True)["input_ids"]
    size = SEQ_LEN - len(start)
    per_language = max(1, n_tokens // (SEQ_LEN * max(1, len(texts))))
    cut: dict[str, list[list[int]]] = {}
    for lang, docs in texts.items():
        stream: list[int] = []
        for doc in docs:
            if len(stream) >= per_language * size:
                break
            stream += tok(doc, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        chunks = range(0, len(stream) - size + 1, size)
        cut[lang] = [start + stream[i : i + size] for i in chunks][:per_language]
    longest = max((len(c) for c in cut.values()), default=0)
    return [c[i] for i in range(longest) for c in cut.values() if i < len(c)]


def _hidden(lm: LoadedModel, batch: list[list[int]]):
    import torch

    with torch.no_grad():
        ids = torch.tensor(batch, device=lm.device)
        return lm.model.base_model(input_ids=ids, output_hidden_states=True).hidden_states


def _kl(target_logp, logits, weight=None):
    """Mean over positions of KL(target || softmax(logits)), in nats.

    ``target_logp``: the target's log-probabilities, normalised over the whole vocabulary.
    ``weight``: where the logits cover a sample of the vocabulary, each sampled token's
    importance weight (1 for the tokens always kept, the inverse of the draw's rate for the
    others): the lens's normalising sum and the KL's sum are estimated from them, so that mass
    a lens puts on tokens outside the sample still counts against it.
    """
    import torch

    logits = logits.float()
    if weight is None:
        logq = torch.log_softmax(logits, dim=-1)
        return (target_logp.exp() * (target_logp - logq)).sum(-1).mean()
    log_z = torch.logsumexp(logits + weight.log(), dim=-1, keepdim=True)
    return (weight * target_logp.exp() * (target_logp - logits + log_z)).sum(-1).mean()


def train(lm: LoadedModel, data: list[list[int]], budget: Budget) -> tuple[Translators, list]:
    """Translators trained on ``data`` (token windows) within ``budget``; and the step losses.

    Each step reads ``budget.tokens // budget.steps`` tokens (whole windows, at least one) and
    lowers the mean over layers of KL(final || layer), over the step's sampled vocabulary.
    """
    import torch

    adapter, n = lm.adapter, lm.adapter.n_layers
    translators = Translators(n, lm.model.config.hidden_size, lm.device)
    optimiser = torch.optim.Adam(translators.parameters(), lr=budget.lr)
    # the rate falls linearly to zero, so that late steps settle the layers that are already
    # near the final distribution rather than keep stirring them
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda k: 1 - k / budget.steps)
    per_step = max(1, budget.tokens // (budget.steps * SEQ_LEN))
    rng = torch.Generator().manual_seed(budget.seed)
    vocab = int(_unembedding(adapter).shape[0])
    losses = []
    frozen = [p for p in lm.model.parameters() if p.requires_grad]
    for p in frozen:  # the model stays as it is: no gradient reaches its weights
        p.requires_grad_(False)
    try:
        for step in tqdm(range(budget.steps), desc=f"tuned lens {lm.info.name}", leave=False):
            batch = [data[(step * per_step + i) % len(data)] for i in range(per_step)]
            hidden = _hidden(lm, batch)
            with torch.no_grad():
                final = torch.log_softmax(adapter.logits(hidden[n], n).float(), dim=-1)
                ids, weight = _sampled_vocabulary(final, budget.vocab, vocab, rng)
                target = final if ids is None else final[..., ids]
            over = adapter if ids is None else _over(adapter, ids)
            optimiser.zero_grad()
            loss = 0.0
            for i in range(n):  # one layer's graph at a time: its translator alone depends on it
                logits = over.logits(translators(hidden[i], i), i)
                part = _kl(target, logits, weight) / n
                part.backward()
                loss += float(part.detach())
            optimiser.step()
            schedule.step()
            losses.append(loss)
    finally:
        for p in frozen:
            p.requires_grad_(True)
    return translators, losses


def _sampled_vocabulary(final, size: int, vocab: int, rng):
    """A step's vocabulary and each token's importance weight, or (None, None).

    Up to half of ``size`` are the tokens the final distribution ranks highest (each position's
    :data:`TOP` best, those of highest log-probability at any position first), weight 1; the
    rest are a uniform draw of the other tokens, each weighted by how many others it stands for.
    (None, None) where ``size`` is 0 or covers the vocabulary.
    """
    import torch

    if size == 0 or size >= vocab:
        return None, None
    flat = final.reshape(-1, final.shape[-1])
    best = torch.unique(flat.topk(TOP, dim=-1).indices)
    highest = flat.max(dim=0).values[best]
    best = best[highest.argsort(descending=True)[: size // 2]]
    others = torch.ones(vocab, dtype=torch.bool, device=best.device)
    others[best] = False
    rest = others.nonzero().squeeze(1)
    drawn = rest[torch.randperm(len(rest), generator=rng).to(rest.device)[: size - len(best)]]
    weight = torch.ones(len(best) + len(drawn), device=best.device)
    weight[len(best) :] = len(rest) / max(1, len(drawn))
    return torch.cat([best, drawn]), weight


def held_out_kl(lm: LoadedModel, lens: Lens, data: list[list[int]]) -> list[float]:
    """Per layer (0 to the last), the mean KL(final || lens) over ``data``, whole vocabulary."""
    import torch

    adapter, n = lm.adapter, lm.adapter.n_layers
    sums = [0.0] * (n + 1)
    with torch.no_grad():
        for window in data:
            hidden = _hidden(lm, [window])
            target = torch.log_softmax(adapter.logits(hidden[n], n).float(), dim=-1)
            for layer in range(n + 1):
                sums[layer] += float(_kl(target, lens.logits(adapter, hidden[layer], layer)))
    return [s / max(1, len(data)) for s in sums]


def corpus_texts(documents, langs: list[str], seed: int) -> tuple[dict, dict]:
    """(training, held-out) documents per language of ``langs``, in a seeded order.

    ``documents``: the corpus's documents (``lang`` and ``text`` each). The first documents of
    each language's order are held out, enough for :data:`HELD_OUT` windows of most tokenizers
    (:data:`WORDS_PER_WINDOW` words, or characters in Chinese and Japanese, each); documents of
    fewer than 40 words (one-line strings) are left out where the language separates words by
    spaces and has longer ones, so that windows hold running text.
    """
    docs: dict[str, list[str]] = {lang: [] for lang in langs}
    for doc in documents:
        if doc.lang in docs:
            docs[doc.lang].append(doc.text)

    def order(text: str) -> bytes:
        return hashlib.sha1(f"{seed}:{text[:200]}".encode()).digest()

    def size(lang: str, text: str) -> int:
        return len(text) if lang in CJK else len(text.split())

    train_, held = {}, {}
    for lang, texts in docs.items():
        running = [t for t in texts if lang in CJK or len(t.split()) >= 40] or texts
        ranked = sorted(running, key=order)
        n = words = 0
        while n < len(ranked) - 1 and words < HELD_OUT * WORDS_PER_WINDOW:
            words += size(lang, ranked[n])
            n += 1
        held[lang], train_[lang] = ranked[:n], ranked[n:]
    return train_, held


CODE = (
    Translators.__call__,
    Lens.logits,
    Lens.normed,
    _over,
    windows,
    _hidden,
    _kl,
    train,
    _sampled_vocabulary,
    held_out_kl,
    corpus_texts,
)


def tuned_lens(
    lm: LoadedModel,
    texts: tuple[dict[str, list[str]], dict[str, list[str]]],
    texts_key: dict,
    budget: Budget,
) -> tuple[Lens, dict]:
    """The model's tuned lens, trained once and cached; and its record (KL per layer, time).

    ``texts``: (training, held-out) documents per language (:func:`corpus_texts`), identified
    by ``texts_key``. Keyed like the model's results (its weights, dtype, device, library
    versions), with the budget, the texts and this module's code: a second run reuses it, a
    changed model rebuilds it.
    """
    import torch
    from safetensors.torch import load_file, save_file

    key = {
        **lm.key(),
        "budget": asdict(budget),
        "texts": texts_key,
        "windows": [SEQ_LEN, TOP, HELD_OUT, WORDS_PER_WINDOW],
        "code": source_digest(*CODE, Translators.__init__),
    }
    folder = cache_dir("lenses") / f"{_safe(lm.info.name)}-{key_digest(key)[:12]}"
    if not (folder / "record.json").exists():
        held = windows(lm, texts[1], HELD_OUT * SEQ_LEN * len(texts[1]))
        data = windows(lm, texts[0], budget.tokens)
        if not data or not held:
            raise UserError(f"{lm.info.name}: no text to train or measure a tuned lens on")
        start = time.monotonic()
        translators, losses = train(lm, data, budget)
        seconds = time.monotonic() - start
        lens = Lens("tuned", translators, key)
        record = {
            "key": key,
            "seconds": seconds,
            "training tokens": sum(map(len, data)),
            "held-out tokens": sum(map(len, held)),
            "losses": losses,
            "kl": {"logit": held_out_kl(lm, LOGIT, held), "tuned": held_out_kl(lm, lens, held)},
        }
        with atomic_dir(folder) as tmp:
            params = {"weight": translators.weight, "bias": translators.bias}
            save_file(
                {k: v.detach().contiguous().cpu() for k, v in params.items()},
                tmp / "lens.safetensors",
            )
            (tmp / "record.json").write_text(json.dumps(record, indent=1))
    record = json.loads((folder / "record.json").read_text())
    weights = load_file(folder / "lens.safetensors")
    n, width = weights["bias"].shape
    translators = Translators(int(n), int(width), lm.device)
    with torch.no_grad():
        translators.weight.copy_(weights["weight"])
        translators.bias.copy_(weights["bias"])
    return Lens("tuned", translators, {"lens": folder.name}), record


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60]
