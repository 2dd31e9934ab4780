"""Every file the CLI writes is replaced in one step; a failed write keeps the old file, leaves
no part and says so in one line; stdout is written whole."""

from __future__ import annotations

import io
import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.outputs.files import OutputError, write_file, write_output, write_stdout

ROOT = Path(__file__).resolve().parent.parent
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _run(args: list[str], *, fsize: int | None = None, **kwargs) -> subprocess.CompletedProcess[bytes]:
    """``dfg ARGS`` in a subprocess, with a file size limit of ``fsize`` bytes if given."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "dataflow_graph", *args],
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limit,
        timeout=120,
        check=False,
        **kwargs,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["parse", "--format", "json", "-o", "{out}"],
        ["flows", "--format", "csv", "-o", "{out}"],
        ["export", "--format", "turtle", "-o", "{out}"],
        ["html", "-o", "{out}"],
        ["parse", "--format", "json", "-o", "/dev/null", "--errors-csv", "{out}"],
    ],
    ids=["parse -o", "flows csv -o", "export -o", "html -o", "--errors-csv"],
)
def test_files_write_over_the_size_limit_keeps_the_old_file(tmp_path, args):
    out = tmp_path / "out.file"
    out.write_text("OLD\n", encoding="utf-8")
    done = _run([a.format(out=out) for a in args], fsize=100)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == f"Error: cannot write {out}: File too large; nothing was changed"
    assert b"Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "OLD\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.file"]


def _need_dev_full() -> None:
    """Skip without /dev/full (not Linux), except under CI, where it is required."""
    if not Path("/dev/full").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/dev/full is required under CI")
        pytest.skip("no /dev/full on this system")


def test_files_dev_full_is_one_line_exit_1():
    _need_dev_full()
    done = _run(["parse", "--format", "json", "-o", "/dev/full"])
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == "Error: cannot write /dev/full: No space left on device"


def test_files_stdout_on_dev_full_is_one_line_exit_1():
    _need_dev_full()
    with open("/dev/full", "wb") as full:
        done = _run(["parse", "--format", "json"], stdout=full)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == "Error: cannot write to stdout: No space left on device"
    assert b"Traceback" not in done.stderr


def test_files_unbuffered_stdout_is_written_whole(tmp_path):
    """``PYTHONUNBUFFERED=1`` makes stdout a raw file, whose writes may take part of the bytes."""
    expected = _run(["export", "--format", "nt"]).stdout
    env_unbuffered = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "dataflow_graph", "export", "--format", "nt"],
        capture_output=True,
        env=env_unbuffered,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == expected
    assert len(expected) > 100_000


class _Trickle(io.RawIOBase):
    """A raw stream that takes at most 1,000 bytes a write, as a pipe or a 2 GiB cap would."""

    def __init__(self) -> None:
        self.got = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        taken = bytes(b[:1000])
        self.got += taken
        return len(taken)


def test_write_stdout_loops_over_partial_writes():
    raw = _Trickle()
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    write_stdout("é" * 5000 + "\n", stream)
    assert bytes(raw.got) == ("é" * 5000 + "\n").encode("utf-8")


def test_write_output_dash_is_stdout(capsys, tmp_path):
    os.chdir(tmp_path)
    write_output("to stdout\n", "-")
    assert capsys.readouterr().out == "to stdout\n"
    assert not (tmp_path / "-").exists()


def test_files_cli_dash_output_is_stdout(tmp_path):
    for args in (["parse", "--format", "json", "-o", "-"], ["export", "--format", "nt", "-o", "-"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0
        assert result.stdout_bytes.strip()
    assert json.loads(CliRunner().invoke(cli, ["parse", "--format", "json", "-o", "-"]).stdout)["entries"]


def test_write_file_keeps_mode_and_follows_links(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_file(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_write_file_into_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(OutputError, match=r"^cannot write .*/missing/out.txt: No such file or directory; nothing"):
        write_file(tmp_path / "missing" / "out.txt", "x")


def test_write_file_over_a_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match="it is a folder"):
        write_file(tmp_path, "x")


@pytest.mark.skipif(AS_ROOT, reason="root may write anywhere: permissions cannot fail")
def test_write_file_read_only_file_and_folder_are_refused(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("old", encoding="utf-8")
    locked.chmod(0o444)
    with pytest.raises(OutputError, match="permission denied"):
        write_file(locked, "new")
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "out.txt").write_text("old", encoding="utf-8")
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            write_file(folder / "out.txt", "new")
        assert (folder / "out.txt").read_text(encoding="utf-8") == "old"
    finally:
        folder.chmod(0o755)
