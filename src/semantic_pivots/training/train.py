"""Pre-training a glass-box model: a Llama from a config, on the mixture, with checkpoints.

One script for every scale: ``accelerate`` places it on the CPU, one GPU, or several GPUs
(``accelerate launch -m semantic_pivots train``, DDP) unchanged. The global batch is split across
processes (``split_batches``), so a step consumes the same sequences of the token stream
whatever the number of processes, and each checkpoint records exactly which documents the model
has seen.

The token stream is the mixture's documents, each followed by the end-of-text token, in a fresh
seeded order per epoch, cut into sequences of ``seq_len`` tokens (a document may span two).
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from semantic_pivots import config
from semantic_pivots.errors import UserError
from semantic_pivots.training import mixture as mixture_module
from semantic_pivots.training.mixture import TrainDoc

if TYPE_CHECKING:
    import torch
    from accelerate import Accelerator
    from accelerate.scheduler import AcceleratedScheduler
    from torch.utils.data import DataLoader
    from transformers import LlamaConfig, PreTrainedTokenizerBase

SEEN = "seen.json.gz"  # per checkpoint: the documents seen, in order
META = "semantic_pivots.json"  # per checkpoint: step, tokens, loss, the run it belongs to


@dataclass(frozen=True)
class Stream:
    """The token stream of a run and where its documents end."""

    sequences: np.ndarray  # [steps * batch, seq_len] token ids
    doc_index: np.ndarray  # the mixture document at each place of the stream, in order
    doc_end: np.ndarray  # the stream offset just past each of those documents


def build_stream(
    token_ids: list[list[int]], eos: int, seed: int, n_tokens: int, seq_len: int
) -> Stream:
    """Documents in seeded epoch orders, each followed by ``eos``, cut into sequences.

    Arrays throughout: a GPU run's stream holds hundreds of millions of tokens.
    """
    if not token_ids or not any(token_ids):
        raise UserError("the training mixture is empty: no document has any text")
    docs = [np.asarray([*ids, eos], dtype=np.int32) for ids in token_ids]
    lengths = np.array([len(d) for d in docs], dtype=np.int64)
    indices, ends, total, epoch = [], [], 0, 0
    while total < n_tokens:
        order = np.asarray(mixture_module.epoch_order(len(docs), seed, epoch), dtype=np.int64)
        cum = total + np.cumsum(lengths[order])
        keep = min(len(order), int(np.searchsorted(cum, n_tokens)) + 1)  # up to the one crossing
        indices.append(order[:keep])
        ends.append(cum[:keep])
        total, epoch = int(cum[keep - 1]), epoch + 1
    doc_index = np.concatenate(indices)
    flat = np.concatenate([docs[i] for i in doc_index])[:n_tokens]
    return Stream(flat.reshape(-1, seq_len), doc_index, np.concatenate(ends))


def manifest(stream: Stream, docs: list[TrainDoc], tokens: int) -> dict:
    """What the first ``tokens`` of the stream hold: the documents read whole, in order.

    A document cut by the boundary is named apart, with how many of its tokens were read; it
    is not among the documents counted.
    """
    whole = []
    partial = None
    start = 0
    for i, end in zip(stream.doc_index.tolist(), stream.doc_end.tolist(), strict=True):
        if end <= tokens:
            whole.append(docs[i].id)
        elif start < tokens:
            partial = {"id": docs[i].id, "tokens read": tokens - start}
            break
        else:
            break
        start = end
    return {"tokens": tokens, "documents": whole, "partial": partial}


def save_steps(total: int, n: int) -> list[int]:
    """``n`` checkpoint steps: 0, then from ``total/64`` to ``total`` evenly in log(step)."""
    if n < 2 or total < 2:
        return sorted({0, total})
    first = max(1, round(total / 64))
    steps = {0, total}
    for i in range(n - 1):
        steps.add(round(first * (total / first) ** (i / max(1, n - 2))))
    return sorted(steps)


def llama_config(
    t: config.Training, vocab_size: int, tokenizer: PreTrainedTokenizerBase
) -> LlamaConfig:
    """The transformers config of the profile's model sizes."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=t.hidden,
        intermediate_size=t.intermediate,
        num_hidden_layers=t.layers,
        num_attention_heads=t.heads,
        num_key_value_heads=t.heads,
        max_position_embeddings=t.seq_len,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def train(
    t: config.Training,
    docs: list[TrainDoc],
    tokenizer: PreTrainedTokenizerBase,
    seed: int,
    out: Path,
    describe: dict,
    progress: bool = True,
    start: Path | None = None,
) -> dict:
    """Train on ``docs`` with settings ``t`` and write the run into ``out``.

    A new model of ``t``'s sizes, or the checkpoint folder ``start`` continued (its weights; a
    fresh optimizer and schedule). ``out`` gets ``loss.csv``, ``run.json`` and
    ``checkpoints/step-N`` folders (model, tokenizer, ``seen.json.gz``,
    ``semantic_pivots.json``); ``describe`` (the run's identity: its mixture, seed, corpus and
    key) goes into every record. Returns the run's summary.
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    started = time.perf_counter()
    accelerator = Accelerator(split_batches=True, mixed_precision=t.precision)
    if t.batch % accelerator.num_processes:
        raise UserError(
            f"training batch {t.batch}: expected a multiple of the {accelerator.num_processes} "
            "processes, which share each batch"
        )
    set_seed(seed)
    # deterministic kernels on the CPU, for the whole run only (restored afterwards). GPUs
    # keep their fast kernels: bit-identical GPU runs are not promised.
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    if accelerator.device.type == "cpu":
        torch.use_deterministic_algorithms(True)
    try:
        steps = steps_for(t)
        stream, loader = token_loader(t, docs, tokenizer, seed=seed, steps=steps)
        # a new model's initial weights are the seed's first random draws
        parts = prepare(t, tokenizer, loader, steps=steps, accelerator=accelerator, start=start)
        run = Run(t, docs, tokenizer, stream, out, describe, accelerator)
        saves = set(save_steps(steps, t.n_checkpoints))
        setup = time.perf_counter() - started
        curve = train_loop(run, parts, steps=steps, saves=saves, progress=progress)
        return write_summary(run, parts.model, steps=steps, saves=saves, setup=setup, curve=curve)
    finally:
        torch.use_deterministic_algorithms(was_deterministic)


def steps_for(t: config.Training) -> int:
    """The optimizer steps of ``t``'s token budget: whole batches of ``batch * seq_len`` tokens."""
    tokens_per_step = t.batch * t.seq_len
    steps = t.tokens // tokens_per_step
    if steps < 1:
        raise UserError(
            f"training tokens {t.tokens}: expected at least one step of batch * seq_len = "
            f"{tokens_per_step} tokens"
        )
    return steps


def token_loader(
    t: config.Training,
    docs: list[TrainDoc],
    tokenizer: PreTrainedTokenizerBase,
    *,
    seed: int,
    steps: int,
) -> tuple[Stream, DataLoader]:
    """The token stream of ``steps`` batches of ``docs`` and a loader of its batches, in order."""
    import torch

    texts = [d.text for d in docs]
    token_ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    stream = build_stream(
        token_ids, tokenizer.eos_token_id, seed, steps * t.batch * t.seq_len, t.seq_len
    )
    data = torch.from_numpy(stream.sequences.astype(np.int64))
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(data), batch_size=t.batch, shuffle=False
    )
    return stream, loader


@dataclass(frozen=True)
class Prepared:
    """What the loop trains with, as ``accelerate`` prepared it for the processes."""

    model: torch.nn.Module  # the Llama, wrapped for several processes
    optimizer: torch.optim.Optimizer
    loader: DataLoader
    schedule: AcceleratedScheduler


def prepare(
    t: config.Training,
    tokenizer: PreTrainedTokenizerBase,
    loader: DataLoader,
    *,
    steps: int,
    accelerator: Accelerator,
    start: Path | None,
) -> Prepared:
    """A new model of ``t``'s sizes (or ``start``'s weights), AdamW and a cosine schedule.

    Weight decay applies to the matrices only, not to norms' gains and biases.
    """
    import torch
    from transformers import LlamaForCausalLM, get_cosine_schedule_with_warmup

    if start is None:
        model = LlamaForCausalLM(llama_config(t, len(tokenizer), tokenizer))
    else:
        model = LlamaForCausalLM.from_pretrained(start)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": t.weight_decay},
            {"params": no_decay, "weight_decay": 0},
        ],
        lr=t.lr,
        betas=(0.9, 0.95),
    )
    schedule = get_cosine_schedule_with_warmup(optimizer, min(t.warmup, steps), steps)
    model, optimizer, loader, schedule = accelerator.prepare(model, optimizer, loader, schedule)
    return Prepared(model, optimizer, loader, schedule)


@dataclass(frozen=True)
class Run:
    """What a run's records draw on: its settings, data, folder, identity and processes."""

    t: config.Training
    docs: list[TrainDoc]
    tokenizer: PreTrainedTokenizerBase
    stream: Stream
    out: Path
    describe: dict
    accelerator: Accelerator


@dataclass(frozen=True)
class Curve:
    """A finished loop: the lines of ``loss.csv`` and where its time went."""

    log: list[str]
    seconds: float  # the loop's, checkpoints included
    loader_seconds: float  # waiting for batches, within the loop


def train_loop(run: Run, parts: Prepared, *, steps: int, saves: set[int], progress: bool) -> Curve:
    """``steps`` optimizer steps, one batch each, with a checkpoint at each step of ``saves``."""
    t, accelerator, model = run.t, run.accelerator, parts.model
    tokens_per_step = t.batch * t.seq_len
    log = ["step,tokens,loss,lr,seconds"]
    train_start = time.perf_counter()
    model.train()
    if 0 in saves:
        save_checkpoint(run, model, 0, None)
    bar = tqdm(total=steps, desc="training", unit=" steps", disable=not progress)
    step, loader_seconds, batches = 0, 0.0, iter(parts.loader)
    while step < steps:
        fetch = time.perf_counter()
        (batch,) = next(batches)
        loader_seconds += time.perf_counter() - fetch
        lr = parts.schedule.get_last_lr()[0]  # the rate this step uses
        loss = model(input_ids=batch, labels=batch).loss
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), t.clip)
        parts.optimizer.step()
        parts.schedule.step()
        parts.optimizer.zero_grad(set_to_none=True)
        step += 1
        value = accelerator.gather(loss.detach()).mean().item()
        elapsed = time.perf_counter() - train_start
        log.append(f"{step},{step * tokens_per_step},{value:.6f},{lr:.6g},{elapsed:.2f}")
        bar.update(1)
        bar.set_postfix(loss=f"{value:.3f}")
        if step in saves:
            save_checkpoint(run, model, step, value)
    bar.close()
    return Curve(log, time.perf_counter() - train_start, loader_seconds)


def save_checkpoint(run: Run, model: torch.nn.Module, step: int, loss: float | None) -> None:
    """Write ``checkpoints/step-N``: model, tokenizer, the documents seen, and the step's record.

    Every process waits here; the main one writes.
    """
    accelerator = run.accelerator
    accelerator.wait_for_everyone()
    if not accelerator.is_main_process:
        return
    folder = run.out / "checkpoints" / f"step-{step}"
    accelerator.unwrap_model(model).save_pretrained(folder)
    run.tokenizer.save_pretrained(folder)
    seen = manifest(run.stream, run.docs, step * run.t.batch * run.t.seq_len)
    with gzip.open(folder / SEEN, "wt", encoding="utf-8") as f:
        json.dump(seen, f, ensure_ascii=False)
    meta = {
        "step": step,
        "tokens": seen["tokens"],
        "documents": len(seen["documents"]),
        "loss": loss,
        **run.describe,
    }
    (folder / META).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")


def write_summary(
    run: Run,
    model: torch.nn.Module,
    *,
    steps: int,
    saves: set[int],
    setup: float,
    curve: Curve,
) -> dict:
    """The run's summary; the main process writes it (``run.json``) and ``loss.csv``."""
    t, accelerator = run.t, run.accelerator
    tokens = steps * t.batch * t.seq_len
    summary = {
        "parameters": sum(p.numel() for p in accelerator.unwrap_model(model).parameters()),
        "steps": steps,
        "tokens": tokens,
        "training seconds": round(curve.seconds, 1),
        "setup seconds": round(setup, 1),
        "tokens per second": round(tokens / curve.seconds, 1),
        "loader seconds": round(curve.loader_seconds, 3),  # waiting for batches, within training
        "final loss": float(curve.log[-1].split(",")[2]),
        "checkpoints": sorted(saves),
        "mixture documents": len(run.docs),
        "mixture shares": mixture_module.shares(run.docs),
        "processes": accelerator.num_processes,
        "device": str(accelerator.device),
        "settings": asdict(t),
        **run.describe,
    }
    if accelerator.is_main_process:
        (run.out / "loss.csv").write_text("\n".join(curve.log) + "\n")
        (run.out / "run.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    return summary
