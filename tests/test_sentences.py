"""Single sentences -> the hops a careful reader takes (tests/data/sentences.yaml).

Each case becomes a minimal entry: its organisation, its Datasets (if given), and a
Processing section holding the case's context lines and then its sentence, each on its
own line.  The hops whose evidence is the sentence's line, and which the sentence states
(not ``inferred``: the NHS Digital -> DSCRO hop put in front of a chain cites the sentence
in which the DSCRO first acts, but that sentence does not state it), are compared with
the labelled ones: sender and receiver through the gazetteer ("DSCRO" is any organisation of role
dscro, "CSU" any of role csu, a name the gazetteer does not know is compared by its
normalised spelling), and identifiability, landing_only, families and kind only where the
label states them.  A case the extractor gets wrong today carries ``xfail`` (strict).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dataflow_graph.errors import Diagnostics, Span
from dataflow_graph.extract import extract
from dataflow_graph.model import Dataset, Entry, Hop, Organisation, Role, Section
from dataflow_graph.names import gazetteer, normalise

DATA = Path(__file__).parent / "data" / "sentences.yaml"
CASES: list[dict[str, object]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
PATH = "sentences.yaml"
#: label names that stand for any organisation of a role
ANY_OF_ROLE = {"DSCRO": Role.DSCRO, "CSU": Role.CSU}
#: family names of the labels that are spelt otherwise in names/datasets.yaml ("ONS" is ONS death
#: data, family "mortality"; "SLAM" is no family there)
FAMILY_CODES = {"Social Care": "SOCIAL-CARE", "ONS": "mortality"}


def _entry(case: dict) -> tuple[Entry, int]:
    """The case as an entry, and the line its sentence is on."""
    lines = [*case.get("context", ()), case["sentence"]]
    spans = tuple(Span(PATH, i + 2, 1, text) for i, text in enumerate(lines))
    section = Section("Processing", Span(PATH, 1, 1, "Processing:"), spans)
    datasets = tuple(Dataset(code, code) for code in case.get("datasets", ()))
    entry = Entry(
        id=case["id"],
        source=PATH,
        line=1,
        position=0,
        reference=f"DARS-NIC-{case['id']}",
        agreement=f"NIC-{case['id']}",
        title=case["organisation"],
        organisation=case["organisation"],
        datasets=datasets,
        sections=(section,),
    )
    return entry, spans[-1].line


def _same_organisation(label: str, org: Organisation) -> bool:
    if label in ANY_OF_ROLE:
        return org.role is ANY_OF_ROLE[label]
    known = gazetteer().lookup(label)
    if known is not None:
        return known.id == org.id
    return _key(label) in {_key(org.name), *(_key(a) for a in org.aliases)}


def _key(name: str) -> str:
    """A name's comparison key; a leading "the" is no part of it (as in ``Gazetteer.lookup``)."""
    key = normalise(name)
    return key[4:] if key.startswith("the ") else key


def _matches(label: dict, hop: Hop, kind: str) -> bool:
    if not (_same_organisation(label["from"], hop.source) and _same_organisation(label["to"], hop.target)):
        return False
    if "identifiability" in label and label["identifiability"] != hop.identifiability.value:
        return False
    if "landing_only" in label and label["landing_only"] != hop.landing_only:
        return False
    if "families" in label and {FAMILY_CODES.get(f, f) for f in label["families"]} != set(hop.families):
        return False
    return "kind" not in label or label["kind"] == kind


def _params() -> list[object]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=str(case["xfail"]))] if "xfail" in case else []
        out.append(pytest.param(case, id=str(case["id"]), marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_sentence_gives_the_labelled_hops(case):
    entry, line = _entry(case)
    found: dict[tuple[str, str, str], tuple[Hop, str]] = {}
    for flow in extract(entry, gazetteer().fresh(), Diagnostics()):
        for hop in flow.hops:
            if hop.inferred:  # implied by the chain (NHS Digital -> DSCRO), not stated by the sentence
                continue
            if hop.evidence.line == line and hop.evidence.text in case["sentence"]:
                found.setdefault((hop.source.id, hop.target.id, flow.kind.value), (hop, flow.kind.value))
    unmatched = list(found.values())
    missing = []
    for label in case["hops"]:
        at = next((i for i, (hop, kind) in enumerate(unmatched) if _matches(label, hop, kind)), None)
        if at is None:
            missing.append(label)
        else:
            unmatched.pop(at)
    extra = [(h.source.name, h.target.name, h.identifiability.value, h.families, kind) for h, kind in unmatched]
    assert (missing, extra) == ([], [])
