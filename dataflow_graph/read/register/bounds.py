"""Workbooks checked against the read limits before python-calamine sees them.

calamine holds a sheet as a dense rectangle from A1 to the last cell with a value, and
inflates a workbook's zip members without looking at their declared sizes: a 1.5 KB
sheet with values at A1 and XFD1048576 asks for 512 GiB, and a few megabytes of zip
bomb inflate to gigabytes.  So, before calamine reads a ``.xlsx`` or ``.ods``:

1. the zip's member count, declared sizes and size ratios are checked
   (:attr:`~..limits.Limits.zip_entries`, ``zip_bytes``, ``zip_ratio``);
2. every member is inflated here, at most to its declared size: one that holds more
   (or less) than it declares is refused, so the declared sizes are the true ones;
3. each worksheet's declared dimension (``<dimension ref="A1:K5777"/>``) and actual
   extent (every cell reference, and the position of every cell written without one)
   are checked (``sheet_rows``, ``sheet_columns``, ``sheet_cells``);
4. calamine is given the members as inflated here, stored without compression, so it
   reads exactly what was checked (and does not inflate it a second time).  Where the
   system has anonymous in-memory files (Linux), that zip is written to one and calamine
   opens it by path: it reads the members in pieces, with no copy of the whole zip in
   this process (a workbook's zip holds several times its size; the copies cost more
   page faults than the reading).

A workbook over a limit is refused with a reason naming the limit (DFG507); the run goes
on.  Binary workbooks (``.xls``, ``.xlsb``) are refused: their cells cannot be checked the
same way (save them as ``.xlsx``).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..._speed import memory_file
from ..limits import Limits

__all__ = ["WorkbookRefused", "bounded_file", "bounded_workbook", "column_number", "sheet_extent"]

#: Members smaller than this are not held to the ratio limit (their cost is bounded anyway).
_RATIO_FLOOR = 1 << 20
_EOCD = b"PK\x05\x06"
_LOCAL = b"PK\x03\x04"


class WorkbookRefused(Exception):  # noqa: N818 - a refusal, reported as a diagnostic, not an error
    """A workbook over a read limit, or one whose container cannot be trusted; the message says which."""


def bounded_workbook(data: bytes, limits: Limits) -> bytes:
    """The workbook's members, checked and inflated, as a zip calamine reads without inflating.

    Raises
    ------
    WorkbookRefused
        The workbook is over a limit (the message names it) or its zip cannot be trusted.

    Examples
    --------
    >>> import io, zipfile
    >>> out = io.BytesIO()
    >>> with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("sheet1.xml", '<sheetData><row r="1"><c r="XFD5000"><v>1</v></c></row></sheetData>')
    >>> try:
    ...     bounded_workbook(out.getvalue(), Limits())
    ... except WorkbookRefused as exc:
    ...     print(str(exc)[:59])
    sheet sheet1.xml uses cells up to XFD5000 (81,920,000 cells
    """
    parts: list[bytes] = []
    _write_stored_zip(_checked_members(data, limits), parts.append)
    return b"".join(parts)


def bounded_file(data: bytes, limits: Limits) -> BinaryIO:
    """The same checked zip as :func:`bounded_workbook`, in a file at its start: an anonymous
    in-memory one where the system has them (no copy of the whole in this process), else
    an in-memory stream.  The caller closes it.

    Raises
    ------
    WorkbookRefused
        As :func:`bounded_workbook`.
    """
    members = _checked_members(data, limits)
    out: BinaryIO = memory_file("workbook") or io.BytesIO()  # no memfd here: an in-memory stream
    try:
        _write_stored_zip(members, out.write)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out


def _checked_members(data: bytes, limits: Limits) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every member of the zip, inflated and checked against the limits."""
    _check_member_count(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise WorkbookRefused(f"not a readable zip container ({exc})") from exc
    if len(members) > limits.zip_entries:
        raise WorkbookRefused(f"zip holds {len(members):,} members ({limits.describe('zip_entries')})")
    names = {m.filename for m in members}
    if "xl/workbook.bin" in names:
        raise WorkbookRefused("a binary workbook (.xlsb) is not read; save it as .xlsx")
    _check_declared(members, limits)
    stored = [(member, _inflated(data, member)) for member in members]
    relationships = b"".join(c for m, c in stored if m.filename.endswith(".rels"))
    for member, content in stored:
        if _may_be_sheet(member.filename, relationships) and b"sheetData" in content:
            _check_sheet(member.filename, content, limits)
        elif member.filename == "content.xml" and b"table:table" in content:
            _check_ods(content, limits)
    return stored


#: A relationship that makes the shared strings a worksheet (a hostile workbook could).
_STRINGS_AS_SHEET = re.compile(
    rb"<(?:\w+:)?Relationship\b(?=[^>]*/worksheet[\"'])(?=[^>]*Target\s*=\s*[\"'][^\"']*sharedStrings)[^>]*>"
)


def _may_be_sheet(name: str, relationships: bytes) -> bool:
    """Every member may be a worksheet but the shared strings (the largest member, spared a
    search for ``sheetData``), unless a relationship makes them one."""
    return not name.endswith("sharedStrings.xml") or _STRINGS_AS_SHEET.search(relationships) is not None


def _check_member_count(data: bytes, limits: Limits) -> None:
    """The member count the end record declares, read before any member is listed."""
    at = data.rfind(_EOCD, max(0, len(data) - (1 << 16) - 22))
    if at < 0 or at + 22 > len(data):
        return  # zipfile reports the damage
    (count,) = struct.unpack_from("<H", data, at + 10)
    if count == 0xFFFF:
        raise WorkbookRefused(f"zip64 container of 65,535 members or more ({limits.describe('zip_entries')})")
    if count > limits.zip_entries:
        raise WorkbookRefused(f"zip holds {count:,} members ({limits.describe('zip_entries')})")


def _check_declared(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Declared sizes, ratios, encryption and compression methods of every member."""
    total = 0
    for m in members:
        if m.flag_bits & 0x1:
            raise WorkbookRefused(f"member {m.filename} is encrypted")
        if m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRefused(f"member {m.filename} uses compression method {m.compress_type} (not deflate)")
        total += m.file_size
        if total > limits.zip_bytes:
            raise WorkbookRefused(
                f"members unzip to more than {limits.zip_bytes:,} bytes ({limits.describe('zip_bytes')})"
            )
        if m.file_size > _RATIO_FLOOR and m.file_size > limits.zip_ratio * max(m.compress_size, 1):
            raise WorkbookRefused(
                f"member {m.filename} unzips {m.file_size / max(m.compress_size, 1):,.0f} times its size "
                f"({m.compress_size:,} to {m.file_size:,} bytes; {limits.describe('zip_ratio')})"
            )


def _inflated(data: bytes, member: zipfile.ZipInfo) -> bytes:
    """A member's content, inflated at most to one byte past its declared size."""
    header = member.header_offset
    if data[header : header + 4] != _LOCAL:
        raise WorkbookRefused(f"member {member.filename} has no local header where the directory says")
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        content = bytes(raw)
        complete = True
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(raw, member.file_size + 1)
        except zlib.error as exc:
            raise WorkbookRefused(f"member {member.filename} cannot be inflated ({exc})") from exc
        complete = inflater.eof
    if len(content) != member.file_size or not complete:
        more = "more" if len(content) > member.file_size else "less"
        raise WorkbookRefused(f"member {member.filename} holds {more} than the {member.file_size:,} bytes it declares")
    return content


def _write_stored_zip(members: list[tuple[zipfile.ZipInfo, bytes]], write: Callable[[bytes], object]) -> None:
    """A zip of the members as given, stored, with their names, dates and checksums, given to
    ``write`` in parts (each member's content as it is, not copied)."""
    directory: list[bytes] = []
    offset = 0
    for info, content in members:
        name = info.filename.encode("utf-8")
        flags = 0x800  # names in UTF-8
        time_, date = _dos_time(info)
        sizes = (info.CRC, len(content), len(content), len(name))
        local = struct.pack("<4sHHHHHIIIHH", _LOCAL, 20, flags, 0, time_, date, *sizes, 0)
        directory.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, 0, time_, date, *sizes, 0, 0, 0, 0, 0, offset
            )
            + name
        )
        write(local + name)
        write(content)
        offset += len(local) + len(name) + len(content)
    central = b"".join(directory)
    write(central + struct.pack("<4sHHHHIIH", _EOCD, 0, 0, len(members), len(members), len(central), offset, 0))


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    """A member's date and time in the zip's DOS format."""
    year, month, day, hour, minute, second = info.date_time
    return (hour << 11) | (minute << 5) | (second // 2), (max(year, 1980) - 1980) << 9 | (month << 5) | day


# ---------------------------------------------------------------------------------------
# Worksheets: the declared dimension and the actual extent

#: Text folded for counting elements: white space, ``/`` and ``>`` to a space, a namespace
#: prefix's colon to ``<`` (``<x:c `` counts as ``<c ``), single quotes to double.
_FOLD = bytes.maketrans(b"\t\n\r/>:'", b'     <"')
#: Then letters to A and digits to 0: a cell reference "XFD1048576" reads "AAA0000000".
_SHAPE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", b"A" * 52 + b"0" * 10)
#: In folded text, a cell whose first attribute is not its reference (one scan, led by a literal).
_CELL_WITHOUT_REFERENCE_FIRST = re.compile(rb'<c (?!r=")')
_DIMENSION = re.compile(rb"<(?:[\w.\-]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REFERENCE = re.compile(rb"\$?([A-Za-z]{1,4})\$?([0-9]{1,9})")


def column_number(letters: str) -> int:
    """The 1-based number of a column: A is 1, Z 26, AA 27, XFD 16,384.

    >>> column_number("A"), column_number("AA"), column_number("xfd")
    (1, 27, 16384)
    """
    number = 0
    for c in letters.upper():
        number = number * 26 + ord(c) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_sheet(name: str, content: bytes, limits: Limits) -> None:
    """A worksheet's declared dimension and actual extent against the limits."""
    head = content[: 1 << 16]
    if (m := _DIMENSION.search(head)) is not None:
        last = m.group(1).split(b":")[-1]
        if (ref := _REFERENCE.fullmatch(last)) is not None:
            _within(name, "declares", column_number(ref.group(1).decode()), int(ref.group(2)), limits)
    rows, columns = sheet_extent(content, limits)
    _within(name, "uses", columns, rows, limits)


def _within(name: str, verb: str, columns: int, rows: int, limits: Limits) -> None:
    """Refuse a sheet whose rectangle from A1 is over a limit."""
    where = f"sheet {name} {verb} cells up to {_column_letters(columns)}{rows}"
    if columns > limits.sheet_columns:
        raise WorkbookRefused(f"{where} ({columns:,} columns; {limits.describe('sheet_columns')})")
    if rows > limits.sheet_rows:
        raise WorkbookRefused(f"{where} ({rows:,} rows; {limits.describe('sheet_rows')})")
    if rows * columns > limits.sheet_cells:
        raise WorkbookRefused(f"{where} ({rows * columns:,} cells from A1; {limits.describe('sheet_cells')})")


def sheet_extent(content: bytes, limits: Limits) -> tuple[int, int]:
    """An upper bound of the last row and column a worksheet's cells reach.

    The usual sheet (every cell with its reference as first attribute) is bounded from
    the longest reference, in a few passes of C-speed byte searches; any other sheet is
    walked element by element, placing cells without a reference as calamine does.

    >>> sheet_extent(b'<sheetData><row r="1"><c r="B3"><v>1</v></c></row></sheetData>', Limits())
    (9, 26)
    >>> sheet_extent(b'<sheetData><row r="7"><c><v>1</v></c><c><v>2</v></c></row></sheetData>', Limits())
    (7, 2)
    """
    folded = content.translate(_FOLD)
    if _CELL_WITHOUT_REFERENCE_FIRST.search(folded) is None:  # every cell has its reference first
        bound = _bound_from_shapes(folded.translate(_SHAPE))
        if bound is not None and _fits(*bound, limits):
            return bound
    return _walk_extent(content)


def _bound_from_shapes(shaped: bytes) -> tuple[int, int] | None:
    """Rows and columns bounded from the shapes of the cell references (``A="AA0000"``).

    None when a reference may have three letters or more: the sheet is then walked.  The
    longest row number is found from the last reference (rows come in order), then
    checked: none is one digit longer.
    """
    if b' A="AA' not in shaped:  # no value of two letters or more: one scan in the usual case
        two = False
    elif b' A="AAA0' in shaped:
        return None
    else:
        two = b' A="AA0' in shaped
    digits = 0
    for letters in (b' A="A', b' A="AA') if two else (b' A="A',):
        at = shaped.rfind(letters + b"0")
        if at < 0:
            continue
        start = end = at + len(letters)
        while shaped[end : end + 1] == b"0":
            end += 1
        found = max(digits, end - start)
        while found < 10 and letters + b"0" * (found + 1) in shaped:
            found += 1
        digits = found
    return (10**digits - 1, 702 if two else 26) if digits else (0, 0)


def _fits(rows: int, columns: int, limits: Limits) -> bool:
    return rows <= limits.sheet_rows and columns <= limits.sheet_columns and rows * columns <= limits.sheet_cells


_ELEMENT = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTRIBUTE = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([^\"']*)[\"']")


def _walk_extent(content: bytes) -> tuple[int, int]:
    """The exact last row and column, element by element (cells without a reference follow
    the one before, rows without one follow the row before)."""
    row = column = last_row = last_column = 0
    for closing, name, attributes in _references(content):
        if closing:
            continue
        ref = _R_ATTRIBUTE.search(attributes)
        value = ref.group(1) if ref else b""
        if name == b"row":
            row = int(value) if value.isdigit() else row + 1
            column = 0
            continue
        cell = _REFERENCE.fullmatch(value)
        if cell is not None:
            column, row = column_number(cell.group(1).decode()), int(cell.group(2))
        else:
            column += 1
        last_row, last_column = max(last_row, row), max(last_column, column)
    return last_row, last_column


def _references(content: bytes) -> Iterator[tuple[bytes, bytes, bytes]]:
    for m in _ELEMENT.finditer(content):
        yield m.group(1), m.group(2), m.group(3)


# ---------------------------------------------------------------------------------------
# OpenDocument spreadsheets: repeated rows and cells

_ODS_ELEMENT = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_REPEATED = re.compile(rb"table:number-(?:rows|columns)-repeated\s*=\s*[\"'](\d{1,12})[\"']")


def _check_ods(content: bytes, limits: Limits) -> None:
    """An OpenDocument sheet's rectangle, repeats included, for cells that hold something.

    A repeated empty row or cell (how an editor writes the unused rest of a sheet) costs
    nothing; a repeated cell with content, or a repeated row holding one, counts in full.
    """
    for table, rows, columns in _ods_extents(content):
        _within(f"content.xml#{table}", "uses", columns, rows, limits)


def _ods_extents(content: bytes) -> Iterator[tuple[int, int, int]]:
    table = row = column = row_repeat = last_row = last_column = 0
    row_has_content = False
    for m in _ODS_ELEMENT.finditer(content):
        closing, name, attributes, empty = m.groups()
        repeat = int(r.group(1)) if (r := _REPEATED.search(attributes)) else 1
        if name == b"table":
            if not closing:
                table += 1
                row = last_row = last_column = 0
            else:
                yield table, last_row, last_column
        elif name == b"table-row":
            if not closing:
                column, row_repeat, row_has_content = 0, repeat, False
                if empty:
                    row += repeat
            else:
                row += row_repeat
                if row_has_content:
                    last_row = max(last_row, row)
        elif not closing:
            column += repeat
            if not empty or b"value-type" in attributes:
                row_has_content = True
                last_column = max(last_column, column)
