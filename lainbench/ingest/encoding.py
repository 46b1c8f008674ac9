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
import re
from dataclasses import dataclass
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


# One or more UTF-8 multi-byte sequences (exact ranges, so every match is valid UTF-8). In a
# Windows-1252 file such bytes are almost surely text pasted from a UTF-8 source: "é" written as
# the two bytes C3 A9 would otherwise read as "Ã©".
UTF8_RUN = re.compile(
    rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})+")
_LEAD_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")  # where a UTF-8 run could start
SINGLE_BYTE = ("cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1", "iso8859-1")


@dataclass
class Transcoded:
    """How a file was turned into UTF-8: lines holding UTF-8 text inside a single-byte file."""

    path: Path
    encoding: str
    utf8_lines: int = 0
    first_utf8_line: int | None = None

    def note(self) -> str | None:
        """A note for the ingest summary when lines were repaired, else ``None``."""
        if not self.utf8_lines:
            return None
        return (f"mixed encodings: {self.utf8_lines:,} line(s) hold UTF-8 text inside a "
                f"{self.encoding} file (first: line {self.first_utf8_line:,}); those characters "
                "were read as UTF-8 (e.g. 'Café', not 'CafÃ©'), the rest as " + self.encoding)


def _decode_mixed(chunk: bytes, encoding: str) -> tuple[str, list[int]]:
    """``chunk`` decoded with its UTF-8 runs as UTF-8 and the rest as ``encoding``; also the
    0-based line numbers (within the chunk) holding UTF-8 runs.

    A cheap two-byte pattern finds candidates (about 400 MB/s); only those are matched exactly.
    """
    parts: list[str] = []
    lines: list[int] = []
    pos = start = line = 0
    while (cand := _LEAD_PAIR.search(chunk, start)) is not None:
        m = UTF8_RUN.match(chunk, cand.start())
        if m is None:
            start = cand.start() + 1
            continue
        line += chunk.count(b"\n", pos, m.start())  # counted from the last run: linear
        parts.append(chunk[pos:m.start()].decode(encoding))
        parts.append(m.group().decode("utf-8"))
        if not lines or lines[-1] != line:
            lines.append(line)
        pos = start = m.end()
    if not parts:
        return chunk.decode(encoding), []
    parts.append(chunk[pos:].decode(encoding))
    return "".join(parts), lines


def to_utf8(path: str | Path, encoding: str, dest: str | Path) -> Path:
    """Copy ``path`` to ``dest`` as UTF-8 (no byte-order mark), 16 MB at a time."""
    return transcode(path, encoding, dest).path


def transcode(path: str | Path, encoding: str, dest: str | Path) -> Transcoded:
    """Copy ``path`` to ``dest`` as UTF-8, 16 MB at a time, and say how.

    A single-byte file (Windows-1252) is decoded line by line where needed: a line holding valid
    UTF-8 sequences has those read as UTF-8, so a "Café" pasted from a UTF-8 source does not
    become "CafÃ©"; :meth:`Transcoded.note` reports the lines.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mixed.csv"
    >>> _ = p.write_bytes("a\\n\\u00a310\\n".encode("cp1252") + "Caf\\u00e9\\n".encode("utf-8"))
    >>> t = transcode(p, "cp1252", p.with_suffix(".utf8"))
    >>> t.path.read_text(encoding="utf-8").splitlines(), t.utf8_lines, t.first_utf8_line
    (['a', '£10', 'Café'], 1, 3)
    """
    src, out = Path(path), Path(dest)
    result = Transcoded(path=out, encoding=encoding)
    if encoding.lower() in SINGLE_BYTE:
        return _transcode_single_byte(src, encoding, result)
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
    return result


def _transcode_single_byte(src: Path, encoding: str, result: Transcoded) -> Transcoded:
    offset, line0, carry = 0, 0, b""
    try:
        with src.open("rb") as fh, result.path.open("w", encoding="utf-8", newline="") as wh:
            while True:
                chunk = fh.read(CHUNK)
                data = carry + chunk
                if chunk:
                    cut = data.rfind(b"\n") + 1  # whole lines only, so no run is split
                    if cut == 0:
                        carry = data
                        continue
                    data, carry = data[:cut], data[cut:]
                else:
                    carry = b""
                if not data:
                    break
                text, lines = _decode_mixed(data, encoding)
                if lines:
                    result.utf8_lines += len(lines)
                    if result.first_utf8_line is None:
                        result.first_utf8_line = line0 + lines[0] + 1
                wh.write(text)
                line0 += data.count(b"\n")
                offset += len(data)
                if not chunk:
                    break
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{src}: byte {offset + exc.start:,} cannot be read as {encoding}; the file mixes "
            "encodings. Re-save it as 'CSV UTF-8' from Excel and ingest it again"
        ) from None
    return result
