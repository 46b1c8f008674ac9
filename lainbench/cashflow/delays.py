"""How late invoices are paid: the delay models that drive the supplier cash-flow simulation.

Every model turns two arrays of common random numbers, ``u`` (uniform on [0, 1)) and ``z``
(standard normal), of the same shape, into whole **days late** ``D >= 0`` beyond the due date
(reference/economics.md 5.0: continuous draws become ``ceil(X)``). Sharing ``u`` and ``z`` across
scenarios makes comparisons between buyer levers less noisy (common random numbers).

* :class:`LognormalDelay` - the mixture of 5.1: with probability ``p`` an invoice is late by
  ``ceil(X)``, ``X ~ LogNormal(mu, sigma)``; otherwise paid on the due date. The named profiles
  ``ibm_sample``, ``uk_sme_2021``, ``xero_2018`` and ``public_bppc`` load from
  ``params/cashflow_assumptions.yaml`` (:func:`delay_profile`).
* :class:`FixedDelay` - every invoice ``ceil(days)`` late, for checks against the closed forms.
* :class:`EmpiricalDelay` - the observed distribution of days late in a member's own invoices
  (:func:`empirical_delay`), so each member's real payment behaviour drives the model.

>>> import numpy as np
>>> m = LognormalDelay("demo", late_share=0.5, mu=2.0, sigma=0.5)
>>> m.days_late(np.array([0.1, 0.9]), np.array([0.0, 0.0])).tolist()  # exp(2) = 7.39 -> 8
[8, 0]
>>> round(delay_profile("uk_sme_2021").late_share, 2)
0.4
>>> FixedDelay(10).days_late(np.zeros(3), np.zeros(3)).tolist()
[10, 10, 10]
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

import numpy as np
import polars as pl

from lainbench.errors import ParamsError, SchemaError
from lainbench.params import ParameterFile, load
from lainbench.schemas import _from_pandas_if_needed

ASSUMPTIONS_FILE = "params/cashflow_assumptions.yaml"

DelayProfileName = Literal["ibm_sample", "uk_sme_2021", "xero_2018", "public_bppc"]
DELAY_PROFILES: tuple[str, ...] = get_args(DelayProfileName)
_GRID = 1 << 16  # cells of the inverse-CDF lookup of EmpiricalDelay


def assumptions(path: str = ASSUMPTIONS_FILE) -> ParameterFile:
    """The cash-flow model's reference parameters, from ``params/cashflow_assumptions.yaml``.

    Cached by :func:`lainbench.params.load`, which reads the file again when it changes.
    """
    return load(path)


def assumption(name: str, as_of: dt.date | str | None = None, path: str = ASSUMPTIONS_FILE):
    """Value of reference parameter ``name`` in force on ``as_of`` (default: its latest value).

    >>> assumption("overdraft_margin_pct")
    10.85
    """
    pf = assumptions(path)
    value = pf.value(name, as_of or dt.date.max)
    if value is None:
        raise ParamsError(
            f"{path}: parameter {name} has no value in force on {as_of}; its values start on "
            f"{min(pf.parameters[name].values)}; add a dated value or pass a later date"
        )
    return value


class DelayModel(Protocol):
    """Anything that maps common random numbers to whole days late."""

    name: str

    def days_late(self, u: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Whole days late (int64, >= 0) for uniform draws ``u`` and normal draws ``z``."""
        ...

    @property
    def late_share(self) -> float:
        """Probability an invoice is paid after its due date."""
        ...

    @property
    def mean_days_late(self) -> float:
        """Expected whole days late per invoice, on-time invoices counting 0."""
        ...


def _norm_sf(x: np.ndarray) -> np.ndarray:
    """Standard normal survival function, 1 - Phi(x), via erfc (no scipy needed)."""
    flat = np.asarray(x, dtype=float)
    out = np.fromiter((math.erfc(v / math.sqrt(2.0)) for v in flat.ravel()), float, flat.size)
    return 0.5 * out.reshape(flat.shape)


@dataclass(frozen=True)
class LognormalDelay:
    """Late with probability ``late_share``; if late, by ``ceil(X)`` days, ``ln X ~ N(mu, sigma)``.

    >>> m = LognormalDelay("x", late_share=0.5, mu=math.log(2.5), sigma=1e-6)  # X = 2.5 -> 3
    >>> round(m.mean_days_late, 6)
    1.5
    """

    name: str
    late_share: float
    mu: float
    sigma: float
    basis: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.late_share <= 1.0:
            raise ParamsError(
                f"delay profile {self.name}: late_share = {self.late_share}; expected a share "
                "between 0 and 1"
            )
        if not self.sigma > 0:
            raise ParamsError(
                f"delay profile {self.name}: sigma = {self.sigma}; expected a number above 0"
            )

    def days_late(self, u: np.ndarray, z: np.ndarray) -> np.ndarray:
        """``ceil(exp(mu + sigma z))`` where ``u < late_share``, else 0."""
        x = np.exp(self.mu + self.sigma * np.asarray(z, dtype=np.float64))
        np.ceil(x, out=x)
        x *= np.asarray(u) < self.late_share
        return x.astype(np.int64)

    @functools.cached_property
    def mean_days_late(self) -> float:
        """``p * E[ceil X] = p * sum_{j >= 0} P(X > j)``.

        Summed term by term up to ``J = exp(mu + 4 sigma)``; beyond it the sum is replaced by
        the integral ``E[(X - J)+]`` (closed form for a lognormal), which differs from it by less
        than ``P(X > J) < 3.2e-5``.
        """
        mu, sigma = self.mu, self.sigma
        j_cut = max(2, min(int(math.exp(mu + 4 * sigma)) + 1, 1_000_000))
        j = np.arange(1, j_cut, dtype=float)
        head = 1.0 + _norm_sf((np.log(j) - mu) / sigma).sum()
        ln_j = math.log(j_cut)
        tail = (
            math.exp(mu + sigma**2 / 2) * _norm_sf((ln_j - mu - sigma**2) / sigma)[()]
            - j_cut * _norm_sf((ln_j - mu) / sigma)[()]
        )
        return float(self.late_share * (head + _norm_sf((ln_j - mu) / sigma)[()] + tail))

    @property
    def mean_days_late_given_late(self) -> float:
        """Mean of the continuous lateness given late, ``exp(mu + sigma^2 / 2)`` (as in 5.1)."""
        return math.exp(self.mu + self.sigma**2 / 2)


@dataclass(frozen=True)
class FixedDelay:
    """Every invoice paid ``ceil(days)`` days after its due date (the closed-form case)."""

    days: float
    name: str = "deterministic"

    def __post_init__(self) -> None:
        if not self.days >= 0:
            raise ParamsError(f"deterministic delay: days = {self.days}; expected 0 or more")

    def days_late(self, u: np.ndarray, z: np.ndarray) -> np.ndarray:
        """``ceil(days)`` everywhere."""
        return np.full(np.shape(u), math.ceil(self.days), dtype=np.int64)

    @property
    def late_share(self) -> float:
        """1 if ``days > 0`` else 0."""
        return 1.0 if self.days > 0 else 0.0

    @property
    def mean_days_late(self) -> float:
        """``ceil(days)``."""
        return float(math.ceil(self.days))


@dataclass(frozen=True)
class EmpiricalDelay:
    """An observed distribution of whole days late: ``values[i]`` with probability ``probs[i]``.

    Sampling is by inverse CDF on ``u`` alone.

    >>> m = EmpiricalDelay("m", values=np.array([0, 5]), probs=np.array([0.75, 0.25]))
    >>> m.days_late(np.array([0.1, 0.74, 0.76, 0.99]), np.zeros(4)).tolist()
    [0, 0, 5, 5]
    >>> m.late_share, m.mean_days_late
    (0.25, 1.25)
    """

    name: str
    values: np.ndarray
    probs: np.ndarray
    n_invoices: int = 0
    basis: str = ""
    _cdf: np.ndarray = field(init=False, repr=False, compare=False)
    _start: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.int64)
        probs = np.asarray(self.probs, dtype=float)
        if values.ndim != 1 or values.shape != probs.shape or values.size == 0:
            raise ParamsError(
                f"empirical delay {self.name}: values and probs must be two 1-D arrays of the "
                f"same, non-zero length (found {values.shape} and {probs.shape})"
            )
        if (
            (values < 0).any()
            or (probs < 0).any()
            or not math.isclose(probs.sum(), 1.0, rel_tol=1e-9)
        ):
            raise ParamsError(
                f"empirical delay {self.name}: expected days late >= 0 and probabilities >= 0 "
                f"summing to 1 (found sum {probs.sum()})"
            )
        order = np.argsort(values)
        object.__setattr__(self, "values", values[order])
        object.__setattr__(self, "probs", probs[order])
        cdf = np.cumsum(self.probs)
        cdf[-1] = np.inf  # every u < 1 falls at or before the last value
        object.__setattr__(self, "_cdf", cdf)
        grid = np.arange(_GRID, dtype=float) / _GRID
        object.__setattr__(self, "_start", np.searchsorted(cdf, grid, side="right"))

    def days_late(self, u: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Inverse CDF: the smallest value whose cumulative probability exceeds ``u``.

        A lookup on a grid of 2^16 cells gives the first candidate; a few vectorised steps
        forward make it exact (``numpy.searchsorted`` on a million unsorted draws was far slower).
        """
        u = np.asarray(u, dtype=float)
        idx = self._start[np.minimum((u * _GRID).astype(np.intp), _GRID - 1)]
        while True:
            step = self._cdf[idx] <= u
            if not step.any():
                break
            idx += step
        return self.values[idx]

    @property
    def late_share(self) -> float:
        """Observed share of invoices paid after the due date."""
        return float(self.probs[self.values > 0].sum())

    @property
    def mean_days_late(self) -> float:
        """Observed mean days late, on-time invoices counting 0."""
        return float((self.values * self.probs).sum())

    def quantile(self, q: float) -> int:
        """Days late at cumulative probability ``q`` (inverse CDF)."""
        return int(self.days_late(np.array([q]), np.zeros(1))[0])


def delay_profile(name: str, path: str = ASSUMPTIONS_FILE) -> LognormalDelay:
    """A named profile of economics.md 5.1, read from the assumptions file.

    >>> delay_profile("public_bppc").late_share
    0.05
    >>> delay_profile("slow")
    Traceback (most recent call last):
    ...
    lainbench.errors.ParamsError: delay profile 'slow' is unknown; use one of ibm_sample, uk_sme_2021, xero_2018, public_bppc
    """
    if name not in DELAY_PROFILES:
        raise ParamsError(
            f"delay profile {name!r} is unknown; use one of {', '.join(DELAY_PROFILES)}"
        )
    pf = assumptions(path)
    p = assumption(f"delay_{name}_late_share", path=path)
    mu = assumption(f"delay_{name}_lognormal_mu", path=path)
    sigma = assumption(f"delay_{name}_lognormal_sigma", path=path)
    basis = pf.parameters[f"delay_{name}_late_share"].metadata.reference[0].title
    return LognormalDelay(name, late_share=float(p), mu=float(mu), sigma=float(sigma), basis=basis)


# --- empirical delays from the canonical invoice table ------------------------------------------


def _as_polars(frame) -> pl.DataFrame:
    """A polars frame from a polars (lazy) or pandas one (pandas at the edge only)."""
    return frame.collect() if isinstance(frame, pl.LazyFrame) else _from_pandas_if_needed(frame)


def invoice_days_late(invoices) -> pl.DataFrame:
    """Whole days late of each paid invoice in a canonical ``invoice_payment`` table.

    Days late = ``coalesce(supplier_received_date, payment_date) - due_date``, clipped at 0; a
    missing ``due_date`` is taken as ``invoice_received_date + agreed_terms_days`` (both through
    :func:`lainbench.payments.derive`). Unpaid invoices, invoices with no due date and credit notes
    are left out. Returns ``buyer_org_id``, ``supplier_size_band`` and ``days_late``.

    >>> import datetime as dt
    >>> inv = pl.DataFrame({"buyer_org_id": ["A", "A", "A"], "invoice_id": ["1", "2", "3"],
    ...     "invoice_received_date": [dt.date(2025, 1, 1)] * 3, "agreed_terms_days": [30, 30, 30],
    ...     "due_date": [None, dt.date(2025, 1, 31), None],
    ...     "payment_date": [dt.date(2025, 2, 10), dt.date(2025, 1, 20), None],
    ...     "gross_amount_gbp": [100.0, 100.0, 100.0]})
    >>> invoice_days_late(inv)["days_late"].to_list()
    [10, 0]
    """
    from lainbench.payments.metrics import derive

    lf = invoices.lazy() if isinstance(invoices, pl.DataFrame) else invoices
    if not isinstance(lf, pl.LazyFrame):
        lf = _as_polars(invoices).lazy()
    cols = set(lf.collect_schema().names())
    need = {"buyer_org_id", "invoice_received_date", "gross_amount_gbp"}
    missing = sorted(need - cols)
    if not cols & {"supplier_received_date", "payment_date"}:
        missing.append("supplier_received_date or payment_date")
    if missing:
        raise SchemaError(
            f"invoice table: missing column(s) {', '.join(missing)} needed to work out days late; "
            "use the canonical invoice_payment names (lainbench.schemas.INVOICE_PAYMENT)"
        )
    return (
        derive(lf, interest=False)
        .filter(~pl.col("is_credit_note") & (pl.col("gross_amount_gbp") >= 0))
        .select(
            pl.col("buyer_org_id").cast(pl.String),
            pl.col("supplier_size_band").cast(pl.String),
            (pl.col("paid_date") - pl.col("due_date"))
            .dt.total_days()
            .clip(lower_bound=0)
            .cast(pl.Int64)
            .alias("days_late"),
        )
        .drop_nulls(["buyer_org_id", "days_late"])
        .collect()
    )




def empirical_delay(
    invoices,
    buyer_org_id: str | list[str] | None = None,
    *,
    size_bands: list[str] | None = None,
    min_invoices: int = 30,
    name: str | None = None,
) -> EmpiricalDelay:
    """The distribution of days late in some members' own invoices.

    Parameters
    ----------
    invoices
        A canonical ``invoice_payment`` table (polars or pandas), or the output of
        :func:`invoice_days_late`.
    buyer_org_id
        One member, several (pooled), or ``None`` for all.
    size_bands
        Keep only invoices from suppliers in these size bands (e.g. ``["micro", "small"]``).
    min_invoices
        Refuse to build a distribution from fewer paid invoices than this.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 4, "days_late": [0, 0, 0, 8]})
    >>> m = empirical_delay(inv, "A", min_invoices=4)
    >>> m.late_share, m.mean_days_late, m.n_invoices
    (0.25, 2.0, 4)
    """
    df = _as_polars(invoices)
    if "days_late" not in df.columns:
        df = invoice_days_late(df)
    label = "all members"
    if buyer_org_id is not None:
        ids = [buyer_org_id] if isinstance(buyer_org_id, str) else list(buyer_org_id)
        df = df.filter(pl.col("buyer_org_id").is_in(ids))
        label = ", ".join(ids)
    if size_bands:
        if "supplier_size_band" not in df.columns:
            raise SchemaError(
                "invoice table: size_bands given but there is no supplier_size_band column; "
                "drop size_bands or add the column"
            )
        df = df.filter(pl.col("supplier_size_band").is_in(list(size_bands)))
        label += f" ({', '.join(size_bands)} suppliers)"
    n = df.height
    if n < min_invoices:
        raise ParamsError(
            f"members {label}: {n} paid invoice(s) found; at least min_invoices = {min_invoices} "
            "are needed for an empirical delay distribution; pick another member, widen "
            "size_bands or lower min_invoices"
        )
    counts = df.group_by("days_late").len().sort("days_late")
    values = counts["days_late"].to_numpy()
    probs = counts["len"].to_numpy() / n
    return EmpiricalDelay(
        name=name or label,
        values=values,
        probs=probs,
        n_invoices=n,
        basis=f"days late in {n} paid invoices of {label}",
    )


def member_delays(
    invoices,
    members: list[str] | Literal["all"] = "all",
    *,
    size_bands: list[str] | None = None,
    min_invoices: int = 30,
) -> tuple[dict[str, EmpiricalDelay], pl.DataFrame]:
    """One empirical delay model per member, and a table of the members left out and why.

    >>> inv = pl.DataFrame({"buyer_org_id": ["A"] * 3 + ["B"], "days_late": [0, 4, 0, 9]})
    >>> models, skipped = member_delays(inv, min_invoices=2)
    >>> sorted(models), skipped["buyer_org_id"].to_list()
    (['A'], ['B'])
    """
    df = _as_polars(invoices)
    if "days_late" not in df.columns:
        df = invoice_days_late(df)
    available = sorted(df["buyer_org_id"].unique().to_list())
    wanted = available if members == "all" else list(members)
    models: dict[str, EmpiricalDelay] = {}
    skipped = []
    for org in wanted:
        try:
            models[org] = empirical_delay(
                df, org, size_bands=size_bands, min_invoices=min_invoices, name=org
            )
        except ParamsError as exc:
            reason = "not in the invoice table" if org not in available else str(exc)
            skipped.append({"buyer_org_id": org, "reason": reason})
    skipped_df = pl.DataFrame(skipped, schema={"buyer_org_id": pl.String, "reason": pl.String})
    return models, skipped_df


def describe(model: DelayModel) -> dict[str, float | str]:
    """A one-row summary of a delay model: name, late share, mean days late.

    >>> describe(FixedDelay(3))
    {'delay_model': 'deterministic', 'late_share': 1.0, 'mean_days_late': 3.0}
    """
    return {
        "delay_model": model.name,
        "late_share": float(model.late_share),
        "mean_days_late": float(model.mean_days_late),
    }
