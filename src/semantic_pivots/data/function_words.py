"""Function words per language, from maintained lists: words that are never semantic pivots.

Where ``functionwordsets`` has a 21st-century set (English, French, Spanish, Italian, Dutch:
curated by category, articles, pronouns, prepositions, conjunctions, auxiliaries, modals and
function adverbs), that set; for every other language the ``stop-words`` package's list
(Chinese, Japanese, German and others). Where the ``functionwords`` package has a list, its
words are added: English function words compiled for stylometry (Koppel's 512, with the
auxiliary do, numerals, than and whether, which the 21st-century set lacks) and the modern
Chinese ones of a dictionary of function words; both hold some content words and homographs
(today, front, way, mine; 大, 快), which are then never pivots either. A pivot
is one word token, so the entries that are one token of the study's tokenisation are kept; a
multi-word entry ("afin que", あの人) is left out, since its parts are either entries of their
own (que) or content words (人). French elided forms (qu', lorsqu') are added, as the
tokenisation cuts them at the apostrophe.

What the filter leaves is measured against another list, not its own: stopwords-iso's
(:func:`measuring_words`), a broader collection of stop words per language.
"""

from __future__ import annotations

from functools import cache

from semantic_pivots.data import counts

# French function words written elided before a vowel (qu'il, lorsqu'on), which the
# tokenisation cuts at the apostrophe; the one-letter ones (j', l', d') are barred as one letter
ELIDED = {"fr": frozenset({"qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})}
# language -> functionwordsets dataset
FUNCTION_WORD_SETS = {"en": "en_21c", "fr": "fr_21c", "es": "sp_21c", "it": "it_21c"}
FUNCTION_WORD_SETS["nl"] = "nl_21c"
# language -> the functionwords package's list, added to the language's other list
FUNCTIONWORDS_LISTS = {"en": "english", "zh": "chinese_simplified_modern"}
# the setting pivots.function_words: these lists, those without the functionwords package's,
# or no function word at all
EXTENTS = ("extended", "base", "none")


@cache
def function_words(lang: str, extent: str = "extended") -> frozenset[str]:
    """The function words of ``lang`` as word tokens (empty where no list has the language).

    ``extent``: the setting ``pivots.function_words``: "extended", these lists; "base", without
    the ``functionwords`` package's; "none", no function word at all.
    """
    if extent not in EXTENTS:
        raise ValueError(f"function words {extent!r}: expected one of {', '.join(EXTENTS)}")
    if extent == "none":
        return frozenset()
    if lang in FUNCTION_WORD_SETS:
        import functionwordsets

        entries = functionwordsets.load(FUNCTION_WORD_SETS[lang]).all
    else:
        import stop_words

        entries = frozenset(stop_words.safe_get_stop_words(lang))
    if extent == "extended" and lang in FUNCTIONWORDS_LISTS:
        from functionwords import FunctionWords

        entries |= frozenset(FunctionWords(FUNCTIONWORDS_LISTS[lang]).get_feature_names())
    return _one_token(entries, lang) | ELIDED.get(lang, frozenset())


def _one_token(entries, lang: str) -> frozenset[str]:
    cut = (counts.tokens(entry, lang) for entry in entries)
    return frozenset(toks[0] for toks in cut if len(toks) == 1)


@cache
def measuring_words(lang: str) -> frozenset[str]:
    """stopwords-iso's stop words of ``lang`` as word tokens (none where it lacks ``lang``).

    What the share of function words left by the filter is read against: broader than the
    filter's lists, and compiled apart from them.
    """
    import stopwordsiso

    return (
        _one_token(stopwordsiso.stopwords(lang), lang)
        if stopwordsiso.has_lang(lang)
        else frozenset()
    )


def of_languages(langs, lists=function_words) -> frozenset[str]:
    """The words of every language of ``langs`` in ``lists`` (the filter's, or the measuring)."""
    return frozenset().union(*(lists(lang) for lang in sorted(set(langs))))


def barred(langs, extent: str) -> frozenset[str]:
    """The function words of ``langs`` that the setting ``pivots.function_words`` bars."""
    return of_languages(langs, lambda lang: function_words(lang, extent))
