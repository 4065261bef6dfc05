"""CSV downloads: the link holds the frame itself."""

import base64
import io
import re

import pandas as pd

from semantic_pivots.report import downloads


def _files(html: str) -> dict[str, pd.DataFrame]:
    link = r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"'
    found = re.findall(link, html)
    return {name: pd.read_csv(io.BytesIO(base64.b64decode(data))) for name, data in found}


def test_each_link_reads_back_as_its_frame_with_named_index_levels_as_columns():
    scores = pd.DataFrame({"pair": ["en-fr", "fr-en"], "score": [0.25, -1.5]})
    by_item = scores.assign(item=["a", "b"]).set_index(["item", "pair"])
    html = downloads.links({"scores.csv": scores, "by-item.csv": by_item}).data
    files = _files(html)
    pd.testing.assert_frame_equal(files["scores.csv"], scores)
    pd.testing.assert_frame_equal(files["by-item.csv"], by_item.reset_index())
    assert "(2 rows)" in html
