"""Shared-prompt key/value caches: run a common prefix once, reuse it for many continuations."""

from __future__ import annotations

import copy
import inspect
import sys

from semantic_pivots.models.loading import LoadedModel


def common_prefix(sequences: list[list[int]]) -> int:
    """Length of the longest token prefix shared by all sequences.

    Length of the longest token prefix shared by all sequences, leaving each at least one
    token of its own (a model call needs a new token to predict from).
    """
    shortest = min(map(len, sequences))
    n = 0
    while n < shortest - 1 and all(s[n] == sequences[0][n] for s in sequences):
        n += 1
    return n


def run_prefix(lm: LoadedModel, ids: list[int]):
    """(cache, last hidden state) of the decoder stack on one prefix."""
    import torch

    with torch.no_grad():
        out = lm.model.base_model(input_ids=torch.tensor([ids], device=lm.device), use_cache=True)
    cache = out["cache"] if "cache" in out else out.past_key_values  # renamed in transformers 5.24
    return cache, out.last_hidden_state[0, -1]


def copyable(lm: LoadedModel) -> bool:
    """Whether a prefix's cache can be copied for a batch (the fast scorer's shortcut).

    Recurrent models keep a state that cannot be; they are scored by the reference path, with a
    one-line notice. Found once per loaded model.
    """
    import torch

    if lm.cache_copyable is None:
        base = lm.model.base_model
        try:
            cache, _ = run_prefix(lm, [5, 6])
            with torch.no_grad():
                split = base(
                    input_ids=torch.tensor([[7], [8]], device=lm.device),
                    use_cache=True,
                    **{cache_kwarg(base): expand(cache, 2)},
                ).last_hidden_state[:, -1]
                whole = base(input_ids=torch.tensor([[5, 6, 7], [5, 6, 8]], device=lm.device))
            # as the full forward computes it, within the float noise of another kernel
            tol = 1e-4 if split.dtype == torch.float32 else 5e-2
            same = torch.allclose(split.float(), whole.last_hidden_state[:, -1].float(), tol, tol)
        except torch.cuda.OutOfMemoryError:
            raise
        except Exception:  # noqa: BLE001 - any other failure means: not this way
            same = False
        lm.cache_copyable = bool(same)
        if not same:
            print(
                f"{lm.info.name}: its cache cannot be copied; it runs one sequence at a time",
                file=sys.stderr,
            )
    return lm.cache_copyable


def expand(cache, n: int):
    """A copy of a batch-1 cache repeated for ``n`` rows (model calls extend caches in place)."""
    cache = copy.deepcopy(cache)
    cache.batch_repeat_interleave(n)
    return cache


def cache_kwarg(module) -> str:
    """Transformers >= 5.24 renames ``past_key_values`` to ``cache`` in model forwards."""
    params = inspect.signature(module.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def prefix_batches(lm: LoadedModel, encoded: list[list[int]], batch_size: int):
    """Plan shared-prefix batches without padding.

    The length of the sequences' common prefix, that prefix's cache (None when there is
    none) and batches of sequence indices of equal length (so no padding).
    """
    from collections import defaultdict

    n_shared = common_prefix(encoded) if copyable(lm) else 0
    cache = run_prefix(lm, encoded[0][:n_shared])[0] if n_shared else None
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(encoded):
        by_length[len(ids)].append(i)
    batches = [
        group[s : s + batch_size]
        for group in by_length.values()
        for s in range(0, len(group), batch_size)
    ]
    return n_shared, cache, batches


# Every function here, for the versions of the cached results computed with them.
CODE = (common_prefix, run_prefix, copyable, expand, cache_kwarg, prefix_batches)
