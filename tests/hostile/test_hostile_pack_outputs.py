"""A pack built from hostile inputs: every output it writes is safe to open (issue 15).

Member names carrying HTML and spreadsheet formulas, and a pack title that is a formula, must come
out escaped in every HTML page and neutralised (text, never a formula) in the workbook and CSVs.
"""

from __future__ import annotations

import re
import zipfile

import polars as pl
import pytest
from pack_helpers import write_pack_file, write_small_member_data

from lainbench import pack

pytestmark = pytest.mark.notebook

EVIL_NAME = '<img src=x onerror="alert(1)"><script>alert(2)</script>=HYPERLINK("http://x")'
EVIL_TITLE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def hostile_pack(small_demo, tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile_pack")
    data = write_small_member_data(small_demo, d / "data")
    members = pl.read_parquet(data["members_path"])
    members = members.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(EVIL_NAME)).otherwise(pl.col("org_name"))
        .alias("org_name"))
    members.write_parquet(data["members_path"])
    spec = write_pack_file(d / "pack.yaml", data, title=EVIL_TITLE, per_member=["member_scorecard"],
                           network=["member_scorecard"])
    result = pack.build(spec, d / "out", progress=False, log=lambda _: None)
    assert result.ok, result.failed
    return d / "out"


def test_no_html_page_carries_live_markup_from_user_text(hostile_pack):
    pages = [hostile_pack / "index.html", *hostile_pack.glob("runs/**/*.html")]
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text, page
        assert "<script>alert(2)" not in text, page
        assert 'onerror="alert(1)"' not in text, page


def test_workbook_cells_are_never_formulas(hostile_pack):
    book = hostile_pack / "lainbench_pack_tables.xlsx"
    with zipfile.ZipFile(book) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no cell holds a formula
    import openpyxl

    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v.startswith("=")), (ws.title, v)


def test_csv_copies_neutralise_formulas(hostile_pack):
    for csv in hostile_pack.rglob("*.csv"):
        for line in csv.read_text(encoding="utf-8").splitlines():
            for cell in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", line):
                cell = cell.strip('"')
                assert not cell.startswith(("=", "+", "@")), (csv, cell)
