"""Every reviewed YAML file is checked at load; a broken one names its file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataflow_graph.extract.rules import compile_rules, rules
from dataflow_graph.names import Gazetteer, Reviewed, ReviewedDataError, load_reviewed
from dataflow_graph.names.families import _check_prefilter, _names_in

ORG = """organisations:
  - id: a
    name: Alpha Ltd
    role: {role}
    aliases: [Alpha]
    part_of: {part_of}
  - id: b
    name: Beta Ltd
    role: processor
    aliases: [{alias}]
"""


@pytest.mark.parametrize(
    ("fields", "line", "message"),
    [
        ({"role": "wizard", "part_of": "null", "alias": "Beta"}, 4, "unknown role 'wizard'"),
        ({"role": "processor", "part_of": "nobody", "alias": "Beta"}, 6, "part_of 'nobody' is no organisation id"),
        ({"role": "processor", "part_of": "null", "alias": "ALPHA"}, 10, "alias 'ALPHA' of 'b' is already 'Alpha'"),
    ],
)
def test_organisations_yaml_errors_name_the_line(fields, line, message):
    with pytest.raises(ReviewedDataError, match=re.escape(f"<organisations>:{line}: {message}")):
        Gazetteer.from_yaml(ORG.format(**fields))


def test_family_pattern_its_prefilter_cannot_see_is_refused():
    reviewed = Reviewed.from_text("datasets.yaml", "families:\n  LPF:\n    patterns: ['\\\\blocal flows?\\\\b']\n")
    with pytest.raises(ReviewedDataError, match=r"datasets\.yaml:3: pattern .* of LPF can match text holding none"):
        _check_prefilter(reviewed, "LPF", ["local provider"], ["\\blocal flows?\\b"], [])
    _check_prefilter(reviewed, "LPF", ["local provider", "local flow"], ["\\blocal flows?\\b"], [])


def _rules_with(old: str, new: str) -> Reviewed:
    text = Path(load_reviewed("dataflow_graph.extract", "rules.yaml").path).read_text(encoding="utf-8")
    assert old in text
    return Reviewed.from_text("rules.yaml", text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  cut:\n", "  cuts:\n", r"rules\.yaml:\d+: unknown rule \['cuts'\]"),
        ("    pattern: '[.;)]\\s", "    pattern: '[.;)\\s", r"rules\.yaml:\d+: pattern does not compile"),
        ("  passive:\n", "  passive:\n    flags: x\n", r"rules\.yaml:\d+: unknown key \['flags'\]"),
        ("{{cuts}}", "{{cut_words}}", r"rules\.yaml:\d+: pattern uses \{\{cut_words\}\}"),
    ],
)
def test_rules_yaml_errors_name_the_line(old, new, message):
    with pytest.raises(ReviewedDataError, match=message):
        compile_rules(_rules_with(old, new))


def test_rules_yaml_compiles():
    assert rules().verb.groupindex.keys() >= {"send", "recv"}


def test_family_name_pattern_that_does_not_compile_names_its_line():
    reviewed = Reviewed.from_text("datasets.yaml", "families:\n  LPF:\n    patterns: ['local', 'a)|(b']\n")
    with pytest.raises(ReviewedDataError, match=r"datasets\.yaml:3: pattern does not compile .*'a\)\|\(b'"):
        _names_in(reviewed)
    ok = Reviewed.from_text("datasets.yaml", "families:\n  LPF:\n    label: Local\n    patterns: ['local', 'flows?']\n")
    found = [(f.name, f.label, any(p.search("Local Flow") for p in f.names)) for f in _names_in(ok)]
    assert found == [("LPF", "Local", True)]
