"""Reproduce and extend *Semantic Pivots Enable Cross-Lingual Transfer in LLMs* on any causal LM."""

import warnings

# tqdm.auto, imported by transformers, warns inside notebooks without ipywidgets, printing the
# machine's site-packages path into the book; the package's own bars are plain tqdm.
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"
