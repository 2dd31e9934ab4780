"""The load cache (dataflow_graph/cache.py): never stale, rebuilt when damaged, whole under races,
and the same results with it and without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api, cache
from dataflow_graph._speed import record_dumps
from dataflow_graph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _load(paths, folder, notes=None):
    register = api.load(paths, cache=folder, note=(notes.append if notes is not None else None))
    register.flows  # noqa: B018 - the flows part
    return register


@pytest.fixture
def page(tmp_path, seed_path):
    target = tmp_path / "page.txt"
    target.write_bytes(seed_path.read_bytes())
    return target


def test_load_cache_serves_the_same_register(page, tmp_path):
    folder = tmp_path / "cache"
    first = _load([page], folder)
    assert {n.split(".")[1] for n in _files(folder)} == {"read", "flows"}
    again = _load([page], folder)
    assert again.entries == first.entries
    assert again.flows == first.flows
    assert again.releases == first.releases
    assert list(again.diagnostics) == list(first.diagnostics)
    assert again.diagnostics.counts() == first.diagnostics.counts()
    assert again.digests == first.digests
    assert again.sources == first.sources


def test_load_cache_a_changed_input_byte_is_never_served_stale(page, tmp_path):
    folder = tmp_path / "cache"
    before = _load([page], folder)
    data = bytearray(page.read_bytes())
    at = data.index(b"NHS Thurrock CCG")
    data[at : at + 3] = b"NHX"
    page.write_bytes(bytes(data))
    after = _load([page], folder)
    assert after.digests != before.digests
    assert after.entries == api.load([page]).entries != before.entries


def test_load_cache_a_changed_rule_file_is_never_served_stale(page, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: 1\n", encoding="utf-8")
    real = cache.source_files()
    monkeypatch.setattr(cache, "source_files", lambda: [*real, rules])
    monkeypatch.setattr(cache, "_CODE", {})
    _load([page], folder)
    first = set(_files(folder))
    assert _load([page], folder) is not None
    assert set(_files(folder)) == first
    rules.write_text("rules: 2\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_CODE", {})
    served = []
    monkeypatch.setattr(cache.LoadCache, "get", lambda self, part, _get=cache.LoadCache.get: served.append(part))
    _load([page], folder)
    assert served == ["read", "flows"]  # looked up under a new key, and found nothing
    assert not (set(_files(folder)) & first)  # the old code's files are gone once the new ones are written


def test_load_cache_a_changed_version_is_never_served_stale(page, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _load([page], folder)
    first = set(_files(folder))
    monkeypatch.setattr(cache, "_version", lambda name="dataflow-graph": "99.0" if name == "dataflow-graph" else name)
    monkeypatch.setattr(cache, "_CODE", {})
    _load([page], folder)
    assert set(_files(folder)).isdisjoint(first)


@pytest.mark.parametrize("dependency", ["python-calamine", "networkx", "pyoxigraph", "python"])
def test_load_cache_another_dependency_version_is_never_served_stale(page, tmp_path, monkeypatch, dependency):
    """The cache folder is shared by the user's virtual environments: one with another
    python-calamine (which reads the workbooks), networkx (which finds the convergences),
    pyoxigraph or Python does not read what this one kept."""
    import sys

    folder = tmp_path / "cache"
    _load([page], folder)
    first = set(_files(folder))
    if dependency == "python":
        monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    else:
        real = cache._version
        monkeypatch.setattr(
            cache, "_version", lambda name="dataflow-graph": "0.0.1" if name == dependency else real(name)
        )
    monkeypatch.setattr(cache, "_CODE", {})
    served = []
    monkeypatch.setattr(cache.LoadCache, "get", lambda self, part, _get=cache.LoadCache.get: served.append(part))
    _load([page], folder)
    assert served == ["read", "flows"]  # looked up under a new key, and found nothing
    now = set(_files(folder))
    assert first < now  # the other environment's files are kept
    assert len(now) == 2 * len(first)


def test_load_cache_key_reads_the_dependencies_versions():
    from importlib import metadata

    for name in cache._DEPENDENCIES:
        assert cache._version(name) == metadata.version(name)
    assert cache._version("no-such-distribution-here") == "unknown"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_load_cache_a_corrupt_file_is_rebuilt_with_a_note(page, tmp_path, damage):
    folder = tmp_path / "cache"
    expected = _load([page], folder)
    (target,) = [folder / n for n in _files(folder) if ".read." in n]
    data = target.read_bytes()
    target.write_bytes(
        {"truncate": data[: len(data) // 2], "flip": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]}.get(
            damage, b"not a cache file" if damage == "garbage" else b""
        )
    )
    notes: list[str] = []
    again = _load([page], folder, notes)
    assert again.entries == expected.entries
    assert list(again.diagnostics) == list(expected.diagnostics)
    assert len(notes) == 1
    assert str(target) in notes[0]
    assert "rebuilding" in notes[0]
    assert target.read_bytes()[:40] == data[:40]
    assert len(target.read_bytes()) == len(data)
    notes.clear()
    _load([page], folder, notes)
    assert notes == []


def test_load_cache_a_corrupt_file_is_a_note_on_stderr_from_dfg(page):
    runner = CliRunner()
    first = runner.invoke(cli, ["parse", str(page), "--format", "json"])
    folder = Path(os.environ["DFG_CACHE_DIR"])
    for name in _files(folder):
        (folder / name).write_bytes(b"junk")
    again = runner.invoke(cli, ["parse", str(page), "--format", "json"])
    assert again.exit_code == 0
    assert again.stdout == first.stdout
    assert "rebuilding it" in again.stderr


def test_load_cache_a_folder_others_may_write_is_refused(page, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    notes: list[str] = []
    register = _load([page], folder, notes)
    assert register.entries
    assert _files(folder) == []
    assert notes
    assert "writable by others" in notes[0]
    assert api.cache_info(folder).refused


_WRITER = """
import sys
from dataflow_graph import api
r = api.load([sys.argv[1]], cache=sys.argv[2])
r.flows
"""


def test_load_cache_two_processes_writing_one_entry_leave_one_whole_file(page, tmp_path):
    folder = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(page), str(folder)], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    names = _files(folder)
    assert not [n for n in names if n.endswith(".tmp")]
    assert sorted(n.split(".")[1] for n in names) == ["flows", "read"]
    notes: list[str] = []
    served = _load([page], folder, notes)
    assert notes == []
    assert served.entries == api.load([page]).entries


def test_load_cache_no_cache_writes_nothing(page):
    folder = Path(os.environ["DFG_CACHE_DIR"])
    for args in (
        ["--no-cache", "flows", str(page)],
        ["flows", str(page), "--no-cache"],
        ["sparql", "convergence", str(page), "--no-cache"],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert _files(folder) == []
    CliRunner().invoke(cli, ["flows", str(page)])
    assert _files(folder)


@pytest.mark.parametrize("store", [False, True], ids=["in-memory", "new-store"])
def test_load_cache_serves_dfg_sparql(page, tmp_path, monkeypatch, store):
    """``dfg sparql`` reads the register through the load cache as every command does (it
    read and extracted everything again, and ``--no-cache`` meant nothing to it)."""
    from dataflow_graph import extract

    runner = CliRunner()
    args = ["sparql", "convergence", str(page), "--format", "json"]
    plain = runner.invoke(cli, [*args, "--no-cache"])
    assert plain.exit_code == 0, plain.output
    assert runner.invoke(cli, ["flows", str(page)]).exit_code == 0

    def again(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("read or extracted again")

    for name in ("read_inputs", "parse_pieces"):
        monkeypatch.setattr(api, name, again)
    monkeypatch.setattr(extract, "extract_all", again)
    warm = runner.invoke(cli, [*args, *(["--store", str(tmp_path / "store")] if store else [])])
    assert warm.exit_code == 0, warm.output
    assert (warm.stdout, warm.stderr) == (plain.stdout, plain.stderr)
    assert json.loads(warm.stdout)["rows"]


def test_load_cache_python_sparql_takes_the_cache_when_asked(page, tmp_path):
    folder = tmp_path / "cache"
    assert api.sparql([page], "convergence") == api.sparql([page], "convergence", cache=folder)
    assert {"read", "flows"} <= {n.split(".")[1] for n in _files(folder)}
    assert _files(Path(os.environ["DFG_CACHE_DIR"])) == []  # off by default, as api.load


def test_load_cache_dfg_cache_info_and_clear(page):
    runner = CliRunner()
    runner.invoke(cli, ["converge", str(page)])
    info = runner.invoke(cli, ["cache", "info"])
    folder = os.environ["DFG_CACHE_DIR"]
    assert info.exit_code == 0
    assert f"folder: {folder}" in info.stdout
    assert "entries: 1 (3 files)" in info.stdout
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0
    assert "removed 3 cache files" in cleared.stderr
    assert _files(Path(folder)) == []
    assert "entries: 0 (0 files)" in runner.invoke(cli, ["cache", "info"]).stdout


def test_load_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DFG_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_folder() == tmp_path / "mine"
    monkeypatch.delenv("DFG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_folder() == tmp_path / "xdg" / "dataflow-graph"


def test_load_cache_python_api_is_off_by_default(page):
    api.load([page]).flows  # noqa: B018
    assert _files(Path(os.environ["DFG_CACHE_DIR"])) == []


@pytest.mark.parametrize("inputs", [[], [str(WORKBOOK)]], ids=["seed", "2017-workbook"])
@pytest.mark.parametrize(
    "command",
    [["parse"], ["flows"], ["converge"], ["org", "NHS Thurrock CCG"], ["redflags"]],
    ids=lambda c: c[0],
)
def test_load_cache_same_json_and_diagnostics_with_and_without(inputs, command):
    runner = CliRunner()
    args = [*command, *inputs, "--format", "json", "-v"]
    plain = runner.invoke(cli, ["--no-cache", *args])
    cold = runner.invoke(cli, args)
    warm = runner.invoke(cli, args)
    assert plain.exit_code == cold.exit_code == warm.exit_code == 0, plain.output
    assert plain.stdout == cold.stdout == warm.stdout
    assert plain.stderr == cold.stderr == warm.stderr  # every diagnostic and the counts line
    json.loads(warm.stdout)


def test_load_cache_release_recipients_kept_as_resolved(tmp_path):
    from dataflow_graph.graph.releases import recipient_of

    folder = tmp_path / "cache"
    first = _load([WORKBOOK], folder)
    resolved = {r.recipient: recipient_of(r.recipient).id for r in first.releases}
    assert first.recipient_ids == resolved
    assert "recipients" in {n.split(".")[1] for n in _files(folder)}
    assert _load([WORKBOOK], folder).recipient_ids == resolved


def test_load_cache_page_sections_stay_lazy_and_equal(page, tmp_path):
    """A page's sections are kept as where their lines are: served from the cache they make
    their spans on use, and equal the sections of a fresh read (lines, text, repr)."""
    from dataflow_graph._speed import _PageSection

    folder = tmp_path / "cache"
    fresh = api.load([page])
    _load([page], folder)
    served = api.load([page], cache=folder)
    sections = [s for e in served.entries for s in e.sections]
    assert sections
    assert all(type(s) is _PageSection for s in sections)
    for s in sections:
        with pytest.raises(AttributeError):
            object.__getattribute__(s, "_lines")
    assert [s.text for s in sections] == [s.text for e in fresh.entries for s in e.sections]
    assert served.entries == fresh.entries
    assert [repr(s) for s in sections] == [repr(s) for e in fresh.entries for s in e.sections]


def test_load_cache_equal_cell_texts_are_written_once_and_served_equal():
    """Equal workbook cells under two entries are pickled as one text: the file holds it once
    and the loaded sections are equal to those pickled (and share the text)."""
    import pickle

    from dataflow_graph._speed import cell_section

    text = "To inform the decision making process\nfor the scope of the future products " * 40
    one = cell_section("Objectives", "book.xlsx#Purposes", 2, text)
    two = cell_section("Objectives", "book.xlsx#Purposes", 9, "".join(list(text)))  # equal, not the same object
    assert one.text is not two.text
    data = record_dumps((one, two))
    assert len(data) < 1.5 * len(text.encode())
    loaded = pickle.loads(data)
    assert loaded == (one, two)
    assert loaded[0].text is loaded[1].text
    assert [s.lines for s in loaded] == [one.lines, two.lines]


def test_load_cache_a_record_is_filled_from_all_its_fields_or_not_at_all():
    """Records are made with ``__new__`` and filled by one filler per class (named once in the
    file); a state of another length is refused, and so is a class that is no frozen record."""
    import pickle

    from dataflow_graph._speed import filler
    from dataflow_graph.errors import Span

    spans = [Span("p.txt", 3, 1, "x"), Span("q", 1, 2, "y"), Span("r", 5, 1, "")]
    data = record_dumps(spans)
    assert data.count(b"filler") == 1
    assert pickle.loads(data) == spans
    fill = filler(Span)
    for state in (("p.txt", 3, 1), ("p.txt", 3, 1, "x", "extra")):
        with pytest.raises(ValueError, match="values to unpack"):
            fill(Span.__new__(Span), state)
    with pytest.raises(pickle.UnpicklingError, match="not a frozen, slotted record"):
        filler(dict)


def test_load_cache_key_names_the_installed_version_and_every_source_file():
    """The version read from the metadata's header is the one importlib.metadata parses, and
    the files listed are every .py and .yaml file of the package."""
    from importlib import metadata

    try:
        installed = metadata.version("dataflow-graph")
    except metadata.PackageNotFoundError:
        installed = "unknown"
    assert cache._version() == installed
    package = Path(cache.__file__).parent
    assert cache.source_files() == sorted([*package.rglob("*.py"), *package.rglob("*.yaml")])
