"""Read OCDS release packages from Find a Tender (FTS) and Contracts Finder (CF), streaming.

One file or a folder of them: release packages (``{"releases": [...]}``), single releases, record
packages (``compiledRelease``), JSON arrays of either, JSON Lines (one release or package a line),
and any of these gzipped. Big files are never loaded whole: ``ijson`` (C backend) walks a package's
``releases`` one at a time and JSON Lines are read line by line.

Every release read is **accepted** (it gave award rows), **rejected** (one line per fault in
``rejects.csv``, naming file, release number, field and value) or **skipped** with its count
(no awards: tender, planning and amendment notices; awards with no supplier; duplicates)::

    releases read = accepted + rejected + skipped

What comes out (see :mod:`lainbench.schemas`): ``contract_award`` (one row per award and supplier),
``supplier`` (one row per buyer and supplier, with the notice's self-declared ``scale``) and
``buyer`` (one row per buyer id). What the notices do and do not say:

* ``scale`` is self-declared (``sme``/``large``); missing means ``unknown``, never guessed.
* FTS ``value.amount`` is net of VAT, ``amountGross`` gross; CF states neither (``unknown``).
* An award to several suppliers (frameworks, DPS) has one value for all of them: its rows carry
  ``award_value_gbp`` and ``value_split_unknown = True`` with ``value_gbp`` left null. The value
  is never divided evenly.
* A later release of the same award (CF ``awardUpdate``) replaces the earlier one; the count of
  superseded rows is in the notes.
* Contact points (names, emails, phones) are never read into any table.

>>> import json, tempfile, pathlib
>>> rel = {"ocid": "ocds-h6vhtk-000001", "id": "000001-2026", "date": "2026-10-06T10:00:00+01:00",
...   "tag": ["award"], "buyer": {"id": "GB-X-1", "name": "A Council"},
...   "parties": [{"id": "GB-X-1", "name": "A Council", "roles": ["buyer"],
...                "contactPoint": {"email": "someone@example.org"}},
...               {"id": "GB-COH-01234567", "name": "Acme Ltd", "roles": ["supplier"],
...                "details": {"scale": "sme"}}],
...   "awards": [{"id": "1", "date": "2026-10-01T00:00:00+01:00", "status": "active",
...               "value": {"amount": 1000, "amountGross": 1200, "currency": "GBP"},
...               "suppliers": [{"id": "GB-COH-01234567", "name": "Acme Ltd"}]}]}
>>> p = pathlib.Path(tempfile.mkdtemp()) / "one.json"
>>> _ = p.write_text(json.dumps({"releases": [rel, {**rel, "id": "x", "awards": []}]}))
>>> res = ingest_ocds(p)
>>> res.summary().split(": ", 1)[1]
'2 releases read = 1 accepted + 0 rejected + 1 skipped (1 no awards); 1 award row(s), 1 supplier(s), 1 buyer(s)'
>>> res.accepted.select("supplier_scale", "value_gbp", "value_basis").row(0)
('sme', 1000.0, 'net')
>>> res.suppliers.select("companies_house_number", "size_band", "size_source").row(0)
('01234567', 'sme', 'notice_scale')
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import math
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import polars as pl

from lainbench.errors import IngestError
from lainbench.ingest.common import IngestResult, _atomic_write, empty_rejects
from lainbench.ingest.encoding import detect_encoding, to_utf8
from lainbench.ingest.postcodes import is_london, normalise_postcode
from lainbench.schemas import BUYER, CONTRACT_AWARD, REJECTS, SUPPLIER

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
PUBLISHERS = {"ocds-h6vhtk": "fts_ocds", "ocds-b5fd17": "cf_ocds"}
CHUNK_ROWS = 5_000  # rows gathered in Python before they become a polars frame (memory: see benchmarks)
INACTIVE_AWARD = ("cancelled", "unsuccessful")
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020"
                       "\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_COH_RE = re.compile(r"^GB-COH-(.+)$", re.IGNORECASE)


class _Reject(Exception):
    """A fault that rejects the whole release: (column, value, reason)."""

    def __init__(self, column: str, value: object, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class OcdsResult(IngestResult):
    """An OCDS ingest: awards (the main table), suppliers and buyers, counted in releases."""

    releases_accepted: int = 0
    suppliers: pl.DataFrame = field(default_factory=SUPPLIER.empty)
    buyers: pl.DataFrame = field(default_factory=BUYER.empty)

    @property
    def accepted_rows(self) -> int:
        """Releases that gave at least one award row."""
        return self.releases_accepted

    @property
    def rejected_rows(self) -> int:
        """Distinct releases rejected (a release is a file and its release number)."""
        if not self.rejects.height:
            return 0
        return self.rejects.select("source_file", "source_row").unique().height

    unit: ClassVar[str] = "releases"

    def summary(self) -> str:
        """Releases read = accepted + rejected + skipped, then the table sizes."""
        return (f"{super().summary()}; {self.accepted.height:,} award row(s), "
                f"{self.suppliers.height:,} supplier(s), {self.buyers.height:,} buyer(s)")

    def output_names(self) -> list[str]:
        """The files :meth:`write` creates in its folder."""
        return ["contract_award.parquet", "supplier.parquet", "buyer.parquet", "rejects.csv"]

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write contract_award, supplier and buyer parquet files and rejects.csv."""
        out = Path(out_dir)
        paths = super().write(out)
        for name, frame in (("supplier", self.suppliers), ("buyer", self.buyers)):
            path = out / f"{name}.parquet"
            _atomic_write(path, frame.write_parquet)
            paths[name] = path
        return paths


# --- files and releases -------------------------------------------------------------------------


def ocds_files(path: str | Path) -> list[Path]:
    """The OCDS files at ``path``: the file itself, or every JSON / JSONL (gzipped too) below a
    folder, in name order.
    """
    p = Path(path)
    if not p.exists():
        raise IngestError(f"{path}: file or folder not found")
    if p.is_file():
        if p.stat().st_size == 0:
            raise IngestError(f"{path}: the file is empty (0 bytes)")
        return [p]
    found = sorted(f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(JSON_SUFFIXES))
    if not found:
        raise IngestError(f"{path}: no .json, .jsonl or .json.gz files in this folder")
    return found


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _is_lines(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".jsonl", ".ndjson"))


def _open_binary(path: Path, tmpdir: list[str]) -> tuple[io.BufferedIOBase, str]:
    """A binary UTF-8 stream of the file (gunzipped; transcoded from cp1252 when needed)."""
    if _is_gzip(path):
        return gzip.open(path, "rb"), "utf-8"
    enc = detect_encoding(path)
    if enc in ("utf-8", "ascii"):
        return path.open("rb"), enc
    if enc == "utf-8-sig":
        fh = path.open("rb")
        fh.read(3)
        return fh, enc
    d = tempfile.mkdtemp(prefix="lainbench-ocds-")
    tmpdir.append(d)
    return to_utf8(path, enc, Path(d) / "utf8.json").open("rb"), enc


def _top_level_shape(path: Path) -> str:
    """``package``, ``records``, ``release``, ``array`` or ``empty``, from the first events."""
    import ijson

    tmp: list[str] = []
    fh, _ = _open_binary(path, tmp)
    try:
        for prefix, event, value in ijson.parse(fh):
            if prefix == "" and event == "start_array":
                return "array"
            if prefix == "" and event == "map_key":
                if value == "releases":
                    return "package"
                if value == "records":
                    return "records"
                if value in ("ocid", "tag", "awards", "parties"):
                    return "release"
        return "empty"
    finally:
        fh.close()
        for d in tmp:
            shutil.rmtree(d, ignore_errors=True)


def _unpack(obj: object) -> Iterator[object]:
    """Releases inside one JSON value: a package, a record package, a record or a release."""
    if isinstance(obj, dict) and isinstance(obj.get("releases"), list) and "ocid" not in obj:
        yield from obj["releases"]
    elif isinstance(obj, dict) and isinstance(obj.get("records"), list):
        for rec in obj["records"]:
            yield from _unpack(rec)
    elif isinstance(obj, dict) and "compiledRelease" in obj:
        yield obj["compiledRelease"]
    else:
        yield obj


def iter_releases(path: Path, notes: Counter) -> Iterator[object]:
    """Each release of one file, in file order; a value that cannot be parsed is yielded as a
    :class:`_Reject` so the caller counts it.
    """
    import ijson

    tmp: list[str] = []
    fh, enc = _open_binary(path, tmp)
    if enc not in ("utf-8", "ascii", "utf-8-sig"):
        notes[f"{path.name}: not UTF-8, decoded as {enc}"] += 1
    try:
        if _is_lines(path):
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (ValueError, UnicodeDecodeError) as exc:
                    yield _Reject("(line)", f"line {lineno}", f"not valid JSON: {exc}")
                    continue
                yield from _unpack(obj)
            return
        try:
            shape = _top_level_shape(path)
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
            yield _Reject("(file)", "start of file", f"not JSON ({str(exc).splitlines()[0]}); "
                          "the file was not read")
            return
        prefix = {"package": "releases.item", "records": "records.item", "array": "item",
                  "release": ""}.get(shape)
        if prefix is None:
            return
        count = 0
        try:
            # numbers as Decimal: a float parser aborts the whole file on 1e9999
            for obj in ijson.items(fh, prefix):
                count += 1
                yield from (_unpack(obj) if shape in ("records", "array") else [obj])
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
            yield _Reject("(file)", f"after item {count}",
                          f"the JSON cannot be read from here on ({exc}); the rest of the file "
                          "was not read")
    finally:
        fh.close()
        for d in tmp:
            shutil.rmtree(d, ignore_errors=True)


# --- values ---------------------------------------------------------------------------------------


def repair_text(text: object, counter: Counter | None = None) -> str | None:
    """A string with UTF-8-read-as-cp1252 mojibake repaired (``â€¯`` back to a narrow no-break
    space); other values unchanged. Counts repairs in ``counter``.

    >>> repair_text("Caf\u00c3\u00a9 Ltd"), repair_text("50\u00e2\u20ac\u00afkm")
    ('Café Ltd', '50\u202fkm')
    >>> repair_text("Caf\u00e9"), repair_text(None)
    ('Café', None)
    """
    if text is None:
        return None
    s = str(text)
    if not _MOJIBAKE.search(s):
        return s
    try:
        fixed = s.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s
    if counter is not None:
        counter["text values repaired from mojibake (UTF-8 read as cp1252)"] += 1
    return fixed


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _iso_datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _number(value: object, column: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                raise _Reject(column, value, "not a number") from None
        else:
            raise _Reject(column, value, "not a number")
    x = float(value)  # Decimal('1E+9999') -> inf
    if not math.isfinite(x):
        raise _Reject(column, value, "not a finite number (1e9999, Infinity or NaN)")
    if x < 0:
        raise _Reject(column, value, "negative award value")
    return x


def _tri(value: object) -> str:
    return "true" if value is True else "false" if value is False else "unknown"


def companies_house_number(party: dict | None, party_id: str | None) -> str | None:
    """The Companies House number a party carries (``GB-COH`` identifier or id), 8 characters.

    >>> companies_house_number({"identifier": {"scheme": "GB-COH", "id": "8522643"}}, "GB-CFS-1")
    '08522643'
    >>> companies_house_number(None, "GB-COH-oc303525"), companies_house_number({}, "GB-CFS-9")
    ('OC303525', None)
    """
    candidates: list[object] = []
    party = party or {}
    ident = party.get("identifier") or {}
    if isinstance(ident, dict) and str(ident.get("scheme", "")).upper() == "GB-COH":
        candidates.append(ident.get("id"))
    for extra in party.get("additionalIdentifiers") or []:
        if isinstance(extra, dict) and str(extra.get("scheme", "")).upper() == "GB-COH":
            candidates.append(extra.get("id"))
    if party_id and (m := _COH_RE.match(str(party_id))):
        candidates.append(m.group(1))
    for c in candidates:
        n = normalise_company_number(c)
        if n:
            return n
    return None


def normalise_company_number(value: object) -> str | None:
    """A Companies House number as 8 upper-case characters (digits zero-padded), or ``None``.

    >>> normalise_company_number(" 123 "), normalise_company_number("sc012345"), normalise_company_number("x")
    ('00000123', 'SC012345', None)
    """
    if value is None:
        return None
    s = re.sub(r"\s+", "", str(value)).upper()
    if s.isdigit() and 0 < len(s) <= 8:
        return s.zfill(8)
    if re.fullmatch(r"[A-Z]{2}[0-9]{1,6}", s):
        return s[:2] + s[2:].zfill(6)
    return None


def normalise_org_name(name: str | None) -> str | None:
    """Lower case, ``&`` as ``and``, punctuation dropped, a leading ``the`` removed, one space.

    >>> normalise_org_name("The London Borough of  Merton"), normalise_org_name("Harrow Council.")
    ('london borough of merton', 'harrow council')
    """
    if name is None:
        return None
    s = str(name).replace("\u00a0", " ").replace("\u202f", " ").lower().replace("&", " and ")
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    s = re.sub(r"^the ", "", s)
    return re.sub(r"\s+", " ", s) or None


def _scheme(party: dict, party_id: str) -> str | None:
    ident = party.get("identifier") or {}
    if isinstance(ident, dict) and ident.get("scheme"):
        return str(ident["scheme"])
    m = re.match(r"^([A-Z]{2}-[A-Z]+)-", party_id or "")
    return m.group(1) if m else None


def _notice_types(obj: dict | None) -> list[str]:
    docs = (obj or {}).get("documents") or []
    return [str(d["noticeType"]) for d in docs if isinstance(d, dict) and d.get("noticeType")]


def _first_url(*objs: dict | None) -> str | None:
    for obj in objs:
        for d in (obj or {}).get("documents") or []:
            if isinstance(d, dict) and isinstance(d.get("url"), str):
                return d["url"]
    return None


def _reservation(tender: dict) -> tuple[bool | None, str | None]:
    reqs = tender.get("otherRequirements") or {}
    codes = reqs.get("reservedParticipation") or []
    location = reqs.get("reservedParticipationLocation")
    if not codes and not location:
        return (None, None) if not reqs else (False, None)
    base = ("sme_or_vcse" if "smeVcse" in codes else
            "vcse" if "publicServiceMissionOrganization" in codes else
            "other" if codes else None)
    if base and location:
        return True, f"{base}_and_location" if base in ("sme_or_vcse", "vcse") else base
    return True, base or "location"


def _is_framework(tender: dict) -> bool:
    tech = tender.get("techniques") or {}
    if tech.get("hasFrameworkAgreement") is True:
        return True
    text = f"{tender.get('procurementMethodDetails') or ''} {tender.get('title') or ''}".lower()
    return "framework" in text and "call-off" not in text and "call off" not in text


# --- one release ------------------------------------------------------------------------------


AWARD_FIELDS = [c for c in CONTRACT_AWARD.columns if c not in
                ("source_dataset", "source_url", "source_row_id", "ingested_at")]
SUPPLIER_FIELDS = ["buyer_org_id", "supplier_id", "supplier_name", "companies_house_number",
                   "size_band", "size_source", "size_as_of_date", "vcse", "postcode", "is_london"]
BUYER_FIELDS = ["buyer_id", "buyer_name", "buyer_name_normalised", "scheme", "postcode",
                "is_london", "org_type"]


def release_rows(rel: object, notes: Counter) -> tuple[list[dict], list[dict], list[dict], str | None]:
    """Award, supplier and buyer rows of one release, and a skip reason (or ``None``). A
    release with no award still gives its buyer row (the buyer table lists every buyer seen).

    Raises :class:`_Reject` for a release that cannot be read.
    """
    if not isinstance(rel, dict):
        raise _Reject("(release)", type(rel).__name__, "not a JSON object")
    ocid, rid = rel.get("ocid"), rel.get("id")
    if not isinstance(ocid, str) or not ocid.strip():
        raise _Reject("ocid", ocid, "missing release ocid")
    if rid is None or str(rid).strip() == "":
        raise _Reject("id", rid, "missing release id")
    if rel.get("buyerID") == []:
        notes["releases with an empty top-level buyerID [] (ignored)"] += 1
    parties = {str(p.get("id")): p for p in rel.get("parties") or [] if isinstance(p, dict)}
    buyer = rel.get("buyer") if isinstance(rel.get("buyer"), dict) else {}
    buyer_id = buyer.get("id")
    if not buyer_id:
        buyer_id = next((pid for pid, p in parties.items() if "buyer" in (p.get("roles") or [])), None)
    buyer_party = parties.get(str(buyer_id), {}) if buyer_id else {}
    buyer_name = repair_text(buyer.get("name") or buyer_party.get("name"), notes)
    release_date = rel.get("date")
    tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else {}
    tender_value = tender.get("value") or {}
    for lot in tender.get("lots") or []:
        lot_cur = ((lot or {}).get("value") or {}).get("currency")
        if lot_cur and tender_value.get("currency") and lot_cur != tender_value["currency"]:
            notes[f"release {rid}: lot {lot.get('id')} currency {lot_cur} contradicts tender "
                  f"currency {tender_value['currency']} (lot values are not used)"] += 1
    if buyer_id and (buyer_party or buyer_name):
        address = buyer_party.get("address") or {}
        postcode = normalise_postcode(address.get("postalCode"))
        classes = (buyer_party.get("details") or {}).get("classifications") or []
        org_type = next((c.get("id") for c in classes
                         if isinstance(c, dict) and c.get("scheme") == "UK_CA_TYPE"), None)
        buyer_rows = [{
            "buyer_id": str(buyer_id), "buyer_name": buyer_name or buyer_id,
            "buyer_name_normalised": normalise_org_name(buyer_name),
            "scheme": _scheme(buyer_party, buyer_id), "postcode": postcode,
            "is_london": is_london(postcode), "org_type": org_type,
            "__release_date": release_date,
        }]
    else:
        buyer_rows = []
    awards = [a for a in rel.get("awards") or [] if isinstance(a, dict)]
    if not awards:
        return [], [], buyer_rows, "no awards"
    active = [a for a in awards if str(a.get("status", "")).lower() not in INACTIVE_AWARD]
    if not active:
        return [], [], buyer_rows, "no active award (cancelled or unsuccessful)"
    if not buyer_id:
        raise _Reject("buyer.id", None, "no buyer id (buyer.id missing and no party with role buyer)")
    buyer_id = str(buyer_id)
    publisher = PUBLISHERS.get(ocid[:11])
    suitability = tender.get("suitability") or {}
    reserved, reservation = _reservation(tender)
    procedure = (tender.get("procurementMethodDetails") or "").strip() or tender.get("procurementMethod")
    tender_types = _notice_types(tender) + _notice_types(rel.get("planning"))
    contracts = [c for c in rel.get("contracts") or [] if isinstance(c, dict)]
    framework = _is_framework(tender)
    award_rows, supplier_rows = [], []
    for i, award in enumerate(active):
        aid = award.get("id")
        if aid is None or str(aid).strip() == "":
            raise _Reject(f"awards[{i}].id", aid, "missing award id")
        aid = str(aid)
        award_date = _iso_date(award.get("date"))
        if award_date is None:
            raise _Reject(f"awards[{i}].date", award.get("date"),
                          "missing or unreadable award date (expected ISO 8601)")
        value = award.get("value") or {}
        currency = value.get("currency")
        net = _number(value.get("amount"), f"awards[{i}].value.amount")
        gross = _number(value.get("amountGross"), f"awards[{i}].value.amountGross")
        if (net is not None or gross is not None) and currency not in (None, "GBP"):
            raise _Reject(f"awards[{i}].value.currency", currency,
                          "award value not in GBP (values are not converted)")
        if (net is not None or gross is not None) and currency is None:
            notes["award values with no currency, taken as GBP"] += 1
        if publisher == "fts_ocds":
            amount, basis = (net, "net") if net is not None else (gross, "gross" if gross is not None else None)
        else:
            amount, basis = (net if net is not None else gross), "unknown"
        if amount is None:
            basis = None
        elif amount == 0:
            notes["awards with value 0 (kept as 0: they add nothing to value shares)"] += 1
        suppliers, ids = [], set()
        for s in award.get("suppliers") or []:
            if not isinstance(s, dict):
                continue
            sid = s.get("id")
            if sid not in (None, "") and sid in ids:
                notes["suppliers listed twice in one award (counted once)"] += 1
                continue
            ids.add(sid)
            suppliers.append(s)
        if not suppliers:
            notes["awards with no supplier (not counted)"] += 1
            continue
        n_sup = len(suppliers)
        related = [c for c in contracts if str(c.get("awardID")) == aid]
        types = _notice_types(award) + [t for c in related for t in _notice_types(c)] + tender_types
        lots = award.get("relatedLots") or []
        for s in suppliers:
            sid = s.get("id")
            sid = str(sid) if sid not in (None, "") else None
            party = parties.get(sid, {}) if sid else {}
            details = party.get("details") or {}
            scale = details.get("scale") if details.get("scale") in ("sme", "large") else "unknown"
            name = repair_text(s.get("name") or party.get("name"), notes)
            address = party.get("address") or {}
            postcode = normalise_postcode(address.get("postalCode"))
            award_rows.append({
                "buyer_org_id": buyer_id, "award_id": aid, "ocid": ocid,
                "contract_title": repair_text(award.get("title") or tender.get("title"), notes),
                "supplier_id": sid, "supplier_name": name, "supplier_scale": scale,
                "supplier_is_vcse": _tri(details.get("vcse")),
                "value_gbp": amount if n_sup == 1 else None, "value_basis": basis,
                "award_value_gbp": amount, "award_supplier_count": n_sup,
                "award_date": award_date, "procedure": procedure,
                "lot_id": ",".join(str(x) for x in lots) or None,
                "is_reserved": reserved, "reservation_basis": reservation,
                "is_framework": framework or n_sup > 1, "value_split_unknown": n_sup > 1,
                "suitable_for_sme": _tri(suitability.get("sme")),
                "suitable_for_vcse": _tri(suitability.get("vcse")),
                "notice_type": types[0] if types else None,
                "__url": _first_url(award, *related, tender),
                "__release_date": release_date,
            })
            chn = companies_house_number(party, sid) if sid else None
            if sid and chn is None and ("GB-COH" in sid.upper() or str(
                    (party.get("identifier") or {}).get("scheme", "")).upper() == "GB-COH"):
                notes["GB-COH supplier identifiers that are not 8-character company numbers "
                      "(ignored, e.g. a 9-digit VAT-like number)"] += 1
            if sid:
                supplier_rows.append({
                    "buyer_org_id": buyer_id, "supplier_id": sid, "supplier_name": name,
                    "companies_house_number": chn,
                    "size_band": "sme" if scale == "sme" else scale,
                    "size_source": "notice_scale" if scale != "unknown" else "unknown",
                    "size_as_of_date": _iso_date(release_date) or award_date,
                    "vcse": _tri(details.get("vcse")), "postcode": postcode,
                    "is_london": is_london(postcode), "__release_date": release_date,
                })
            else:
                notes["award suppliers with no id (kept in contract_award, not in supplier)"] += 1
    if not award_rows:
        return [], [], buyer_rows, "awards without suppliers"
    return award_rows, supplier_rows, buyer_rows, None


# --- the ingest -------------------------------------------------------------------------------


class _Frames:
    """Rows gathered in Python, turned into polars frames every ``CHUNK_ROWS`` rows.

    With a ``key``, each flush keeps only the latest row per key (suppliers and buyers repeat a
    lot), so memory follows the distinct keys. With ``spill_dir``, each chunk is written to a
    parquet file there instead of kept (award rows of a bulk file), and :meth:`lazy` scans them.
    """

    def __init__(self, schema: dict[str, pl.DataType], key: list[str] | None = None,
                 spill_dir: str | None = None):
        self.schema = schema
        self.key = key
        self.spill_dir = spill_dir
        self.rows: list[dict] = []
        self.frames: list[pl.DataFrame] = []
        self.files: list[Path] = []

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        frame = pl.DataFrame(self.rows, schema=self.schema, orient="row")
        self.rows = []
        if self.spill_dir:
            path = Path(self.spill_dir) / f"chunk_{len(self.files):06d}.parquet"
            frame.write_parquet(path, compression="lz4")
            self.files.append(path)
            return
        self.frames.append(frame)
        if self.key:
            self.frames = [_latest(pl.concat(self.frames), self.key)[0]]

    def frame(self) -> pl.DataFrame:
        self.flush()
        return pl.concat(self.frames) if self.frames else pl.DataFrame(schema=self.schema)

    def lazy(self) -> pl.LazyFrame:
        self.flush()
        if self.files:
            return pl.scan_parquet(self.files)
        return self.frame().lazy()


def _schema(fields: list[str], table: dict[str, pl.DataType], extra: dict[str, pl.DataType]):
    return {**{f: table.get(f, pl.String()) for f in fields}, **extra}


def _latest(frame: pl.DataFrame, key: list[str]) -> tuple[pl.DataFrame, int]:
    """Keep the row of the latest release per ``key`` (file order breaks ties); return it and the
    number of rows dropped. Only the key columns are sorted, so a big frame is copied once.
    """
    if not frame.height:
        return frame, 0
    order = (frame.select(*key, pl.col("__release_date").str.to_datetime(time_zone="UTC", strict=False)
                          .alias("__when"))
             .with_row_index("__order")
             .sort(["__when", "__order"], nulls_last=False)
             .unique(subset=key, keep="last")
             .select("__order"))
    dropped = frame.height - order.height
    if not dropped:
        return frame, 0
    keep = frame.with_row_index("__order").join(order, on="__order", how="semi", maintain_order="left")
    return keep.drop("__order"), dropped


def ingest_ocds(path: str | Path, source_dataset: str | None = None, **options: object) -> OcdsResult:
    """Read OCDS releases from a file or folder into contract_award, supplier and buyer tables.

    ``source_dataset`` names the lineage (default: ``fts_ocds`` / ``cf_ocds`` by OCID prefix).
    """
    unknown = sorted(k for k, v in options.items() if v is not None)
    if unknown:
        raise IngestError(f"ingest ocds: option(s) {', '.join(unknown)} do not apply to OCDS "
                          "files (only --dataset does)")
    files = ocds_files(path)
    spill = tempfile.mkdtemp(prefix="lainbench-ocds-awards-")
    try:
        return _ingest(path, files, spill, source_dataset)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _ingest(path: str | Path, files: list[Path], spill: str, source_dataset: str | None) -> OcdsResult:
    base = Path(path)
    notes: Counter = Counter()
    skipped: Counter = Counter()
    rejects: list[dict] = []
    awards_rows = 0
    awards = _Frames(_schema(AWARD_FIELDS, CONTRACT_AWARD.columns, {
        "__url": pl.String(), "__release_date": pl.String(),
        "__file": pl.Int32(), "__row": pl.Int64()}), spill_dir=spill)
    suppliers = _Frames(_schema(SUPPLIER_FIELDS, {**SUPPLIER.columns, "vcse": pl.String()},
                                {"__release_date": pl.String()}), key=["buyer_org_id", "supplier_id"])
    buyers = _Frames(_schema(BUYER_FIELDS, BUYER.columns, {"__release_date": pl.String()}), key=["buyer_id"])
    seen: set[tuple[str, str]] = set()
    read = accepted = 0
    shown_names: list[str] = []
    for file_no, f in enumerate(files):
        shown = str(f.relative_to(base)) if base.is_dir() else f.name
        shown_names.append(shown)
        n = 0
        for n, rel in enumerate(iter_releases(f, notes), start=1):
            read += 1
            try:
                if isinstance(rel, _Reject):
                    raise rel
                key = (rel.get("ocid"), str(rel.get("id"))) if isinstance(rel, dict) else None
                if key and key[0] and key in seen:
                    skipped["duplicate release"] += 1
                    continue
                a_rows, s_rows, b_rows, skip = release_rows(rel, notes)
            except _Reject as exc:
                rejects.append({"source_file": shown, "source_row": n, "column": exc.column,
                                "value": None if exc.value is None else str(exc.value)[:200],
                                "reason": exc.reason})
                continue
            if key and key[0]:
                seen.add(key)
            if skip:
                skipped[skip] += 1
                buyers.add(b_rows)
                continue
            accepted += 1
            for r in a_rows:
                r["__file"], r["__row"] = file_no, n
            awards.add(a_rows)
            awards_rows += len(a_rows)
            suppliers.add(s_rows)
            buyers.add(b_rows)
        if n == 0:
            notes[f"{shown}: no OCDS release in this file (not a release package; ignored)"] += 1
    dataset = pl.lit(source_dataset) if source_dataset else pl.col("ocid").str.slice(0, 11).replace_strict(
        PUBLISHERS, default="ocds")
    when = dt.datetime.now(dt.UTC)
    base = awards.lazy().with_columns(  # award_id is made unique here: <ocid>/<award id>
        (pl.col("ocid") + "/" + pl.col("award_id")).alias("award_id"),
        pl.coalesce(pl.col("supplier_id"), pl.lit("name:") + pl.col("supplier_name").fill_null(""))
        .alias("__supplier_key"),
    ).with_row_index("__order")
    key = ["award_id", "__supplier_key"]
    keep = (base.select(*key, "__order", pl.col("__release_date").str.to_datetime(
                time_zone="UTC", strict=False).alias("__when"))
            .sort(["__when", "__order"], nulls_last=False).unique(subset=key, keep="last")
            .select("__order").collect())
    award_df = (base.join(keep.lazy(), on="__order", how="semi", maintain_order="left").with_columns(
        dataset.alias("source_dataset"),
        pl.col("__url").alias("source_url"),
        pl.format("{}#{}:{}:{}", pl.col("__file").replace_strict(
            dict(enumerate(shown_names)), return_dtype=pl.String), "__row", "award_id",
            "__supplier_key").alias("source_row_id"),
        pl.lit(when, dtype=pl.Datetime("us", "UTC")).alias("ingested_at"),
    ).drop("__url", "__release_date", "__supplier_key", "__file", "__row", "__order")
        .collect(engine="streaming"))
    superseded = awards_rows - award_df.height
    if superseded:
        notes["award rows replaced by a later release of the same award (e.g. CF awardUpdate)"] += superseded
    lineage = [pl.lit(source_dataset or "ocds").alias("source_dataset"),
               pl.lit(None, pl.String).alias("source_url"), pl.lit(None, pl.String).alias("source_row_id"),
               pl.lit(when, dtype=pl.Datetime("us", "UTC")).alias("ingested_at")]
    sup_df, _ = _latest(suppliers.frame(), ["buyer_org_id", "supplier_id"])
    sup_df = sup_df.with_columns(
        pl.when(pl.col("vcse") != "unknown").then(pl.lit("notice_vcse")).alias("ownership_source"),
        pl.when(pl.col("vcse") != "unknown").then(pl.col("size_as_of_date")).alias("ownership_as_of_date"),
        *lineage)
    buy_df, _ = _latest(buyers.frame(), ["buyer_id"])
    buy_df = buy_df.with_columns(lineage)
    src = str(path)
    award_out = CONTRACT_AWARD.conform(award_df, source=src)
    sup_out = SUPPLIER.conform(sup_df.drop("__release_date"), source=src)
    buy_out = BUYER.conform(buy_df.drop("__release_date"), source=src)
    rej = (pl.DataFrame(rejects, schema=REJECTS.schema) if rejects else empty_rejects())
    note_lines = [f"{k}: {v:,}" for k, v in sorted(notes.items())]
    if len(files) > 1:
        note_lines.insert(0, f"{len(files)} files read")
    return OcdsResult(
        table=CONTRACT_AWARD, accepted=award_out, rejects=rej, rows_read=read,
        skipped=dict(skipped), source_file=src, notes=note_lines, releases_accepted=accepted,
        suppliers=sup_out, buyers=buy_out,
    )
