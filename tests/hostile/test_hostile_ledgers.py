"""Property tests: messy ledgers from a generating model (tests/hostile/hostile_ledgers.py).

For every generated ledger: rows read = accepted + rejected + skipped; each row gets the verdict
the model gives it; and every accepted value equals the value the model wrote (pence exact,
names byte for byte, dates to the day). rejects.csv is neutralised against formula injection and
reads back to the original text.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hostile_ledgers import HOSTILE, TODAY, ledgers
from hypothesis import given, settings

from lainbench.ingest.invoices import ingest_invoices
from lainbench.safe_output import FORMULA_TRIGGERS, restore_frame

COUNTS = {"ledgers": 0, "rows": 0, "accepted": 0, "rejected": 0, "skipped": 0}


def _ingest(ledger):
    d = Path(tempfile.mkdtemp(prefix="hostile-"))
    path = d / "ledger.csv"
    path.write_bytes(ledger.to_bytes())
    return ingest_invoices(path, buyer_org_id="hostile_council", today=TODAY), d


@settings(HOSTILE)
@given(ledgers())
def test_every_row_accounted_for_and_no_accepted_value_altered(ledger):
    res, _ = _ingest(ledger)
    rows = ledger.rows
    assert res.rows_read == len(rows)
    assert res.rows_read == res.accepted_rows + res.rejected_rows + sum(res.skipped.values())

    want_accept = {i for i, r in enumerate(rows, 1) if r.verdict == "accept"}
    want_reject = {i for i, r in enumerate(rows, 1) if r.verdict == "reject"}
    got_reject = set(res.rejects["source_row"].to_list())
    got_accept = {int(x) for x in res.accepted["source_row_id"].to_list()}
    assert got_reject == want_reject, res.rejects.select("source_row", "value", "reason").rows()
    assert got_accept == want_accept
    for kind in ("blank", "total row"):
        assert res.skipped.get(kind, 0) == sum(r.verdict == kind for r in rows)

    for rec in res.accepted.iter_rows(named=True):
        exp = rows[int(rec["source_row_id"]) - 1].expect
        assert rec["supplier_name"] == exp["supplier_name"].strip()
        assert rec["invoice_id"] == exp["invoice_id"]
        assert round(rec["gross_amount_gbp"] * 100) == exp["pence"]
        assert abs(rec["gross_amount_gbp"] * 100 - exp["pence"]) < 1e-6
        assert rec["invoice_date"] == exp["invoice_date"]
        assert rec["payment_date"] == exp["payment_date"]
        assert rec["is_credit_note"] == (exp["pence"] < 0)
    COUNTS["ledgers"] += 1
    COUNTS["rows"] += len(rows)
    COUNTS["accepted"] += res.accepted_rows
    COUNTS["rejected"] += res.rejected_rows
    COUNTS["skipped"] += sum(res.skipped.values())


@settings(HOSTILE)
@given(ledgers())
def test_rejects_csv_is_safe_to_open_and_reads_back_to_the_original(ledger):
    res, d = _ingest(ledger)
    paths = res.write(d / "out")
    text = paths["rejects"].read_text(encoding="utf-8")
    back = pl.read_csv(paths["rejects"], infer_schema=False)
    for col in ("source_file", "column", "value", "reason"):
        for cell in back[col].drop_nulls():
            assert cell[0] not in FORMULA_TRIGGERS, (col, cell)  # never a live formula
    restored = restore_frame(back)
    original = res.rejects.select(pl.all().cast(pl.String))
    assert restored.rows() == original.rows()
    assert "\x00" not in text  # control characters are shown as U+FFFD, never written raw


def test_the_property_suite_ran_and_handled_every_row():
    """Counts (printed with -s): how many generated ledgers and rows the suite handled."""
    print(f"hostile ledgers: {COUNTS}")
    assert COUNTS["ledgers"] == 0 or COUNTS["rows"] == (
        COUNTS["accepted"] + COUNTS["rejected"] + COUNTS["skipped"])
