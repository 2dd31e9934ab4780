"""Each released file and entry counted once, however many inputs carry it (DFG512).

The real case: NHS Digital published the 2017 register as a workbook and as a CSV export
of its DataReleases sheet; a folder holding both must give the counts, findings and red
flags of the workbook alone.  A page saved twice, and a release register read twice, are
counted once too; rows repeated inside one input are not merged.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli

DATA = Path(__file__).resolve().parent / "data" / "register"
XLSX = DATA / "ReleaseRegister-sep-nov-2017.xlsx"
CSV = DATA / "ReleaseRegister-sep-nov-2017DataReleases.csv"
PHE = DATA / "PHE14-15.csv"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_95fc53981bcca0e2.txt"


def _json(*args: object) -> str:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _notes(register) -> list[str]:
    return [str(d).splitlines()[0] for d in register.diagnostics if d.code == "DFG512"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """``one/`` holds the 2017 workbook; ``two/`` the workbook and its CSV export."""
    root = tmp_path_factory.mktemp("register")
    for name, files in (("one", [XLSX]), ("two", [XLSX, CSV])):
        (root / name).mkdir()
        for f in files:
            shutil.copy(f, root / name / f.name)
    return root / "one", root / "two"


@pytest.mark.parametrize("command", ["converge", "redflags"])
def test_duplicates_workbook_and_csv_export_give_the_workbook_alone(folders, command):
    one, two = folders
    alone = json.loads(_json(command, one))
    both = json.loads(_json(command, two).replace(str(two), str(one)))
    assert both == alone
    assert alone["redflags"]
    assert alone["not_applied"]
    if command == "converge":
        assert len(alone["findings"]) > 0


def test_duplicates_workbook_and_csv_export_counts_and_one_note(folders):
    one, two = folders
    alone, both = api.load([one]), api.load([two])
    assert (len(both.entries), len(both.releases)) == (len(alone.entries), len(alone.releases)) == (838, 5788)
    not_applied = [r for r in both.releases if r.opt_outs_applied is False]
    assert len(not_applied) == sum(r.opt_outs_applied is False for r in alone.releases)
    assert sum(r.recipient == "UNIVERSITY COLLEGE LONDON (UCL)" for r in not_applied) == 129
    assert _notes(both) == [
        f"{two / CSV.name}:3:1: note[DFG512] 5,776 released file(s) read here were read already from "
        f"{two / XLSX.name}#DataReleases (same reference, file id, dataset, category, period and opt-outs); "
        f"each counted once, from {two / XLSX.name}#DataReleases"
    ]
    assert both.sources == [str(two / XLSX.name), str(two / CSV.name)]


def test_duplicates_csv_read_first_keeps_the_same_counts():
    register = api.load([CSV, XLSX])
    assert (len(register.entries), len(register.releases)) == (838, 5788)
    assert {r.source for r in register.releases} == {str(CSV), f"{XLSX}#AmendmentsToPreviousRegisters"}
    assert len(api.redflags(register).redflags) == len(api.redflags(api.load([XLSX])).redflags)
    assert len(_notes(register)) == 1


def test_duplicates_page_saved_twice_counts_once(tmp_path):
    for name in ("page.txt", "page (1).txt"):
        shutil.copy(SEED, tmp_path / name)
    twice, once = api.load([tmp_path]), api.load([SEED])
    assert [e.reference for e in twice.entries] == [e.reference for e in once.entries]
    assert len(twice.pages) == 1
    assert len(twice.flows) == len(once.flows)
    assert len(twice.convergences[0]) == len(once.convergences[0])
    assert _notes(twice) == [
        f"{tmp_path / 'page.txt'}:5:1: note[DFG512] 7 entries read here are the same as entries of "
        f"{tmp_path / 'page (1).txt'} (same reference and content); each counted once, from {tmp_path / 'page (1).txt'}"
    ]


def test_duplicates_page_with_one_changed_entry_keeps_the_changed_one(tmp_path):
    shutil.copy(SEED, tmp_path / "a.txt")
    text = SEED.read_text(encoding="utf-8").replace(
        "Invoice Validation with be conducted", "Invoice validation is done", 1
    )
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    register = api.load([tmp_path])
    assert len(register.entries) == 8
    assert "6 entries read here are the same" in _notes(register)[0]


def test_duplicates_copy_found_after_an_unrelated_page_and_a_changed_one(tmp_path):
    """Entries are keyed only once another input has their reference and title: a copy read
    third still counts once, against the first input, with the changed page's entry kept."""
    page = (
        "Example CCG projects\nProject 1 — NIC-10001-AAAAA\nOpt outs honoured: N\nObjectives:\nThe CCG analyses data.\n"
    )
    (tmp_path / "a.txt").write_text(page + page.split("\n", 1)[1], encoding="utf-8")  # the entry twice
    (tmp_path / "b.txt").write_text(page.replace("NIC-10001", "NIC-10002"), encoding="utf-8")
    (tmp_path / "c.txt").write_text(page.replace("analyses", "studies"), encoding="utf-8")
    (tmp_path / "d.txt").write_text(page + page.split("\n", 1)[1] * 2, encoding="utf-8")  # three times
    register = api.load([tmp_path])
    kept = [(e.source, e.reference) for e in register.entries]
    assert kept == [
        (str(tmp_path / "a.txt"), "NIC-10001-AAAAA"),
        (str(tmp_path / "a.txt"), "NIC-10001-AAAAA"),
        (str(tmp_path / "b.txt"), "NIC-10002-AAAAA"),
        (str(tmp_path / "c.txt"), "NIC-10001-AAAAA"),
        (str(tmp_path / "d.txt"), "NIC-10001-AAAAA"),
    ]
    assert len(_notes(register)) == 1
    assert "2 entries read here are the same as entries of " + str(tmp_path / "a.txt") in _notes(register)[0]


def test_duplicates_release_register_read_twice_counts_once(tmp_path):
    shutil.copy(PHE, tmp_path / "PHE14-15.csv")
    shutil.copy(PHE, tmp_path / "PHE14-15 copy.csv")
    twice, once = api.load([tmp_path]), api.load([PHE])
    assert (len(twice.entries), len(twice.releases)) == (len(once.entries), len(once.releases)) == (65, 65)
    assert len(twice.flows) == len(once.flows)
    assert len(_notes(twice)) == 2  # one for the released files, one for the entries made from them


def test_duplicates_entry_made_from_copied_rows_only_is_left_out(tmp_path):
    lines = PHE.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    (tmp_path / "a.csv").write_text(header + "".join(rows[:40]), encoding="utf-8")
    (tmp_path / "b.csv").write_text(header + "".join(rows[20:]), encoding="utf-8")
    register = api.load([tmp_path])
    assert len(register.releases) == 65
    assert len(register.entries) == 65
    assert sorted(e.reference for e in register.entries) == sorted(e.reference for e in api.load([PHE]).entries)


def test_duplicates_rows_repeated_inside_one_input_are_kept(tmp_path):
    lines = PHE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "repeated.csv"
    path.write_text(lines[0] + lines[1] + lines[1], encoding="utf-8")
    register = api.load([path])
    assert len(register.releases) == 2
    assert _notes(register) == []


def test_duplicates_one_input_computes_no_keys(monkeypatch):
    from dataflow_graph.read import duplicates

    def fail(_):
        raise AssertionError("a key was computed for a single input")

    monkeypatch.setattr(duplicates, "release_key", fail)
    monkeypatch.setattr(duplicates, "entry_key", fail)
    assert len(api.load([CSV]).releases) == 5776


def _plain_content(value: object) -> object:
    """The content of a value as the module documents it, written the plain recursive way."""
    import dataclasses
    import enum

    from dataflow_graph.errors import Span

    if isinstance(value, Span):
        return value.text
    if isinstance(value, (str, int, float, bool, enum.Enum)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_plain_content(v) for v in value)
    assert dataclasses.is_dataclass(value)
    assert not isinstance(value, type)
    return tuple(_plain_content(getattr(value, f.name)) for f in dataclasses.fields(value))


def test_duplicates_entry_key_is_the_plain_content_of_every_field():
    """The fast key (one reduction per type, tuples mapped in C) equals the plain recursive one,
    on pages of every variant, an HTML page and the 2017 workbook's entries (lazy sections)."""
    import dataclasses

    from dataflow_graph.read.duplicates import _WHERE, entry_key

    pages = Path(__file__).resolve().parent / "data" / "pages"
    register = api.load([SEED, pages, XLSX, PHE])
    assert len(register.entries) > 100
    for e in register.entries:
        plain = tuple(_plain_content(getattr(e, f.name)) for f in dataclasses.fields(e) if f.name not in _WHERE)
        assert entry_key(e) == plain, e.id
