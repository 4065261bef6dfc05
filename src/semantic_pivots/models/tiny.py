"""Tiny random models of each supported architecture, built offline from their configs.

They exercise the same code paths as the hub models (norms, unembeddings, sliding windows,
tied or untied embeddings) in seconds, without a download. The tokenizer is a byte-level BPE
trained on the prompt template and the CLWTD words, so every language is encodable.
"""

from __future__ import annotations

from pathlib import Path

import torch

from semantic_pivots.paths import atomic_dir, cache_dir

VERSION = 1  # bump when a config or the tokenizer recipe changes: it names the cache folder
HIDDEN, LAYERS, HEADS, KV_HEADS, FFN = 64, 3, 4, 2, 128

# Tiny Gemma3 uses a 4-token sliding window with a full-attention layer last, as the real one does.
_COMMON = dict(
    hidden_size=HIDDEN,
    num_hidden_layers=LAYERS,
    num_attention_heads=HEADS,
    intermediate_size=FFN,
    max_position_embeddings=2048,
)
CONFIGS: dict[str, tuple[str, dict]] = {
    "llama": (
        "LlamaConfig",
        dict(_COMMON, num_key_value_heads=KV_HEADS, tie_word_embeddings=False),
    ),
    "gemma3": (
        "Gemma3TextConfig",
        dict(
            _COMMON,
            num_key_value_heads=1,
            head_dim=16,
            query_pre_attn_scalar=16,
            sliding_window=4,
            layer_types=["sliding_attention", "sliding_attention", "full_attention"],
        ),
    ),
    "qwen2": ("Qwen2Config", dict(_COMMON, num_key_value_heads=KV_HEADS, tie_word_embeddings=True)),
    "olmo2": ("Olmo2Config", dict(_COMMON, num_key_value_heads=KV_HEADS)),
    "bloom": ("BloomConfig", dict(hidden_size=HIDDEN, n_layer=LAYERS, n_head=HEADS)),
    "gpt_neox": ("GPTNeoXConfig", dict(_COMMON, rotary_pct=0.5)),
    "gpt2": ("GPT2Config", dict(n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS, n_positions=2048)),
}
TOKENIZER_STYLES = ("bytelevel", "sentencepiece")
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}


def _training_text() -> list[str]:
    from semantic_pivots import languages
    from semantic_pivots.data import clwtd

    lines = [
        f"Please translate words from {a} to {b}.\n\n{a}: x\n{b}: y\n\n"
        for a in languages.NAMES.values()
        for b in languages.NAMES.values()
    ]
    try:
        items = clwtd.load().items
    except Exception:  # noqa: BLE001 - the tokenizer still works on bytes without the word list
        items = []
    lines += [" ".join(f" {w}" for w in it.words.values()) for it in items]
    return lines


def build_tokenizer(vocab_size: int = 768, style: str = "bytelevel"):
    """A BPE tokenizer trained on the prompt template and the word list.

    ``bytelevel``: GPT-2's byte-level pre-tokenizer, no special tokens added (GPT-2, Qwen,
    OLMo). ``sentencepiece``: a ``▁`` dummy prefix before every input and a BOS token, as in
    Llama-2 and Mistral, where ``" chien"`` tokenized alone gains a spurious ``▁``.
    """
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    if style not in TOKENIZER_STYLES:
        raise ValueError(f"unknown tokenizer style {style!r}: expected one of {TOKENIZER_STYLES}")
    tok = Tokenizer(models.BPE(unk_token=SPECIAL["unk_token"]))
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    if style == "bytelevel":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
    else:
        # Llama-2's legacy layout: the dummy prefix is prepended to the text as given
        tok.normalizer = normalizers.Sequence(
            [normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]
        )
        tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
        tok.decoder = decoders.Sequence(
            [decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
        )
        # every character of the word list is in the alphabet; merges come on top of it
        alphabet = sorted({c for line in _training_text() for c in line} | {"▁"})
        vocab_size += len(alphabet)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL.values()),
        initial_alphabet=alphabet,
        show_progress=False,
    )
    tok.train_from_iterator(_training_text(), trainer=trainer)
    if style == "sentencepiece":
        bos = SPECIAL["bos_token"]
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", special_tokens=[(bos, tok.token_to_id(bos))]
        )
    return PreTrainedTokenizerFast(tokenizer_object=tok, **SPECIAL)


def save(arch: str, folder: Path, seed: int = 0, tokenizer_style: str = "bytelevel") -> Path:
    """Write a tiny random ``arch`` model and its tokenizer to ``folder``."""
    import transformers

    if arch not in CONFIGS:
        raise ValueError(
            f"unknown tiny architecture {arch!r}: expected one of {', '.join(CONFIGS)}"
        )
    tokenizer = build_tokenizer(style=tokenizer_style)
    class_name, kwargs = CONFIGS[arch]
    config = getattr(transformers, class_name)(
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **kwargs,
    )
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build(arch: str) -> Path:
    """The cached folder of a tiny model (built once)."""
    folder = cache_dir("models") / f"tiny-{arch}-v{VERSION}"
    if not (folder / "config.json").exists():
        with atomic_dir(folder) as tmp:
            save(arch, tmp)
    return folder
