"""The data chapter numbers as chapter 0, before the five numbered analyses (01 to 05).

Sphinx numbers figures per chapter only under a numbered toctree; elsewhere they share one
count, so the data chapter's figures would read Fig. 1 to 3 beside chapter 1's Fig. 1.1. Here
the chapter named by ``chapter_zero`` gets the number 0: its title (page and navigation) and
its figures (Fig. 0.1, in the order Sphinx met them).
"""

from __future__ import annotations

from docutils import nodes


def number(app, env) -> list[str]:
    """Number the ``chapter_zero`` chapter 0; the documents to write again."""
    doc = app.config.chapter_zero
    if not doc or doc not in env.tocs:
        return []
    # the chapter's title: the first reference of its table of contents (the navigation) and
    # its first section (the page; by its anchor, as the sections below it have no number)
    first = next(iter(env.tocs[doc].findall(nodes.reference)), None)
    title = next(iter(env.get_doctree(doc).findall(nodes.section)), None)
    if first is not None and title is not None:
        first["secnumber"] = (0,)
        env.toc_secnumbers[doc] = {"#" + title["ids"][0]: (0,)}
    for numbers in env.toc_fignumbers.get(doc, {}).values():
        for i, figure in enumerate(sorted(numbers, key=numbers.get), start=1):
            numbers[figure] = (0, i)
    return [doc]


def setup(app):
    """Register the setting and the numbering."""
    app.add_config_value("chapter_zero", "", "env")
    # after Sphinx's own numbering (priority 500), which runs on the same event
    app.connect("env-get-updated", number, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
