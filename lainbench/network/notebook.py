"""Notebook 06 adapter: its run parameters, loading the four tables, and the shared tables.

:func:`network_shared_tables` is the one function the benchmark pack calls: it returns every table
notebook 06 publishes. Each member-level cell carries ``supplier_count``, ``top1_value_gbp``,
``top2_value_gbp`` and its total (``value_gbp``; in the headline ``addressable_gbp`` and the
prefixed ``msme_value_gbp`` ...) so :mod:`lainbench.disclosure` can be applied before sharing.
The payment-terms tables hold the member's own policy, no supplier's data, and have no such columns.

>>> NetworkMetricsParams(members=["eastbank_council"]).members
['eastbank_council']
>>> NetworkMetricsParams(cumulative_since="2031-01-01")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for NetworkMetricsParams
cumulative_since
  Value error, cumulative_since 2031-01-01 is after 2030-12-31; give the date the network's count starts (e.g. 2021-04-01) [...]
...
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import Field, field_validator

from lainbench.config import resolve
from lainbench.errors import LainbenchError, ParamsError
from lainbench.network import addressable as A
from lainbench.network import measures as M
from lainbench.params import RunParams, validate_run_params
from lainbench.schemas import CONTRACT_AWARD, MEMBER, PAYMENT_TERMS, SPEND_LINE, SUPPLIER


class NetworkMetricsParams(RunParams):
    """Run parameters of ``notebooks/06_network_metrics.ipynb``."""

    suppliers_path: str = Field("data/demo/supplier.parquet", description="supplier registers")
    spend_path: str = Field("data/demo/spend_line.parquet", description="spend lines")
    contracts_path: str = Field("data/demo/contract_award.parquet", description="contract awards")
    terms_path: str = Field("data/demo/payment_terms.parquet", description="payment terms")
    members_path: str = Field("data/demo/member.parquet", description="member table")
    periods_path: str = Field("data/demo/periods.parquet", description="reporting periods")
    addressable_spend_path: str = Field(A.ADDRESSABLE_PATH, description="exclusions")
    pledges_path: str = Field(M.PLEDGES_PATH, description="members' MSME pledges")
    terms_yardsticks_path: str = Field(M.TERMS_PATH, description="60-day maximum etc.")
    targets_path: str = Field(M.TARGETS_PATH, description="s.68 30 days (params/payment_rules.yaml)")
    members: Literal["all"] | list[str] = Field("all", description="'all' or member ids")
    periods: Literal["all"] | list[str] = Field("all", description="'all' or period names")
    cumulative_since: dt.date = Field(dt.date(2021, 4, 1),
                                      description="start of the cumulative contract count")
    focus_period: str | None = Field(None, description="period of the headline table; "
                                                       "default the latest")
    shared_dir: str | None = Field(None, description="a pack's shared/ folder: read the "
                                   "disclosure-controlled network tables there instead")

    @field_validator("cumulative_since")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        if not dt.date(2000, 1, 1) <= value <= dt.date(2030, 12, 31):
            limit = "after 2030-12-31" if value > dt.date(2030, 12, 31) else "before 2000-01-01"
            raise ValueError(f"cumulative_since {value} is {limit}; give the date the network's "
                             "count starts (e.g. 2021-04-01)")
        return value

    @field_validator("members", "periods")
    @classmethod
    def _non_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("empty list; use 'all' or name at least one")
        return value


def check_params(values: dict[str, Any], source: str = "notebook parameters"
                 ) -> NetworkMetricsParams:
    """Validate the notebook's parameter values; a bad one raises one :class:`ParamsError`."""
    return validate_run_params(NetworkMetricsParams, values, source)  # type: ignore[return-value]


@dataclass
class NetworkData:
    """The canonical tables notebook 06 reads."""

    suppliers: pl.DataFrame
    spend: pl.DataFrame
    contracts: pl.DataFrame
    terms: pl.DataFrame
    members: pl.DataFrame
    periods: pl.DataFrame


def _read(path: str, table, label: str) -> pl.DataFrame:
    p = resolve(path)
    if not p.exists():
        raise LainbenchError(f"{path}: {label} file not found (looked for {p}); run "
                             "`lainbench demo` for the demo tables or `lainbench ingest` for yours")
    df = pl.read_parquet(p)
    return table.conform(df, source=str(path)) if table is not None else df


def load(p: NetworkMetricsParams) -> NetworkData:
    """Read the tables named in ``p`` (conformed to their canonical schemas)."""
    return NetworkData(
        suppliers=_read(p.suppliers_path, SUPPLIER, "supplier register"),
        spend=_read(p.spend_path, SPEND_LINE, "spend lines"),
        contracts=_read(p.contracts_path, CONTRACT_AWARD, "contract awards"),
        terms=_read(p.terms_path, PAYMENT_TERMS, "payment terms"),
        members=_read(p.members_path, MEMBER, "member"),
        periods=_read(p.periods_path, None, "periods"),
    )


def _choose(members: pl.DataFrame, periods: pl.DataFrame, p: NetworkMetricsParams
            ) -> tuple[list[str], pl.DataFrame]:
    known = members["org_id"].to_list()
    chosen = known if p.members == "all" else list(p.members)
    bad = [m for m in chosen if m not in known]
    if bad:
        raise ParamsError(f"members: {', '.join(bad)} not in the member table; known: "
                          f"{', '.join(known)}")
    names = periods["period"].to_list()
    if p.periods != "all":
        badp = [x for x in p.periods if x not in names]
        if badp:
            raise ParamsError(f"periods: {', '.join(badp)} not in the periods table; known: "
                              f"{', '.join(names)}")
        periods = periods.filter(pl.col("period").is_in(p.periods))
    return chosen, periods.sort("period_start")


def network_shared_tables(suppliers: pl.DataFrame, spend: pl.DataFrame,
                          contracts: pl.DataFrame, terms: pl.DataFrame,
                          members: pl.DataFrame, periods: pl.DataFrame,
                          params: NetworkMetricsParams | dict[str, Any] | None = None
                          ) -> dict[str, pl.DataFrame]:
    """Every table the network-metrics report publishes, by name.

    * ``headline``: member (and ``network``) x period, the twice-yearly table;
    * ``trend``: the headline measures per member across periods, with the change from the
      previous period (derived from ``headline``: disclose it with the headline's flags);
    * ``spend_shares``: member x period x group (addressable, msme, micro ... london) cells;
    * ``excluded_spend``: member x period x exclusion reason (every excluded pound), with
      contributor columns (the payees);
    * ``contracts``: member x period x group (all, msme, reserved by basis, framework, cumulative);
    * ``terms``, ``terms_review``, ``terms_summary``: payment terms against s.68 and 60 days;
    * ``exclusion_rules``: the rules applied, with their sources.
    """
    p = params if isinstance(params, NetworkMetricsParams) else check_params(dict(params or {}))
    chosen, periods = _choose(members, periods, p)
    last_end = periods["period_end"].max()
    rules = A.load_rules(p.addressable_spend_path, last_end)
    spend = spend.filter(pl.col("buyer_org_id").is_in(chosen))
    applied = M.assign_period(A.apply_exclusions(spend, rules), periods, "payment_date")
    in_periods = applied.filter(pl.col("period").is_not_null())
    excl_lines = in_periods.filter(~pl.col("is_addressable"))
    excluded = (A.excluded_spend(in_periods, by=("buyer_org_id", "period"))
                .join(M.contributors(excl_lines, ["buyer_org_id", "period", "exclusion_reason"],
                                     "amount_gbp").drop("value_gbp"),
                      on=["buyer_org_id", "period", "exclusion_reason"], how="left"))
    suppliers = suppliers.filter(pl.col("buyer_org_id").is_in(chosen))
    lines = M.enrich_spend(applied.drop("period"), suppliers, periods)
    shares = M.spend_cells(lines)
    enriched = M.enrich_contracts(contracts.filter(pl.col("buyer_org_id").is_in(chosen)),
                                  suppliers)
    contract_cells = M.contract_cells(enriched, periods, p.cumulative_since)
    pledges = M.pledge_table(chosen, periods, p.pledges_path)
    head = M.headline(shares, contract_cells, pledges, excluded)
    yard = M.terms_yardsticks(last_end, p.terms_yardsticks_path, p.targets_path)
    t = M.terms_compliance(terms.filter(pl.col("buyer_org_id").is_in(chosen)),
                           yard["s68_days"], yard["max_days"], yard["eom_extra_days"])
    t = t.drop("source_dataset", "source_url", "source_row_id", "ingested_at")
    return {
        "headline": head,
        "trend": M.trend(head),
        "spend_shares": shares,
        "excluded_spend": excluded,
        "contracts": contract_cells,
        "terms": t.sort("buyer_org_id", "spend_category", "as_of_date"),
        "terms_review": M.terms_review(t),
        "terms_summary": M.terms_summary(t),
        "exclusion_rules": rules.table(),
    }


def tables_for(p: NetworkMetricsParams) -> dict[str, pl.DataFrame]:
    """Load the files named in ``p`` and return :func:`network_shared_tables`."""
    d = load(p)
    return network_shared_tables(d.suppliers, d.spend, d.contracts, d.terms, d.members,
                                 d.periods, p)


def yardsticks(p: NetworkMetricsParams, periods: pl.DataFrame) -> dict[str, int]:
    """The s.68 days, 60-day maximum and end-of-month extra days for the latest period end."""
    return M.terms_yardsticks(periods["period_end"].max(), p.terms_yardsticks_path,
                              p.targets_path)


def focus(tables: dict[str, pl.DataFrame], p: NetworkMetricsParams) -> str:
    """The headline period: ``p.focus_period`` if given (checked), else the latest."""
    periods = tables["headline"]["period"].unique().sort().to_list()
    if p.focus_period is None:
        return periods[-1]
    if p.focus_period not in periods:
        raise ParamsError(f"focus_period: {p.focus_period!r} is not a period in the data; "
                          f"known: {', '.join(periods)}")
    return p.focus_period


HEADLINE_COLUMNS = {
    "buyer_org_id": "member",
    "addressable_gbp": "addressable spend (£)",
    "msme_share_pct": "MSME share (%)",
    "msme_upper_pct": "MSME share if unknowns were MSME (%)",
    "msme_unknown_pct": "size unknown (% of addressable)",
    "pledge_pct": "pledge (%)",
    "pledge_status": "against pledge",
    "diverse_led_share_pct": "diverse-led share (%)",
    "diverse_led_unknown_pct": "ownership unknown (%)",
    "msme_contracts_contracts": "contracts to MSMEs (period)",
    "msme_contracts_value_gbp": "value to MSMEs (£, period)",
    "msme_cumulative_contracts": "contracts to MSMEs (cumulative)",
    "msme_cumulative_value_gbp": "value to MSMEs (£, cumulative)",
    "reserved_contracts": "reserved contracts",
    "reserved_value_gbp": "reserved value (£)",
}


def headline_view(headline: pl.DataFrame, period: str) -> pl.DataFrame:
    """The headline table for one period, with labelled columns, for display."""
    return (headline.filter(pl.col("period") == period)
            .select([pl.col(c).alias(label) for c, label in HEADLINE_COLUMNS.items()]))


def write(tables: dict[str, pl.DataFrame], output_dir: str | Path) -> dict[str, Path]:
    """Write every table as ``<output_dir>/<name>.parquet`` (atomically)."""
    from lainbench.outputs import write_tables

    return write_tables(output_dir, **tables)


def params_from_namespace(namespace: dict[str, Any]) -> NetworkMetricsParams:
    """Validate the notebook's parameters as they stand in its namespace (after papermill's
    injected cell), so a value papermill passed without checks, or a misspelt name, stops the
    notebook with one message naming it. Modules, functions and IPython's own names are ignored.

    >>> params_from_namespace({"members": "all", "In": [], "_": None}).members
    'all'
    >>> params_from_namespace({"memebrs": "all"})
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: notebook 06 parameters: memebrs: unknown parameter; remove it or check its spelling (found 'all')
    """
    import types

    values = {k: v for k, v in namespace.items()
              if not k.startswith("_") and k not in ("In", "Out", "exit", "quit", "open")
              and not callable(v) and not isinstance(v, types.ModuleType)}
    return check_params(values, "notebook 06 parameters")


def disclosure_counts(cells: pl.DataFrame, total: str = "value_gbp") -> pl.DataFrame:
    """``cells`` with the share columns :func:`lainbench.disclosure.flag` reads, from the
    contributor columns: ``largest_supplier_value_share_pct`` = top1 / total and
    ``second_supplier_value_share_pct`` = top2 / total (null when the total is not above 0).
    For the headline table pass a prefixed view, e.g. its ``msme_*`` columns renamed.

    >>> c = pl.DataFrame({"supplier_count": [3], "value_gbp": [200.0],
    ...                   "top1_value_gbp": [150.0], "top2_value_gbp": [30.0]})
    >>> disclosure_counts(c).select("largest_supplier_value_share_pct",
    ...                             "second_supplier_value_share_pct").row(0)
    (75.0, 15.0)
    """
    share = lambda c: pl.when(pl.col(total) > 0).then(
        (100 * pl.col(c) / pl.col(total)).round(4))
    return cells.with_columns(share("top1_value_gbp").alias("largest_supplier_value_share_pct"),
                              share("top2_value_gbp").alias("second_supplier_value_share_pct"))


@dataclass
class NetworkRun:
    """What notebook 06 shows: the tables, the members and periods, and where they came from."""

    tables: dict[str, pl.DataFrame]
    members: pl.DataFrame
    periods: pl.DataFrame
    summary: str


def prepare(p: NetworkMetricsParams) -> NetworkRun:
    """The notebook's tables: computed from the member-held files named in ``p``, or (in the
    benchmark pack, ``p.shared_dir`` set) read back from the pack's disclosure-controlled
    ``network_*.parquet`` tables, so the pack's report publishes nothing the pack suppressed.
    """
    if p.shared_dir:
        from lainbench.config import resolve as _resolve

        d = _resolve(p.shared_dir)
        names = sorted(f.stem for f in d.glob("network_*.parquet"))
        if not names:
            raise ParamsError(f"shared_dir = {p.shared_dir}: no network_*.parquet tables; build a "
                              "pack whose pack file names network_sources")
        tables = {n.removeprefix("network_"): pl.read_parquet(d / f"{n}.parquet") for n in names}
        members = pl.read_parquet(d / "members.parquet")
        periods = pl.read_parquet(d / "periods.parquet")
        return NetworkRun(tables, members, periods,
                          f"the benchmark pack's shared tables ({d.name}/), after disclosure "
                          "control: suppressed figures are blank")
    data = load(p)
    tables = network_shared_tables(data.suppliers, data.spend, data.contracts, data.terms,
                                   data.members, data.periods, p)
    return NetworkRun(tables, data.members, data.periods,
                      f"{data.spend.height:,} spend lines, {data.suppliers.height:,} register "
                      f"entries, {data.contracts.height:,} contract awards, {data.terms.height:,}"
                      " terms rows (internal: not disclosure-controlled)")


def yardsticks_text(p: NetworkMetricsParams, periods: pl.DataFrame) -> str:
    """The payment-terms yardsticks of :func:`yardsticks` with the params they come from, in one
    markdown line.

    >>> import datetime as dt
    >>> yardsticks_text(NetworkMetricsParams(),
    ...                 pl.DataFrame({"period_end": [dt.date(2026, 9, 30)]}))
    '**Yardsticks as used:** Procurement Act 2023 s.68 term 30 days (`pa2023_s68_days`, params/payment_rules.yaml); maximum term 60 days (announced, not yet in force; `max_payment_terms_days`, params/network_terms.yaml); terms counted from the end of the month add up to 30 days (`end_of_month_extra_days`).'
    """
    from lainbench import params

    y = yardsticks(p, periods)
    status = params.load(p.terms_yardsticks_path).parameters["max_payment_terms_days"].metadata.status
    return (
        f"**Yardsticks as used:** Procurement Act 2023 s.68 term {y['s68_days']} days "
        f"(`pa2023_s68_days`, {p.targets_path}); maximum term {y['max_days']} days "
        f"({status + '; ' if status else ''}`max_payment_terms_days`, "
        f"{p.terms_yardsticks_path}); terms counted "
        f"from the end of the month add up to {y['eom_extra_days']} days "
        "(`end_of_month_extra_days`)."
    )
