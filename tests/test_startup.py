"""`dfg --help` and `dfg --version` import click alone: no networkx, RDF, rich tables or calamine.

Timings are measured by benchmarks/startup.py, never asserted here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from dataflow_graph import api, cli
from dataflow_graph.model import FlowKind, Identifiability
from dataflow_graph.outputs.formats import WRITERS
from dataflow_graph.outputs.terminal import FORMATS

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("networkx", "rdflib", "pyoxigraph", "oxrdflib", "pyshacl", "rich", "python_calamine", "pyvis", "yaml")

_PROBE = """
import sys
from dataflow_graph.cli import cli
try:
    cli([{args}], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
ours = sorted(m for m in sys.modules if m.startswith("dataflow_graph"))
print(heavy, ours, file=sys.stderr)
assert not heavy, heavy
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["cache", "--help"], ["org", "--help"]])
def test_startup_help_and_version_import_no_heavy_module(args):
    code = _PROBE.format(args=", ".join(repr(a) for a in args), heavy=set(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "dfg" in done.stdout


def test_startup_the_cli_values_are_those_of_their_sources():
    assert cli.OUTPUT_FORMATS == FORMATS
    assert cli.EXPORT_FORMATS == tuple(sorted(WRITERS))
    assert cli.IDENTIFIABILITY == tuple(m.value for m in Identifiability)
    assert cli.FLOW_KINDS == tuple(m.value for m in FlowKind)
    assert cli.ROLLUPS == tuple(m.value for m in api.RollUp)
    assert (cli.DEFAULT_SOURCE, cli.DEFAULT_DEPTH, cli.DEFAULT_BASE) == (
        api.DEFAULT_SOURCE,
        api.DEFAULT_DEPTH,
        api.DEFAULT_BASE,
    )
    assert (cli.DEFAULT_TIMEOUT, cli.DEFAULT_MAX_BODY) == (api.DEFAULT_TIMEOUT, api.DEFAULT_MAX_BODY)
    assert {m.value for m in api.Direction} == {"up", "down"}


_FREEZE = """
import gc, sys
from dataflow_graph.cli import {entry}
try:
    {entry}(["-q", "--no-cache", "parse", sys.argv[1], "--format", "json", "-o", sys.argv[2]], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(gc.get_freeze_count())
"""


def test_startup_only_the_dfg_process_freezes_its_records_out_of_the_collector(seed_path, tmp_path):
    """`dfg` (cli.main) leaves records it read out of later collector scans; the click group
    called as a library (CliRunner, notebooks) keeps the collector as it is."""
    printed = _as_dfg_and_as_library(_FREEZE, seed_path, tmp_path)
    counts = {entry: int(out.split()[-1]) for entry, out in printed.items()}
    assert counts["main"] > 0
    assert counts["cli"] == 0
    assert (tmp_path / "main.json").read_bytes() == (tmp_path / "cli.json").read_bytes()


def _as_dfg_and_as_library(script: str, seed_path, tmp_path) -> dict[str, str]:
    """What ``script`` prints, run with its command called through ``cli.main`` (as `dfg`)
    and through the click group (as a library), each writing ``tmp_path/<entry>.json``."""
    printed = {}
    for entry in ("main", "cli"):
        done = subprocess.run(
            [sys.executable, "-c", script.format(entry=entry), str(seed_path), str(tmp_path / f"{entry}.json")],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        printed[entry] = done.stdout
    return printed


_KEPT = """
import gc, sys, weakref
from dataflow_graph import api, cli
loaded = []
load = api.load
def noted(*args, **kwargs):
    register = load(*args, **kwargs)
    loaded.append(weakref.ref(register))
    return register
api.load = noted
try:
    cli.{entry}(["-q", "--no-cache", "flows", sys.argv[1], "--format", "json", "-o", sys.argv[2]], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
gc.collect()
print(len(loaded), loaded[0]() is not None)
"""


def test_startup_the_dfg_process_keeps_the_register_it_loaded_to_exit(seed_path, tmp_path):
    """`dfg` (cli.main) keeps the register it loaded when the command returns (freeing it
    object by object took a quarter of a second at 10k entries); the click group called as
    a library (CliRunner, notebooks) frees it."""
    printed = _as_dfg_and_as_library(_KEPT, seed_path, tmp_path)
    kept = {entry: out.split()[-2:] for entry, out in printed.items()}
    assert kept == {"main": ["1", "True"], "cli": ["1", "False"]}
    assert (tmp_path / "main.json").read_bytes() == (tmp_path / "cli.json").read_bytes()


_AT_EXIT = """
import os
from dataflow_graph import _lifetime

class Noisy:
    def __init__(self, name):
        self.name, self.parts = name, [[i] for i in range(1000)]
    def __del__(self, write=os.write):  # os.write itself: late in the exit, sys.stdout is gone
        write(1, f"freed {{self.name}}\\n".encode())

_lifetime.records_live_to_exit = {live}
_lifetime.keep_to_exit(Noisy("kept"))
os.write(1, b"end\\n")
"""


@pytest.mark.parametrize("live", [True, False])
def test_startup_what_is_kept_to_exit_is_never_freed(live):
    """What a `dfg` process keeps to exit is not freed when the caller drops it, nor object by
    object at exit; a library caller keeps nothing (freed as soon as it is dropped)."""
    done = subprocess.run(
        [sys.executable, "-c", _AT_EXIT.format(live=live)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.splitlines() == (["end"] if live else ["freed kept", "end"])


_CACHE_HIT = """
import sys
from dataflow_graph.cli import main
try:
    main(["org", "NHS Thurrock CCG", sys.argv[1], "--format", "json", "-q"], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(sorted(m for m in sys.modules if m.startswith(("dataflow_graph.read.", "dataflow_graph.extract", "yaml",
                                                    "multiprocessing", "concurrent"))))
"""


@pytest.mark.parametrize("source", ["seed", "workbook"])
def test_startup_a_cache_hit_imports_no_parser(source, seed_path, tmp_path):
    """The second `dfg org` on the same inputs reads the load cache: the page and register
    parsers and the extractor (their many patterns) are never imported, nor PyYAML (the
    released files' recipients are kept resolved: the gazetteer is not loaded) nor the
    worker pools."""
    given = str(seed_path) if source == "seed" else str(ROOT / "tests/data/register/ReleaseRegister-sep-nov-2017.xlsx")
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "DFG_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", _CACHE_HIT, given], capture_output=True, text=True, cwd=ROOT, env=env)
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    first, second = (ast.literal_eval(r.stdout.strip().splitlines()[-1]) for r in runs)
    parsers = ("dataflow_graph.read.page", "dataflow_graph.read.register", "dataflow_graph.read.sources")
    read_by = "dataflow_graph.read.page" if source == "seed" else "dataflow_graph.read.register"
    assert {read_by, "yaml"} <= set(first)  # the first run parses, and reads reviewed YAML
    unused = (*parsers, "dataflow_graph.extract", "yaml", "multiprocessing", "concurrent")
    assert not [m for m in second if m.startswith(unused)], second


_COLLECTOR = """
import contextlib, gc, sys
from dataflow_graph import cli
seen = {{}}
real_phase = cli.phase

@contextlib.contextmanager
def phase(text):
    seen.setdefault("importing", gc.isenabled())
    seen.setdefault("networkx", "networkx" in sys.modules)
    with real_phase(text):
        seen.setdefault("working", gc.isenabled())
        yield

cli.phase = phase
try:
    cli.main([{args}], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(seen.get("importing"), seen.get("networkx"), seen.get("working"), gc.isenabled(), gc.get_freeze_count() > 0)
"""


_NO_GRAPH = """
import sys
from dataflow_graph.cli import cli
try:
    cli([*sys.argv[1:], "--no-cache", "-q"], prog_name="dfg")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(sorted(m for m in sys.modules if m.startswith(("networkx", "dataflow_graph.graph", "rich"))))
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-q", "--no-cache", "org", "NHS Thurrock CCG", "SEED"], "False True True True True"),
        (["families"], "None None None True True"),
    ],
)
def test_startup_the_collector_is_off_while_a_dfg_command_imports_and_on_for_its_work(seed_path, args, expected):
    """`dfg` (cli.main) pauses the cycle collector while the command imports its modules
    (networkx among them), then freezes them and turns it back on for the command's work;
    a command with no step to announce gets it back when it returns."""
    argv = ", ".join(repr(str(seed_path) if a == "SEED" else a) for a in args)
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR.format(args=argv)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split()[-5:] == expected.split()


@pytest.mark.parametrize(
    "args", [["flows", "--format", "json"], ["flows", "--format", "csv"], ["parse", "--format", "json"]]
)
def test_startup_commands_without_the_flow_graph_never_import_it(args, seed_path):
    """`dfg flows` and `dfg parse` need neither the flow graph nor networkx (importing them
    was a sixth of a `dfg flows` run on 1,000 entries), nor rich (its progress bar is for a terminal).
    The check runs where it can fail: `dfg converge` on the same page imports networkx."""
    env = {"PYTHONPATH": str(ROOT), "PATH": ""}

    def imported(argv: list[str]) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _NO_GRAPH, *argv, str(seed_path)], capture_output=True, text=True, cwd=ROOT, env=env
        )
        assert done.returncode == 0, done.stderr
        return ast.literal_eval(done.stdout.strip().splitlines()[-1])

    assert imported(args) == []
    assert "networkx" in imported(["converge", "--format", "json"])
