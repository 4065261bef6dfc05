"""A byte-level BPE tokenizer trained on the study corpus, saved as a Hugging Face tokenizer.

Byte-level, so every string of every language encodes (no unknown token); the merges are
learnt from the corpus text itself, so a word frequent in the corpus, in any of its
languages, tends to be one token.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from semantic_pivots.errors import UserError
from semantic_pivots.paths import atomic_dir

BOS, EOS, PAD = "<s>", "</s>", "<pad>"
MIN_VOCAB = 512  # the 256 bytes, the special tokens and room for merges


def train(texts: Iterable[str], vocab_size: int, out_dir: Path, min_frequency: int = 2):
    """Learn the merges from ``texts`` and save the tokenizer in ``out_dir`` (replaced whole).

    Returns the saved tokenizer (a ``PreTrainedTokenizerFast``).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if vocab_size < MIN_VOCAB:
        raise UserError(f"vocab_size {vocab_size}: expected at least {MIN_VOCAB}")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[PAD, BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD
    )
    with atomic_dir(out_dir) as tmp:
        wrapped.save_pretrained(tmp)
    return wrapped
