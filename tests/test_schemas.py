"""Canonical tables: conform() checks, casts and refuses clearly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest

from lainbench.errors import SchemaError
from lainbench.schemas import INVOICE_PAYMENT, MEMBER, to_pandas

BASE = {"buyer_org_id": ["A"], "invoice_id": ["1"], "invoice_received_date": [dt.date(2025, 1, 1)],
        "gross_amount_gbp": [10.0]}


def test_conform_adds_optional_columns_as_null():
    out = INVOICE_PAYMENT.conform(pl.DataFrame(BASE))
    assert out.columns == list(INVOICE_PAYMENT.columns)
    assert out["supplier_size_band"][0] is None


def test_missing_required_column_named():
    with pytest.raises(SchemaError, match="missing required column.*invoice_id"):
        INVOICE_PAYMENT.conform(pl.DataFrame({k: v for k, v in BASE.items() if k != "invoice_id"}),
                                source="ledger.csv")


def test_extra_column_refused():
    with pytest.raises(SchemaError, match="amount_gbp are not in table invoice_payment"):
        INVOICE_PAYMENT.conform(pl.DataFrame({**BASE, "amount_gbp": [1.0]}))


def test_enum_value_outside_set():
    with pytest.raises(SchemaError, match="supplier_size_band.*'tiny'"):
        INVOICE_PAYMENT.conform(pl.DataFrame({**BASE, "supplier_size_band": ["tiny"]}))


def test_uncastable_value_names_row_and_column():
    with pytest.raises(SchemaError, match="column gross_amount_gbp, row 2: value 'ten'"):
        INVOICE_PAYMENT.conform(pl.DataFrame({
            "buyer_org_id": ["A", "A"], "invoice_id": ["1", "2"],
            "invoice_received_date": ["2025-01-01", "2025-01-02"],
            "gross_amount_gbp": ["10", "ten"]}))


def test_pandas_in_and_out():
    pdf = pd.DataFrame({"org_id": ["a"], "org_name": ["A"], "org_type": ["police"],
                        "companies_house_number": [None]})
    out = MEMBER.conform(pdf)
    assert isinstance(out, pl.DataFrame)
    back = to_pandas(INVOICE_PAYMENT.conform(pl.DataFrame({**BASE, "agreed_terms_days": [30]})))
    assert str(back["agreed_terms_days"].dtype).startswith("int32")
