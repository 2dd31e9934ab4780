"""The one identifiability vocabulary (names/identifiability.yaml) reads as the readers do.

read/page.py (``type_of_data``) and read/register.py (``identifiability_of``) each hold
their own copy of the words today; the names API must give the same answer for every
real value before they are switched to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataflow_graph import api
from dataflow_graph.model import Identifiability
from dataflow_graph.names import category_identifiability, identifiability_in, type_of_data
from dataflow_graph.read import page, register

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "tests" / "data" / "register"
ODD = ["", "  ", "Mixed", "n/a x", "Pseudonymized", "Aggregate", "Identified", "anonymized", "De-identified"]


def _categories() -> list[str]:
    loaded = api.load(sorted(p for p in REGISTER.iterdir() if p.suffix in (".csv", ".xlsx")))
    return sorted({r.category for r in loaded.releases} | set(ODD))


def _types_of_data() -> list[str]:
    texts = [
        p.read_text(encoding="utf-8", errors="replace")
        for p in [*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/data/pages/*.txt")]
    ]
    found = {m.group(1) for text in texts for m in re.finditer(r"(?m)^Type of data:(.*)$", text)}
    return sorted(found | set(_categories()))


def test_category_identifiability_equals_the_register_reader_on_every_real_category():
    categories = _categories()
    assert len(categories) > len(ODD)
    assert [category_identifiability(c) for c in categories] == [register.identifiability_of(c) for c in categories]


def test_type_of_data_equals_the_page_reader_on_every_real_value():
    values = _types_of_data()
    assert [type_of_data(v) for v in values] == [page.type_of_data(v) for v in values]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Identifiable SUS+ Data is obtained from the SUS+ Repository", Identifiability.IDENTIFIABLE),
        ("data identifiable at the level of NHS number", Identifiability.IDENTIFIABLE),
        ("the pseudonymised data is then passed securely", Identifiability.PSEUDONYMISED),
        ("the resulting de-identified data can be linked", Identifiability.PSEUDONYMISED),
        ("aggregated reports only with small number suppression", Identifiability.AGGREGATE),
        ("SUS data anonymised in line with the ICO Code", Identifiability.ANONYMISED),
        ("non-identifiable data", None),
        ("The CCG analyse the data.", None),
        # an output of tables is aggregate, never a record-level copy (PurposeStatements 325, 27)
        (
            "Tabulated outputs, with small number suppression applied, will be provided to ONS",
            Identifiability.AGGREGATE,
        ),
        ("Those tabulations, which are suppressed in line with the HES Analysis Guide", Identifiability.AGGREGATE),
        ("aggregate counts", Identifiability.AGGREGATE),
        ("only results tables are sent to the CCG", Identifiability.AGGREGATE),
        ("identifiable data is tabulated", Identifiability.IDENTIFIABLE),
        # no identifiable data stated (PurposeStatements 369, seed line 794)
        ("non identifiable details of services received", None),
        ("the records are no longer identifiable before they leave", None),
    ],
)
def test_identifiability_in_a_sentence(text, level):
    assert identifiability_in(text) is level
