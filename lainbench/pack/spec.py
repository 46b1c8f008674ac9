"""The pack file (``params/pack.yaml``): its pydantic model, validated before anything runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lainbench.errors import LainbenchError, PackError

MANIFEST = "manifest.json"


LOCK = ".pack.lock"


WORKBOOK = "lainbench_pack_tables.xlsx"


MANIFEST_VERSION = 1


PATH_SOURCES = ("invoices_path", "members_path", "periods_path")


PACKAGES = ("polars", "pandas", "numpy", "pyarrow", "altair", "vl-convert-python", "papermill",
            "nbconvert", "nbformat", "ipykernel", "jupyter-client", "pydantic", "xlsxwriter",
            "tqdm")


class NotebookSpec(BaseModel):
    """A notebook to run: its registry name and parameters of its own.

    ``unsuppressed_ok`` lets a notebook that reads invoice-level data itself (it has an
    ``invoices_path`` parameter) into the pack; its figures do not pass through disclosure
    control, so this is refused unless set, and such a run's outputs stay **internal**: they go
    to ``internal/`` in the pack folder, are never linked from the index, gathered into
    ``charts/`` or written to the workbook, and are marked internal in ``manifest.json``.
    """

    model_config = ConfigDict(extra="forbid")
    notebook: str
    params: dict[str, Any] = Field(default_factory=dict)
    unsuppressed_ok: bool = False


class Sources(BaseModel):
    """The data the pack reads (paths relative to the project root, or absolute).

    Exactly one of ``invoices_path`` (pooled invoice-level records) and ``returns`` (members'
    returns: files or folders of ``*.return.zip``) is given.

    >>> Sources(returns=["data/demo/returns"], members_path="m", periods_path="p").mode
    'returns'
    >>> Sources(members_path="m", periods_path="p")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Sources
      Value error, give exactly one of sources.invoices_path (pooled invoices) and sources.returns (members' returns) [type=value_error, input_value={'members_path': 'm', 'periods_path': 'p'}, input_type=dict]
    ...
    """

    model_config = ConfigDict(extra="forbid")
    invoices_path: str | None = Field(
        None, description="canonical invoice_payment table (parquet or csv): the pooled path")
    returns: list[str] | None = Field(
        None, description="members' return files or folders of them: the returns path")
    returns_due: dt.date | None = Field(
        None, description="the date returns were due; returns approved later are marked late")
    members_path: str = Field(description="member table")
    periods_path: str = Field(description="reporting periods")
    insurance_requirements_path: str | None = Field(
        "demo", description="insurance requirements (parquet/csv/xlsx, 'demo', 'returns': from "
        "the members' returns, or null: none)")

    @model_validator(mode="after")
    def _one_path(self) -> Sources:
        if (self.invoices_path is None) == (self.returns is None):
            raise ValueError("give exactly one of sources.invoices_path (pooled invoices) and "
                             "sources.returns (members' returns)")
        if self.returns is not None and not self.returns:
            raise ValueError("sources.returns is empty: name return files or a folder")
        if self.invoices_path is not None and (self.insurance_requirements_path == "returns"
                                               or self.returns_due is not None):
            raise ValueError("insurance_requirements_path 'returns' and returns_due need "
                             "sources.returns")
        return self

    @property
    def mode(self) -> Literal["pooled", "returns"]:
        """``pooled`` (invoice-level records) or ``returns`` (members' returns)."""
        return "returns" if self.returns is not None else "pooled"

    def path_sources(self) -> tuple[str, ...]:
        """The single-file sources this pack has (no ``invoices_path`` from returns)."""
        return PATH_SOURCES if self.mode == "pooled" else PATH_SOURCES[1:]


class NetworkSources(BaseModel):
    """The member-held tables behind the network's twice-yearly metrics (notebook 06).

    Canonical ``supplier``, ``spend_line``, ``contract_award`` and ``payment_terms`` tables
    (``lainbench ingest suppliers|spend|contracts|terms`` writes them; ``lainbench demo`` writes
    the demo's). Absent: the pack has no network-metrics tables.
    """

    model_config = ConfigDict(extra="forbid")
    suppliers_path: str = Field(description="canonical supplier table")
    spend_path: str = Field(description="canonical spend_line table")
    contracts_path: str = Field(description="canonical contract_award table")
    terms_path: str = Field(description="canonical payment_terms table")


def _notebooks(value: Any) -> Any:
    if isinstance(value, list):
        return [{"notebook": v} if isinstance(v, str) else v for v in value]
    return value


class PackSpec(BaseModel):
    """A pack file (``params/pack.yaml``), checked before anything runs."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    description: str = ""
    sources: Sources
    network_sources: NetworkSources | None = None
    published_notices: list[str] = Field(
        default_factory=list, description="payments compliance notices members published "
        "(PCN CSV/XLSX files, as `lainbench ingest published` reads), shown beside the notices "
        "derived from their ledgers")
    targets_file: str = "params/payment_targets.yaml"
    members: list[str] | Literal["all"] = "all"
    periods: list[str] | Literal["all"] = "all"
    period: str = Field("latest", description="headline period, or 'latest'")
    network: list[NotebookSpec] = Field(
        default_factory=lambda: [NotebookSpec(notebook="member_scorecard")])
    per_member: list[NotebookSpec] = Field(
        default_factory=lambda: [NotebookSpec(notebook="member_scorecard")])
    member_params: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per-member parameter overrides for per_member notebooks")
    shared_params: dict[str, Any] = Field(
        default_factory=dict, description="parameters given to every notebook that has them")
    disclosure: dict[str, Any] = Field(
        default_factory=dict, description="overrides of params/disclosure_control.yaml")
    disclosure_file: str = "params/disclosure_control.yaml"
    cashflow_paths: int = Field(2_000, ge=0, description="cash-flow simulation paths; 0 = off")
    seed: int = 20260401
    excel: bool = True
    jobs: int | None = Field(None, ge=1, description="parallel runs; default all cores")
    fresh_kernels: bool = Field(
        False, description="a new kernel for every run, instead of one per worker reset between runs")

    _lists = field_validator("network", "per_member", mode="before")(_notebooks)


def load_spec(path: str | Path) -> PackSpec:
    """Read and validate a pack file; every fault in one :class:`PackError`."""
    from lainbench.params import format_validation_error, read_yaml

    try:
        data = read_yaml(path)
    except LainbenchError as exc:
        raise PackError(str(exc)) from None
    try:
        return PackSpec.model_validate(data)
    except ValidationError as exc:
        raise PackError(format_validation_error(str(path), exc) + "\nnothing was run") from None
