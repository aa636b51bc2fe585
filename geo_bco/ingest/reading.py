"""Read a delimited text file into a table of strings, rows kept verbatim.

Nothing is interpreted here: values stay text so the rejected-row store can keep
exactly what the source sent. File-level problems (no header, undecodable bytes,
binary content) raise ReadError naming the file and where.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Tried in order; Windows-1252 is what Excel on Windows writes for "CSV".
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = ",;\t|"


class ReadError(ValueError):
    """The file as a whole cannot be read; the message names the file and the place."""


@dataclass(frozen=True)
class RawTable:
    """Rows as text. ``rows`` has one column per header field, all ``str``, index =
    1-based data row number (blank lines are not rows). ``lines`` gives the file line
    each row starts on, for messages a person can find in an editor. ``ragged`` maps
    row number -> field count for rows whose field count differs from the header's."""

    path: Path
    encoding: str
    header: list[str]
    rows: pd.DataFrame
    lines: pd.Series
    ragged: dict[int, int]


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(f"{path}: binary content (NUL bytes near the start); expected a text CSV")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise ReadError(
            f"{path}: line {line}: byte 0x{data[utf8_error.start]:02x} is neither UTF-8 nor Windows-1252; "
            "save the file as UTF-8 and import it again"
        ) from None


def read_table(path: str | Path) -> RawTable:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read: {exc.strerror}") from None
    text, encoding = _decode(path, data)
    if not text.strip():
        raise ReadError(f"{path}: the file is empty; expected a header row and data rows")
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for record in reader:
            if any(field.strip() for field in record):  # blank lines are not rows
                records.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(f"{path}: line {reader.line_num}: {exc}") from None
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ReadError(f"{path}: header row repeats column(s) {dupes}")
    width = len(header)
    ragged = {i: len(r) for i, r in enumerate(records, start=1) if len(r) != width}
    padded = [(r + [""] * width)[:width] if len(r) != width else r for r in records]
    index = pd.RangeIndex(1, len(padded) + 1)
    rows = pd.DataFrame(padded, columns=header, dtype=object, index=index)
    return RawTable(path, encoding, header, rows, pd.Series(lines, index=index, dtype="int64"), ragged)
