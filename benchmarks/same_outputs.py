"""Compare what two versions of dataflow-graph print for the same inputs, byte for byte.

A change that must not alter behaviour (a refactoring, a speed-up) is checked by running
the commands users run -- ``parse``, ``flows`` and ``converge`` as JSON, the Turtle
export and the HTML graph -- with the code of a git revision and with the working tree,
on the same inputs given by the same relative paths: the seed page, the real 2017
workbook and a synthetic register of ``--entries`` entries.  Stdout, stderr, the exit
code and any written file must be identical.

Usage, from the repository root (the venv's python, with the project's test extra)::

    python benchmarks/same_outputs.py --ref b322c75            # seed, 2017 workbook, 1k synthetic
    python benchmarks/same_outputs.py --ref main~3 --entries 0 # no synthetic register
    python benchmarks/same_outputs.py --ref HEAD --keep DIR    # keep the outputs to diff by hand

The revision is checked out in a temporary git worktree and run with ``PYTHONPATH``
pointing at it, so both versions use the same installed dependencies.  Exit 0 when every
output is identical, 1 otherwise (the differing outputs are listed, with the first
differing line of each).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "seeds/000_95fc53981bcca0e2.txt"
WORKBOOK = "tests/data/register/ReleaseRegister-sep-nov-2017.xlsx"

#: (name, arguments after the input path, file the command writes or None)
COMMANDS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("parse", ("parse", "--format", "json"), None),
    ("flows", ("flows", "--format", "json"), None),
    ("converge", ("converge", "--format", "json"), None),
    ("redflags", ("redflags", "--format", "json"), None),
    ("turtle", ("export", "--format", "turtle"), None),
    ("html", ("html", "-o", "{out}"), "{out}"),
)


def _run(tree: Path, data: Path, args: list[str], out: Path | None) -> bytes:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0", COLUMNS="120")
    proc = subprocess.run(
        [sys.executable, "-m", "dataflow_graph", *args],
        cwd=data,
        env=env,
        capture_output=True,
        timeout=1800,
        check=False,
    )
    written = out.read_bytes() if out is not None and out.exists() else b""
    return b"".join(
        (
            f"exit {proc.returncode}\n".encode(),
            b"--- stdout\n",
            proc.stdout,
            b"\n--- stderr\n",
            proc.stderr,
            b"\n--- file\n",
            written,
        )
    )


def _inputs(data: Path, entries: int) -> list[tuple[str, str]]:
    (data / "seeds").mkdir(parents=True)
    shutil.copy(ROOT / SEED, data / SEED)
    (data / "register").mkdir()
    shutil.copy(ROOT / WORKBOOK, data / "register" / Path(WORKBOOK).name)
    inputs = [("seed", SEED), ("workbook", f"register/{Path(WORKBOOK).name}")]
    if entries:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dataflow_graph",
                "synth",
                "--entries",
                str(entries),
                "--seed",
                "1",
                "-o",
                f"synth-{entries}",
            ],
            cwd=data,
            env=env,
            check=True,
            capture_output=True,
        )
        inputs.append((f"synth-{entries}", f"synth-{entries}"))
    return inputs


def _first_difference(a: bytes, b: bytes) -> str:
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if x != y:
            return f"line {n}:\n    - {x[:200]!r}\n    + {y[:200]!r}"
    return f"one output is a prefix of the other ({len(a)} vs {len(b)} bytes)"


def compare(ref: str, entries: int, keep: Path | None) -> int:
    """Run every command on every input with both versions; print and count differences."""
    tmp = Path(tempfile.mkdtemp(prefix="dfg-same-"))
    tree = tmp / "ref"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT, check=True, capture_output=True)
    differ = 0
    try:
        data = tmp / "data"
        inputs = _inputs(data, entries)
        for label, path in inputs:
            for name, args, written in COMMANDS:
                outputs = []
                for side, code in (("before", tree), ("after", ROOT)):
                    # one name for both sides: commands print the path they wrote
                    out = data / "out.html" if written else None
                    if out is not None:
                        out.unlink(missing_ok=True)
                    argv = [a.format(out=out) for a in args] + [path]
                    outputs.append(_run(code, data, argv, out))
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / f"{label}.{name}.{side}").write_bytes(outputs[-1])
                same = outputs[0] == outputs[1]
                digest = hashlib.sha256(outputs[1]).hexdigest()[:12]
                print(
                    f"{'same  ' if same else 'DIFFER'} {label:12} {name:9} {len(outputs[1]):>11,} bytes {digest}",
                    flush=True,
                )
                if not same:
                    differ += 1
                    print("   ", _first_difference(*outputs))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{differ} of {len(inputs) * len(COMMANDS)} outputs differ from {ref}")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ref", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--entries", type=int, default=1000, help="synthetic entries (0: none; default 1000)")
    parser.add_argument("--keep", type=Path, help="write every output here, as LABEL.COMMAND.before|after")
    ns = parser.parse_args(argv)
    return compare(ns.ref, ns.entries, ns.keep)


if __name__ == "__main__":
    sys.exit(main())
