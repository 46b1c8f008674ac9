"""Which text encoding a file is in, and a UTF-8 copy of it made in chunks.

Finance systems and Excel on Windows write CSV in Windows-1252 (a ``£`` is the single byte
``0xA3``); newer tools write UTF-8, sometimes with a byte-order mark; Excel's "Unicode text" is
UTF-16. polars reads UTF-8 only, so anything else is transcoded into a temporary UTF-8 file,
16 MB at a time, so memory stays flat however big the file is.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ledger.csv"
>>> _ = p.write_bytes("Supplier,Amount\\nCaf\\u00e9 Ltd,\\u00a3120.00\\n".encode("cp1252"))
>>> detect_encoding(p)
'cp1252'
>>> q = to_utf8(p, "cp1252", p.with_suffix(".utf8.csv"))
>>> q.read_text(encoding="utf-8").splitlines()[1]
'Café Ltd,£120.00'
"""

from __future__ import annotations

import codecs
from pathlib import Path

from lainbench.errors import IngestError

CHUNK = 16 * 2**20  # bytes per read when checking or transcoding
SAMPLE = 2**20

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _is_utf8(path: Path, start: int = 0) -> tuple[bool, int]:
    """Whether the whole file from ``start`` is valid UTF-8; if not, the first bad byte offset."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = start
    with path.open("rb") as fh:
        fh.seek(start)
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                return False, offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return False, offset + exc.start
    return True, -1


def detect_encoding(path: str | Path) -> str:
    """Name of the file's encoding: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252`` or another
    codec guessed by charset-normalizer.

    The whole file is checked for UTF-8 (a Windows-1252 ``£`` can first appear a million rows
    down), about a second per gigabyte. A file that is not UTF-8 and decodes as Windows-1252 is
    taken as Windows-1252, the usual encoding of UK finance exports.
    """
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(SAMPLE)
    for bom, name in BOMS:
        if head.startswith(bom):
            if name != "utf-8-sig":
                return name
            ok, bad = _is_utf8(p, start=len(bom))
            if ok:
                return name
            raise IngestError(
                f"{path}: starts with a UTF-8 byte-order mark but byte {bad:,} is not UTF-8; the "
                "file mixes encodings. Re-save it as 'CSV UTF-8' from Excel and ingest it again"
            )
    if b"\x00" in head[:4096] and not head.startswith(b"PK"):
        # UTF-16 without a BOM (every other byte zero for ASCII text)
        zeros_even = head[0:4096:2].count(0)
        zeros_odd = head[1:4096:2].count(0)
        if max(zeros_even, zeros_odd) > len(head[:4096]) // 4:
            return "utf-16-be" if zeros_even > zeros_odd else "utf-16-le"
    ok, _ = _is_utf8(p)
    if ok:
        return "utf-8"
    try:
        with p.open("rb") as fh:
            decoder = codecs.getincrementaldecoder("cp1252")()
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk, final=False)
        return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise IngestError(
            f"{path}: not a text file in any encoding lainbench can recognise (tried UTF-8, "
            "UTF-16 and Windows-1252); if it is a spreadsheet, save it as .xlsx or CSV"
        )
    return best.encoding


def to_utf8(path: str | Path, encoding: str, dest: str | Path) -> Path:
    """Copy ``path`` to ``dest`` as UTF-8 (no byte-order mark), 16 MB at a time."""
    src, out = Path(path), Path(dest)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    try:
        with src.open("rb") as fh, out.open("w", encoding="utf-8", newline="") as wh:
            while chunk := fh.read(CHUNK):
                text = decoder.decode(chunk, final=False)
                if offset == 0 and text.startswith("\ufeff"):
                    text = text[1:]
                wh.write(text)
                offset += len(chunk)
            wh.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: byte {offset + exc.start:,} cannot be read as {encoding}; the file mixes "
            "encodings. Re-save it as 'CSV UTF-8' from Excel and ingest it again"
        ) from None
    return out
