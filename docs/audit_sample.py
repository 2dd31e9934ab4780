"""Print a random sample of `dfg converge` findings beside the workbook rows they cite.

Why: convergence findings are quoted, so docs/audit-2017.md judges a random sample of them
against the register itself. This script draws that sample (seed 2017, 20 findings), prints
each finding's qualifier sentences with every cited row read straight from the workbook by
python_calamine (not through dataflow_graph), and checks mechanically that each cited
sentence occurs in its row and each cited file row has the cited row ID, organisation,
dataset, category, NIC number and opt-out flag. Rerun it after every change to the finder:

    dfg converge REGISTER.xlsx --format json -q --no-cache -o findings.json
    python docs/audit_sample.py findings.json REGISTER.xlsx > sample.txt
"""

from __future__ import annotations

import argparse
import json
import random
import re
from typing import Any

from python_calamine import CalamineWorkbook

from dataflow_graph.outputs.documents import expand

Rows = dict[str, list[list[Any]]]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _cites(node: Any) -> list[dict[str, Any]]:
    """Every citation (a dict with `source` and `line`) anywhere under `node`."""
    if isinstance(node, dict):
        if "source" in node and "line" in node:
            return [node]
        return [c for v in node.values() for c in _cites(v)]
    if isinstance(node, list):
        return [c for v in node for c in _cites(v)]
    return []


def _check(cite: dict[str, Any], row: list[Any], sheet: str) -> str | None:
    """Why `cite` does not match its row, or None when it does."""
    text = cite.get("text")
    if sheet != "DataReleases":
        if text is None or _norm(text) in _norm(" ".join(_cell(c) for c in row)):
            return None
        return "sentence not in row"
    if cite.get("row_id") and cite["row_id"] != _cell(row[0]):
        return f"row id {cite['row_id']} != {row[0]}"
    if cite.get("reference") and cite["reference"] != _cell(row[8]).strip():
        return f"NIC {cite['reference']} != {row[8]}"
    if text is None:
        return None
    flag = {"Y": "opt-outs applied", "N": "opt-outs not applied"}.get(_cell(row[10]).strip(), "opt-outs not stated")
    expected = f"{_cell(row[0])}: {_cell(row[1])}, {_cell(row[2])}, {_cell(row[3])}, {flag},"
    return None if _norm(text).startswith(_norm(expected)) else f"file text differs from row: {expected}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("findings", help="JSON written by dfg converge --format json")
    parser.add_argument("workbook", help="the register workbook the findings were made from")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()

    with open(args.findings, encoding="utf-8") as f:
        document = json.load(f)
    # since schema 3 copies, routes and cited lines are listed once; a finding is read written out whole
    findings = [expand(document, finding) for finding in document["findings"]]
    idx = random.Random(args.seed).sample(range(len(findings)), args.n)
    book = CalamineWorkbook.from_path(args.workbook)
    sheets: Rows = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    print(f"{len(findings)} findings; sample {idx}")
    mismatches = 0
    for n, i in enumerate(idx, 1):
        finding = findings[i]
        print(f"\n{'=' * 100}\n#{n} i={i} {finding['recipient']} | {finding['family']} | source {finding['source']}")
        for q in finding["qualifiers"]:
            print(f"\n  [{q['name']}] (+{q['weight']}, others {q['others']}) {q['statement']}")
            for c in q["evidence"]:
                print(f"    {c['source'].split('#')[-1]}:{c['line']}  {c.get('text', '')}")
        cited: set[tuple[str, int]] = set()
        for c in _cites(finding):
            sheet = c["source"].split("#")[-1]
            row = sheets[sheet][c["line"] - 1]
            cited.add((sheet, c["line"]))
            if (why := _check(c, row, sheet)) is not None:
                mismatches += 1
                print(f"  MISMATCH {sheet}:{c['line']}: {why} | cited: {c.get('text')}")
        print(f"\n  cited rows ({len(cited)}):")
        for sheet, line in sorted(cited):
            cells = [_cell(c) for c in sheets[sheet][line - 1]]
            sep = " | " if sheet == "DataReleases" else "\n      "
            print(f"  --- {sheet}:{line}{sep}{sep.join(c for c in cells if c)}")
    print(f"\n{mismatches} mismatches")


if __name__ == "__main__":
    main()
