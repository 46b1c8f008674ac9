"""Bounded resources and clean errors: YAML bombs, deep YAML, xlsx zip bombs, and the command
line printing one message (never a traceback) for each fault in issue 15's "Tracebacks" list."""

from __future__ import annotations

import resource
import time
import zipfile

import pytest

from lainbench import cli
from lainbench.errors import IngestError, ParamsError
from lainbench.ingest.invoices import ingest_invoices, load_mapping
from lainbench.ingest.tabular import check_xlsx
from lainbench.params import YAML_MAX_BYTES, load, parse_overrides, read_yaml


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- YAML ------------------------------------------------------------------------------------

def test_billion_laughs_params_file_fails_fast_with_a_params_error(tmp_path):
    p = tmp_path / "laughs.yaml"
    p.write_text(billion_laughs())  # 10^9 "lol"s once expanded; 700 bytes on disk
    rss, start = peak_rss_mb(), time.perf_counter()
    with pytest.raises(ParamsError, match=r"laughs\.yaml: line \d+: aliases expand to more than "
                                          r"1,000,000 values"):
        load(p)
    assert time.perf_counter() - start < 2  # was 141 s
    assert peak_rss_mb() - rss < 50  # was 2.8 GB


def test_a_few_honest_aliases_still_load(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text("base: &b {x: 1, y: 2}\nfirst: *b\nsecond: *b\n")
    assert read_yaml(p) == {"base": {"x": 1, "y": 2}, "first": {"x": 1, "y": 2},
                            "second": {"x": 1, "y": 2}}


@pytest.mark.parametrize("text", ["a: " + "[" * 100_000 + "]" * 100_000,
                                  "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  x",
                                  "- " * 100_000 + "x"])
def test_params_file_nested_100000_deep_is_refused_cleanly(tmp_path, text):
    p = tmp_path / "deep.yaml"
    p.write_text(text)
    start = time.perf_counter()
    with pytest.raises(ParamsError, match=r"deep\.yaml: .*nested more than 64 levels deep"):
        read_yaml(p)  # no RecursionError
    assert time.perf_counter() - start < 5


def test_oversized_yaml_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "big.yaml"
    with p.open("w") as fh:
        fh.write("x: '" + "a" * (YAML_MAX_BYTES + 10) + "'\n")
    with pytest.raises(ParamsError, match=r"big\.yaml: [\d,]+ bytes; a YAML file lainbench reads "
                                          r"may hold at most"):
        read_yaml(p)


def test_impossible_date_in_a_params_file_is_one_params_error(tmp_path):
    p = tmp_path / "d.yaml"
    p.write_text("start_date: 2025-02-30\n")
    with pytest.raises(ParamsError, match=r"d\.yaml: a value cannot be read: day is out of range "
                                          r"for month"):
        read_yaml(p)


def test_python_tags_stay_inert(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("x: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ParamsError, match=r"t\.yaml: line 1, column 4 is not valid YAML"):
        read_yaml(p)


def test_billion_laughs_mapping_file_is_an_ingest_error(tmp_path):
    p = tmp_path / "mapping.yaml"
    p.write_text("columns:\n  supplier_name: [Vendor]\n" + billion_laughs())
    with pytest.raises(IngestError, match=r"mapping\.yaml: line \d+: aliases expand"):
        load_mapping(p)


def test_billion_laughs_in_a_p_override_is_refused():
    laughs = "[" + ", ".join(["&a [x, x, x, x, x, x, x, x, x, x]"] + ["*a"] * 9) + "]"
    assert len(parse_overrides([f"v={laughs}"])["v"]) == 10  # small: fine
    deep = "[" * 1000 + "]" * 1000
    with pytest.raises(ParamsError, match=r"-p v=\[+.*nested more than 64 levels"):
        parse_overrides([f"v={deep}"])


# --- xlsx zip bombs --------------------------------------------------------------------------

def zip_bomb(path, inflated_mb: int = 64) -> int:
    """A workbook-shaped zip whose sheet inflates ``inflated_mb`` MB from ~1/1000 of that."""
    chunk = b"<c><v>0</v></c>" * 70_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(inflated_mb * 2**20 // len(chunk)):
                fh.write(chunk)
    return path.stat().st_size


def test_xlsx_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    p = tmp_path / "ledger.xlsx"
    size = zip_bomb(p)
    assert size < 2**20  # small on disk
    rss, start = peak_rss_mb(), time.perf_counter()
    with pytest.raises(IngestError, match=r"ledger\.xlsx: xl/worksheets/sheet1\.xml inflates "
                                          r"[\d,]+-fold .* above the 200-fold limit"):
        ingest_invoices(p, buyer_org_id="demo")
    assert time.perf_counter() - start < 2
    assert peak_rss_mb() - rss < 50


def test_xlsx_above_the_uncompressed_size_limit_is_refused(tmp_path):
    p = tmp_path / "big.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"x" * 3_000_000)
    limits = {"xlsx_max_uncompressed_bytes": 2_000_000, "xlsx_max_compression_ratio": 200}
    with pytest.raises(IngestError, match=r"big\.xlsx: inflates to 3,000,\d{3} bytes, above the "
                                          r"limit of 2,000,000"):
        check_xlsx(p, limits)


def test_real_example_workbook_passes_the_check():
    from lainbench.config import resolve

    check_xlsx(resolve("data/examples/kingsbridge_uni_ledger.xlsx"))  # no error


# --- the command line: one message, exit 2, never a traceback -------------------------------

def test_out_that_is_a_file_is_one_message(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\n"
                   "A,1,2025-01-02,100\n")
    target = tmp_path / "out.txt"
    target.write_text("mine")
    assert cli.main(["ingest", "canonical", str(src), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    assert target.read_text() == "mine"


def test_out_that_cannot_be_written_is_one_message(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\n"
                   "A,1,2025-01-02,100\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "invoice_payment.parquet").mkdir()  # a folder where the table should go
    assert cli.main(["ingest", "canonical", str(src), "--out", str(locked)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be written" in err


def test_os_error_anywhere_is_one_message(monkeypatch, capsys):
    def boom(args):
        raise PermissionError(13, "Permission denied", "/root/x")

    monkeypatch.setattr(cli, "_cmd_list", boom)
    assert cli.main(["list"]) == 2
    assert capsys.readouterr().err == (
        "lainbench: /root/x: Permission denied; check the path and its permissions\n")


def test_impossible_date_override_is_one_message(capsys):
    assert cli.main(["check", "payment_performance", "-p", "start_date=2025-02-30"]) == 2
    err = capsys.readouterr().err
    assert err == ("lainbench: ParamsError: -p start_date=2025-02-30: a value cannot be read: day "
                   "is out of range for month (a date must exist, written YYYY-MM-DD)\n")


def test_unbalanced_quote_on_the_command_line_is_one_message(tmp_path, capsys):
    p = tmp_path / "q.csv"
    p.write_text('Supplier Name,Invoice Number,Invoice Date,Date Invoice Paid,Gross\n'
                 'Acme,"A1,25/01/2025,10/02/2025,5.00\n')
    assert cli.main(["ingest", "invoices", str(p), "--out", str(tmp_path / "o"),
                     "--buyer", "x"]) == 2
    err = capsys.readouterr().err
    assert "q.csv: line 2: a quote" in err and err.count("\n") == 1


def test_unknown_ingest_option_is_one_message(tmp_path, capsys):
    p = tmp_path / "c.csv"
    p.write_text("buyer_org_id,invoice_id,invoice_received_date,gross_amount_gbp\nA,1,2025-01-02,1\n")
    assert cli.main(["ingest", "canonical", str(p), "--out", str(tmp_path / "o"),
                     "--buyer", "x"]) == 2
    assert "unexpected keyword argument 'buyer_org_id'" in capsys.readouterr().err
