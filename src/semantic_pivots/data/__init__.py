"""The data the study runs on.

CLWTD word lists and their builder, the corpus and its sources,
and word and pair counts.
"""
