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
import logging
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from semantic_pivots import config
from semantic_pivots.errors import UserError, file_error
from semantic_pivots.paths import file_sha256
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
STATE = "state"  # in a run's folder while it trains: where an interrupted run resumes from
RESUME_POINTS = 20  # training states saved per run, besides those at its checkpoints


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
    resumable: bool = False,
) -> dict:
    """Train on ``docs`` with settings ``t`` and write the run into ``out``.

    ``resumable``: save the training state as it goes, and resume from what ``out`` holds.

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
        run = Run(t, docs, tokenizer, stream, out, describe, accelerator, resumable)
        saves = set(save_steps(steps, t.n_checkpoints))
        setup = time.perf_counter() - started
        curve = train_loop(run, parts, steps=steps, saves=saves, progress=progress)
        summary = write_summary(
            run, parts.model, steps=steps, saves=saves, setup=setup, curve=curve
        )
        if accelerator.is_main_process:
            for name in (STATE, f"{STATE}.old", f"{STATE}.new"):
                shutil.rmtree(out / name, ignore_errors=True)
        return summary
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
    n_tokens = steps * t.batch * t.seq_len
    check_memory(n_tokens, token_ids)
    stream = build_stream(token_ids, tokenizer.eos_token_id, seed, n_tokens, t.seq_len)
    # int32 as built (a step's batch becomes int64 on its way to the model)
    data = torch.from_numpy(stream.sequences)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(data), batch_size=t.batch, shuffle=False
    )
    return stream, loader


def stream_bytes(n_tokens: int, token_ids: list[list[int]]) -> int:
    """The memory a stream of ``n_tokens`` over these documents takes while it is built.

    Its int32 tokens twice (the documents in order, then the cut stream) and two int64 entries
    per document read (which, and where it ends).
    """
    mean = max(1.0, sum(len(ids) + 1 for ids in token_ids) / max(1, len(token_ids)))
    return int(n_tokens * 8 + 16 * n_tokens / mean)


def check_memory(n_tokens: int, token_ids: list[list[int]]) -> None:
    """Say what the stream will take; refuse one larger than half the memory free now."""
    import psutil

    need, free = stream_bytes(n_tokens, token_ids), psutil.virtual_memory().available
    if need > free / 2:
        raise UserError(
            f"training tokens {n_tokens:,}: the token stream would need about {need / 1e9:,.1f} "
            f"GB, more than half of the {free / 1e9:,.1f} GB free here: lower training.tokens"
        )
    print(
        f"training: {n_tokens:,} tokens; the token stream needs about {need / 1e6:,.0f} MB "
        f"({free / 1e9:,.1f} GB free)",
        file=sys.stderr,  # a notice, like the progress bar: never in a chapter's page
        flush=True,
    )


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
    resumable: bool = False  # saves its state as it goes (train_loop)


@dataclass(frozen=True)
class Curve:
    """A finished loop: the lines of ``loss.csv`` and where its time went."""

    log: list[str]
    seconds: float  # the loop's, checkpoints included
    loader_seconds: float  # waiting for batches, within the loop


def train_loop(run: Run, parts: Prepared, *, steps: int, saves: set[int], progress: bool) -> Curve:
    """``steps`` optimizer steps, one batch each, with a checkpoint at each step of ``saves``.

    Resumes from the run folder's saved state where an earlier attempt left one: weights,
    optimizer, schedule, random states, the loss log and the place in the stream, so that the
    curve and checkpoints are those of a run never interrupted.
    """
    t, accelerator, model = run.t, run.accelerator, parts.model
    tokens_per_step = t.batch * t.seq_len
    step, log, before, loader_seconds = resume(run)
    train_start = time.perf_counter() - before
    model.train()
    if 0 in saves and step == 0:
        save_checkpoint(run, model, 0, None)
    every = max(1, steps // RESUME_POINTS)
    bar = tqdm(total=steps, initial=step, desc="training", unit=" steps", disable=not progress)
    batches = iter(accelerator.skip_first_batches(parts.loader, step) if step else parts.loader)
    while step < steps:
        fetch = time.perf_counter()
        (batch,) = next(batches)
        batch = batch.long()
        loader_seconds += time.perf_counter() - fetch
        lr = parts.schedule.get_last_lr()[0]  # the rate this step uses
        loss = model(input_ids=batch, labels=batch).loss
        accelerator.backward(loss)
        if t.clip > 0:  # 0 means no clipping, as in transformers' max_grad_norm
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
        if step == 1:  # the time the whole run will take, from its first step
            print(
                f"training: {steps:,} steps, about {elapsed * steps / 60:,.1f} min",
                file=sys.stderr,
                flush=True,
            )
        if step in saves:
            save_checkpoint(run, model, step, value)
        if run.resumable and step < steps and (step in saves or step % every == 0):
            save_state(run, step, log, elapsed, loader_seconds)
    bar.close()
    return Curve(log, time.perf_counter() - train_start, loader_seconds)


def save_state(run: Run, step: int, log: list[str], elapsed: float, loader: float) -> None:
    """What an interrupted run resumes from, replacing the last (accelerate's ``save_state``)."""
    accelerator, state = run.accelerator, run.out / STATE
    fresh = state.with_name(f"{STATE}.new")
    if accelerator.is_main_process:
        shutil.rmtree(fresh, ignore_errors=True)
    accelerator.wait_for_everyone()
    # accelerate warns at every save that the tied unembedding is stored once, as it should be
    quiet = logging.getLogger("accelerate.utils.other")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        accelerator.save_state(str(fresh))
    finally:
        quiet.setLevel(level)
    if accelerator.is_main_process:
        progress = {
            "step": step,
            "log": log,
            "seconds": elapsed,
            "loader seconds": loader,
            "machine": _machine(accelerator),
        }
        (fresh / "progress.json").write_text(json.dumps(progress))
        old = state.with_name(f"{STATE}.old")  # the last state stays until the new one is in
        shutil.rmtree(old, ignore_errors=True)
        if state.exists():
            state.rename(old)
        fresh.rename(state)
        shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()


def _machine(accelerator: Accelerator) -> dict:
    """What a saved state can only be resumed on: as many processes, the same kind of device."""
    return {"processes": accelerator.num_processes, "device": accelerator.device.type}


def resume(run: Run) -> tuple[int, list[str], float, float]:
    """(step, loss log, seconds, loader seconds) of the saved state, loaded; else a start."""
    start = 0, ["step,tokens,loss,lr,seconds"], 0.0, 0.0
    saved = [run.out / name for name in (STATE, f"{STATE}.old")]
    state = next((s for s in saved if (s / "progress.json").exists()), None)
    if not run.resumable or state is None:
        return start
    progress = json.loads((state / "progress.json").read_text())
    if progress.get("machine") != _machine(run.accelerator):
        print(
            f"training: the saved state is of {progress.get('machine')}, not of this run's "
            f"{_machine(run.accelerator)}: starting again",
            file=sys.stderr,
            flush=True,
        )
        return start
    run.accelerator.load_state(str(state))
    print(
        f"training: resumed at step {progress['step']:,} of an interrupted run",
        file=sys.stderr,
        flush=True,
    )
    return progress["step"], progress["log"], progress["seconds"], progress["loader seconds"]


def save_checkpoint(run: Run, model: torch.nn.Module, step: int, loss: float | None) -> None:
    """Write ``checkpoints/step-N``: model, tokenizer, the documents seen, and the step's record.

    Every process waits here; the main one writes.
    """
    accelerator = run.accelerator
    accelerator.wait_for_everyone()
    if not accelerator.is_main_process:
        return
    folder = run.out / "checkpoints" / f"step-{step}"
    try:
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
    except Exception as exc:
        reason = file_error(exc)
        if reason is None:
            raise
        raise UserError(
            f"{folder}: writing the checkpoint of step {step} failed: {reason}"
        ) from None


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
        summary["files"] = records(run.out)
        (run.out / "run.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    return summary


def records(out: Path) -> dict[str, dict]:
    """Each file of a finished run (its checkpoints and loss log): size and sha256."""
    files = sorted(
        [out / "loss.csv", *(p for p in (out / "checkpoints").rglob("*") if p.is_file())]
    )
    return {
        str(p.relative_to(out)): {"bytes": p.stat().st_size, "sha256": file_sha256(p)}
        for p in files
    }


def damaged(out: Path, full: bool = True) -> str | None:
    """The first file of a finished run that is missing or changed (None: every one holds).

    Sizes only unless ``full``: then each file's sha256 too.
    """
    try:
        files = json.loads((out / "run.json").read_text())["files"]
    except (OSError, ValueError, KeyError):
        return "run.json"
    for name, record in files.items():
        path = out / name
        if not path.is_file() or path.stat().st_size != record["bytes"]:
            return name
        if full and file_sha256(path) != record["sha256"]:
            return name
    return None
