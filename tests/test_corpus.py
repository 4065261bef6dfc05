"""The corpus readers' text extraction, cleaning and manifest, on small inputs."""

import gettext
import struct
from collections import defaultdict

from semantic_pivots.data import corpus
from semantic_pivots.data.corpus import Document


def test_chapters_group_verses_in_order_with_alignment_ids():
    rows = [(1, 1, 1, "In the  beginning"), (1, 1, 2, "God"), (1, 2, 1, "Next"), (2, 1, 1, "B")]
    assert list(corpus._chapters(rows)) == [
        ("bible/01/001", "In the beginning\nGod"),
        ("bible/01/002", "Next"),
        ("bible/02/001", "B"),
    ]


def test_manual_page_text_drops_requests_and_escapes():
    page = (
        '.\\" comment\n.TH LS 1\n.SH 名前\nls \\- 一覧を\\fBすべて\\fR表示\n'
        ".TP\n\\fB\\-a\\fR \\(aq#\\(aq\n"
    )
    assert corpus._roff_text(page) == "名前\nls - 一覧をすべて表示\n-a '#'"


def test_help_page_text_is_the_display_area_only():
    page = (
        '<header>LibreOffice Help menu</header><div id="DisplayArea" itemprop="x">'
        '<h1>Find Bar</h1><p>The <span class="menuitem">Find</span> toolbar &amp; more.</p>'
        '<span hidden="true" id="MAC">Command</span></div><div id="SearchFrame">search</div>'
    )
    assert corpus._help_text(page) == "Find Bar\nThe Find toolbar & more."


def test_gettext_catalogue_reader(tmp_path):
    entries = {
        "": "Content-Type: text/plain; charset=UTF-8\n",
        "Hello": "Bonjour",
        "ctx\x04Sword": "Épée",
    }
    keys = sorted(entries)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(entries[k].encode() + b"\0" for k in keys)
    n = len(keys)
    start = 28 + 16 * n
    offsets, o = [], start
    for k in keys:
        offsets.append((len(k.encode()), o))
        o += len(k.encode()) + 1
    soffsets = []
    for k in keys:
        soffsets.append((len(entries[k].encode()), o))
        o += len(entries[k].encode()) + 1
    data = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    data += b"".join(struct.pack("<2I", *x) for x in offsets + soffsets) + ids + strs
    path = tmp_path / "x.mo"
    path.write_bytes(data)
    assert gettext.GNUTranslations(open(path, "rb")).gettext("Hello") == "Bonjour"
    assert corpus._mo(path) == {"Hello": "Bonjour", "Sword": "Épée"}


def test_cleaning_drops_duplicates_across_languages_and_wrong_languages():
    docs = [
        Document("a", "en", "t", "The dog drinks water from the river every morning.", "1"),
        Document("b", "fr", "t", "The dog  drinks water from the river every morning.", "1"),
        Document("c", "fr", "t", "Le chien boit l'eau de la rivière chaque matin.", "1"),
        Document("d", "ja", "t", "This page was left untranslated in the Japanese help.", "2"),
        Document("e", "zh", "t", "   ", "3"),
    ]
    stats = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    kept = [d.id for d in corpus.clean(docs, stats)]
    assert kept == ["a", "c"]
    assert stats["t"]["fr"]["duplicates"] == 1
    assert stats["t"]["ja"]["other language"] == 1 and stats["t"]["zh"]["empty"] == 1


def test_manifest_reports_sizes_and_languages_below_target(tmp_path):
    docs = [Document("a", "en", "t", "word " * 100, None), Document("b", "ja", "t", "猫", None)]
    manifest = corpus.load(corpus.write(tmp_path / "c", docs, lambda _: {"note": "x"})).manifest
    assert manifest["note"] == "x"
    assert manifest["languages"]["en"] == {"documents": 1, "megabytes": 0.001}
    stats = {"bible": {"en": defaultdict(int, documents=2, bytes=12_000_000)}}
    described = corpus._manifest(
        ["bible"], defaultdict(dict, stats), {"en": {"documents": 2, "megabytes": 12.0}}
    )
    assert described["below_target"] == ["fr", "zh", "ja"]
