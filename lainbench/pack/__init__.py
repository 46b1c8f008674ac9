"""The scheduled benchmark pack: one command, every member, safe to share.

``lainbench pack PACK.yaml --out DIR`` turns the latest data into

* ``DIR/shared/``: the pack's tables (payment metrics for every member, targets, interest, network
  benchmarks, insurance flags, cash-flow risk), computed **once** here and disclosure-controlled
  (:mod:`lainbench.disclosure`), as parquet;
* ``DIR/runs/network/<notebook>/`` and ``DIR/runs/members/<member>/<notebook>/``: each an executed
  notebook, its HTML report (inputs hidden, charts drawn offline), its tables and its charts;
  notebooks read the shared tables, they do not recompute them;
* ``DIR/charts/<run>/``: every chart as PNG and SVG; ``DIR/lainbench_pack_tables.xlsx``: the shared
  tables, one sheet each, units in the headers, header row frozen;
* ``DIR/index.html``: the landing page (headline table, links), offline;
* ``DIR/manifest.json``: what went in (pack parameters, input sha256 hashes, package versions)
  and what came out (every file with its sha256), run by run with times and status, and every
  suppressed figure.

Runs go in parallel across processes (default: all cores), each writing to a staging folder that is
moved into place only when complete. A failing notebook leaves the others complete, is marked
``failed`` with its error, and makes the command exit non-zero at the end. ``--resume`` re-runs only
what is missing, failed or stale (a run's key hashes its notebook, parameters, input files and the
lainbench code). ``lainbench pack --check DIR`` verifies the files against the manifest.

Everything is validated before anything runs, every notebook's parameters included:

>>> spec = PackSpec.model_validate({"title": "t", "sources": {
...     "invoices_path": "a.parquet", "members_path": "m.parquet", "periods_path": "p.parquet"}})
>>> [n.notebook for n in spec.per_member], spec.disclosure
(['member_scorecard'], {})
>>> PackSpec.model_validate({"title": "t", "sources": {}, "colour": "red"})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 3 validation errors for PackSpec
...
"""
from __future__ import annotations

from lainbench.pack.builder import (
    PackResult,
    build,
    execute_run,
    gather_charts,
)
from lainbench.pack.cli import (
    add_cli,
)
from lainbench.pack.from_returns import (
    build_shared_from_returns,
    select_returns,
)
from lainbench.pack.index import (
    COLUMNS,
    CSS,
    OPTIONAL,
    PageInfo,
    headline_chart_svg,
    render_index,
    write_index,
)
from lainbench.pack.manifest import (
    check,
    code_hash,
    package_versions,
    sha256_dir,
    sha256_file,
)
from lainbench.pack.planner import (
    Plan,
    Run,
    plan,
)
from lainbench.pack.scorecard import (
    MemberScorecardParams,
    Scorecard,
    display,
    member_band_chart,
    member_trend_chart,
    read_shared,
    suppressed_chart,
)
from lainbench.pack.shared import (
    BAND_KEYS,
    BANDS,
    KEYS,
    MEASURE_NAMES,
    MEASURES,
    SHARED_TABLES,
    SharedTables,
    build_shared,
    network_benchmark,
)
from lainbench.pack.spec import (
    LOCK,
    MANIFEST,
    MANIFEST_VERSION,
    PACKAGES,
    PATH_SOURCES,
    WORKBOOK,
    NotebookSpec,
    PackSpec,
    Sources,
    load_spec,
)
from lainbench.pack.workbook import (
    UNIT_WORDS,
    unit_of,
    write_workbook,
)

__all__ = [
    "BANDS",
    "BAND_KEYS",
    "COLUMNS",
    "CSS",
    "KEYS",
    "LOCK",
    "MANIFEST",
    "MANIFEST_VERSION",
    "MEASURES",
    "MEASURE_NAMES",
    "OPTIONAL",
    "PACKAGES",
    "PATH_SOURCES",
    "SHARED_TABLES",
    "UNIT_WORDS",
    "WORKBOOK",
    "MemberScorecardParams",
    "NotebookSpec",
    "PackResult",
    "PackSpec",
    "PageInfo",
    "Plan",
    "Run",
    "Scorecard",
    "SharedTables",
    "Sources",
    "add_cli",
    "build",
    "build_shared",
    "build_shared_from_returns",
    "check",
    "code_hash",
    "display",
    "execute_run",
    "gather_charts",
    "headline_chart_svg",
    "load_spec",
    "member_band_chart",
    "member_trend_chart",
    "network_benchmark",
    "package_versions",
    "plan",
    "read_shared",
    "render_index",
    "select_returns",
    "sha256_dir",
    "sha256_file",
    "suppressed_chart",
    "unit_of",
    "write_index",
    "write_workbook",
]
