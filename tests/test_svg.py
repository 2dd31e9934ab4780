"""The inline SVG pictures: valid XML, escaped text, a second channel beside colour, same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dataflow_graph.model import Identifiability, Role
from dataflow_graph.outputs.svg import COPY_STYLES, Bar, Lane, Stop, routes, timeline

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single'"


def _bars() -> list[Bar]:
    return [
        Bar(f"NIC-1 · {HOSTILE}", Identifiability.IDENTIFIABLE, "2018-06", "2021-05", note=HOSTILE),
        Bar("NIC-2 · Commissioning", Identifiability.PSEUDONYMISED, "2018-06", "2018-09"),
        Bar("NIC-3 · backwards", Identifiability.PSEUDONYMISED, "2017-05", "2017-06", reversed=True),
    ]


def test_svg_timeline_is_xml_and_escapes_register_text():
    svg = timeline(_bars(), overlap=("2018-06", "2018-09"), ident="t", title=HOSTILE)
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert not list(root.iter(f"{NS}script"))
    texts = "".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "<script>alert(1)</script>" in texts  # shown as text, never as markup
    assert "overlap 2018-06 to 2018-09" in texts


def test_svg_routes_is_xml_marks_landing_only_and_escapes():
    lane = Lane(
        HOSTILE,
        Identifiability.IDENTIFIABLE,
        (Stop("NHS Digital", Role.SOURCE), Stop(HOSTILE, Role.CSU, landing_only=True), Stop("X CCG", Role.CONTROLLER)),
    )
    root = ET.fromstring(routes([lane], ident="r", title="routes"))
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    assert "landing only" in texts
    assert not list(root.iter(f"{NS}script"))


def test_svg_each_copy_has_a_line_style_or_pattern_besides_colour():
    seen = {(s.dashes, s.pattern) for s in COPY_STYLES.values()}
    assert len(seen) == len(COPY_STYLES) == len(Identifiability)
    assert len({s.colour for s in COPY_STYLES.values()}) == len(COPY_STYLES)


def test_svg_same_input_same_bytes_and_ids_prefixed():
    a = timeline(_bars(), overlap=None, ident="f7", title="x")
    assert a == timeline(_bars(), overlap=None, ident="f7", title="x")
    ids = [e.get("id") for e in ET.fromstring(a).iter() if e.get("id")]
    assert ids
    assert all(str(i).startswith("f7-") for i in ids)
    assert len(ids) == len(set(ids))
