"""`dfg parse seeds/` against the hand-labelled gold: every header fact of every entry.

The comparison is driven by the gold file: each gold key names a fact and a reader of
the JSON entry, so a fact added to the gold must be given a reader here (an unknown
key fails) rather than be skipped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import yaml
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli
from dataflow_graph.outputs.documents import parse_document

#: Gold opt-out verdicts (true/false/"mixed") in the JSON contract's words.
OPT_OUTS = {True: "yes", False: "no", "mixed": "mixed"}


def _window(key: str) -> Callable[[dict], object]:
    def read(entry: dict) -> object:
        window = entry[key]
        return None if window is None else {"start": window["start"], "end": window["end"]}

    return read


#: Gold key -> (reader of the JSON entry, how the gold value is turned into the same form).
FACTS: dict[str, tuple[Callable[[dict], object], Callable[[object], object]]] = {
    "ref": (lambda e: e["reference"], str),
    "title": (lambda e: e["title"], str),
    "opt_outs_honoured": (lambda e: e["opt_outs"]["honoured"], OPT_OUTS.__getitem__),
    "legal_basis": (lambda e: e["legal_basis"], list),
    "sensitive": (lambda e: e["sensitive"], bool),
    "period": (_window("period"), dict),
    "dsa": (_window("dsa"), dict),
    "access": (lambda e: e["access"], list),
    "controllers": (lambda e: e["controllers"], list),
    "sublicensing": (lambda e: e["sublicensing"], bool),
    "commercial_purpose": (lambda e: e["commercial"], bool),
    "type_of_data": (lambda e: e["type_of_data"], str),
    "igard": (lambda e: e["igard"], list),
    "igard_count": (lambda e: len(e["igard"]), int),
    "families": (lambda e: sorted({d["family"] for d in e["datasets"] if d["family"]}), sorted),
    "period_warning": (lambda e: e["period"]["reversed"], lambda v: v == "end before start"),
}
#: Facts the gold gives for other layers (flow extraction), and the entry's number.
NOT_HEADER_FACTS = {"entry", "flows", "optional"}
#: A fact the gold leaves out of an entry is absent from the page: the JSON says so.
ABSENT = {
    "dsa": None,
    "igard": [],
    "controllers": [],
    "sublicensing": None,
    "commercial_purpose": None,
    "type_of_data": None,
}
#: Gold keys that state the same fact another way (a count instead of the list).
SAME_FACT = {"igard_count": "igard"}


@pytest.fixture(scope="module")
def gold(gold_path) -> dict:
    return yaml.safe_load(gold_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(repo_root) -> tuple[dict, str]:
    """``dfg parse seeds/ --format json`` run from the checkout's root: (document, stderr)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo_root)
        result = CliRunner().invoke(cli, ["parse", "seeds/", "--format", "json", "-v"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def _entry(document: dict, gold_entry: dict) -> dict:
    entries = {e["position"]: e for e in document["entries"]}
    return entries[gold_entry["entry"]]


def _gold_facts(gold: dict) -> list[tuple[int, str]]:
    """(entry, key) for every fact to check: those the gold states and those it leaves out."""
    facts = []
    for g in gold["entries"]:
        stated = set(g) - NOT_HEADER_FACTS
        absent = set(ABSENT) - stated - {SAME_FACT[k] for k in stated if k in SAME_FACT}
        facts.extend((g["entry"], key) for key in sorted(stated | absent))
    return facts


def test_gold_parse_every_gold_key_has_a_reader(gold):
    keys = {k for g in gold["entries"] for k in g}
    assert keys - NOT_HEADER_FACTS <= set(FACTS), "a gold fact has no reader in FACTS"


def test_gold_parse_seed_gives_every_gold_entry(parsed, gold):
    document, _ = parsed
    assert document["schema"] == 4
    assert [e["position"] for e in document["entries"]] == [g["entry"] for g in gold["entries"]]
    assert document["counts"] == {"read": 7, "parsed": 7, "rejected": 0}
    assert all(e["source"] == gold["source"] for e in document["entries"])


def test_gold_parse_header_facts_equal_gold(parsed, gold):
    document, _ = parsed
    wrong = []
    for number, key in _gold_facts(gold):
        gold_entry = next(g for g in gold["entries"] if g["entry"] == number)
        read, convert = FACTS[key]
        want = convert(gold_entry[key]) if key in gold_entry else ABSENT[key]
        got = read(_entry(document, gold_entry))
        if got != want:
            wrong.append(f"entry {number} {key}: got {got!r}, gold {want!r}")
    assert wrong == []


def test_gold_parse_agreements_group_entries_as_gold(parsed, gold):
    document, _ = parsed
    position = {e["id"]: e["position"] for e in document["entries"]}
    got = {core: [position[i] for i in ids] for core, ids in document["agreements"].items()}
    assert got == gold["agreements"]
    assert len(got) == 4


def test_gold_parse_reversed_window_warns_with_location(parsed, gold):
    _, stderr = parsed
    reversed_entries = [g for g in gold["entries"] if "period_warning" in g]
    assert [g["entry"] for g in reversed_entries] == [7]
    assert (
        "seeds/000_95fc53981bcca0e2.txt:952:6: warning[DFG211] window '2017.06 — 2017.05' "
        "ends (2017-05) before it starts (2017-06); kept as published"
    ) in stderr.splitlines()
    assert "7 entries read (7 parsed, 0 rejected)" in stderr


@pytest.mark.parametrize("paths", [(), ("seeds",)], ids=["embedded", "folder"])
def test_gold_parse_api_load_equals_cli(parsed, paths, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    register = api.load(paths)
    document = json.loads(json.dumps(parse_document(register)))
    assert document["entries"] == parsed[0]["entries"]
    assert document["agreements"] == parsed[0]["agreements"]
    assert register.diagnostics.balanced
