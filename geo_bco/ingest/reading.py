"""Read a police export into a table of strings, rows kept verbatim.

Nothing is interpreted here: values stay text so the rejected-row store can keep
what the source sent. File-level problems (undecodable bytes, binary content where
text was expected, an unreadable workbook or layer, a header row that is not one)
raise ReadError naming the file and where. Row-level problems a reader can see (a
row with the wrong number of fields, a spreadsheet formula, an oversized field, a
control character) are returned per row, so the rest of the file still loads.

Formats: delimited text (.csv .txt .tsv: any of , ; tab |; UTF-8, UTF-8 with BOM,
UTF-16 or Windows-1252), Excel workbooks (.xlsx), and any vector format GDAL reads
(.geojson .json .gpkg .shp .zip ...) through pyogrio, whose point geometries become
longitude/latitude columns.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

DELIMITERS = ",;\t|"
#: A field longer than this is cut when kept (and its row rejected): a 50 MB cell is
#: an export gone wrong, and storing it whole would bloat every report.
MAX_FIELD_CHARS = 10_000
#: C0 controls other than tab, newline and carriage return (which a quoted field may
#: hold), DEL and the C1 controls: never data, and NUL cannot be stored by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
#: geometry columns a vector file adds to the table (WGS84, from the layer's own CRS)
GEOMETRY_COLUMNS = ("_geometry_longitude", "_geometry_latitude")

Reason = dict[str, str]


class ReadError(ValueError):
    """The file as a whole cannot be read; the message names the file and the place."""


@dataclass(frozen=True)
class RawTable:
    """Rows as text. ``rows`` has one column per header field, all ``str``, index =
    1-based data row number (blank rows are not rows). ``lines`` gives where each row
    is in the file (text line, spreadsheet row, feature number) for messages a person
    can find. ``problems`` holds row-level reasons found while reading."""

    path: Path
    encoding: str
    header: list[str]
    rows: pd.DataFrame
    lines: pd.Series
    problems: dict[int, list[Reason]] = field(default_factory=dict)


def read_table(path: str | Path, *, sheet: str | None = None, layer: str | None = None) -> RawTable:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: cannot read: no such file")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in TEXT_SUFFIXES:
        return _read_text(path)
    return _read_vector(path, layer)


def _check_header(path: Path, header: list[str]) -> None:
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ReadError(f"{path}: header row repeats column(s) {dupes}")
    for number, name in enumerate(header, start=1):
        if len(name) > MAX_FIELD_CHARS:
            raise ReadError(f"{path}: header column {number} holds {len(name):,} characters (at most "
                            f"{MAX_FIELD_CHARS:,}); the first row must be the column names")
        found = CONTROL_CHARACTERS.search(name)
        if found:
            raise ReadError(f"{path}: header column {number} ({name!r}) holds control character "
                            f"U+{ord(found.group()):04X}; save the file again as plain text")


def _check_fields(rows: pd.DataFrame, problems: dict[int, list[Reason]]) -> pd.DataFrame:
    """Add a reason for every field over MAX_FIELD_CHARS or holding a control
    character, column by column (vectorised: the fast path reads a million rows).
    Rows with any problem are rejected, so their fields are kept cut to the limit and
    without NUL: what the rejected-row store (jsonb) can hold; others are untouched."""
    for column in rows.columns:
        values = rows[column]
        for row, length in values.str.len()[lambda n: n > MAX_FIELD_CHARS].items():
            problems.setdefault(int(row), []).append({
                "field": column, "code": "field_too_long",
                "message": f"{column} holds {length:,} characters (at most {MAX_FIELD_CHARS:,}); kept cut short"})
        for row, value in values[values.str.contains(CONTROL_CHARACTERS.pattern, regex=True)].items():
            found = CONTROL_CHARACTERS.search(value)
            problems.setdefault(int(row), []).append({
                "field": column, "code": "control_character",
                "message": f"{column} holds control character U+{ord(found.group()):04X} at position "
                           f"{found.start() + 1}; export the data as plain text" + (
                               " (NUL is removed from the kept row)" if "\x00" in value else "")})
    if problems:  # cut only after every row was checked
        bad = rows.index.isin(list(problems))
        rows = rows.copy()
        for column in rows.columns:
            rows.loc[bad, column] = rows.loc[bad, column].str.slice(0, MAX_FIELD_CHARS).str.replace("\x00", "")
    return rows


def _table(path: Path, encoding: str, header: list[str], records: list[list[str]], lines: list[int],
           problems: dict[int, list[Reason]]) -> RawTable:
    _check_header(path, header)
    width = len(header)
    for i, record in enumerate(records, start=1):
        if len(record) != width:
            problems.setdefault(i, []).append(
                {"field": "*", "code": "ragged_row", "message": f"row has {len(record)} fields, the header has {width}"})
            records[i - 1] = (record + [""] * width)[:width]
    index = pd.RangeIndex(1, len(records) + 1)
    rows = pd.DataFrame(records, columns=header, dtype=object, index=index) if records else \
        pd.DataFrame({h: pd.Series(dtype=object) for h in header}, index=index)
    rows = _check_fields(rows, problems)
    return RawTable(path, encoding, header, rows, pd.Series(lines, index=index, dtype="int64"), problems)


# --- delimited text ------------------------------------------------------------------

#: bytes read to tell a binary file from text: binary when more than 1% of them are NUL
BINARY_SNIFF = 4096


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:BINARY_SNIFF]
    if sample.count(b"\x00") * 100 > len(sample):  # a stray NUL is a field's problem (control_character)
        raise ReadError(f"{path}: binary content (NUL bytes near the start); expected a text CSV")
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


def _read_text(path: Path) -> RawTable:
    text, encoding = _decode(path, path.read_bytes())
    if not text.strip():
        raise ReadError(f"{path}: the file is empty; expected a header row and data rows")
    first_line = re.match(r"[^\r\n]*", text).group()  # any newline convention: \n, \r\n or a lone \r
    if len(first_line) > MAX_FIELD_CHARS:
        raise ReadError(f"{path}: line 1 holds {len(first_line):,} characters (a header row holds at most "
                        f"{MAX_FIELD_CHARS:,}); the first line must be the column names")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    fast = _read_text_fast(path, text, first_line, delimiter, encoding)
    if fast is not None:
        return fast
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for record in reader:
            if any(f.strip() for f in record):  # blank lines are not rows
                records.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(f"{path}: line {reader.line_num}: {exc}") from None
    if reader.line_num and text[-1] not in "\r\n" and records and len(records[-1]) < len(header):
        # a file cut off mid-row: the last row is incomplete, say so rather than guess
        last = len(records)
        problems = {last: [{"field": "*", "code": "truncated_row",
                            "message": "the file ends in the middle of this row (truncated export?)"}]}
    else:
        problems = {}
    return _table(path, encoding, header, records, lines, problems)


def _read_text_fast(path: Path, text: str, first_line: str, delimiter: str, encoding: str) -> RawTable | None:
    """Arrow's strict CSV parser for the common case: every row on one line and as
    wide as the header, no blank lines. Arrow refuses a short or long row or a quoted
    newline, a blank row sends the file back too, and then the careful reader above
    takes the whole file; the header and field checks are the same functions on both
    paths, so what is reported per row never depends on which path ran."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    header = [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter), [])]
    if not header:
        return None
    _check_header(path, header)
    try:
        arrow = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if arrow.num_rows == 0:
        return None
    frame = arrow.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get)
    maybe_blank = frame[header[0]].str.strip() == ""  # Arrow keeps a blank line as a row of empty fields
    if maybe_blank.any() and (frame[maybe_blank].apply(lambda column: column.str.strip()) == "").all(axis=1).any():
        return None
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    problems: dict[int, list[Reason]] = {}
    frame = _check_fields(frame, problems)
    return RawTable(path, encoding, header, frame, pd.Series(frame.index + 1, index=frame.index, dtype="int64"),
                    problems)


# --- Excel -----------------------------------------------------------------------------

def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _read_excel(path: Path, sheet: str | None) -> RawTable:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # formulas are read as their text and never evaluated (data_only=False)
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ReadError(f"{path}: no sheet {sheet!r}; sheets are {book.sheetnames}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows()
        try:
            header_cells = next(rows)
        except StopIteration:
            raise ReadError(f"{path}: sheet {ws.title!r} is empty; expected a header row") from None
        header = [_cell_text(c.value).strip() for c in header_cells]
        while header and not header[-1]:
            header.pop()
        records, lines, problems = [], [], {}
        for cells in rows:
            values = [_cell_text(c.value) for c in cells[: len(header)]]
            if not any(v.strip() for v in values):
                continue
            records.append(values + [""] * (len(header) - len(values)))
            lines.append(cells[0].row)
            formulas = [header[i] for i, c in enumerate(cells[: len(header)]) if getattr(c, "data_type", None) == "f"]
            if formulas:
                problems[len(records)] = [{
                    "field": col, "code": "formula_cell",
                    "message": f"{col} holds a spreadsheet formula, which is never evaluated; export values only"}
                    for col in formulas]
    finally:
        book.close()
    return _table(path, "xlsx", header, records, lines, problems)


# --- GDAL vector formats ------------------------------------------------------------------

def _read_vector(path: Path, layer: str | None) -> RawTable:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise ReadError(f"{path}: GDAL cannot read it as a vector file: {exc}") from None
    header = [c for c in frame.columns if c != "geometry"]
    problems: dict[int, list[Reason]] = {}
    lon = lat = np.full(len(frame), np.nan)
    if "geometry" in frame and len(frame):
        if frame.crs is None:
            raise ReadError(f"{path}: the layer has no CRS; cannot place its geometries")
        wgs84 = frame.geometry.to_crs(4326)
        kinds = wgs84.geom_type.to_numpy()
        for i in np.flatnonzero(wgs84.notna().to_numpy() & ~wgs84.is_empty.to_numpy() & (kinds != "Point")):
            problems[int(i) + 1] = [{"field": "geometry", "code": "not_a_point",
                                     "message": f"geometry is a {kinds[i]}; incidents are points"}]
        points = np.where(kinds == "Point", wgs84.to_numpy(), None)
        lon, lat = shapely.get_x(points), shapely.get_y(points)  # NaN where there is no point
    records = [[_cell_text(v) for v in row] for row in frame[header].itertuples(index=False, name=None)]
    for record, x, y in zip(records, lon, lat):
        record += ["" if math.isnan(x) else repr(float(x)), "" if math.isnan(y) else repr(float(y))]
    return _table(path, "gdal", header + list(GEOMETRY_COLUMNS), records, list(range(1, len(frame) + 1)), problems)
