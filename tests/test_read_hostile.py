"""Hostile and unlucky inputs, generated here (no committed blobs): each ends with its
documented diagnostic and exit code, never a traceback, and the other inputs are still read.

Every case runs ``dfg parse CASE SEED`` (the seed must still give its 7 entries, exit 0)
and ``dfg parse CASE`` alone (nothing read: exit 1 and "no register entries were read").
Workbook bombs run in a subprocess under a 1 GB address-space limit: test_read_bombs.py.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli
from dataflow_graph.errors import NothingReadError, UsageError
from dataflow_graph.read import Limits, limits_from_environment

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95fc53981bcca0e2.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: Small limits so that the cases run in milliseconds.
QUICK = {"DFG_LIMIT_STREAM_WAIT": "0.3", "DFG_LIMIT_STREAM_BYTES": "2000000", "DFG_LIMIT_FILE_BYTES": "2000000"}
PAGE = "Example CCG projects\nProject 1 — NIC-10001-AAAAA\nOpt outs honoured: N\nObjectives:\nThe CCG analyses data.\n"


def parse(*paths: object, env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
    return CliRunner().invoke(cli, ["parse", "-v", *map(str, paths), *args], env={**QUICK, **(env or {})})


def assert_clean(result, code: str, where: str, exit_code: int = 0) -> None:
    """The diagnostic line is on stderr at ``where``, no traceback, the exit code as documented."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert any(line.startswith(f"{where}: ") and f"[{code}]" in line for line in result.stderr.splitlines()), (
        result.stderr
    )


def assert_seed_still_read(result) -> None:
    assert "7 entries read (7 parsed, 0 rejected)" in result.stderr


def assert_nothing_read(result, shown: object) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == f"Error: no register entries were read from {shown}"


# ---------------------------------------------------------------------------------------
# Paths that cannot be read


def test_hostile_missing_path_is_dfg110_and_alone_exits_one(tmp_path):
    path = tmp_path / "misspelt.txt"
    assert_clean(parse(path, SEED), "DFG110", f"{path}:1:1")
    assert_seed_still_read(parse(path, SEED))
    assert_nothing_read(parse(path), path)


@pytest.mark.skipif(IS_ROOT, reason="root ignores file permissions; the simulated case below runs anyway")
def test_hostile_unreadable_file_and_unsearchable_folder_are_dfg110(tmp_path):
    unreadable = tmp_path / "unreadable.txt"
    unreadable.write_text(PAGE, encoding="utf-8")
    unreadable.chmod(0)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "page.txt").write_text(PAGE, encoding="utf-8")
    locked.chmod(0)
    try:
        result = parse(unreadable, locked / "page.txt", SEED)
        assert_clean(result, "DFG110", f"{unreadable}:1:1")
        assert_clean(result, "DFG110", f"{locked / 'page.txt'}:1:1")
        assert_seed_still_read(result)
    finally:
        locked.chmod(stat.S_IRWXU)


def test_hostile_permission_denied_is_dfg110_and_other_paths_are_read(tmp_path, monkeypatch):
    """Simulated (root reads everything): opening the file fails with EACCES."""
    denied = tmp_path / "denied.txt"
    denied.write_text(PAGE, encoding="utf-8")
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if str(path) == str(denied):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    result = parse(denied, SEED)
    assert_clean(result, "DFG110", f"{denied}:1:1")
    assert "cannot read: Permission denied" in result.stderr
    assert_seed_still_read(result)


def test_hostile_unsearchable_folder_on_the_way_is_dfg110(tmp_path, monkeypatch):
    """Simulated: stat of a path under a folder without search permission fails with EACCES."""
    below = tmp_path / "locked" / "page.txt"
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):
        if str(path) == str(below):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", fake_stat)
    result = parse(below, SEED)
    assert_clean(result, "DFG110", f"{below}:1:1")
    assert_seed_still_read(result)


# ---------------------------------------------------------------------------------------
# Folders


def test_hostile_folder_named_like_a_page_is_dfg115(tmp_path):
    folder = tmp_path / "x.txt"
    folder.mkdir()
    assert_clean(parse(folder, SEED), "DFG115", f"{folder}:1:1")
    assert_nothing_read(parse(folder), folder)


def test_hostile_empty_folder_is_dfg115_and_alone_exits_one(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    result = parse(folder)
    assert_clean(result, "DFG115", f"{folder}:1:1", exit_code=1)
    assert "1 other file ignored" in result.stderr
    assert_nothing_read(result, folder)


def test_hostile_unlistable_sub_folder_is_dfg114_and_the_rest_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text(PAGE, encoding="utf-8")
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    real_scandir = os.scandir

    def fake_scandir(path=".", *args):
        if str(path) == str(folder / "locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    result = parse(folder)
    assert_clean(result, "DFG114", f"{folder / 'locked'}:1:1")
    assert_seed_still_read(result)


# ---------------------------------------------------------------------------------------
# Streams: FIFOs, devices, standard input


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_hostile_fifo_nobody_writes_to_is_dfg113_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = parse(fifo, SEED)
    assert time.monotonic() - started < 10
    assert_clean(result, "DFG113", f"{fifo}:1:1")
    assert "nothing was written to this FIFO or pipe within 0.3 s" in result.stderr
    assert_seed_still_read(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_hostile_fifo_with_a_writer_is_read_whole(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as out:  # blocks until the reader opens the FIFO
            out.write(SEED.read_bytes())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = parse(fifo, env={"DFG_LIMIT_STREAM_WAIT": "20"})
    writer.join(timeout=20)
    assert result.exit_code == 0, result.output
    assert_seed_still_read(result)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this platform")
def test_hostile_dev_zero_stops_at_the_stream_limit(tmp_path):
    started = time.monotonic()
    result = parse("/dev/zero", SEED)
    assert time.monotonic() - started < 20
    assert_clean(result, "DFG113", "/dev/zero:1:1")
    assert "more than 2,000,000 bytes (limit stream_bytes" in result.stderr
    assert_seed_still_read(result)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null on this platform")
def test_hostile_dev_null_is_an_empty_file():
    result = parse("/dev/null", SEED)
    assert_clean(result, "DFG105", "/dev/null:1:1")
    assert_seed_still_read(result)


def test_hostile_file_over_the_size_limit_is_skipped_unread(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(PAGE.encode() + b"x" * 2_000_001)
    result = parse(big, SEED)
    assert_clean(result, "DFG113", f"{big}:1:1")
    assert "limit file_bytes = 2,000,000 (DFG_LIMIT_FILE_BYTES)" in result.stderr
    assert_seed_still_read(result)


def test_stdin_dash_reads_every_entry():
    result = CliRunner().invoke(cli, ["parse", "-", "--format", "json"], input=SEED.read_bytes())
    assert result.exit_code == 0, result.output
    assert_seed_still_read(result)


def test_stdin_empty_is_nothing_read():
    result = CliRunner().invoke(cli, ["parse", "-"], input=b"")
    assert_clean(result, "DFG105", "<stdin>:1:1", exit_code=1)
    assert_nothing_read(result, "-")


@pytest.mark.parametrize(
    "command",
    [
        '"$PY" -m dataflow_graph parse - < "$SEED"',
        'cat "$SEED" | "$PY" -m dataflow_graph parse -',
        'cat "$SEED" | "$PY" -m dataflow_graph parse /dev/stdin',
        '"$PY" -m dataflow_graph parse <(cat "$SEED")',
    ],
    ids=["redirect", "pipe-dash", "pipe-dev-stdin", "process-substitution"],
)
def test_stdin_pipes_and_process_substitution_read_seven_of_seven(command):
    if not Path("/bin/bash").exists():
        pytest.skip("needs bash")
    env = {**os.environ, "PY": sys.executable, "SEED": str(SEED), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["/bin/bash", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "7 entries read (7 parsed, 0 rejected)" in done.stderr
    assert done.stdout.count("NIC-") >= 7


# ---------------------------------------------------------------------------------------
# Content: no entries, wrong dashes, stray bytes, UTF-32, truncation, escapes, binary


def test_hostile_text_file_without_entries_is_dfg111(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\nmilk\n", encoding="utf-8")
    assert_clean(parse(notes, SEED), "DFG111", f"{notes}:1:1")
    assert_nothing_read(parse(notes), notes)


def test_hostile_headings_that_yield_no_entry_are_an_error_and_fail_strict(tmp_path):
    hyphens = tmp_path / "hyphens.txt"
    hyphens.write_text(PAGE.replace("—", "-") + "Project 2 - NIC-10002-BBBBB\nOpt outs honoured: N\n", encoding="utf-8")
    result = parse(hyphens, SEED)
    assert_clean(result, "DFG112", f"{hyphens}:2:1")
    assert "9 entries read (7 parsed, 2 rejected)" in result.stderr
    assert_clean(parse(hyphens, SEED, args=("--strict",)), "DFG112", f"{hyphens}:2:1", exit_code=1)


def test_hostile_stray_bytes_cost_each_line_a_warning_not_the_page(tmp_path):
    data = SEED.read_bytes()
    lines = data.split(b"\n")
    lines[4] = lines[4].replace(b"IV", b"I\xffV", 1)  # the first heading
    lines[10] = b"\x97" + lines[10] + b"\x00"
    stray = tmp_path / "stray.txt"
    stray.write_bytes(b"\n".join(lines))
    result = parse(stray)
    assert_clean(result, "DFG101", f"{stray}:5:28")
    assert_clean(result, "DFG101", f"{stray}:11:1")
    assert "byte 0xff is not UTF-8 ('ÿ' in cp1252); read as U+FFFD, the rest of the file as UTF-8" in result.stderr
    assert "; 1 more on this line" in result.stderr
    assert_seed_still_read(result)


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be", "utf-16-be"])
def test_hostile_utf32_and_utf16_with_a_bom_are_read(tmp_path, encoding):
    path = tmp_path / "wide.txt"
    text = SEED.read_text(encoding="utf-8")
    path.write_bytes(("\ufeff" if encoding.endswith("-be") else "").encode(encoding) + text.encode(encoding))
    result = parse(path)
    assert result.exit_code == 0, result.output
    assert_seed_still_read(result)


def test_hostile_page_cut_inside_objectives_is_truncated(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    last = text.rindex("Objectives:")
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.index("\n", last + 40) + 1], encoding="utf-8")
    result = parse(cut)
    assert_clean(result, "DFG107", f"{cut}:947:1")
    assert "before its 'Processing' section(s), which every other entry of this page has" in result.stderr


def test_hostile_page_cut_mid_line_inside_processing_is_truncated(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.rindex("Patient level data will") + 22], encoding="utf-8")
    result = parse(cut)
    assert_clean(result, "DFG107", f"{cut}:947:1")
    assert "page ends in the middle of a line of section 'Processing'" in result.stderr


def test_hostile_whole_page_is_not_truncated():
    assert "DFG107" not in parse(SEED).stderr


def test_hostile_terminal_escapes_never_reach_stderr_raw(tmp_path):
    page = tmp_path / "escapes.txt"
    page.write_text(
        "Project 1 — NIC-10001-AAAAA\nOpt outs honoured: N\nThe \x1b[2J\x1b]0;owned\x07 \u202ereversed\x9b1m\n"
        "Objectives:\nok.\n",
        encoding="utf-8",
    )
    result = parse(page)
    assert result.exit_code == 0, result.output
    assert "DFG102" in result.stderr
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in result.stderr
    assert r"The \x1b[2J\x1b]0;owned\x07 \u202ereversed\x9b1m" in result.stderr


def test_hostile_binary_file_is_dfg104(tmp_path):
    blob = tmp_path / "image.txt"
    blob.write_bytes(bytes(range(256)) * 40)
    assert_clean(parse(blob, SEED), "DFG104", f"{blob}:1:1")


def test_hostile_zip_that_is_not_a_workbook_is_dfg507(tmp_path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert_clean(parse(path, SEED), "DFG507", f"{path}:1:1")


def test_hostile_binary_xls_workbook_is_refused_with_dfg507(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    result = parse(path, SEED)
    assert_clean(result, "DFG507", f"{path}:1:1")
    assert "a binary workbook (.xls) is not read" in result.stderr
    assert_seed_still_read(result)


# ---------------------------------------------------------------------------------------
# Limits: documented, overridable, checked


def test_limits_environment_overrides_each_limit():
    limits = limits_from_environment({"DFG_LIMIT_SHEET_CELLS": "5", "DFG_LIMIT_STREAM_WAIT": "0.5"})
    assert (limits.sheet_cells, limits.stream_wait, limits.zip_ratio) == (5, 0.5, Limits().zip_ratio)


@pytest.mark.parametrize("value", [("DFG_LIMIT_NO_SUCH", "1"), ("DFG_LIMIT_ZIP_RATIO", "many")])
def test_limits_bad_environment_is_a_usage_error(value):
    with pytest.raises(UsageError, match=value[0]):
        limits_from_environment(dict([value]))
    result = parse(SEED, env=dict([value]))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: {value[0]}")


def test_api_load_nothing_read_carries_the_diagnostics(tmp_path):
    with pytest.raises(NothingReadError) as raised:
        api.load([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert str(raised.value) == f"no register entries were read from {tmp_path / 'a.txt'}, {tmp_path / 'b.txt'}"
    assert [d.code for d in raised.value.diagnostics] == ["DFG110", "DFG110"]


def test_hostile_stray_bytes_on_every_line_are_reported_within_a_bound():
    from dataflow_graph.errors import Diagnostics
    from dataflow_graph.read.sources import STRAY_LINES_REPORTED, decode

    diagnostics = Diagnostics()
    text = decode(
        "Project 1 — NIC-10001-AAAAA\n".encode() + b"x\xff\n" * (STRAY_LINES_REPORTED + 500), "p", diagnostics
    )
    assert text.count("\ufffd") == STRAY_LINES_REPORTED + 500
    assert len(diagnostics) == STRAY_LINES_REPORTED + 1
    assert str(diagnostics.items[-1]).startswith(f"p:{STRAY_LINES_REPORTED + 2}:2: warning[DFG101] 500 more lines")
