"""The small example files in ``data/examples/``: one of each kind lainbench ingests.

Every file describes a fictional demo member (names end in "(demo)") and is written by this
module, so ``python -m lainbench.demo.examples data/examples`` recreates them byte for byte.
Each is shaped like the real thing it stands in for (see ``data/examples/README.md``), and the
messy ledger carries every fault the invoice ingest must handle, one per row, with the verdict a
person would reach written beside it in :data:`MESSY_LEDGER_ROWS`.

>>> import tempfile
>>> paths = write_examples(tempfile.mkdtemp())
>>> sorted(p.name for p in paths.values())[:3]
['department_for_demo_ppn_05_15.csv', 'eastbank_council_pcn.csv', 'kingsbridge_uni_ledger.xlsx']
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

# --- 1. a messy Windows-1252 FOI ledger ---------------------------------------------------------

MESSY_LEDGER_TITLE = (
    "Westmere City Council (demo) - FOI 2025/0412 - invoices paid 1 April to 30 September 2025",
    "",
)
MESSY_LEDGER_HEADER = (
    "Supplier Name", "Supplier Reference", "System Invoice Reference",
    "Supplier Invoice Reference", "Invoice Date", "Date Invoice Received", "Date Invoice Paid",
    "Net Value (£)", "VAT (£)", "Invoice Gross Value (£)", "Cost Centre",
)
# (cells, verdict): verdict is "accept", "credit" (accepted, flagged credit note),
# "reject: <reason>" or "skip: <kind>". Source row n is the n-th row under the header.
MESSY_LEDGER_ROWS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Bénédicte's Café Ltd (demo)", "S0001", "WCC000101", "BC-771", "03/04/2025", "07/04/2025",
      "02/05/2025", "£1,000.00", "£200.00", "£1,200.00", "Libraries"), "accept"),
    (("Acorn Works Ltd (demo)", "S0002", "WCC000102", "AW/2025/1", "4/4/25", "8/4/25", "9/5/25",
      "250.00", "50.00", "300.00", "Highways"), "accept"),
    (("Beacon Care CIC (demo)", "S0003", "WCC000103", "BCC 55", "3 Apr 2025", "7 Apr 2025",
      "17 Apr 2025", "£12,500.00", "£0.00", "£12,500.00", "Adult Social Care"), "accept"),
    (("Cedar Digital Ltd (demo)", "S0004", "WCC000104", "CD-0009", "2025-04-14", "2025-04-15",
      "2025-05-30", "1,875.50", "375.10", "2,250.60", "IT"), "accept"),
    (("Acorn Works Ltd (demo)", "S0002", "WCC000105", "AW/2025/1-CR", "22/04/2025",
      "23/04/2025", "30/04/2025", "(£200.00)", "(£40.00)", "(£240.00)", "Highways"), "credit"),
    (("Delta Supplies Ltd (demo)", "S0005", "WCC000106", "DS 1001", "24/04/2025", "25/04/2025",
      "06/05/2025", "-£50.00", "-£10.00", "-£60.00", "Facilities"), "credit"),
    (("Ember Consulting Ltd (demo)", "S0006", "WCC000107", "EC-12", "14/05/2025", "20/05/2025",
      "12/05/2025", "£4,000.00", "£800.00", "£4,800.00", "Planning"),
     "reject: paid before the invoice was received"),
    (("Fern Facilities Ltd (demo)", "S0007", "WCC000108", "FF-3", "31/02/2025", "03/03/2025",
      "20/03/2025", "£150.00", "£30.00", "£180.00", "Facilities"),
     "reject: impossible date (no such day)"),
    (("Granite Roads Ltd (demo)", "S0008", "WCC000109", "GR-77", "12/05/2025", "13/05/2025",
      "01/01/1900", "£9,000.00", "£1,800.00", "£10,800.00", "Highways"),
     "reject: impossible date (year 1900)"),
    (("Harbour Print Ltd (demo)", "S0009", "WCC000110", "HP-1", "15/05/2025", "16/05/2025",
      "30/05/2025", "", "", "", "Communications"), "reject: missing required value"),
    (("Iris Events Ltd (demo)", "S0010", "WCC000111", "IE-4", "19/05/2025", "19/05/2025",
      "02/06/2025", "TBC", "TBC", "TBC", "Culture"), "reject: not an amount"),
    (("Bénédicte's Café Ltd (demo)", "S0001", "WCC000101", "BC-771", "03/04/2025", "07/04/2025",
      "02/05/2025", "£1,000.00", "£200.00", "£1,200.00", "Libraries"),
     "reject: exact duplicate of row 1"),
    (("", "", "", "", "", "", "", "", "", "", ""), "skip: blank"),
    (("Juniper Tree Surgeons (demo)", "S0011", "WCC000112", "JT 9", "25/04/2025", "28/04/2025",
      "27/06/2025", "£640.00", "£128.00", "£768.00", "Parks"), "accept"),
    (("Kestrel Cleaning Ltd (demo)", "S0012", "WCC000113", "KC-2025-06", "20/09/2025",
      "22/09/2025", "", "£1,100.00", "£220.00", "£1,320.00", "Facilities"),
     "accept"),  # not yet paid: kept, not counted as a payment
    (("Linden Legal LLP (demo)", "S0013", "WCC000114", "LL/88", "02/06/2025", "03/06/2025",
      "04/07/2025", "37.50 CR", "7.50 CR", "45.00 CR", "Legal"), "credit"),
    (("Meridian Translation (demo)", "S0014", "", "MT-5", "05/06/2025", "05/06/2025",
      "10/06/2025", "£80.00", "£0.00", "£80.00", "Customer Services"),
     "reject: missing required value"),
    (("Total Gas & Power Ltd (demo)", "S0015", "WCC000115", "TGP-0625", "30/06/2025",
      "01/07/2025", "29/07/2025", "£3,210.00", "£160.50", "£3,370.50", "Facilities"), "accept"),
    (("", "", "", "", "", "", "", "", "", "", ""), "skip: blank"),
    (("Total", "", "", "", "", "", "", "£32,072.50", "£3,541.10", "£35,613.60", ""),
     "skip: total row"),
)


def _csv_line(cells: tuple[str, ...] | list[str]) -> str:
    out = []
    for c in cells:
        c = str(c)
        if any(ch in c for ch in ',"\n\r'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def messy_ledger_bytes() -> bytes:
    """The messy ledger as Windows-1252 bytes with CRLF line ends (as Excel on Windows saves)."""
    lines = [*MESSY_LEDGER_TITLE, _csv_line(MESSY_LEDGER_HEADER)]
    lines += [_csv_line(cells) for cells, _ in MESSY_LEDGER_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# --- 2. an Excel ledger -------------------------------------------------------------------------

XLSX_HEADER = ("Vendor Name", "Invoice No", "Invoice Date", "Date Received", "Payment Date",
               "Gross Amount", "Document Type")
XLSX_ROWS: tuple[tuple[object, ...], ...] = (
    ("Oak Lab Supplies Ltd (demo)", "KU-5001", dt.date(2025, 4, 2), dt.date(2025, 4, 4),
     dt.date(2025, 4, 25), 1520.4, "Invoice"),
    ("Pioneer Catering Ltd (demo)", "KU-5002", dt.date(2025, 4, 10), dt.date(2025, 4, 11),
     dt.date(2025, 6, 2), 880.0, "Invoice"),
    ("Quarry Print Ltd (demo)", "KU-5003", "14/04/2025", "15/04/2025", "13/05/2025", "£430.00",
     "Invoice"),
    ("Oak Lab Supplies Ltd (demo)", "KU-5004", dt.date(2025, 4, 20), dt.date(2025, 4, 22),
     dt.date(2025, 5, 1), 152.04, "Credit Note"),
    ("Riverbank Security Ltd (demo)", "KU-5005", dt.date(2025, 5, 6), dt.date(2025, 5, 7),
     dt.date(2025, 5, 5), 2400.0, "Invoice"),  # paid before received: rejected
    ("Summit IT Ltd (demo)", "KU-5006", dt.date(2025, 5, 12), dt.date(2025, 5, 14),
     dt.date(2025, 7, 18), 18250.0, "Invoice"),
)


def write_xlsx_ledger(path: Path) -> Path:
    """Kingsbridge University (demo): Excel dates, a few text dates, a title row, a total formula."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"default_date_format": "dd/mm/yyyy"})
    # fixed creation date so the file is reproducible
    wb.set_properties({"title": "Kingsbridge University (demo) payments",
                       "created": dt.datetime(2026, 1, 1)})
    ws = wb.add_worksheet("Payments")
    ws.write(0, 0, "Kingsbridge University (demo) - supplier payments Q1 2025-26")
    ws.write_row(2, 0, XLSX_HEADER)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "£#,##0.00"})
    for i, row in enumerate(XLSX_ROWS, start=3):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, float):
                ws.write_number(i, j, v, money)
            else:
                ws.write_string(i, j, str(v))
    last = 3 + len(XLSX_ROWS)
    ws.write_string(last, 0, "Grand Total")
    ws.write_formula(last, 5, f"=SUM(F4:F{last})", money, 23632.4)
    wb.close()
    return path


# --- 3. published returns -----------------------------------------------------------------------

PCN_CSV = """\
Contracting authority,Notice identifier,Reporting period start,Reporting period end,Publication date,Average number of days to make payment,Percentage of payments made within 30 days,Percentage of payments made between 31 and 60 days,Percentage of payments made in 61 days or more,Percentage of payments due not made in the reporting period,Approved by
London Borough of Eastbank (demo),UK17-DEMO-0001,01/01/2026,31/03/2026,24/04/2026,14.2,94.1,4.9,1.0,3.2,"A. Finance, Director of Finance (demo)"
London Borough of Eastbank (demo),UK17-DEMO-0002,01/04/2026,30/09/2026,27/10/2026,13.6,95.0,4.1,0.9,2.8,"A. Finance, Director of Finance (demo)"
"""

REG113_CSV = """\
Westmere City Council (demo): payment performance under regulation 113 of the Public Contracts Regulations 2015
Financial year,Percentage of invoices paid within 30 days,Interest (£'s) actually paid to suppliers,Interest (£'s) liable to be paid to suppliers,Number of invoices not paid within 30 days
2022 to 2023,86.40%,£0.00,"£48,210.55","6,120"
2023 to 2024,88.15%,£312.40,"£41,907.10","5,388"
2024 to 2025,90.02%,£0.00,"£36,004.87","4,702"
"""

PPN_CSV = """\
,Percentage of invoices paid within 5 days,Percentage of invoices paid with 30 days,Total amount of liability to pay (from April 2016)
1st Quarter 2024-25,81.20%,97.10%,"£3,120"
2nd Quarter 2024-25,79.85%,96.44%,"£4,480"
3rd Quarter 2024-25,83.02%,97.90%,"£2,045"
4th Quarter 2024-25,84.66%,98.31%,£980
Not set,Not set,Not set,Not set
Financial Year,Proportion of valid & undisputed invoices paid within 30 days in accordance with regulation 113,The amount of interest paid to suppliers due to a breach of the requirement in regulation 113,Not set
2024-25,97.43%,£0.00,Not set
Not set,Not set,Not set,Not set
The figures reflect the time between the date a valid invoice is received and the date the supplier receives payment.,Not set,Not set,Not set
"""

BPPC_CSV = """\
Better Payment Practice Code - Northgate Hospitals NHS Trust (demo),,,,
Measure of compliance,2025-26,2025-26,2024-25,2024-25
,Number,£'000,Number,£'000
Non-NHS Payables,,,,
Total Non-NHS trade invoices paid in the year,"61,204","182,330","58,877","171,090"
Total Non-NHS trade invoices paid within target,"57,310","174,905","54,402","160,227"
Percentage of Non-NHS trade invoices paid within target,93.6%,95.9%,92.4%,93.7%
NHS Payables,,,,
Total NHS trade invoices paid in the year,"2,118","64,502","2,240","60,118"
Total NHS trade invoices paid within target,"1,904","61,007","1,951","55,820"
Percentage of NHS trade invoices paid within target,89.9%,94.6%,87.1%,92.9%
"""


# --- 4. a PPR export for the demo water company ----------------------------------------------

PPR_HEADER = (
    "Report Id", "Policy Regime", "Financial period start date", "Start date", "End date",
    "Filing date", "Company", "Company number", "Qualifying contracts in reporting period",
    "Payments made in reporting period", "Qualifying construction contracts in reporting period",
    "Construction contracts have retention clauses", "Average time to pay",
    "Total value invoices paid within 30 days", "Total value invoices paid between 31 and 60 days",
    "Total value invoices paid later than 60 days", "% Invoices paid within 30 days",
    "% Invoices paid between 31 and 60 days", "% Invoices paid later than 60 days",
    "Total value invoices paid later than agreed terms", "% Invoices not paid within agreed terms",
    "% Invoices not paid due to dispute", "Shortest (or only) standard payment period",
    "Longest standard payment period", "Standard payment terms", "Payment terms have changed",
    "Suppliers notified of changes", "Maximum contractual payment period",
    "Maximum contractual payment period information", "Other information payment terms",
    "Retention clauses included in all construction contracts",
    "Retention clauses included in standard payment terms",
    "Retention clauses are used in specific circumstances",
    "Description of specific circumstances for retention clauses",
    "Retention clauses used above a specific sum", "Value above which retention clauses are used",
    "Retention clauses are at a standard rate", "Retention clauses standard rate percentage",
    "Retention clauses have parity with client", "Description of parity policy",
    "Retention clause money release description", "Retention clause money release is staged",
    "Description of stages for money release",
    "Retention value compared to client retentions as %",
    "Retention value compared to total payments as %", "Dispute resolution process",
    "Participates in payment codes", "E-Invoicing offered", "Supply-chain financing offered",
    "Policy covers charges for remaining on supplier list",
    "Charges have been made for remaining on supplier list", "URL",
)
_TERMS = ("Unless otherwise agreed, standard payment terms are 60 days end of month from receipt "
          "of a valid invoice (demo text).")
# report id, regime, FY start, start, end, filing, avg days, values (3), pcts (3), late value,
# late pct, dispute pct, retention flag. Invented figures, set a little better than what the demo
# ledger gives for the same periods, so notebook 04 has a gap to show.
_PPR_ROWS = (
    ("900001", "Regime-1", "None", "10/1/2024", "3/31/2025", "4/24/2025", "52", "", "", "",
     "25", "52", "23", "0", "24", "0", "FALSE"),
    ("900002", "Regime-2", "4/1/2025", "4/1/2025", "9/30/2025", "10/22/2025", "51",
     "96200000", "188400000", "61300000", "26", "51", "23", "72100000", "23", "3", "TRUE"),
    ("900003", "Regime-2", "4/1/2025", "10/1/2025", "3/31/2026", "4/21/2026", "52",
     "91500000", "190800000", "66900000", "25", "52", "23", "77400000", "22", "2", "TRUE"),
    # an amended filing for the same period: the later one is the latest filing
    ("900004", "Regime-2", "4/1/2025", "10/1/2025", "3/31/2026", "5/12/2026", "53",
     "90900000", "191100000", "67200000", "24", "53", "23", "78000000", "23", "2", "TRUE"),
    ("900005", "Regime-2", "4/1/2026", "4/1/2026", "9/30/2026", "10/20/2026", "51",
     "94300000", "192600000", "63100000", "26", "52", "22", "69900000", "19", "2", "TRUE"),
)


def ppr_demo_bytes() -> bytes:
    """A current-layout (52-column) PPR export with the demo water company's reports."""
    lines = [_csv_line(PPR_HEADER)]
    for (rid, regime, fy, start, end, filed, avg, v30, v60, v61, p30, p60, p61, late_v, late_p,
         disp, ret) in _PPR_ROWS:
        row = {h: "" for h in PPR_HEADER}
        row.update({
            "Report Id": rid, "Policy Regime": regime, "Financial period start date": fy,
            "Start date": start, "End date": end, "Filing date": filed,
            "Company": "THAMESIDE WATER SERVICES LTD (DEMO)", "Company number": "09876543",
            "Qualifying contracts in reporting period": "TRUE",
            "Payments made in reporting period": "TRUE" if regime != "Regime-1" else "FALSE",
            "Qualifying construction contracts in reporting period":
                "TRUE" if regime != "Regime-1" else "FALSE",
            "Construction contracts have retention clauses": ret,
            "Average time to pay": avg, "Total value invoices paid within 30 days": v30,
            "Total value invoices paid between 31 and 60 days": v60,
            "Total value invoices paid later than 60 days": v61,
            "% Invoices paid within 30 days": p30, "% Invoices paid between 31 and 60 days": p60,
            "% Invoices paid later than 60 days": p61,
            "Total value invoices paid later than agreed terms": late_v,
            "% Invoices not paid within agreed terms": late_p,
            "% Invoices not paid due to dispute": disp,
            "Shortest (or only) standard payment period": "30",
            "Longest standard payment period": "91", "Standard payment terms": _TERMS,
            "Maximum contractual payment period": "91",
            "Dispute resolution process": "Disputes go to the accounts payable team (demo).",
            "Participates in payment codes": "No", "E-Invoicing offered": "TRUE",
            "Supply-chain financing offered": "FALSE",
            "Policy covers charges for remaining on supplier list": "FALSE",
            "Charges have been made for remaining on supplier list": "FALSE",
            "URL": f"https://check-payment-practices.service.gov.uk/report/{rid}",
        })
        lines.append(_csv_line([row[h] for h in PPR_HEADER]))
    return ("\n".join(lines) + "\n").encode("utf-8")


FILES = {
    "messy_ledger": "westmere_council_ledger_cp1252.csv",
    "xlsx_ledger": "kingsbridge_uni_ledger.xlsx",
    "pcn": "eastbank_council_pcn.csv",
    "reg113": "westmere_council_reg113.csv",
    "ppn_05_15": "department_for_demo_ppn_05_15.csv",
    "nhs_bppc": "northgate_nhs_bppc.csv",
    "ppr": "thameside_water_ppr_export.csv",
}


def write_examples(out_dir: str | Path) -> dict[str, Path]:
    """Write every example file into ``out_dir``; returns kind -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / v for k, v in FILES.items()}
    paths["messy_ledger"].write_bytes(messy_ledger_bytes())
    write_xlsx_ledger(paths["xlsx_ledger"])
    paths["pcn"].write_bytes(PCN_CSV.encode("utf-8"))
    paths["reg113"].write_bytes(REG113_CSV.encode("cp1252"))
    paths["ppn_05_15"].write_bytes(PPN_CSV.replace("\n", "\r\n").encode("utf-8-sig"))
    paths["nhs_bppc"].write_bytes(BPPC_CSV.encode("cp1252"))
    paths["ppr"].write_bytes(ppr_demo_bytes())
    return paths


if __name__ == "__main__":  # pragma: no cover
    for kind, path in write_examples(sys.argv[1] if len(sys.argv) > 1 else "data/examples").items():
        print(f"{kind:>13}: {path}")
