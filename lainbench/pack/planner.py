"""The pack's plan: every run, its parameters and its output folder, checked before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lainbench.config import resolve
from lainbench.errors import LainbenchError, PackError
from lainbench.pack.spec import PATH_SOURCES, PackSpec, load_spec


@dataclass
class Run:
    """One notebook run in the pack."""

    run_id: str
    notebook: str
    scope: Literal["network", "member"]
    member: str | None
    values: dict[str, Any]
    out_dir: Path
    inputs: dict[str, str] = field(default_factory=dict)  # path -> sha256
    key: str = ""

    @property
    def rel_dir(self) -> str:
        """The run's folder relative to the pack folder."""
        return self.run_id


@dataclass
class Plan:
    """A validated pack: its spec, output folder, rules and runs (inputs not yet hashed)."""

    spec: PackSpec
    spec_path: Path
    out: Path
    rules: Any
    members: list[str]
    member_names: dict[str, str]
    runs: list[Run]


def _run_id(scope: str, notebook: str, member: str | None, internal: bool = False) -> str:
    """Where a run's outputs go: ``runs/...``, or ``internal/...`` for a run whose report reads
    invoices itself (``unsuppressed_ok``): it stays out of the shared pack (no link from the
    index, no charts in ``charts/``, not in the workbook) and is marked for internal use.
    """
    root = "internal" if internal else "runs"
    return (f"{root}/network/{notebook}" if scope == "network"
            else f"{root}/members/{member}/{notebook}")


def _tables(paths: dict[str, Path], spec: PackSpec) -> tuple[Any, Any]:
    """The pack's member and period tables, filtered as the pack file says (returns path)."""
    from lainbench import load
    from lainbench.payments.notebook import _select

    members = _select(load.members(paths["members_path"], "sources.members_path"), "org_id",
                      spec.members, "members", "member id")
    periods = _select(load.periods(paths["periods_path"], "sources.periods_path"), "period",
                      spec.periods, "periods", "period")
    return members, periods


def plan(spec_path: str | Path, out: str | Path) -> Plan:
    """Validate the pack file, its sources and every run's parameters; nothing runs.

    All faults are gathered into one :class:`PackError` (identical faults of per-member runs are
    reported once, naming how many runs they affect).
    """
    from lainbench import disclosure, payments, runner
    from lainbench.registry import NOTEBOOKS

    spec = load_spec(spec_path)
    out = Path(out).resolve()
    errors: list[str] = []

    def fail(msg: str) -> None:
        if msg not in errors:
            errors.append(msg)

    src = spec.sources
    paths = {k: resolve(getattr(src, k)) for k in src.path_sources()}
    for k, p in paths.items():
        if not p.is_file():
            fail(f"sources.{k}: file not found: {p} (for the demo run `lainbench demo`)")
    for k, v in (("targets_file", spec.targets_file), ("disclosure_file", spec.disclosure_file)):
        if not resolve(v).is_file():
            fail(f"{k}: file not found: {resolve(v)}")
    if src.mode == "returns":
        from lainbench.pack.from_returns import return_files

        try:
            if not return_files(src.returns):
                fail(f"sources.returns: no return files (*.return.zip, *.xlsx) in "
                     f"{', '.join(src.returns)}; build them with `lainbench return build`")
        except LainbenchError as exc:
            fail(str(exc))
    ins = src.insurance_requirements_path
    if ins not in (None, "demo", "returns") and not resolve(ins).is_file():
        fail(f"sources.insurance_requirements_path: file not found: {resolve(ins)} "
             "(give a file, 'demo', or null for no insurance flags)")
    rules = None
    try:
        rules = disclosure.load_rules(spec.disclosure_file, overrides=spec.disclosure)
    except LainbenchError as exc:
        fail(str(exc))

    members: list[str] = []
    names: dict[str, str] = {}
    if not errors:
        try:  # the same loading and checks the shared stage will do (members, periods, targets)
            if src.mode == "pooled":
                data = payments.prepare(*(str(paths[k]) for k in PATH_SOURCES),
                                        str(resolve(spec.targets_file)), spec.members,
                                        spec.periods)
                member_df, period_df = data.members, data.periods
            else:
                member_df, period_df = _tables(paths, spec)
            names = dict(zip(member_df["org_id"], member_df["org_name"], strict=True))
            members = list(names)
            bad = sorted(set(spec.member_params) - set(members))
            if bad:
                fail(f"member_params: {', '.join(bad)} not among the pack's members")
            chosen = period_df["period"].to_list()
            if spec.period != "latest" and spec.period not in chosen:
                fail(f"period: {spec.period!r} is not among the pack's periods "
                     f"({', '.join(chosen)}); use one of them or 'latest'")
        except LainbenchError as exc:
            fail(str(exc))

    shared_dir = out / "shared"
    runs: list[Run] = []
    used_shared: set[str] = set()
    jobs = [("network", s, None) for s in spec.network]
    jobs += [("member", s, m) for s in spec.per_member for m in members]
    if not spec.network and not spec.per_member:
        fail("network and per_member are both empty: name at least one notebook to run")
    for scope, nb, member in jobs:
        if nb.notebook not in NOTEBOOKS:
            fail(f"{scope} notebook {nb.notebook!r}: unknown; known: {', '.join(sorted(NOTEBOOKS))}")
            continue
        entry = NOTEBOOKS[nb.notebook]
        from lainbench.config import NOTEBOOKS_DIR

        if not (NOTEBOOKS_DIR / entry.filename).is_file():
            fail(f"{scope} notebook {nb.notebook!r}: file notebooks/{entry.filename} not found")
            continue
        try:
            fields = set(runner.params_model(nb.notebook).model_fields)
        except (ImportError, AttributeError) as exc:
            fail(f"{scope} notebook {nb.notebook!r}: its parameters model cannot be loaded ({exc})")
            continue
        if "invoices_path" in fields and src.mode == "returns":
            fail(f"{scope} notebook {nb.notebook!r} reads invoice-level data, and a pack built "
                 "from members' returns has none; leave it out of the pack file")
            continue
        if "invoices_path" in fields and not nb.unsuppressed_ok:
            fail(f"{scope} notebook {nb.notebook!r} reads invoice-level data itself, so its "
                 "figures would skip disclosure control; leave it out, or set "
                 "`unsuppressed_ok: true` on it if its report is for internal use only")
        if scope == "member" and "member" not in fields:
            fail(f"per_member notebook {nb.notebook!r} has no `member` parameter, so it cannot "
                 "run once per member; list it under network instead")
            continue
        over: dict[str, Any] = {}
        for k, v in spec.shared_params.items():
            if k in fields:
                over[k] = v
                used_shared.add(k)
        for k in src.path_sources():
            if k in fields and k in paths:
                over[k] = str(paths[k])
        if "targets_file" in fields:
            over["targets_file"] = str(resolve(spec.targets_file))
        if "requirements_path" in fields and ins == "returns":
            fail(f"{scope} notebook {nb.notebook!r} reads an insurance requirements file; with "
                 "insurance_requirements_path 'returns' there is none (name a file, or leave the "
                 "notebook out)")
            continue
        if "requirements_path" in fields and ins is not None:  # insurance notebook (02)
            over["requirements_path"] = ins if ins == "demo" else str(resolve(ins))
        if "shared_dir" in fields:
            over["shared_dir"] = str(shared_dir)
        if "period" in fields:
            over["period"] = spec.period
        if "periods" in fields:
            over["periods"] = spec.periods
        if "members" in fields and scope == "network":
            over["members"] = spec.members
        over.update(nb.params)
        if scope == "member":
            over["member"] = member
            if "focus_member" in fields:
                over["focus_member"] = member
            over.update(spec.member_params.get(member, {}))
        run_id = _run_id(scope, nb.notebook, member, internal=nb.unsuppressed_ok)
        over["output_dir"] = str(out / run_id)
        try:
            _, values = runner.load_run_params(nb.notebook, None, over)
        except LainbenchError as exc:
            where = f"{scope} notebook {nb.notebook!r}" + (f" for {member}" if member else "")
            fail(f"{where}: {exc}")
            continue
        runs.append(Run(run_id, nb.notebook, scope, member, values, out / run_id))
    unused = sorted(set(spec.shared_params) - used_shared)
    if unused:
        fail(f"shared_params: {', '.join(unused)} is not a parameter of any notebook in the pack")
    ids = [r.run_id for r in runs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        fail(f"the same notebook is listed twice for: {', '.join(dupes)}")
    if errors:
        raise PackError(f"{spec_path}: the pack is not valid, nothing was run:\n  - "
                        + "\n  - ".join(errors))
    return Plan(spec, Path(spec_path), out, rules, members, names, runs)
