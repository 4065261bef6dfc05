"""The logit lens (or the tuned lens) at one position.

Every layer's residual stream decoded by the model's own final norm and unembedding (through the
architecture adapter), softmaxed; the tuned lens first maps it by its layer's translator
(``models.tuned``).

Layer 0 is the embedding output; layer L (the last) is the model's own next-token
distribution, since Hugging Face returns the last hidden state already normed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from tqdm import tqdm

from semantic_pivots.models import kv
from semantic_pivots.models.encoding import blank_ids, is_blank
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.models.tuned import LOGIT, Lens


@dataclass(frozen=True)
class LayerReading:
    layer: int  # 0 = embeddings only
    top_tokens: list[int]
    top_probs: list[float]
    masses: dict[str, float] = field(default_factory=dict)  # token-set name -> probability


@dataclass(frozen=True)
class Trace:
    ids: list[int]  # the lens input; its last position is read
    layers: list[LayerReading]

    def top1(self) -> list[tuple[int, float]]:
        return [(r.top_tokens[0], r.top_probs[0]) for r in self.layers]

    def to_json(self) -> dict:
        return {"ids": self.ids, "layers": [r.__dict__ for r in self.layers]}

    @classmethod
    def from_json(cls, row: dict) -> Trace:
        return cls(row["ids"], [LayerReading(**r) for r in row["layers"]])


def layer_label(layer: int) -> str:
    return "emb" if layer == 0 else str(layer)


def token_variants(tokenizer, word: str) -> list[int]:
    """Token ids that begin ``word``.

    The first word token of the word with and without a
    leading space, and every prefix of either spelling that is one token (as Wendler et al.
    2024 count). Blank tokens are never among them: they say nothing about the word.
    """
    ids: set[int] = set()
    for text in (word, f" {word}"):
        tokens = tokenizer(text, add_special_tokens=False)["input_ids"]
        ids.add(next((i for i in tokens if not is_blank(tokenizer, i)), tokens[0]))
        for end in range(1, len(text)):
            piece = tokenizer(text[:end], add_special_tokens=False)["input_ids"]
            if len(piece) == 1:
                ids.add(piece[0])
    return sorted(ids - blank_ids(tokenizer, ids))


def trace_batch(
    lm: LoadedModel,
    encoded: list[list[int]],
    token_sets: list[dict[str, list[int]]],
    top_k: int = 5,
    batch_size: int = 16,
    decoder: Lens = LOGIT,
) -> list[Trace]:
    """Lens readings at each token sequence's last position (the one predicting the answer).

    The sequences' common prefix runs once; sequences of equal length are batched without
    padding on a copy of its cache, so only their own tokens are computed and only the last
    position of each layer is decoded.
    """
    import torch

    n_shared, cache, batches = kv.prefix_batches(lm, encoded, batch_size)
    base = lm.model.base_model
    out: list[Trace | None] = [None] * len(encoded)
    for batch in tqdm(batches, desc="lens", leave=False):
        ids = torch.tensor([encoded[i][n_shared:] for i in batch], device=lm.device)
        extra = {kv.cache_kwarg(base): kv.expand(cache, len(batch))} if cache is not None else {}
        with torch.no_grad():
            hidden = base(
                input_ids=ids, use_cache=cache is not None, output_hidden_states=True, **extra
            ).hidden_states
            last = [h[:, -1] for h in hidden]
            # [batch, layers + 1, vocab]
            probs = torch.softmax(decoder.every_layer(lm.adapter, last).float(), dim=-1)
        top = probs.topk(top_k, dim=-1)
        for row, i in enumerate(batch):
            masses = {
                name: probs[row][:, ids_].sum(-1).tolist() if ids_ else [0.0] * probs.shape[1]
                for name, ids_ in token_sets[i].items()
            }
            out[i] = Trace(
                encoded[i],
                [
                    LayerReading(
                        layer,
                        top.indices[row, layer].tolist(),
                        top.values[row, layer].tolist(),
                        {name: m[layer] for name, m in masses.items()},
                    )
                    for layer in range(probs.shape[1])
                ],
            )
    return out  # type: ignore[return-value]  # every index is in exactly one batch


@dataclass(frozen=True)
class Grid:
    """Top-1 decodes of the last positions at every layer, for the figure readers know."""

    inputs: list[str]  # the input token at each position
    tokens: list[list[str]]  # [layer][position] top-1 token text
    probs: list[list[float]]  # [layer][position] its probability


def grid(lm: LoadedModel, ids: list[int], n_positions: int = 6, decoder: Lens = LOGIT) -> Grid:
    import torch

    tok = lm.tokenizer
    with torch.no_grad():
        hidden = lm.model.base_model(
            input_ids=torch.tensor([ids], device=lm.device), output_hidden_states=True
        ).hidden_states
        top = [
            torch.softmax(decoder.logits(lm.adapter, h[0, -n_positions:], layer).float(), -1).max(
                -1
            )
            for layer, h in enumerate(hidden)
        ]
    return Grid(
        inputs=[cast(str, tok.decode([i])) for i in ids[-n_positions:]],
        tokens=[[cast(str, tok.decode([i])) for i in t.indices.tolist()] for t in top],
        probs=[t.values.tolist() for t in top],
    )
