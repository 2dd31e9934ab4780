"""Promises the repository itself keeps: no path of a developer's machine in any file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: a home folder, macOS user folder, root's home or this workplace's /work tree
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home/[\w.-]+|Users/[\w.-]+)/")
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def _files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        return [ROOT / f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist): walk the tree
        return [p for p in ROOT.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def test_repository_holds_no_machine_path():
    found = []
    for path in _files():
        if not path.exists():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (xlsx, images)
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not found, "paths of a developer's machine:\n" + "\n".join(found)


def _path(*parts: str) -> str:
    """A machine-looking path built from parts, so this file does not hold one itself."""
    return "/" + "/".join(parts)


@pytest.mark.parametrize(
    "line",
    [
        f"see {_path('work', 'notes', 'x.py')}",
        _path("home", "alice", "data"),
        f"({_path('Users', 'bob', 'x')})",
        _path("root", ".cache", ""),
    ],
)
def test_repository_machine_path_pattern_catches(line):
    assert MACHINE_PATH.search(line)


@pytest.mark.parametrize("line", ["https://w3id.org/dpv#x", "dfg synth -o /tmp/register-10k", "a/work/b", "./home/x"])
def test_repository_machine_path_pattern_spares(line):
    assert not MACHINE_PATH.search(line)
