"""Every causal-LM type transformers knows, built tiny from its config and checked by the oracles.

For each model type of transformers' causal-LM auto mapping, a random model of a few hundred
thousand parameters is built from its default config with small sizes set, on the CPU, and
loaded as any model folder is: the adapter finds its final modules, unembedding and logit
transforms, or refuses it in one line. A loaded model is then checked by the study's two
oracles: the last layer's lens equals the model's logits, and the fast scorer (shared-prefix
caches) equals the reference scorer (one full forward per sequence). The README's table of
supported types is this survey's output (``python -m semantic_pivots architectures``), a report
on the models the analyses run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from semantic_pivots.errors import UserError

MAX_PARAMETERS = 20_000_000  # a type whose tiny config is larger is not built here
SIZES = {  # set where a config has them (its attribute map translates the names)
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 512,
    "head_dim": 16,
}
# config attributes that scale logits: set away from 1, so that ignoring them shows
SCALES = {"logits_scaling": 4.0, "logit_scale": 0.25, "final_logit_softcapping": 5.0}
BEGIN, END = "<!-- architectures -->", "<!-- /architectures -->"  # the README's table
LENS_TOLERANCE = 1e-5
SCORER_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Surveyed:
    """One model type: whether the study runs it, and the evidence."""

    model_type: str
    status: str  # "supported", "refused" (one line, before any result) or "not built"
    detail: str  # the final modules and transforms, the refusal, or why it was not built
    lens_error: float = math.nan  # max |lens(last layer) - logits|
    scorer_error: float = math.nan  # max |fast - reference| NLL


def types() -> list[str]:
    """The causal-LM model types of the installed transformers, sorted."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    return sorted(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES)


def tiny_config(model_type: str, vocab_size: int):
    """The type's default config with tiny sizes and scaled logits, or None if too large."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.for_model(model_type)
    text = config.get_text_config()
    wanted: dict = {**SIZES, "vocab_size": vocab_size}
    wanted |= {k: 1 for k in ("bos_token_id", "eos_token_id", "pad_token_id")}
    if isinstance(getattr(text, "layer_types", None), list):  # one entry per layer
        wanted["layer_types"] = text.layer_types[: SIZES["num_hidden_layers"]]
    wanted |= {k: v for k, v in SCALES.items() if getattr(text, k, None) is not None}
    for name, value in wanted.items():
        if getattr(text, name, None) is not None or name in SIZES:
            try:
                setattr(text, name, value)
            except AttributeError:  # a property derived from other settings
                pass
    with torch.device("meta"):
        n = sum(p.numel() for p in AutoModelForCausalLM.from_config(config).parameters())
    return config if n <= MAX_PARAMETERS else None


def survey_one(model_type: str, folder: Path) -> Surveyed:
    """Build, load and check one type (its model written to ``folder``)."""
    import torch
    from transformers import AutoModelForCausalLM

    from semantic_pivots.analyses import scoring
    from semantic_pivots.models import kv, loading

    tokenizer = _tokenizer()
    try:
        config = tiny_config(model_type, len(tokenizer))
        if config is None:
            return Surveyed(model_type, "not built", "larger than the tiny budget")
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(config)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    except Exception as exc:  # noqa: BLE001 - a config that cannot be built tiny here
        return Surveyed(model_type, "not built", _first_line(exc))
    try:
        lm = loading.load_model(str(folder), device="cpu")
    except UserError as exc:
        return Surveyed(model_type, "refused", str(exc).split(": ", 1)[-1])
    except Exception as exc:  # noqa: BLE001 - its tiny config cannot run a forward pass
        return Surveyed(model_type, "not built", _first_line(exc))
    ids = lm.tokenizer("English: dog\nFrench: chien\n\nEnglish: cat\nFrench:", return_tensors="pt")
    with torch.no_grad():
        out = lm.model(**ids, output_hidden_states=True)
        lens = lm.adapter.logits(out.hidden_states[-1], lm.adapter.n_layers)
    lens_error = float((lens.float() - out.logits.float()).abs().max())
    requests = scoring.probe_requests(n_items=1)
    fast = scoring.fast_nll(lm, requests, batch_size=3)
    reference = scoring.reference_nll(lm, requests)
    scorer_error = max(abs(a - b) for a, b in zip(fast, reference, strict=True))
    a = lm.adapter
    transforms = []
    if a.scale is not None:
        transforms.append(f"logits x {a.scale:g}")
    if a.divisor is not None:
        transforms.append(f"logits / {a.divisor:g}")
    if a.softcap:
        transforms.append(f"soft-capped at {a.softcap:g}")
    detail = ", ".join([*a.final_names, *transforms]) or "no final module"
    if not kv.copyable(lm):
        detail += "; reference scorer (its cache cannot be copied)"
    return Surveyed(model_type, "supported", detail, lens_error, scorer_error)


@cache
def _tokenizer():
    from semantic_pivots.models import tiny

    return tiny.build_tokenizer()


def survey(names: list[str] | None = None, progress: bool = True) -> list[Surveyed]:
    """Every causal-LM type (or ``names``), each in a temporary folder."""
    import tempfile

    from tqdm import tqdm

    rows = []
    for name in tqdm(names or types(), desc="architectures", disable=not progress):
        with tempfile.TemporaryDirectory() as folder:
            rows.append(survey_one(name, Path(folder) / "model"))
    return rows


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]


def table(rows: list[Surveyed]) -> str:
    """The survey as a Markdown table, supported types first."""
    order = {"supported": 0, "refused": 1, "not built": 2}
    lines = [
        "| model type | status | final modules and transforms, or why not | lens error | "
        "scorer error |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in sorted(rows, key=lambda r: (order[r.status], r.model_type)):
        numbers = f"{r.lens_error:.1e} | {r.scorer_error:.1e}" if r.status == "supported" else "|"
        detail = r.detail.replace("|", "/")
        lines.append(f"| `{r.model_type}` | {r.status} | {detail} | {numbers} |")
    return "\n".join(lines) + "\n"
