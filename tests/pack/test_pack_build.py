"""The benchmark pack end to end on a small demo: validation before anything runs, the manifest,
the landing page, the workbook, gathered charts, --check, nothing sensitive in shared files, and a
pack with a failing run and a killed build that resumes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
import yaml
from pack_helpers import (
    MEMBERS,
    TINY,
    built_pack,
    manifest,
    scan,
    supplier_strings,
    write_pack_file,
    write_small_member_data,
)

from lainbench import pack, runner
from lainbench.config import PROJECT_ROOT
from lainbench.errors import PackError
from lainbench.pack import builder

pytestmark = pytest.mark.notebook
HEX64 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def data(small_demo, tmp_path_factory):
    return write_small_member_data(small_demo, tmp_path_factory.mktemp("packdata"))


@pytest.fixture(scope="module")
def built(tmp_path_factory, small_demo):
    return built_pack(tmp_path_factory, small_demo)


# --- validation: one clear message, nothing run ----------------------------------------------


def refused(spec: Path, out: Path) -> str:
    with pytest.raises(PackError) as exc:
        pack.build(spec, out, progress=False, log=lambda _: None)
    assert not out.exists() or not (out / "manifest.json").exists(), "something ran"
    return str(exc.value)


def test_unknown_key_in_pack_file(data, tmp_path):
    msg = refused(write_pack_file(tmp_path / "p.yaml", data, colour="red"), tmp_path / "out")
    assert "colour: unknown parameter" in msg and "nothing was run" in msg


def test_missing_source_and_unknown_member_in_one_message(data, tmp_path):
    bad = dict(data, periods_path=tmp_path / "nope.parquet")
    msg = refused(write_pack_file(tmp_path / "p.yaml", bad, members=["eastbank_council", "zzz"]),
                  tmp_path / "out")
    assert "sources.periods_path: file not found" in msg
    msg = refused(write_pack_file(tmp_path / "p.yaml", data, members=["eastbank_council", "zzz"]),
                  tmp_path / "out")
    assert "unknown member id(s) zzz; known:" in msg


def test_every_notebooks_parameters_checked(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data,
                           member_params={"city_fire": {"colour": "red"}})
    msg = refused(spec, tmp_path / "out")
    assert "member notebook 'member_scorecard' for city_fire" in msg
    assert "colour: unknown parameter" in msg


def test_notebook_reading_invoices_needs_opt_in(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data, network=["payment_performance"])
    assert "skip disclosure control" in refused(spec, tmp_path / "out")


def test_bad_disclosure_override_and_unused_shared_param(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data, disclosure={"min_suppliers": 0},
                           shared_params={"nonsense": 1})
    msg = refused(spec, tmp_path / "out")
    assert "disclosure.min_suppliers" in msg
    assert "shared_params: nonsense is not a parameter of any notebook" in msg


def test_unknown_notebook_and_unknown_period(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data, per_member=["nope"], period="1999-00 H1")
    msg = refused(spec, tmp_path / "out")
    assert "notebook 'nope': unknown" in msg and "period: '1999-00 H1'" in msg


def test_out_must_be_a_pack_folder_and_not_busy(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(PackError, match="was not created by `lainbench pack`"):
        pack.build(spec, other, progress=False, log=lambda _: None)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    # issue 15: any file named manifest.json made a folder look like a pack, and the build then
    # deleted the user's other files; only the pack's own marker counts now
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "manifest.json").write_text("{}")
    (fake / "runs").mkdir()
    (fake / "runs" / "thesis.docx").write_text("mine")
    with pytest.raises(PackError, match="no .lainbench-pack marker"):
        pack.build(spec, fake, progress=False, log=lambda _: None)
    assert (fake / "runs" / "thesis.docx").read_text() == "mine"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(PackError, match="is a file, not a folder"):
        pack.build(spec, a_file, progress=False, log=lambda _: None)
    busy = tmp_path / "busy"
    holder = builder._claim(busy)  # as a build in progress holds it
    try:
        with pytest.raises(PackError, match="another `lainbench pack` is writing"):
            pack.build(spec, busy, progress=False, log=lambda _: None)
    finally:
        holder.close()


def test_default_jobs_is_every_core():
    assert builder._jobs(None) == len(os.sched_getaffinity(0))
    assert builder._jobs(3) == 3


def test_shipped_demo_pack_file_is_valid(tmp_path):
    spec = pack.load_spec(PROJECT_ROOT / "params" / "pack.yaml")
    assert spec.members == "all" and spec.disclosure["min_suppliers"] == 5
    assert [n.notebook for n in spec.network] == [
        "member_scorecard", "insurance_requirements", "network_metrics", "public_contracts",
        "supplier_cashflow", "published_payment_reports"]
    assert spec.network_sources is not None
    assert [n.notebook for n in spec.network if n.unsuppressed_ok] == [
        "supplier_cashflow", "published_payment_reports"]
    if not (PROJECT_ROOT / spec.sources.invoices_path).exists():
        pytest.skip("demo data not generated (make demo)")
    plan = pack.plan(PROJECT_ROOT / "params" / "pack.yaml", tmp_path)  # every run's parameters
    assert len(plan.runs) == 6 + 12 and not (tmp_path / "manifest.json").exists()
    net = next(r for r in plan.runs if r.notebook == "network_metrics")
    assert net.values["shared_dir"].endswith("shared")  # the report reads the controlled tables


# --- what a pack holds -----------------------------------------------------------------------


def test_pack_outputs(built):
    out = built["result"].out
    assert built["result"].ok and built["result"].failed == []
    for name in ("index.html", "manifest.json", pack.WORKBOOK, "shared/headline.parquet"):
        assert (out / name).is_file(), name
    runs = ["runs/network/member_scorecard"] + [f"runs/members/{m}/member_scorecard"
                                                for m in MEMBERS]
    for run in runs:
        assert (out / run / "member_scorecard.html").is_file()
        assert (out / run / "member_scorecard.ipynb").is_file()
    assert not (out / ".staging").exists() and not list(out.glob(".*.tmp"))


def test_manifest_records_inputs_runs_and_outputs(built):
    m = manifest(built["result"].out)
    assert m["status"] == "complete" and m["manifest_version"] == 1
    assert m["project"]["version"] and HEX64.match(m["project"]["code_sha256"])
    assert m["pack"]["parameters"]["members"] == MEMBERS
    assert m["pack"]["disclosure_rules"]["min_suppliers"] == 5
    assert HEX64.match(m["pack"]["sha256"])
    inputs = m["shared"]["inputs"]
    assert str(built["data"]["invoices_path"]) in inputs
    assert all(HEX64.match(h) for h in inputs.values())
    assert {r["run_id"] for r in m["runs"]} == {
        "runs/network/member_scorecard", *[f"runs/members/{x}/member_scorecard" for x in MEMBERS]}
    for r in m["runs"]:
        assert r["status"] == "ok" and r["error"] is None
        assert r["notebook"] == "member_scorecard"
        assert r["parameters"]["member"] == r["member"]
        assert r["parameters"]["output_dir"].endswith(r["run_id"])
        assert r["input_hashes"] and all(HEX64.match(h) for h in r["input_hashes"].values())
        assert r["packages"]["polars"] == pl.__version__ and r["packages"]["python"]
        assert r["started"] <= r["ended"]
        names = {f["path"] for f in r["outputs"]}
        assert {"member_scorecard.html", "member_scorecard.ipynb", "scorecard.parquet"} <= names
        assert any(n.startswith("charts/") and n.endswith(".svg") for n in names)


def test_suppressions_listed_in_manifest(built):
    m = manifest(built["result"].out)
    cells = [s["cell"] for s in m["suppressions"]]
    assert any(f"buyer_org_id={TINY}" in c for c in cells)
    assert all(set(s) == {"table", "cell", "rule", "note"} for s in m["suppressions"])


def test_kernels_reused_but_each_notebook_starts_clean(built):
    m = manifest(built["result"].out)
    for r in m["runs"]:
        nb = json.loads((built["result"].out / r["run_id"] / "member_scorecard.ipynb").read_text())
        counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
        assert counts[:3] == [1, 2, 3], r["run_id"]


def test_reports_hide_inputs_and_tiny_member_shows_c(built):
    out = built["result"].out
    html = (out / f"runs/members/{TINY}/member_scorecard/member_scorecard.html").read_text()
    assert "Scorecard.load" not in html and "outputs.show" not in html  # code cells hidden
    assert "[c]" in html and "suppressed" in html


def test_index_is_offline_and_links_every_report(built):
    out = built["result"].out
    html = (out / "index.html").read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html
    for m in MEMBERS:
        assert f'href="runs/members/{m}/member_scorecard/member_scorecard.html"' in html
    assert 'href="runs/network/member_scorecard/member_scorecard.html"' in html
    tiny_row = re.search(r'<tr><th scope="row">Hillside Mental Health NHS Trust \(demo\)</th>(.*?)</tr>',
                         html)
    assert tiny_row and tiny_row.group(1).count("[c]") >= 4
    assert 'class="marks"' in html  # the static headline chart


def test_workbook_units_frozen_header_and_marks(built):
    import fastexcel

    path = built["result"].out / pack.WORKBOOK
    reader = fastexcel.read_excel(str(path))
    assert reader.sheet_names[0] == "README"
    assert {"headline", "payment_metrics", "suppressions", "interest_owed"} <= set(
        reader.sheet_names)
    metrics = reader.load_sheet_by_name("payment_metrics").to_polars()
    assert "Paid within 30 days (%)" in metrics.columns  # labels with units (presentation)
    assert "Value paid (£)" in metrics.columns and "Days to pay, mean (days)" in metrics.columns
    tiny = metrics.filter(pl.col("Member id") == TINY)
    assert set(tiny["Days to pay, mean (days)"].cast(pl.String)) == {"[c]"}
    assert set(tiny["Member"]) == {"Hillside Mental Health NHS Trust (demo)"}
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(reader.sheet_names)
        for n in sheets[1:]:
            xml = z.read(n).decode()
            assert 'state="frozen"' in xml and 'ySplit="1"' in xml, n


def test_every_chart_gathered_as_png_and_svg(built):
    out = built["result"].out
    for run in ("network/member_scorecard", f"members/{TINY}/member_scorecard"):
        made = sorted(p.name for p in (out / "runs" / run / "charts").iterdir()
                      if p.suffix in (".png", ".svg"))
        gathered = sorted(p.name for p in (out / "charts" / run).iterdir())
        assert made == gathered and len(made) >= 8  # 4+ charts; a chart with no data is a sentence


def test_nothing_sensitive_in_any_shared_file(built):
    names, ids = supplier_strings(built["data"]["invoices_path"])
    assert len(names) > 100 and all(n.endswith("(demo)") for n in names)
    assert scan(built["result"].out, names, ids) == []


def test_scan_would_catch_a_leak(built, tmp_path):
    names, ids = supplier_strings(built["data"]["invoices_path"])
    leak = min(names)
    (tmp_path / "page.html").write_text(f"<p>{leak}</p><p>{min(ids)}</p>")
    pl.DataFrame({"x": [sorted(ids)[1]]}).write_parquet(tmp_path / "t.parquet")
    assert len(scan(tmp_path, names, ids)) == 2


# --- checking a pack on disk -----------------------------------------------------------------


def test_check_passes_then_catches_changes(built, tmp_path):
    import shutil

    copy = tmp_path / "pack"
    shutil.copytree(built["result"].out, copy)
    assert pack.check(copy) == []
    html = copy / f"runs/members/{TINY}/member_scorecard/member_scorecard.html"
    html.write_text(html.read_text() + "<!-- edited -->")
    (copy / "shared" / "headline.parquet").unlink()
    (copy / "extra.txt").write_text("hello")
    problems = pack.check(copy)
    assert f"changed: runs/members/{TINY}/member_scorecard/member_scorecard.html " \
           "(sha256 differs from the manifest)" in problems
    assert "missing: shared/headline.parquet" in problems
    assert "not in the manifest: extra.txt" in problems


def test_check_cli_exit_codes(built, tmp_path):
    cli = [sys.executable, "-m", "lainbench.cli", "pack", "--check"]
    ok = subprocess.run([*cli, str(built["result"].out)], capture_output=True, text=True,
                        check=False)
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = subprocess.run([*cli, str(tmp_path)], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "no readable manifest.json" in bad.stderr
    none = subprocess.run([sys.executable, "-m", "lainbench.cli", "pack"], capture_output=True,
                          text=True, check=False)
    assert none.returncode == 2 and "give a pack file" in none.stderr


# --- a failing run, a killed build, resume ---------------------------------------------------


def _runs(out: Path) -> dict[str, dict]:
    try:
        return {r["run_id"]: r for r in manifest(out)["runs"]}
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _cli(spec: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lainbench.cli", "pack", str(spec), "--out",
                           str(out), *extra], capture_output=True, text=True, timeout=600,
                          check=False)


def test_failure_kill_and_resume(data, built, tmp_path):
    out = tmp_path / "out"
    net, east, fire, tiny = ("runs/network/member_scorecard",
                             *[f"runs/members/{m}/member_scorecard" for m in MEMBERS])
    # city_fire's scorecard is asked for a period the pack does not have: it fails at run time
    failing = write_pack_file(tmp_path / "pack.yaml", data, jobs=1,
                              member_params={"city_fire": {"period": "2030-31 H1"}})

    # 1. one process, killed (with its workers) once two runs are done
    proc = subprocess.Popen(
        [sys.executable, "-m", "lainbench.cli", "pack", str(failing), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if len(_runs(out)) >= 2:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.2)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    first = _runs(out)
    assert {net, east} <= set(first) <= {net, east, fire}  # runs go in order on one process
    assert manifest(out)["status"] == "running"
    assert not (out / tiny).exists()  # nothing half-written in place

    # 2. resume: only what is missing (or failed) executes; city_fire fails, the rest complete
    resumed = _cli(failing, out, "--resume", "--jobs", "2")
    assert resumed.returncode == 1, resumed.stderr
    assert "1 run(s) failed: runs/members/city_fire/member_scorecard" in resumed.stderr
    runs = _runs(out)
    for run in (net, east):
        assert runs[run]["started"] == first[run]["started"] and runs[run]["reused"]
    assert runs[tiny]["status"] == "ok" and not runs[tiny].get("reused")
    assert runs[fire]["status"] == "failed" and "unknown period '2030-31 H1'" in runs[fire]["error"]
    assert not runs[fire].get("reused")
    assert manifest(out)["status"] == "failed"
    assert manifest(out)["failed_runs"] == [fire]
    assert (out / "failed/members/city_fire/member_scorecard").is_dir()
    assert not (out / fire).exists()
    assert "failed" in (out / "index.html").read_text()
    assert pack.check(out)[0].startswith("pack status is 'failed'")

    # 3. fix the parameters, lose one output: only the stale and the damaged runs execute
    fixed = write_pack_file(tmp_path / "pack.yaml", data, jobs=2, fresh_kernels=True)
    (out / tiny / "member_scorecard.html").unlink()
    done = _cli(fixed, out, "--resume")
    assert done.returncode == 0, done.stderr
    runs2 = _runs(out)
    assert {k for k, r in runs2.items() if not r.get("reused")} == {fire, tiny}
    assert runs2[net]["started"] == first[net]["started"]
    assert "2 run(s) executed, 2 reused, 0 failed" in done.stdout
    assert re.search(r"done \d+, running \d+, failed 0", done.stderr)  # progress in logs
    assert pack.check(out) == []
    assert not (out / "failed").exists()

    # city_fire ran in a fresh kernel here and in a reused one in the session's pack: same tables
    from polars.testing import assert_frame_equal

    for table in ("scorecard", "targets", "trend", "interest_owed"):
        assert_frame_equal(pl.read_parquet(out / fire / f"{table}.parquet"),
                           pl.read_parquet(built["result"].out / fire / f"{table}.parquet"),
                           check_exact=False, rel_tol=1e-12)


# --- the reused kernel really starts each notebook clean -------------------------------------


def test_reused_kernel_namespace_is_reset(tmp_path):
    import nbformat
    import papermill as pm


    def nb(path, src):
        n = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src)])
        n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
        nbformat.write(n, path)
        return str(path)

    kernel = runner.ensure_kernel()
    engine = runner._register_reuse_engine()
    try:
        km = runner._worker_kernel(kernel)
        pm.execute_notebook(nb(tmp_path / "a.ipynb", "secret = 42\nimport os\nos.chdir('/')"),
                            str(tmp_path / "a_out.ipynb"), kernel_name=kernel, engine_name=engine,
                            km=km, progress_bar=False)
        out = pm.execute_notebook(
            nb(tmp_path / "b.ipynb", "import os\nassert 'secret' not in globals()\n"
                                     f"assert os.getcwd() == {str(PROJECT_ROOT)!r}"),
            str(tmp_path / "b_out.ipynb"), kernel_name=kernel, engine_name=engine, km=km,
            progress_bar=False)
        assert runner._worker_kernel(kernel) is km  # the same kernel both times
        assert out.cells[0].execution_count == 1
    finally:
        runner._stop_worker_kernel()


def test_pack_file_round_trip_keeps_member_list(data, tmp_path):
    spec = write_pack_file(tmp_path / "p.yaml", data)
    assert yaml.safe_load(spec.read_text())["members"] == MEMBERS
    assert pack.load_spec(spec).members == MEMBERS


def test_reports_carry_no_kernel_error_text(built):
    """Nothing from a kernel's stderr (IPython history clashes, tracebacks) reaches a report."""
    for html in built["result"].out.glob("runs/**/*.html"):
        text = html.read_text(encoding="utf-8")
        assert "not unique in database" not in text and "Traceback" not in text, html


def test_a_killed_worker_costs_only_its_own_run(data, tmp_path):
    # issue 15: killing one pool worker made every remaining run fail with BrokenProcessPool.
    # The first run to start kills its own worker process; it is retried once in a fresh pool
    # (where it kills its worker again, so it is recorded failed), and every other run completes.
    spec = write_pack_file(tmp_path / "pack.yaml", data, jobs=2, fresh_kernels=True,
                           member_params={"city_fire": {"period": "__kill_worker__"}})
    out = tmp_path / "out"
    env = dict(os.environ, LAINBENCH_TEST_KILL_WORKER="__kill_worker__")
    done = subprocess.run([sys.executable, "-m", "lainbench.cli", "pack", str(spec), "--out",
                           str(out)], capture_output=True, text=True, timeout=600, check=False,
                          env=env)
    assert done.returncode == 1, done.stderr
    runs = _runs(out)
    fire = "runs/members/city_fire/member_scorecard"
    assert runs[fire]["status"] == "failed" and "died twice" in runs[fire]["error"]
    assert all(r["status"] == "ok" for k, r in runs.items() if k != fire)
    assert "retry  runs/members/city_fire/member_scorecard" in done.stderr


def test_an_interrupted_rebuild_marks_old_pages_out_of_date(data, built, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(built["result"].out, out)
    n = builder._mark_stale(out, "2026-12-01T10:00:00")
    pages = [out / "index.html", *out.glob("runs/**/*.html")]
    assert n == len(pages) > 2
    for page in pages:
        assert "This pack is being rebuilt" in page.read_text()
    builder._clear_stale(out)
    assert "being rebuilt" not in next(out.glob("runs/**/*.html")).read_text()
    assert "being rebuilt" in (out / "index.html").read_text()  # until the new index replaces it
