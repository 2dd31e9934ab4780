"""Start-up and warm-query times of `dfg` against the floors of its own dependencies (issue 18).

    python benchmarks/startup.py [--repeat 7]

Prints, for each measure, the best of ``--repeat`` runs in fresh processes beside a baseline
measured in the same run, and their ratio:

- ``dfg --help`` against ``python -c "import click"`` (target <= 1.5x);
- ``dfg --version`` against the same;
- a second ``dfg org "NHS Thurrock CCG"`` on the 2017 workbook (load cache warm) against
  ``python -c "import networkx, rich.console"`` (target <= 2x);
- the first one (cache empty) and one with ``--no-cache``, against the same baseline.

Bytecode is compiled first (as an installed package has it), and the cache is a temporary
folder (``DFG_CACHE_DIR``), removed at the end.  Timings are never asserted by the tests.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
DFG = [sys.executable, "-c", "from dataflow_graph.cli import main; main(prog_name='dfg')"]
ORG = [*DFG, "-q", "org", "NHS Thurrock CCG", str(WORKBOOK)]


def best(argv: list[str], env: dict[str, str], repeat: int, before: list[str] | None = None) -> float:
    """The fastest of ``repeat`` runs of ``argv`` (each after ``before``, untimed, if given)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            subprocess.run(before, env=env, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "dataflow_graph"), quiet=1)
    folder = tempfile.mkdtemp(prefix="dfg-startup-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT), "DFG_CACHE_DIR": folder}
    clear = [*DFG, "cache", "clear"]
    try:
        click_floor = best([sys.executable, "-c", "import click"], env, args.repeat)
        deps_floor = best([sys.executable, "-c", "import networkx, rich.console"], env, args.repeat)
        rows = [
            ("dfg --help", best([*DFG, "--help"], env, args.repeat), "import click", click_floor, 1.5),
            ("dfg --version", best([*DFG, "--version"], env, args.repeat), "import click", click_floor, None),
        ]
        subprocess.run(ORG, env=env, check=True, capture_output=True)  # fill the cache
        rows.append(
            ("dfg org, second run (cache warm)", best(ORG, env, args.repeat), "import networkx, rich", deps_floor, 2.0)
        )
        first = best(ORG, env, max(2, args.repeat // 3), before=clear)
        rows.append(("dfg org, first run (cache empty)", first, "import networkx, rich", deps_floor, None))
        plain = best([*ORG, "--no-cache"], env, max(2, args.repeat // 3))
        rows.append(("dfg org --no-cache", plain, "import networkx, rich", deps_floor, None))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("| measure | time | baseline | baseline time | ratio | target | mark |")
    print("|---|---|---|---|---|---|---|")
    for name, took, base, base_took, target in rows:
        ratio = took / base_took
        mark = "" if target is None else ("pass" if ratio <= target else "MISS")
        shown = "" if target is None else f"<= {target}x"
        print(
            f"| {name} | {took * 1000:.0f} ms | {base} | {base_took * 1000:.0f} ms | {ratio:.2f}x | {shown} | {mark} |"
        )


if __name__ == "__main__":
    main()
