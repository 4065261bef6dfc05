"""Causal-LM types beyond the shipped tiny models, built tiny from their configs: each loads by
discovery (no table) and passes both oracles, logit-scaled, MoE and recurrent ones included."""

import pytest

from semantic_pivots.paths import ROOT
from semantic_pivots.report import architectures

TYPES = [
    *("llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text"),
    *("olmo", "olmo2", "olmoe", "phi", "phi3", "phimoe", "stablelm", "falcon", "opt"),
    *("gpt2", "gpt_bigcode", "gpt_neox", "bloom", "mpt", "starcoder2", "xglm", "biogpt"),
    *("granite", "granitemoe", "jetmoe", "cohere", "cohere2", "mamba", "falcon_mamba"),
    *("persimmon", "nemotron", "helium", "exaone4"),
]


@pytest.fixture(scope="module")
def surveyed():
    import warnings

    warnings.filterwarnings("ignore")
    return {r.model_type: r for r in architectures.survey(TYPES, progress=False)}


@pytest.mark.slow  # builds 36 models
def test_every_listed_type_loads_by_discovery_and_passes_both_oracles(surveyed):
    assert len(TYPES) >= 30
    for name in TYPES:
        r = surveyed[name]
        assert r.status == "supported", (name, r.detail)
        assert r.lens_error <= architectures.LENS_TOLERANCE, (name, r.lens_error)
        assert r.scorer_error <= architectures.SCORER_TOLERANCE, (name, r.scorer_error)
    # logit scaling is read from the config (set to 4 and 0.25 here, never 1)
    assert "logits / 4" in surveyed["granite"].detail
    assert "logits x 0.25" in surveyed["cohere"].detail
    # an output projection after the final norm (OPT-350m's layout) is found
    assert surveyed["opt"].detail.endswith("project_out")
    # a recurrent model is scored by the reference path
    assert "reference scorer" in surveyed["mamba"].detail


@pytest.mark.slow
def test_the_readme_table_agrees_with_the_survey(surveyed):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index(architectures.BEGIN) : text.index(architectures.END)]
    for name in TYPES:
        assert f"| `{name}` | supported |" in table, name
    assert "| `bert` | refused | its attention is not causal" in table
