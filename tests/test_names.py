"""Names: agreement cores, the gazetteer, controller lists, dataset families."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from dataflow_graph.model import Role
from dataflow_graph.names import (
    agreement_core,
    dataset_family,
    families_in,
    gazetteer,
    guess_role,
    split_controllers,
)

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.mark.parametrize(
    ("reference", "core"),
    [
        ("DARS-NIC-81831-Y2N8H", "NIC-81831-Y2N8H"),
        ("NIC-81831-Y2N8H", "NIC-81831-Y2N8H"),
        ("DARS-NIC-81831-Y2N8H-v2.1", "NIC-81831-Y2N8H"),
        ("DARS-NIC-17875-X7K1V-v0.13", "NIC-17875-X7K1V"),
        ("NIC-154590-YG6QH ", "NIC-154590-YG6QH"),
        ("CASEMIX_MONITOR", "CASEMIX_MONITOR"),
    ],
)
def test_agreement_core_groups_eras_and_versions(reference, core):
    assert agreement_core(reference) == core


def test_gazetteer_thurrock_ccg_and_council_stay_two_organisations():
    g = gazetteer()
    ccg, council = g.lookup("NHS Thurrock CCG"), g.lookup("Thurrock Council")
    assert ccg is not None
    assert council is not None
    assert ccg.id != council.id


@pytest.mark.parametrize(
    "alias", ["NEL CSU", "North East London Commissioning Support Unit", "NHS NORTH AND EAST LONDON CSU"]
)
def test_gazetteer_aliases_resolve_case_insensitively(alias):
    org = gazetteer().lookup(alias)
    assert org is not None
    assert org.role is Role.CSU


def test_gazetteer_unknown_name_is_resolved_unreviewed_never_dropped():
    g = gazetteer().fork()
    org = g.resolve("Acme Health Analytics Limited")
    assert org.reviewed is False
    assert org.role is Role.PROCESSOR
    assert org in g.unreviewed()
    assert gazetteer().lookup("Acme Health Analytics Limited") is None


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("NHS Anywhere CCG", Role.CONTROLLER),
        ("Somewhere CSU", Role.CSU),
        ("Anytown DSCRO", Role.DSCRO),
        ("University of Nowhere", Role.CONTROLLER),
        ("Widget Data Ltd", Role.PROCESSOR),
    ],
)
def test_guess_role_from_words(name, role):
    assert guess_role(name) is role


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "NHS THURROCK CCG, NHS MID AND SOUTH ESSEX ICB - 07G",
            ["NHS THURROCK CCG", "NHS MID AND SOUTH ESSEX ICB - 07G"],
        ),
        (
            "NHS Bristol, North Somerset and South Gloucestershire ICB",
            ["NHS Bristol, North Somerset and South Gloucestershire ICB"],
        ),
        ("IQVIA, INC, ACME DATA, LIMITED", ["IQVIA, INC", "ACME DATA, LIMITED"]),
        ("", []),
    ],
)
def test_split_controllers_commas_inside_names_do_not_split(text, names):
    assert split_controllers(text) == names


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("SUS for Commissioners", "SUS"),
        ("Local Provider Data - Acute", "LPF"),
        ("Mental Health-Local Provider Flows", "LPF"),
        ("Mental Health Services Data Set", "MHSDS"),
        ("Children and Young People's Health Services Data Set", "CYPHS"),
        ("Hospital Episode Statistics Admitted Patient Care", "HES"),
        ("Diagnostic Imaging Dataset", "DIDS"),
    ],
)
def test_dataset_family_of_register_spellings(name, family):
    assert dataset_family(name) == family


def _sentences() -> list[str]:
    rows = CalamineWorkbook.from_path(WORKBOOK).get_sheet_by_name("PurposeStatements").to_python()
    lines = [line for row in rows[1:] for cell in row[2:6] for line in str(cell or "").splitlines()]
    seed = (ROOT / "seeds" / "000_95fc53981bcca0e2.txt").read_text(encoding="utf-8").splitlines()
    return sorted({line for line in lines + seed if line.strip()})


def test_families_in_prefilter_changes_no_result_on_real_text():
    changed = [s for s in _sentences() if families_in(s, prefilter=True) != families_in(s, prefilter=False)]
    assert changed == []


def test_a_yaml_alias_holding_a_comma_is_one_alias():
    """ "Queen Mary, University of London" is quoted in organisations.yaml: unquoted, YAML's
    flow list made "University of London" (the federal university) an alias of one college."""
    from dataflow_graph.names import gazetteer

    g = gazetteer()
    assert [m.organisation.id for m in g.mentions("Queen Mary, University of London")] == [
        "org:queen-mary-university-of-london"
    ]
    assert list(g.mentions("Birkbeck, University of London")) == []
