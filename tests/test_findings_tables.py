"""Findings documents list each cited piece, copy, flow and route once (issue 18).

A finding refers into the document's ``evidence``, ``copies``, ``flows`` and ``routes`` by id;
written out again with :func:`expand`, every finding carries every fact its record has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.outputs.documents import converge_document, expand, month_runs, organisation_document

WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def records():
    register = api.load([WORKBOOK])
    found, excluded = api.convergences(register)
    files = api.file_findings(register)
    return register, found, excluded, files


def _months(runs: list[dict[str, str]]) -> list[str]:
    out = []
    for run in runs:
        year, month = map(int, run["from"].split("-"))
        while f"{year:04d}-{month:02d}" <= run["to"]:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _covers(record: object, written: object, key: str = "") -> None:
    """Every fact of ``record`` (a finding's ``as_dict``) is in ``written`` (its expansion)."""
    if key == "months" and isinstance(record, list) and record and isinstance(written, list):
        if written and isinstance(written[0], dict):
            assert _months(written) == record
            return
    if isinstance(record, dict):
        assert isinstance(written, dict), (key, written)
        for k, v in record.items():
            assert k in written, (key, k)
            _covers(v, written[k], k)
    elif isinstance(record, list):
        assert isinstance(written, list), key
        assert len(written) == len(record), key
        for a, b in zip(record, written, strict=True):
            _covers(a, b, key)
    elif record is None and key in ("entry", "reference", "row_id"):
        pass  # a line cited elsewhere with its entry is one piece: the table keeps what is known
    else:
        assert record == written, (key, record, written)


def test_findings_2017_every_fact_reachable_through_the_tables(records):
    register, found, excluded, files = records
    doc = converge_document(found, excluded, files, register.releases)
    by_key = {("flows", c.recipient, c.family): {"source": "flows", **c.as_dict()} for c in found}
    by_key.update({("releases", f.recipient, str(f.family)): f.as_dict() for f in files})
    flows = [f for f in doc["findings"] if f["source"] == "flows"]
    assert flows
    assert all(isinstance(i, str) for f in flows for i in f["identifiable"] + f["pseudonymised"])
    for finding in doc["findings"]:
        _covers(by_key[(finding["source"], finding["recipient"], finding["family"])], expand(doc, finding))


def test_findings_2017_tables_hold_each_item_once_and_only_what_is_referred_to(records):
    register, found, excluded, files = records
    doc = converge_document(found, excluded, files, register.releases)
    referred: dict[str, set[str]] = {"copies": set(), "routes": set()}
    for f in doc["findings"]:
        referred["copies"].update(f["identifiable"] + f["pseudonymised"])
        referred["routes"].update(f.get("linkage", []) + f.get("reidentification", []))
    assert referred["copies"] == set(doc["copies"])
    assert referred["routes"] == set(doc["routes"])
    assert {c["flow"] for c in doc["copies"].values() if "flow" in c} == set(doc["flows"])
    texts = [(e["source"], e["line"], e["col"], e["text"], e.get("entry")) for e in doc["evidence"].values()]
    assert len(texts) == len(set(texts))
    # a cited piece is referred to by id wherever it is cited
    for finding in doc["findings"]:
        for q in finding["qualifiers"]:
            assert all(isinstance(e, str) and e in doc["evidence"] for e in q["evidence"])


def test_findings_documents_are_the_same_bytes_twice(records):
    from dataflow_graph.outputs.documents import dumps

    register, found, excluded, files = records
    first = dumps(converge_document(found, excluded, files, register.releases))
    again = dumps(converge_document(list(found), list(excluded), list(files), register.releases))
    assert first == again


def test_org_document_refers_into_its_own_tables(records):
    register, found, _, _ = records
    summary = api.organisation_summary(register, found[0].recipient)
    doc = organisation_document(summary)
    assert doc["findings"]
    for finding in doc["findings"]:
        whole = expand(doc, finding)
        assert all(isinstance(side, dict) and side["evidence"] for side in whole["identifiable"])


def test_month_runs_round_trip():
    months = ["2016-11", "2016-12", "2017-01", "2017-03"]
    assert month_runs(months) == [{"from": "2016-11", "to": "2017-01"}, {"from": "2017-03", "to": "2017-03"}]
    assert _months(month_runs(months)) == months
    assert month_runs([]) == []
