"""The findings page: each claim of the paper beside this study's measure, interval and verdict.

Each chapter computes its findings with the functions below from the frames its own tables
show, shows them, and glues them into its executed notebook (:func:`record`); the book's
findings page (:func:`page`) is generated from the executed notebooks, never typed. A verdict
follows a stated rule: *supported* where the interval lies on the claim's side, *not supported*
where it lies on the other side or the claim's own condition fails, and *the design could not
tell* where the interval holds both, with the smallest effect the design would have detected
(80 % power, two-sided 5 %).
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from semantic_pivots.analyses.frequency import PRIMARY_X
from semantic_pivots.report import frames
from semantic_pivots.report.readings import counted
from semantic_pivots.stats import detectable, interval_text, significant

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
SPECIFIC = "specific to semantic-pivot items"  # claim 3's second test
CANNOT_TELL = "the design could not tell"
GLUE_NAME = "findings"


@dataclass(frozen=True)
class Claim:
    title: str
    paper: str  # the paper's own words (its abstract)
    tested: str  # how this study tests it
    chapter: str  # the executed notebook that measures it
    label: str  # the MyST target of the chapter's section that shows the evidence


CLAIMS = {
    "behaviours": Claim(
        "Two behaviours",
        "We identify and distinguish two distinct behaviors in the forward pass of LLMs: "
        "co-occurrence behavior and semantic pivot behavior.",
        "both behaviours occur, and the semantic-pivot peaks are not mostly lens artefacts "
        "(junk tokens, or peaks in the first quarter of the layers)",
        "02_layer_tracing",
        "finding-behaviours",
    ),
    "frequency": Claim(
        "Behaviour follows co-occurrence frequency",
        "We attribute LLMs' two distinct behaviors to the co-occurrence frequency of words",
        "co-occurrence counts separate the two behaviours: the mean AUC over ordered pairs, "
        "co-occurrence items the positive class, lies above 0.5",
        "03_frequency_behavior",
        "finding-frequency",
    ),
    "pivots": Claim(
        "Semantic pivots in the middle layers",
        "[We] find the semantic pivot from the pre-training dataset.",
        "for semantic-pivot items, the pivots found in the documents hold more probability than "
        "matched control tokens in the middle layers (the evidence the method offers; the first "
        "row of each model and lens), and more so than for co-occurrence items (the second row: a "
        "test added after a first run on the default profile, in which the glass-box model's "
        "excess was not detectably larger for its semantic-pivot items than for its "
        "co-occurrence items)",
        "04_semantic_pivots",
        "finding-pivots",
    ),
    "data": Claim(
        "Pivot-aware data improves transfer",
        "[W]e reconstruct a semantic pivot-aware pre-training dataset using documents with a high "
        "proportion of semantic pivots. Our experiments validate the effectiveness of our "
        "approach in enhancing cross-lingual ability.",
        "the glass-box model continued on pivot-selected documents gains more than on random "
        "documents of the same pool (the primary contrast, fixed before these runs, its "
        "measure chosen on a pilot), beside a positive control",
        "05_pivot_aware_data",
        "finding-data",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One model's measure of one claim."""

    claim: str  # a key of CLAIMS
    model: str
    measure: str
    value: float
    low: float  # NaN where there is no interval
    high: float
    verdict: str  # SUPPORTED, NOT_SUPPORTED or CANNOT_TELL
    reason: str  # why, with the minimum detectable effect where the design could not tell
    lens: str = ""  # the lens that read it, where one did
    test: str = ""  # which of a claim's tests, where it has more than one (SPECIFIC)

    @property
    def estimate(self) -> str:
        return estimate(self.value, self.low, self.high)


def number(value: float) -> str:
    """Three significant digits, never in e-notation (:func:`stats.significant`)."""
    return significant(value, 3)


def estimate(value: float, low: float, high: float) -> str:
    """'value [low, high]' in one style (:func:`stats.interval_text`), or '(no interval)'."""
    return interval_text(value, low, high, 3)


def _side(value: float, low: float, high: float, null: float, what: str) -> tuple[str, str]:
    """The verdict of an interval against ``null`` on the claim's (the upper) side."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return CANNOT_TELL, "too few items or concepts for an interval"
    if low > null:
        return SUPPORTED, f"the interval lies above {number(null)}"
    if high < null:
        return NOT_SUPPORTED, f"the interval lies below {number(null)}: {what}"
    return CANNOT_TELL, (
        f"the interval holds {number(null)}; the design would have detected a true "
        f"difference of {number(detectable(low, high))} from it"
    )


def _complete(
    found: list[Finding], claim: str, models: list[str], why: str, lens: str = ""
) -> list[Finding]:
    """``found`` with a row for each of ``models`` it lacks: measured on none of its items."""
    have = {f.model for f in found}
    nan = float("nan")
    return found + [
        Finding(claim, m, "not measured", nan, nan, nan, CANNOT_TELL, why, lens)
        for m in models
        if m not in have
    ]


def behaviours(
    shares: pd.DataFrame, artefacts: pd.DataFrame, lens: str, models: list[str]
) -> list[Finding]:
    """Claim 1 per model: the share of semantic-pivot items among its labelled items.

    ``shares``: :func:`tracing.pivot_shares` of behaviour rows read with ``lens``;
    ``artefacts``: :func:`tracing.artefact_shares` of the same rows. Supported where both
    behaviours occur (the share's interval inside (0, 1)) and the interval of the share of
    semantic-pivot peaks that are lens artefacts (a junk token: blank, punctuation, a byte
    fragment, one letter; or a peak in the first quarter of the layers), which no reading of
    the claim would count as pivots, lies below one half; not supported where one behaviour
    never occurs or that interval lies above one half; else the design could not tell.
    """
    artefacts = frames.by_model(artefacts) if len(artefacts) else artefacts
    out = []
    for _, r in shares.iterrows():
        model, value, low, high = r["model"], r["pivot"], r["pivot low"], r["pivot high"]
        j = artefacts.loc[model] if model in artefacts.index else None
        if value in (0.0, 1.0):
            verdict, reason = NOT_SUPPORTED, "one behaviour only"
        elif not (np.isfinite(low) and np.isfinite(high)):
            verdict, reason = CANNOT_TELL, "too few concepts for an interval"
        elif low <= 0 or high >= 1:
            verdict = CANNOT_TELL
            reason = (
                f"the interval reaches {0 if low <= 0 else 1}; the design would have detected "
                f"a difference of {number(detectable(low, high))} from it"
            )
        elif j is None or not (np.isfinite(j["artefact low"]) and np.isfinite(j["artefact high"])):
            verdict, reason = CANNOT_TELL, "too few semantic-pivot items to judge their peaks"
        else:
            junky = (
                "artefacts (junk tokens or peaks in the first quarter of the layers): "
                f"{estimate(j['artefact'], j['artefact low'], j['artefact high'])} of the peaks"
            )
            if j["artefact high"] < 0.5:
                verdict, reason = SUPPORTED, f"both occur; {junky}"
            elif j["artefact low"] > 0.5:
                verdict, reason = NOT_SUPPORTED, f"mostly {junky}"
            else:
                verdict, reason = CANNOT_TELL, f"{junky}, an interval that holds one half"
        measure = f"share of semantic-pivot items ({lens} lens, n = {int(r['n'])})"
        out.append(
            Finding("behaviours", str(model), measure, value, low, high, verdict, reason, lens)
        )
    return _complete(out, "behaviours", models, "no labelled item", lens)


def frequency(
    summary: pd.DataFrame, models: list[str], lens: str, x: str = PRIMARY_X
) -> list[Finding]:
    """Claim 2 per model: the mean AUC over pairs of ``x`` (co-occurrence items positive).

    ``summary``: :func:`frequency.summary`, of items labelled under ``lens``. Supported above 0.5.
    """
    out = []
    for _, r in summary[summary["x"] == x].iterrows():
        verdict, reason = _side(
            r["AUC"], r["AUC low"], r["AUC high"], 0.5, "co-occurrence items have lower counts"
        )
        if verdict == CANNOT_TELL and not np.isfinite(r["AUC low"]):
            reason = f"{counted(r['pairs'], 'pair')} with both behaviours: too few for an interval"
        measure = f"mean AUC of {x} over {counted(r['pairs'], 'pair')}"
        out.append(
            Finding(
                "frequency",
                r["model"],
                measure,
                r["AUC"],
                r["AUC low"],
                r["AUC high"],
                verdict,
                reason,
                lens,
            )
        )
    return _complete(
        out, "frequency", models, f"no pair with enough items of each behaviour and {x}", lens
    )


def pivots(
    excess: pd.DataFrame, difference: pd.DataFrame, lens: str, models: list[str]
) -> list[Finding]:
    """Claim 3 per model: two tests, both read with ``lens``, each its own row.

    The evidence the method offers: the semantic-pivot items' middle-layer pivot mass minus
    control mass (``excess``: :func:`pivots.excess`), supported above 0. Then whether it is
    theirs: that excess minus the co-occurrence items' (``difference``:
    :func:`pivots.excess_difference`), supported above 0, since an excess that co-occurrence
    items share says nothing of the semantic-pivot behaviour.
    """
    rows = excess[excess["label"] == "semantic pivot"] if len(excess) else excess
    specific = {r["model"]: r for _, r in difference.iterrows()} if len(difference) else {}
    out = []
    for _, r in rows.iterrows():
        verdict, reason = _side(
            r["excess"], r["excess low"], r["excess high"], 0.0, "the control set holds more"
        )
        measure = (
            f"middle-layer pivot minus control mass ({lens} lens, n = {int(r['n'])} pivot items)"
        )
        values = (r["excess"], r["excess low"], r["excess high"])
        out.append(Finding("pivots", r["model"], measure, *values, verdict, reason, lens))
        d = specific.get(r["model"])
        if d is None or not np.isfinite(d["difference"]):  # no co-occurrence item to compare
            continue
        verdict, reason = _side(
            d["difference"],
            d["difference low"],
            d["difference high"],
            0.0,
            "co-occurrence items hold more",
        )
        measure = (
            f"that excess minus the co-occurrence items' excess ({lens} lens, n = "
            f"{int(d['n pivot'])} and {int(d['n co-occurrence'])} items)"
        )
        values = (d["difference"], d["difference low"], d["difference high"])
        out.append(Finding("pivots", r["model"], measure, *values, verdict, reason, lens, SPECIFIC))
    return _complete(out, "pivots", models, "no semantic-pivot item with pivots", lens)


def data(contrasts: pd.DataFrame, model: str, mde: float) -> list[Finding]:
    """Claim 4: the primary contrast (the pivot arm's gain minus the random arm's).

    Supported where it is a gain and the positive control (the check) is one too; not
    supported where it is a loss and the control worked; else the design could not tell (a
    null holds no effect larger than the detectable difference, and without a working control
    the design is not shown able to see one).
    """
    rows = contrasts[contrasts["primary"]] if len(contrasts) else contrasts
    if rows.empty:
        return []
    r = rows.iloc[0]
    check = contrasts[contrasts["check"]]
    worked = bool(len(check)) and check.iloc[0]["verdict"] == "gain"
    seen = f"the positive control was {'' if worked else 'not '}detected"
    said = f"{r['verdict']} (p = {number(r['p'])}); {seen}"
    if r["verdict"] == "gain" and worked:
        verdict, reason = SUPPORTED, said
    elif r["verdict"] == "loss" and worked:
        verdict, reason = NOT_SUPPORTED, said
    else:
        verdict = CANNOT_TELL
        reason = f"{said}; the design would have detected a difference of {number(mde)}"
    measure = f"{r['contrast']}, gain in {r['measure']}, {r['pair']}"
    return [
        Finding(
            "data",
            model,
            measure,
            r["difference"],
            r["difference low"],
            r["difference high"],
            verdict,
            reason,
        )
    ]


def table(found: list[Finding]) -> pd.DataFrame:
    """The findings as the chapters and the findings page show them."""
    return pd.DataFrame(
        [
            {
                "model": f.model,
                "measure": f.measure,
                "estimate [95 % CI]": f.estimate,
                "verdict": f.verdict,
                "why": f.reason,
            }
            for f in found
        ]
    )


def record(found: list[Finding]):
    """Glue the findings into the executed notebook, and return the table the chapter shows.

    The findings page reads what is glued (:func:`read`).
    """
    from myst_nb import glue

    glue(GLUE_NAME, json.dumps([asdict(f) for f in found]), display=False)
    if not found:
        return table(found)
    # its own class: a test tells it from the chapter's evidence tables
    return table(found).style.hide(axis="index").set_table_attributes('class="dataframe findings"')


def read(path: Path) -> list[Finding]:
    """The findings glued into an executed notebook."""
    from myst_nb.ext.glue import GLUE_PREFIX

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") != GLUE_NAME:
                continue
            text = output["data"][f"{GLUE_PREFIX}text/plain"]
            found += [Finding(**row) for row in json.loads(ast.literal_eval(text))]
    return found


LIMITATIONS = [
    "**Small models.** The models run here are far smaller than the paper's (the "
    "{doc}`data chapter <00_data_and_models>` gives each one's size), and the glass-box model "
    "is a small Llama "
    "trained by this study: what they do is what models of their size do.",
    "**Lens artefacts.** The logit lens decodes early layers to whatever their embeddings "
    "resemble; a peak there may be a blank, a letter or a byte fragment rather than a pivot. "
    "The behaviour and frequency findings read the tuned lens's labels where the run trains one "
    "({ref}`finding-behaviours`), and each lens's pivot rows group the items by that lens's "
    "labels. The tuned lens is trained on a small budget, and the "
    "{doc}`layer-tracing chapter <02_layer_tracing>` gives "
    "the share of its semantic-pivot peaks that are still artefacts (junk tokens, or peaks in "
    "the first quarter of the layers); a peak on a word of no language (markup, code) in the "
    "middle layers passes both rules.",
    "**Proxy counts.** The pretrained models' pre-training data is unknown: their counts and "
    "pivots come from the study's own corpus, a proxy. Only the glass-box model is counted "
    "exactly over what it read.",
    "**The word list.** A list built by rules and checked by a blind audit on a sample, not "
    "the authors' list; its error rates are in the {doc}`data chapter <00_data_and_models>`.",
    "**Pivots that are function words.** Function words of every language of the list are "
    "removed from the pivots by published lists (the setting `pivots.function_words`, which "
    "the settings line of {doc}`the pivots chapter <04_semantic_pivots>` states); what "
    "remains in the top pivots is measured "
    "in the pivots chapter ({ref}`finding-pivots`). The French list lacks some adverbs, "
    "interrogatives and numerals (même, où, également, deux), which can still be pivots. A "
    "blind audit of a sample judges how many pivots are related to the concept at all, "
    "against matched controls ({ref}`pivot-audit`).",
    "**Power.** Each verdict of *could not tell* gives the smallest effect its design would "
    "have detected; a null is evidence only against effects larger than that.",
]


def claimed(folder: Path) -> dict[str, list[Finding]]:
    """Each claim's findings, from its chapter's executed notebook in ``folder`` (if any)."""
    out = {}
    for claim, c in CLAIMS.items():
        path = folder / f"{c.chapter}.ipynb"
        out[claim] = [f for f in read(path) if f.claim == claim] if path.exists() else []
    return out


def page(folder: Path) -> str:
    """The findings page, from the executed notebooks in ``folder``."""
    found = claimed(folder)
    lines = [
        "# Findings",
        "",
        "Each claim of the paper (in its own words, from its abstract) beside what this study "
        "measured, on each model the run evaluated: the estimate with its 95 % interval and a "
        "verdict. *Supported*: the interval lies on the claim's side. *Not supported*: it lies "
        "on the other side, or the claim's own condition fails. *The design could not tell*: "
        "the interval holds no effect, and the row gives the smallest true effect the design "
        "would have detected (80 % power, two-sided 5 %). Every row is generated from the "
        "executed chapters when the book is built; each links to the section with its evidence.",
        "",
    ]
    for claim, c in CLAIMS.items():
        lines += [f"## {c.title}", "", f"> {c.paper}", "", f"Tested here as: {c.tested}.", ""]
        rows = found[claim]
        if not rows:
            lines += ["This run did not measure it.", ""]
            continue
        lines += [
            "| model | measure | estimate [95 % CI] | verdict | why |",
            "| --- | --- | --- | --- | --- |",
            *(
                f"| {f.model} | {f.measure} | {f.estimate} | **{f.verdict}** | {f.reason} |"
                for f in rows
            ),
            "",
            f"Evidence: {{ref}}`{c.label}`, in the chapter {{doc}}`{c.chapter}`.",
            "",
        ]
        if len(rows) > 1:
            lines += [
                f"{len(rows)} rows, each its own test at two-sided 5 %, not corrected for their "
                f"number: with no effect anywhere, one row in twenty would read *supported* or "
                f"*not supported* by chance.",
                "",
            ]
    lines += ["## Limitations", "", *(f"- {line}" for line in LIMITATIONS), ""]
    return "\n".join(lines)


def _models(rows: list[Finding]) -> str:
    """The models of ``rows``, each once, with how its rows were read in brackets.

    Per lens: the lens, and which test where the claim has two ("both tests" where a lens's two
    rows share the verdict).
    """
    by_model: dict[str, dict[str, list[str]]] = {}
    for f in rows:
        by_model.setdefault(f.model, {}).setdefault(f.lens, []).append(f.test)
    parts = []
    for model, lenses in by_model.items():
        reads = []
        for lens, tests in lenses.items():
            test = "both tests" if len(set(tests)) > 1 else tests[0]
            reads.append(", ".join(t for t in (f"{lens} lens" if lens else "", test) if t))
        shown = [r for r in reads if r]
        parts.append(model + (f" ({'; '.join(shown)})" if shown else ""))
    return ", ".join(parts)


def summary(folder: Path, built: str) -> str:
    """The introduction's summary: one line per claim, its models grouped by verdict.

    Grouped, since a claim with two tests under two lenses has a dozen rows.
    """
    lines = [built, ""]
    for claim, rows in claimed(folder).items():
        c = CLAIMS[claim]
        by_verdict: dict[str, list[Finding]] = {}
        for f in rows:
            by_verdict.setdefault(f.verdict, []).append(f)
        verdicts = "; ".join(f"{v} on {_models(on)}" for v, on in by_verdict.items())
        # the evidence's label exists only where its chapter ran with the finding
        evidence = f" ({{ref}}`evidence <{c.label}>`)" if rows else ""
        lines.append(f"- **{c.title}**: {verdicts or 'not measured'}{evidence}.")
    return "\n".join([*lines, ""])
