"""Where the command line finds things: notebooks with their parameter models, and ingest kinds.

Entries are ``"module:attribute"`` strings, imported only when used, so ``lainbench --help`` stays
fast and one broken module cannot stop the others.

>>> sorted(NOTEBOOKS)[0]
'insurance_requirements'
>>> load_object("lainbench.params:RunParams").__name__
'RunParams'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class NotebookEntry:
    """A notebook known to ``lainbench run``: its file in ``notebooks/`` and its params model."""

    filename: str
    params_model: str  # "module:Class", a subclass of lainbench.params.RunParams
    default_params: str  # file in params/


NOTEBOOKS: dict[str, NotebookEntry] = {
    "payment_performance": NotebookEntry(
        "01_payment_performance.ipynb", "lainbench.payments:PaymentPerformanceParams",
        "payment_performance.yaml"),
    "insurance_requirements": NotebookEntry(
        "02_insurance_requirements.ipynb", "lainbench.insurance:InsuranceRequirementsParams",
        "insurance_requirements.yaml"),
    "supplier_cashflow": NotebookEntry(
        "03_supplier_cashflow.ipynb", "lainbench.cashflow:SupplierCashflowParams",
        "supplier_cashflow.yaml"),
    "published_payment_reports": NotebookEntry(
        "04_published_payment_reports.ipynb", "lainbench.published:PublishedPaymentReportsParams",
        "published_payment_reports.yaml"),
    "member_scorecard": NotebookEntry(
        "05_member_scorecard.ipynb", "lainbench.scorecard:MemberScorecardParams",
        "member_scorecard.yaml"),
    "public_contracts": NotebookEntry(
        "07_public_contracts.ipynb", "lainbench.public_contracts.notebook:PublicContractsParams",
        "public_contracts.yaml"),
}

# `lainbench ingest KIND FILE --out DIR`: each is a function (path, **options) -> IngestResult.
INGEST_KINDS: dict[str, str] = {
    "canonical": "lainbench.ingest.canonical:read_invoice_payment",
    "invoices": "lainbench.ingest.invoices:ingest_invoices",
    "ppr": "lainbench.ingest.ppr:ingest_ppr",
    "returns": "lainbench.ingest.returns:ingest_returns",
    "insurance": "lainbench.ingest.insurance:ingest_insurance",
    "ocds": "lainbench.ingest.ocds:ingest_ocds",
    "companies": "lainbench.ingest.companies:ingest_companies",
    "spend": "lainbench.ingest.spend:ingest_spend",
}


def load_object(ref: str):
    """Import ``"module:attribute"`` and return the attribute."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)
