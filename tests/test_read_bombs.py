"""Workbook bombs, generated here, read in a subprocess under a 1 GB address-space limit.

Unchecked, python-calamine holds a sheet as a dense rectangle from A1 to its last cell and
inflates zip members whatever size they declare: a 1.5 KB sheet with values at A1 and
XFD1048576 asks for 512 GiB and aborts the process, taking every other input with it.
Each bomb here must end as one DFG507 naming the limit it broke, in seconds, with the
seed read beside it (exit 0).
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from dataflow_graph.read import Limits
from dataflow_graph.read.register.bounds import WorkbookRefused, bounded_file, bounded_workbook, sheet_extent
from dataflow_graph.read.register.rows import open_workbook

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95fc53981bcca0e2.txt"
XLSX = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="resource.setrlimit is POSIX only")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    'name="DataReleases" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>NIC Number</t></is></c><c r="B1" t="inlineStr"><is><t>Organisation '
    'Name</t></is></c><c r="C1" t="inlineStr"><is><t>Dataset</t></is></c></row>'
)


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main">{dim}<sheetData>{_HEADER}{rows}</sheetData></worksheet>'
    )


def workbook(sheet: str | bytes, at: str = "worksheets/sheet1.xml") -> bytes:
    """A one-sheet workbook that calamine reads (a DataReleases header, then ``sheet``'s rows),
    the sheet stored at ``xl/<at>``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("worksheets/sheet1.xml", at))
        z.writestr(f"xl/{at}", sheet)
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of (name, deflated data, declared size) members, as written (sizes may lie)."""
    parts, directory, offset = [], [], 0
    for name, data, declared in members:
        encoded = name.encode()
        sizes = (0, len(data), declared, len(encoded))
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 33, *sizes, 0)
        directory.append(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, *sizes, 0, 0, 0, 0, 0, offset)
            + encoded
        )
        parts += [local, encoded, data]
        offset += len(local) + len(encoded) + len(data)
    central = b"".join(directory)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join([*parts, central, end])


def deflated_repeats(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int]:
    """A deflate stream of head + chunk * times + tail, built without ever holding the whole,
    and its size once inflated: each full flush makes the compressed chunk repeatable."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == block  # the same bytes each time: the stream may repeat it
    end = compressor.compress(tail) + compressor.flush()
    return start + block * times + end, len(head) + len(chunk) * times + len(tail)


def zip_bomb(*, lying: bool) -> bytes:
    """A workbook of 2.6 MB whose sheet inflates to about 1 GB of one-cell rows (40 million cells)."""
    head = sheet_xml("").split("</sheetData>")[0].encode()
    chunk = b"<row><c><v>1</v></c></row>" * 40_000
    stream, size = deflated_repeats(head, chunk, 1_000, b"</sheetData></worksheet>")
    small = [(n, zlib.compress(t.encode(), 9)[2:-4], len(t.encode())) for n, t in _SMALL_MEMBERS]
    return raw_zip([*small, ("xl/worksheets/sheet1.xml", stream, 1_000 if lying else size)])


_SMALL_MEMBERS = [
    ("[Content_Types].xml", _CONTENT_TYPES),
    ("_rels/.rels", _RELS),
    ("xl/workbook.xml", _WORKBOOK),
    ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
]


def ods(rows: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
        'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="DataReleases">{rows}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
    'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


_CELL = '<table:table-cell {}office:value-type="string"><text:p>x</text:p></table:table-cell>'
VALUE = '<c r="{}"><v>1</v></c>'
_ROWS_OF_REPEATED_CELLS = (
    '<table:table-row table:number-rows-repeated="100000">'
    + _CELL.format('table:number-columns-repeated="1000" ')
    + "</table:table-row>"
)

#: name -> (file content, words the DFG507 message must hold)
BOMBS: dict[str, tuple[bytes, str]] = {
    "corner": (
        workbook(sheet_xml(f'<row r="1048576">{VALUE.format("XFD1048576")}</row>', "A1:A2")),
        "uses cells up to XFD1048576 (17,179,869,184 cells from A1; limit sheet_cells = 10,000,000",
    ),
    "sparse": (
        workbook(sheet_xml(f'<row r="5000">{VALUE.format("XFD5000")}</row>')),
        "uses cells up to XFD5000 (81,920,000 cells from A1; limit sheet_cells",
    ),
    "sheet-named-shared-strings": (
        workbook(sheet_xml(f'<row r="5000">{VALUE.format("XFD5000")}</row>'), at="sharedStrings.xml"),
        "sheet xl/sharedStrings.xml uses cells up to XFD5000",
    ),
    "lowercase-reference": (
        workbook(sheet_xml(f'<row r="5000">{VALUE.format("xfd5000")}</row>')),
        "uses cells up to XFD5000 (81,920,000 cells",
    ),
    "no-references": (
        workbook(sheet_xml('<row r="900000">' + "<c><v>1</v></c>" * 200 + "</row>")),
        "uses cells up to GR900000 (180,000,000 cells",
    ),
    "declared-dimension": (
        workbook(sheet_xml("", "A1:XFD1048576")),
        "declares cells up to XFD1048576",
    ),
    "zip-bomb": (zip_bomb(lying=False), "limit zip_bytes = 268,435,456"),
    "lying-zip-bomb": (zip_bomb(lying=True), "holds more than the 1,000 bytes it declares"),
    "ods-repeats": (
        ods(_ROWS_OF_REPEATED_CELLS),
        "uses cells up to ALL100000 (100,000,000 cells",
    ),
}

CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from dataflow_graph.cli import cli
cli(sys.argv[1:])
"""


@pytest.fixture(scope="module")
def bombed(tmp_path_factory):
    """``dfg parse`` on every bomb and the seed, in one subprocess limited to 1 GB of address space."""
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for name, (data, _) in BOMBS.items():
        paths[name] = folder / f"{name}.{'ods' if name.startswith('ods') else 'xlsx'}"
        paths[name].write_bytes(data)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "parse", *map(str, paths.values()), str(SEED)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return done, paths, time.monotonic() - started


def test_bombs_are_small_files():
    assert all(len(data) < 3_000_000 for data, _ in BOMBS.values())
    assert len(BOMBS["corner"][0]) < 2_000


def test_bombs_run_under_one_gigabyte_in_seconds_and_the_seed_is_read(bombed):
    done, _, elapsed = bombed
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "7 entries read (7 parsed, 0 rejected)" in done.stderr
    assert elapsed < 60


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_one_dfg507_naming_its_limit(bombed, name):
    done, paths, _ = bombed
    lines = [line for line in done.stderr.splitlines() if line.startswith(f"{paths[name]}:1:1: ")]
    assert len(lines) == 1, done.stderr[-3000:]
    assert "error[DFG507] workbook not read: " in lines[0]
    assert BOMBS[name][1] in lines[0]


def test_bomb_stream_builder_inflates_to_what_it_declares():
    stream, size = deflated_repeats(b"<a>", b"xyz" * 1000, 50, b"</a>")
    assert len(zlib.decompress(stream, -15)) == size == 3 + 150_000 + 4


def test_bounds_real_workbook_passes_and_is_read_unchanged():
    data = XLSX.read_bytes()
    stored = bounded_workbook(data, Limits())
    original, checked = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(stored))
    assert [m.filename for m in checked.infolist()] == [m.filename for m in original.infolist()]
    assert {m.compress_type for m in checked.infolist()} == {zipfile.ZIP_STORED}
    assert checked.testzip() is None  # every checksum holds
    assert checked.read("xl/worksheets/sheet3.xml") == original.read("xl/worksheets/sheet3.xml")


@pytest.mark.parametrize(
    ("memfd", "proc"), [(True, True), (True, False), (False, True)], ids=["by-path", "from-file", "stream"]
)
def test_bounds_file_holds_the_checked_zip_and_calamine_reads_it_as_the_bytes(monkeypatch, memfd, proc):
    data = XLSX.read_bytes()
    if not memfd:
        monkeypatch.delattr("os.memfd_create", raising=False)
    if not proc:  # no /proc to open the file by: it is copied into calamine from the file
        monkeypatch.setattr("dataflow_graph.read.register.rows._path_of", lambda file: None)
    with bounded_file(data, Limits()) as checked:
        assert (checked.fileno() > 0) if memfd and hasattr(os, "memfd_create") else isinstance(checked, io.BytesIO)
        book, names = open_workbook(checked)
        checked.seek(0)
        assert checked.read() == bounded_workbook(data, Limits())
    again, same_names = open_workbook(bounded_workbook(data, Limits()))
    assert names == same_names
    for name in names:  # the file is closed: calamine reads its own opening of it
        assert book.get_sheet_by_name(name).to_python() == again.get_sheet_by_name(name).to_python()


@pytest.mark.parametrize(
    ("limit", "value", "words"),
    [
        ("zip_entries", 10, "zip holds 38 members (limit zip_entries = 10"),
        ("zip_bytes", 1_000_000, "members unzip to more than 1,000,000 bytes"),
        ("zip_ratio", 2, "member xl/worksheets/sheet3.xml unzips 9 times its size (241,349 to 2,203,969 bytes"),
        ("sheet_cells", 50_000, "sheet xl/worksheets/sheet3.xml declares cells up to K5777 (63,547 cells"),
        ("sheet_rows", 5_000, "(5,777 rows; limit sheet_rows = 5,000"),
        ("sheet_columns", 10, "(11 columns; limit sheet_columns = 10"),
    ],
)
def test_bounds_each_limit_is_named_when_lowered(limit, value, words):
    with pytest.raises(WorkbookRefused, match=None) as refused:
        bounded_workbook(XLSX.read_bytes(), Limits(**{limit: value}))
    assert words in str(refused.value)
    assert f"DFG_LIMIT_{limit.upper()}" in str(refused.value)


@pytest.mark.parametrize(
    ("xml", "extent"),
    [
        (b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="K5777"><v>1</v></c></row></sheetData>', (9999, 26)),
        (b'<sheetData><row r="2"><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData>', (3, 2)),
        (b"<sheetData><x:row r='4'><x:c\nr = 'AB7'><x:v>1</x:v></x:c></x:row></sheetData>", (7, 28)),
        (b'<sheetData><row r="1"><c t="s" r="ZZZ9"><v>1</v></c></row></sheetData>', (9, 18_278)),
    ],
    ids=["usual", "no-references", "prefixed-spaced", "reference-not-first"],
)
def test_sheet_extent_bounds_every_cell(xml, extent):
    assert sheet_extent(xml, Limits()) == extent
