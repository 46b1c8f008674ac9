"""Benchmark: the demo benchmark pack against a plain sequential loop of papermill calls, and the floor.

Measured, each into a fresh folder, on the demo data (``data/demo``, 200,000 invoices, 12 members, so
13 notebook runs: the network overview and 12 member scorecards):

- **pack**: ``lainbench pack params/pack.yaml`` (``lainbench.pack.builder``): validation, the shared
  tables computed once, the runs in parallel (default: one process per core, each reusing one kernel
  reset between notebooks), HTML reports, the workbook, gathered charts, index and manifest.
- **pack, fresh kernels**: the same with ``fresh_kernels: true`` (a new kernel for every run).
- **sequential papermill loop**: the same 13 runs (same notebook, same parameters, reading the shared
  tables the pack wrote) as ``papermill.execute_notebook`` calls one after another, each with its own
  kernel, as a script would do them; no HTML export, workbook or manifest.
- **floor**: kernel start + imports per run / cores: the median time of a papermill run of a notebook
  holding only the scorecard's parameters and imports (``from lainbench import charts, outputs,
  scorecard``), x runs / cores. ``floor + bundle`` adds ``charts.enable_offline()`` (the offline vega
  bundle every report embeds) to that notebook.

Wall times, with the CPU time of this process and its children and the load average before each step
(other engineers' jobs share the 2-core machine, so wall times move with the load).

Run::

    .venv/bin/python benchmarks/pack.py              # full demo pack
    .venv/bin/python benchmarks/pack.py --members 4  # a quicker look on 4 members
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, fn, results: list) -> object:
    load = os.getloadavg()[0]
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    results.append((label, wall, cpu, load))
    print(f"  {label}: {wall:.1f} s wall, {cpu:.1f} s CPU (load before: {load:.1f})", flush=True)
    return out


def floor_run(kernel: str, with_bundle: bool, tmp: Path, repeat: int = 3) -> float:
    """Median wall time of a papermill run doing only the scorecard's parameters and imports."""
    import nbformat
    import papermill as pm
    from traitlets.config import Config

    from lainbench.runner import _has_curve

    cells = [nbformat.v4.new_code_cell('shared_dir = ""\nmember = None\nperiod = "latest"\n'
                                       'output_dir = ""'),
             nbformat.v4.new_code_cell("from lainbench import charts, outputs, scorecard\n"
                                       "from lainbench.config import resolve")]
    cells[0].metadata["tags"] = ["parameters"]
    if with_bundle:
        cells.append(nbformat.v4.new_code_cell("charts.enable_offline()"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    src = tmp / f"floor_{with_bundle}.ipynb"
    nbformat.write(nb, src)
    config = Config()
    config.KernelManager.transport_encryption = "auto" if _has_curve() else "disabled"
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        pm.execute_notebook(str(src), str(tmp / f"floor_out_{i}.ipynb"), kernel_name=kernel,
                            progress_bar=False, cwd=str(ROOT), config=config)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=0, help="first N members only (0: all)")
    parser.add_argument("--skip-loop", action="store_true", help="skip the sequential loop")
    args = parser.parse_args()

    from lainbench import pack, runner
    from lainbench.config import NOTEBOOKS_DIR, resolve
    from lainbench.registry import NOTEBOOKS

    if not resolve("data/demo/invoice_payment.parquet").exists():
        from lainbench.demo.invoices import write_demo

        write_demo(resolve("data/demo"))
    spec = yaml.safe_load((ROOT / "params" / "pack.yaml").read_text())
    if args.members:
        import polars as pl

        ids = pl.read_parquet(resolve(spec["sources"]["members_path"]))["org_id"].to_list()
        spec["members"] = ids[: args.members]
    tmp = Path(tempfile.mkdtemp(prefix="lainbench-pack-bench-"))
    cores = pack._jobs(None)
    kernel = runner.ensure_kernel()
    results: list = []
    try:
        spec_file = tmp / "pack.yaml"
        spec_file.write_text(yaml.safe_dump(spec))
        fresh_file = tmp / "pack_fresh.yaml"
        fresh_file.write_text(yaml.safe_dump(dict(spec, fresh_kernels=True)))
        print(f"benchmark pack: {cores} core(s), Python {sys.version.split()[0]}, out {tmp}")

        quiet = {"progress": False, "log": lambda _: None}
        res = timed("pack", lambda: pack.build(spec_file, tmp / "pack", **quiet), results)
        n = len(res.manifest["runs"])
        per_run = [r["seconds"] for r in res.manifest["runs"]]
        timed("pack, fresh kernels",
              lambda: pack.build(fresh_file, tmp / "pack_fresh", **quiet), results)

        if not args.skip_loop:
            import papermill as pm
            from traitlets.config import Config

            config = Config()
            config.KernelManager.transport_encryption = "auto" if runner._has_curve() else "disabled"

            def loop() -> None:
                for r in res.manifest["runs"]:
                    src = NOTEBOOKS_DIR / NOTEBOOKS[r["notebook"]].filename
                    out_dir = tmp / "loop" / r["run_id"]
                    out_dir.mkdir(parents=True, exist_ok=True)
                    values = dict(r["parameters"], output_dir=str(out_dir))
                    pm.execute_notebook(str(src), str(out_dir / "out.ipynb"), parameters=values,
                                        kernel_name=kernel, progress_bar=False, cwd=str(ROOT),
                                        config=config)

            timed(f"sequential papermill loop ({n} runs)", loop, results)

        t_floor = floor_run(kernel, False, tmp)
        t_bundle = floor_run(kernel, True, tmp)
        floor = n * t_floor / cores
        floor_b = n * t_bundle / cores
        print(f"  floor: kernel start + imports {t_floor:.2f} s per run x {n} / {cores} cores = "
              f"{floor:.1f} s; with the offline bundle {t_bundle:.2f} s per run -> {floor_b:.1f} s")

        walls = {label: wall for label, wall, _, _ in results}
        print()
        print("| Step | Wall | CPU | Load before |")
        print("|---|---|---|---|")
        for label, wall, cpu, load in results:
            print(f"| {label} | {wall:.1f} s | {cpu:.1f} s | {load:.1f} |")
        print(f"| floor: (kernel start + imports) x {n} / {cores} | {floor:.1f} s | | |")
        print(f"| floor with the offline bundle | {floor_b:.1f} s | | |")
        loop_key = next((k for k in walls if k.startswith("sequential")), None)
        if loop_key:
            print(f"\npack / sequential loop = {walls['pack'] / walls[loop_key]:.2f} "
                  f"(target <= 0.5); fresh kernels / loop = "
                  f"{walls['pack, fresh kernels'] / walls[loop_key]:.2f}")
        print(f"pack / floor = {walls['pack'] / floor:.2f}; runs inside the pack took "
              f"{min(per_run):.1f}-{max(per_run):.1f} s each (median "
              f"{statistics.median(per_run):.1f} s), shared tables "
              f"{res.manifest['shared']['seconds']} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
