"""The command line: clear one-line errors, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lainbench import cli


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lainbench.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=False)


def test_help_lists_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for cmd in ("run", "ingest", "demo", "check"):
        assert cmd in out.stdout


def test_bad_parameter_refused_before_kernel_without_traceback():
    out = run_cli("run", "payment_performance", "-p", "members=7")
    assert out.returncode == 2
    assert "members" in out.stderr
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
    assert "ran in" not in out.stdout  # no kernel was started


def test_unknown_notebook():
    out = run_cli("check", "nope")
    assert out.returncode == 2 and "unknown notebook 'nope'" in out.stderr


def test_check_prints_validated_values():
    assert cli.main(["check", "payment_performance", "-p", "focus_member=city_fire"]) == 0


def test_ingest_canonical_writes_table_and_rejects(tmp_path):
    src = tmp_path / "inv.csv"
    src.write_text(
        "buyer_org_id,invoice_id,invoice_received_date,payment_date,gross_amount_gbp\n"
        "A,1,2025-01-02,2025-01-20,100\n"
        "A,2,2025-01-05,2025-01-01,50\n"      # paid before received
        "A,3,2025-02-30,2025-03-01,50\n"      # impossible date
        "A,4,2025-01-05,2025-01-09,abc\n"     # non-numeric amount
        "A,1,2025-01-02,2025-01-20,100\n")    # exact duplicate of row 1
    out = run_cli("ingest", "canonical", str(src), "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert "5 rows read = 1 accepted + 4 rejected" in out.stdout
    import polars as pl

    rej = pl.read_csv(tmp_path / "out" / "rejects.csv")
    assert sorted(rej["source_row"].to_list()) == [2, 3, 4, 5]
    reasons = dict(zip(rej["source_row"], rej["reason"], strict=True))
    assert reasons[2] == "paid before the invoice was received"
    assert reasons[3].startswith("not a valid date")
    assert reasons[4] == "not a number"
    assert reasons[5].startswith("exact duplicate")
    acc = pl.read_parquet(tmp_path / "out" / "invoice_payment.parquet")
    assert acc["source_row_id"].to_list() == ["1"]


def test_ingest_unreadable_file_one_message(tmp_path):
    out = run_cli("ingest", "canonical", str(tmp_path / "missing.csv"), "--out", str(tmp_path))
    assert out.returncode == 2
    assert "missing.csv: file not found" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("argv", [["demo", "--out", "{tmp}/d", "--invoices", "500"]])
def test_demo_command(tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(argv) == 0
    assert (tmp_path / "d" / "invoice_payment.parquet").exists()
