"""Reproduce and extend *Semantic Pivots Enable Cross-Lingual Transfer in LLMs* on any causal LM."""

__version__ = "0.1.0"
