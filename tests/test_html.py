"""The interactive HTML page: escaping, determinism, offline-ness, legend, filters, focus,
findings panel and timelines, paths, a readable first view, scale."""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

import networkx as nx
import pytest

from dataflow_graph import api
from dataflow_graph.errors import Span, UnknownOrganisationError
from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.graph import build_graph, convergences
from dataflow_graph.model import Flow, FlowKind, Hop, Identifiability, Organisation, Period, Role
from dataflow_graph.outputs.html import FINDING_WIDTH, LANDING_ONLY, STYLES, json_for_script, render_html
from dataflow_graph.outputs.layout import (
    FIRST_VIEW,
    FONT,
    LABEL_PX,
    LINE_WIDTHS,
    MAX_ZOOM,
    READABLE,
    VIEWPORTS,
    box,
    first_view,
    layout,
    select_graph,
)
from dataflow_graph.outputs.panel import source_name
from dataflow_graph.outputs.styles import COPY_STYLES, LANDING_ONLY_DASHES, tint

ORG = '<img src=x onerror="window.__xss=1">'
EVIDENCE = "The CSU sends </script><script>window.__xss=1</script> & <img src=x onerror=window.__xss=1>."
SVG_NS = "{http://www.w3.org/2000/svg}"


def payload_graph():
    """two_copies() with the CCG named ORG, every hop into it citing EVIDENCE, and every
    flow's purpose EVIDENCE (so it reaches the timelines' labels)."""
    ex = two_copies()
    bad = replace(ex.organisations["org:example-ccg"], name=ORG)
    flows = []
    for f in ex.flows:
        hops = tuple(
            replace(h, target=bad, evidence=replace(h.evidence, text=EVIDENCE)) if h.target.id == bad.id else h
            for h in f.hops
        )
        flows.append(replace(f, hops=hops, purpose=EVIDENCE))
    G = build_graph(flows)
    return G, convergences(G)[0]


def page_data(page: str) -> dict:
    """The JSON the page embeds for vis-network."""
    m = re.search(r'<script type="application/json" id="dfg-data">(.*?)</script>', page, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(page)
    return p.tags


def findings_of(page: str) -> list[str]:
    """The markup of each finding in the panel, in order."""
    panel = page.split('<section id="dfg-findings">')[1].split("</section>")[0]
    return re.findall(r'<li class="dfg-finding".*?(?=<li class="dfg-finding"|</ol>)', panel, re.S)


def svgs(markup: str) -> list[ET.Element]:
    """Every inline SVG picture of some markup, parsed as XML."""
    return [ET.fromstring(s) for s in re.findall(r"<svg xmlns=.*?</svg>", markup, re.S)]


@pytest.fixture(scope="module")
def seed_page() -> str:
    return api.export(api.load(), "html").decode("utf-8")


# ---------------------------------------------------------------------------------------
# Escaping


def test_html_payload_in_name_and_evidence_appears_only_escaped():
    G, found = payload_graph()
    assert found
    assert found[0].recipient == ORG
    page = render_html(G, findings=found)
    lowered = page.lower()
    assert "<img" not in lowered
    assert "<script>window.__xss" not in lowered
    assert [t for t, _ in tags(page) if t == "script"] == ["script"] * 3  # the data, vis-network, ours
    assert lowered.count("</script") == 3
    assert html.escape(ORG) in page  # the findings panel
    assert html.escape(EVIDENCE) in page
    names = {n["name"] for n in page_data(page)["nodes"]}
    assert ORG in names  # the JSON decodes back to the raw text, drawn on the canvas as text
    assert any(EVIDENCE in e["title"] for e in page_data(page)["edges"])


def test_html_payload_in_timelines_is_text_in_valid_svg():
    G, found = payload_graph()
    page = render_html(G, findings=found)
    pictures = svgs(page.split('<section id="dfg-findings">')[1])
    assert len(pictures) == len(found)
    for svg in pictures:
        assert not list(svg.iter(f"{SVG_NS}script"))
        assert not [e for e in svg.iter() if any(a.lower().startswith("on") for a in e.attrib)]
    titles = [t.text or "" for svg in pictures for t in svg.iter(f"{SVG_NS}title")]
    assert any(ORG in t for t in titles)  # the raw text, read back from escaped XML
    labels = "".join(t.text or "" for svg in pictures for t in svg.iter(f"{SVG_NS}text"))
    assert "</script>" in labels


def test_html_payload_in_focus_name_is_escaped_for_the_canvas_markup():
    G, found = payload_graph()
    node = next(n for n in page_data(render_html(G, findings=found, focus="org:example-ccg"))["nodes"] if n["focus"])
    assert node["font"]["multi"] == "html"
    assert "<img" not in node["label"]
    assert "&lt;img" in node["label"]  # vis-network reads &lt; back as "<", drawn as text


def test_html_payload_in_title_is_escaped():
    page = render_html(build_graph(two_copies().flows), title="</title><script>x()</script>")
    assert "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>x()" not in page


@pytest.mark.parametrize("raw", ["<", ">", "&", "\u2028", "\u2029", "</script>", "<!--"])
def test_json_for_script_special_character_is_escaped(raw):
    text = json_for_script({"k": f"a{raw}b"})
    assert raw not in text
    assert json.loads(text) == {"k": f"a{raw}b"}


def test_html_page_has_strict_content_security_policy(seed_page):
    csp = [a["content"] for t, a in tags(seed_page) if t == "meta" and a.get("http-equiv")]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0]
    assert "'unsafe-inline'" not in csp[0].split("script-src")[1].split(";")[0]


# ---------------------------------------------------------------------------------------
# Offline, paths


_FETCHING = {"src", "href", "srcset", "action", "formaction", "data", "poster", "background", "manifest"}


def test_html_page_fetches_nothing_from_the_network(seed_page):
    for tag, attrs in tags(seed_page):
        assert tag not in ("link", "iframe", "img", "object", "embed", "base"), tag
        assert not (tag == "script" and "src" in attrs), attrs
        for name, value in attrs.items():
            if name in _FETCHING:
                assert not re.match(r"\s*(https?:)?//", value or ""), (tag, name, value)
    styles = " ".join(re.findall(r"<style>(.*?)</style>", seed_page, re.S))
    assert "@import" not in styles
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", styles)
    assert not re.search(r"(cdn|jsdelivr|unpkg|cloudflare|bootstrap|tom-select)", seed_page.split("<script")[0])


def test_html_page_inlines_vis_network(seed_page):
    assert "vis-network" in seed_page
    assert "@version 9.1.2" in seed_page
    assert len(seed_page) > 400_000


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/srv/register/ReleaseRegister.xlsx#DataReleases", "ReleaseRegister.xlsx#DataReleases"),
        ("seeds/000_95fc53981bcca0e2.txt#3", "000_95fc53981bcca0e2.txt#3"),
        ("C:\\Users\\me\\page.txt", "page.txt"),
        ("page.txt", "page.txt"),
    ],
)
def test_source_name_keeps_base_name_and_anchor(path, shown):
    assert source_name(path) == shown


def test_html_inputs_given_by_absolute_path_leave_no_folder_in_the_page(tmp_path, seed_path, repo_root):
    folder = tmp_path / "private folder"
    folder.mkdir()
    shutil.copy(seed_path, folder / "thurrock.txt")
    shutil.copy(repo_root / "tests" / "data" / "register" / "PHE14-15.csv", folder / "phe.csv")
    register = api.load([str(folder.resolve() / "thurrock.txt"), str(folder.resolve() / "phe.csv")])
    assert any(str(folder.resolve()) in s for s in register.sources)
    for options in ({}, {"focus": "NHS Thurrock CCG"}):
        page = api.export(register, "html", **options).decode("utf-8")
        for secret in (str(tmp_path.resolve()), str(tmp_path), str(repo_root), os.path.expanduser("~"), "file://"):
            assert secret not in page, secret
        assert "<title>thurrock.txt, phe.csv" in page
        assert "thurrock.txt:" in page  # citations by base name and line


# ---------------------------------------------------------------------------------------
# Title


def test_html_title_is_seed_name_base_name_or_given(seed_page, tmp_path, seed_path):
    assert "<title>NHS Thurrock CCG (built-in seed page)</title>" in seed_page
    copy = tmp_path / "thurrock.txt"
    shutil.copy(seed_path, copy)
    register = api.load([str(copy)])
    page = api.export(register, "html", focus="thurrock ccg").decode()
    assert "<title>thurrock.txt — around NHS Thurrock CCG</title>" in page
    page = api.export(register, "html", title="Thurrock & friends").decode()
    assert "<title>Thurrock &amp; friends</title>" in page
    assert "<h1>Thurrock &amp; friends</h1>" in page


# ---------------------------------------------------------------------------------------
# Determinism


def test_html_same_input_gives_same_bytes():
    G, found = payload_graph()
    assert render_html(G, findings=found) == render_html(payload_graph()[0], findings=payload_graph()[1])


_DIGEST = """
import hashlib, sys
from dataflow_graph import api
from dataflow_graph.examples import synthetic
from dataflow_graph.graph import build_graph, convergences
from dataflow_graph.outputs.html import render_html
ex = synthetic(200, controllers=60, seed=3)
G = build_graph(ex.flows, ex.organisations.values())
big = render_html(G, findings=convergences(G)[0]).encode()
print(hashlib.sha256(api.export(api.load(), "html") + big).hexdigest())
"""


def test_html_same_bytes_under_any_hash_seed():
    digests = set()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True, timeout=120
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_html_has_no_random_ids_or_timestamps(seed_page):
    assert not re.search(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", seed_page.split("<script>")[0]
    )
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", seed_page.split("<script>")[0])
    ids = [n["id"] for n in page_data(seed_page)["nodes"]]
    assert ids == sorted(ids)


# ---------------------------------------------------------------------------------------
# Style and legend


def test_html_legend_has_every_role_and_identifiability_present(seed_page):
    data = page_data(seed_page)
    legend = tags(seed_page.split('<ul id="dfg-legend">')[1].split("</ul>")[0])
    roles = {a["data-role"] for _, a in legend if "data-role" in a}
    levels = {a["data-identifiability"] for _, a in legend if "data-identifiability" in a}
    assert roles == {n["role"] for n in data["nodes"]}
    assert levels == {e["identifiability"] for e in data["edges"]}
    assert any(e["landing_only"] for e in data["edges"])
    assert html.escape(LANDING_ONLY) in seed_page
    for role in roles:
        assert html.escape(STYLES[Role(role)].legend) in seed_page


def test_html_styles_come_from_one_table_shared_with_the_pictures():
    assert set(STYLES) == set(Role) | set(Identifiability)
    for level, copy in COPY_STYLES.items():
        assert STYLES[level].colour == copy.colour
        assert " ".join(map(str, STYLES[level].dashes)) == copy.dashes
    G = build_graph(two_copies().flows)
    data = page_data(render_html(G))
    for n in data["nodes"]:
        assert n["color"]["background"] == tint(STYLES[Role(n["role"])].colour)
        assert n["shape"] == STYLES[Role(n["role"])].shape
    for e in data["edges"]:
        style = STYLES[Identifiability(e["identifiability"])]
        assert e["color"]["color"] == style.colour
        wanted = LANDING_ONLY_DASHES if e["landing_only"] else style.dashes
        assert (e["dashes"] or []) == list(wanted)


def test_html_identifiable_and_pseudonymised_differ_by_line_style_too(seed_page):
    data = page_data(seed_page)
    dashes = {(e["identifiability"], e["landing_only"]): e["dashes"] for e in data["edges"]}
    assert dashes[("identifiable", False)] is False  # solid
    assert dashes[("pseudonymised", False)] == [7, 4]
    assert dashes[("identifiable", True)] == list(LANDING_ONLY_DASHES)
    assert len({s.dashes for s in STYLES.values() if s.dashes} | {LANDING_ONLY_DASHES}) == 4  # all distinct
    legend = seed_page.split('<ul id="dfg-legend">')[1].split("</ul>")[0]
    pseudo = re.search(r'<li data-identifiability="pseudonymised">(.*?)</li>', legend).group(1)
    assert 'stroke-dasharray="7 4"' in pseudo
    assert COPY_STYLES[Identifiability.PSEUDONYMISED].colour in pseudo


# ---------------------------------------------------------------------------------------
# Findings panel


def test_html_findings_highlight_recipient_routes_and_panel(seed_page):
    data = page_data(seed_page)
    thurrock = next(n for n in data["nodes"] if n["id"] == "org:nhs-thurrock-ccg")
    assert thurrock["finding"]
    assert thurrock["borderWidth"] > 1
    route = [e for e in data["edges"] if e["finding"]]
    assert {e["identifiability"] for e in route if e["to"] == "org:nhs-thurrock-ccg"} >= {
        "identifiable",
        "pseudonymised",
    }
    assert all(e["width"] == FINDING_WIDTH for e in route)
    panel = seed_page.split('<section id="dfg-findings">')[1].split("</section>")[0]
    for text in (
        "NHS Thurrock CCG",
        "SUS",
        "overlap 2018-06..2018-09 (4 months)",
        "DARS-NIC-81831-Y2N8H",
        "000_95fc53981bcca0e2.txt:",
        "<q>",
    ):
        assert text in panel, text
    assert "seeds/" not in panel


def test_html_each_finding_has_a_timeline_svg_with_its_copies(seed_page):
    found = findings_of(seed_page)
    assert len(found) == 2
    for item in found:
        [svg] = svgs(item)
        assert svg.get("role") == "img"
        bars = [r for r in svg.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
        assert bars
        texts = " ".join(t.text or "" for t in svg.iter(f"{SVG_NS}text"))
        assert "identifiable" in texts
        assert "pseudonymised" in texts
        assert "overlap 2018-06 to 2018-09" in texts
    ids = re.findall(r' id="([^"]+)"', seed_page.split('<section id="dfg-findings">')[1])
    assert len(ids) == len(set(ids))  # two pictures on one page share no id


def test_html_each_qualifier_is_shown_with_its_evidence():
    register = api.load()
    found, _ = api.convergences(register)
    page = api.export(register, "html").decode()
    thurrock = next(f for f in found if f.recipient == "NHS Thurrock CCG")
    [item] = [i for i in findings_of(page) if 'data-node="org:nhs-thurrock-ccg"' in i]
    for q in thurrock.qualifiers:
        assert f'data-qualifier="{q.name}"' in item
        assert html.escape(q.statement)[:200] in item
        for c in q.evidence:
            assert html.escape(f"{source_name(c.source)}:{c.line}") in item
            assert f"<q>{html.escape(c.text)}</q>" in item


def test_html_anonymised_copy_is_labelled_anonymised_never_pseudonymised():
    ex = two_copies()
    anon = Identifiability.ANONYMISED
    flows = [
        replace(
            f,
            hops=tuple(
                replace(h, identifiability=anon) if h.identifiability.value == "pseudonymised" else h for h in f.hops
            ),
        )
        for f in ex.flows
    ]
    G = build_graph(flows)
    found, _ = convergences(G)
    assert found
    page = render_html(G, findings=found)
    for item in findings_of(page):
        levels = re.findall(r'<li class="dfg-copy" data-level="([a-z]+)"', item)
        assert sorted(set(levels)) == ["anonymised", "identifiable"]
        assert ">pseudonymised<" not in item
        texts = " ".join(t.text or "" for svg in svgs(item) for t in svg.iter(f"{SVG_NS}text"))
        assert "anonymised ·" in texts
        assert "pseudonymised ·" not in texts


def test_html_findings_outside_the_view_are_listed_with_a_note():
    G = build_graph(two_copies().flows)
    found, _ = convergences(G)
    page = render_html(G, findings=found, focus="org:nhs-digital", depth=1)
    items = findings_of(page)
    assert len(items) == len(found) == 2
    assert all('data-place="outside"' in i and "Outside this view" in i for i in items)
    assert "2 outside this view" in page
    assert all(svgs(i) for i in items)  # still with their timelines


def test_html_focus_findings_come_first_in_the_panel():
    G = build_graph(two_copies().flows)
    found, _ = convergences(G)
    assert 'data-node="org:example-ccg"' in findings_of(render_html(G, findings=found))[0]  # without a focus
    page = render_html(G, findings=found, focus="org:example-csu")
    items = findings_of(page)
    assert 'data-place="focus"' in items[0]
    assert 'data-node="org:example-csu"' in items[0]
    assert 'data-place="view"' in items[1]


# ---------------------------------------------------------------------------------------
# Focus and filters


@pytest.fixture(scope="module")
def example_graph():
    return build_graph(two_copies().flows)


@pytest.mark.parametrize(
    ("options", "nodes", "edges"),
    [
        ({}, 4, 6),
        ({"identifiability": "pseudonymised"}, 3, 2),
        ({"identifiability": Identifiability.IDENTIFIABLE}, 4, 4),
        ({"family": "sus"}, 4, 6),
        ({"family": "HES"}, 0, 0),
        ({"during": Period("2019-06", "2019-07")}, 4, 3),
        ({"during": Period("2025-01", "2025-02")}, 0, 0),
        ({"focus": "org:example-ccg", "depth": 1}, 2, 2),
        ({"focus": "org:example-ccg", "depth": 2}, 3, 4),
        ({"focus": "org:example-ccg"}, 3, 4),  # two steps up by default
        ({"focus": "org:example-ccg", "depth": 3}, 4, 6),
        ({"focus": "org:example-ccg", "depth": 1, "identifiability": "pseudonymised"}, 2, 1),
    ],
)
def test_html_filters_restrict_nodes_and_hops(example_graph, options, nodes, edges):
    data = page_data(render_html(example_graph, **options))
    assert len(data["nodes"]) == nodes
    assert sum(e["hops"] for e in data["edges"]) == edges


def test_select_graph_focus_goes_up_and_down_not_sideways():
    G = nx.MultiDiGraph()
    G.add_edges_from([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("b", "sibling"), ("x", "a")])
    assert sorted(select_graph(G, focus="c")) == ["a", "b", "c", "d", "e"]
    assert sorted(select_graph(G, focus="c", depth=1)) == ["b", "c", "d"]
    assert "sibling" not in select_graph(G, focus="c", depth=5)


def test_html_focus_unknown_organisation_raises(example_graph):
    with pytest.raises(UnknownOrganisationError):
        render_html(example_graph, focus="org:nowhere")


def test_html_focus_is_highlighted_in_shape_size_and_weight(example_graph):
    found, _ = convergences(example_graph)
    data = page_data(render_html(example_graph, findings=found, focus="org:example-csu"))
    nodes = {n["id"]: n for n in data["nodes"]}
    focus = nodes["org:example-csu"]
    others = [n for i, n in nodes.items() if i != "org:example-csu"]
    assert focus["focus"] is True
    assert not any(n["focus"] for n in others)
    assert focus["borderWidth"] > max(n["borderWidth"] for n in others)  # thicker than a recipient's
    assert focus["color"]["border"] == "#000000"  # black: visible in greyscale
    assert focus["font"]["size"] > max(n["font"]["size"] for n in others)
    assert focus["label"].startswith("<b>")
    assert focus["shadow"] is True
    assert "data-focus" in render_html(example_graph, focus="org:example-csu").split('id="dfg-legend"')[1]


def test_html_export_resolves_focus_alias_and_parses_during():
    register = api.load()
    data = page_data(
        api.export(register, "html", focus="thurrock ccg", depth=1, during="2018-06..2018-09", family="SUS").decode()
    )
    ids = {n["id"] for n in data["nodes"]}
    assert "org:nhs-thurrock-ccg" in ids
    assert len(ids) < len(api.graph(register))
    assert 'data-node="org:nhs-thurrock-ccg"' in api.export(register, "html", focus="thurrock ccg").decode()


def test_html_page_has_search_and_filter_controls(seed_page):
    found = {a.get("id") for _, a in tags(seed_page)}
    assert {"dfg-search", "dfg-family", "dfg-names", "dfg-network", "dfg-findings", "dfg-during", "dfg-fit"} <= found
    options = [a["value"] for t, a in tags(seed_page) if t == "option" and a.get("value")]
    assert "NHS Thurrock CCG" in options
    assert "SUS" in options


def test_html_command_line_filters_are_preset_in_the_controls():
    register = api.load()
    page = api.export(
        register,
        "html",
        focus="thurrock ccg",
        depth=1,
        family="sus",
        identifiability="pseudonymised",
        during="2018-06..2018-09",
    ).decode()
    all_tags = tags(page)
    selected = [a["value"] for t, a in all_tags if t == "option" and "selected" in a and a.get("value")]
    assert "SUS" in selected
    boxes = {a["value"]: a for t, a in all_tags if t == "input" and a.get("class") == "dfg-level"}
    assert set(boxes) == {level.value for level in Identifiability}
    assert "checked" in boxes["pseudonymised"]
    assert "disabled" not in boxes["pseudonymised"]
    for level in ("identifiable", "anonymised", "aggregate"):
        assert "disabled" in boxes[level]
        assert boxes[level]["title"] == "left out by --identifiability pseudonymised"
    during = next(a for t, a in all_tags if a.get("id") == "dfg-during")
    assert during["value"] == "2018-06..2018-09"
    assert "Focus: <button" in page
    assert "(1 step up and down)" in page


# ---------------------------------------------------------------------------------------
# A readable first view


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("NHS North and East London Commissioning Support Unit", 7),
        ("GP practices", 2),
        ("Supercalifragilisticexpialidociousdatacentreofexcellence Ltd", 2),
        ("A " * 80, 80),
    ],
)
def test_box_wraps_whole_words_into_at_most_three_lines(name, words):
    b = box(name)
    assert 1 <= len(b.lines) <= 3
    joined = " ".join(b.lines)
    assert all(w in name.split() or w.endswith("…") for w in joined.split())
    assert b.width > 0
    assert b.height > 0


def _chain_and_fan(n: int) -> nx.MultiDiGraph:
    """The flow graph of NHS Digital -> 3 DSCROs -> a CSU -> n - 5 CCGs with long names."""
    org = {
        "src": Organisation("org:nhs-digital", "NHS Digital", Role.SOURCE),
        "csu": Organisation("org:csu", "NHS North and East London Commissioning Support Unit", Role.CSU),
    }
    dscros = [
        Organisation(f"org:dscro-{i}", f"Data Services for Commissioners Regional Office {i}", Role.DSCRO)
        for i in range(3)
    ]
    level, flows = Identifiability.IDENTIFIABLE, []
    for i in range(n - 5):
        ccg = Organisation(f"org:ccg-{i:02d}", f"NHS Airedale, Wharfedale and Craven CCG {i}", Role.CONTROLLER)
        route = (org["src"], dscros[i % 3], org["csu"], ccg)
        hops = tuple(Hop(a, b, level, Span("sixty.txt", i + 1, 1, "sent")) for a, b in itertools.pairwise(route))
        flows.append(
            Flow(
                f"NIC-{i:05d}/1",
                f"sixty.txt:{i + 1}",
                f"NIC-{i:05d}",
                f"{i:05d}",
                "Commissioning",
                FlowKind.TRANSFER,
                ("SUS",),
                level,
                hops,
                period=Period("2018-01", "2018-12"),
            )
        )
    return build_graph(flows)


@pytest.mark.parametrize("n", [12, 30, 45, READABLE])
def test_layout_fits_up_to_sixty_organisations_with_labels_of_twelve_pixels(n):
    G = _chain_and_fan(n)
    assert len(G) == n
    placed = layout(G, [{v: box(G.nodes[v]["name"], width=w) for v in G} for w in LINE_WIDTHS])
    assert len(set(placed.positions.values())) == n
    assert min(placed.scale, MAX_ZOOM) * FONT >= LABEL_PX


def test_layout_boxes_do_not_overlap():
    G = _chain_and_fan(READABLE)
    placed = layout(G, [{v: box(G.nodes[v]["name"], width=w) for v in G} for w in LINE_WIDTHS])
    boxes = placed.boxes
    rects = [
        (x - boxes[v].width / 2, y - boxes[v].height / 2, x + boxes[v].width / 2, y + boxes[v].height / 2)
        for v, (x, y) in placed.positions.items()
    ]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_first_view_takes_whole_groups_up_to_its_limit():
    G = nx.MultiDiGraph([(str(i), str(i + 1)) for i in range(100)])
    chosen = first_view(G, [["1", "2"], [str(i) for i in range(10, 50)], ["60", "61", "62"]])
    assert chosen == {"1", "2", "60", "61", "62"}
    assert first_view(G.subgraph([str(i) for i in range(READABLE)]), []) == {str(i) for i in range(READABLE)}


def test_html_large_view_opens_on_the_findings_with_the_rest_a_click_away():
    ex = synthetic(400, controllers=120, seed=2)
    G = build_graph(ex.flows, ex.organisations.values())
    found, _ = convergences(G)
    assert len(G) > READABLE
    assert found
    page = render_html(G, findings=found)
    data = page_data(page)
    first = {n["id"] for n in data["nodes"] if n["first"]}
    assert 0 < len(first) <= FIRST_VIEW
    assert found[0].recipient_id in first
    assert all(n["hidden"] != n["first"] for n in data["nodes"])
    assert all(e["hidden"] == (e["from"] not in first or e["to"] not in first) for e in data["edges"])
    assert data["view"]["partial"] is True
    assert f"all {len(G)} organisations" in page
    assert len({tuple(n["views"]["all"][:2]) for n in data["nodes"]}) == len(G)
    layouts = data["view"]["layouts"]
    assert len(layouts) == len(VIEWPORTS)
    for n in data["nodes"]:
        assert (n["views"]["first"] is not None) == n["first"]
        if n["first"]:
            assert len(n["views"]["first"]) == len(layouts)
    for k in range(len(layouts)):
        spots = [tuple(n["views"]["first"][k][:2]) for n in data["nodes"] if n["first"]]
        assert len(set(spots)) == len(spots)


# ---------------------------------------------------------------------------------------
# Scale


def test_html_thousand_nodes_render_quickly_with_fixed_layout():
    ex = synthetic(3000, controllers=1000, seed=0)
    G = build_graph(ex.flows, ex.organisations.values())
    assert G.number_of_nodes() >= 1000
    start = time.perf_counter()
    page = render_html(G)
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"{elapsed:.1f} s"
    data = page_data(page)
    assert len(data["nodes"]) == G.number_of_nodes()
    assert data["options"]["physics"]["enabled"] is False
    positions = [tuple((n["views"]["all"] or n["views"]["first"][0])[:2]) for n in data["nodes"]]
    assert all(isinstance(v, int) for p in positions for v in p)
    assert len(set(positions)) == len(positions)


def test_html_long_evidence_lists_are_folded_and_capped():
    from dataflow_graph.graph import Cited, Qualifier

    G = build_graph(two_copies().flows)
    found, _ = convergences(G)
    cites = tuple(Cited("/srv/x/rows.csv", n, 1, f"row {n}") for n in range(1, 41))
    busy = replace(found[0], qualifiers=(Qualifier("overlap", "both copies cover 2019", cites),))
    [item] = [i for i in findings_of(render_html(G, findings=[busy])) if 'data-qualifier="overlap"' in i]
    shown = re.findall(r"<q>row (\d+)</q>", item)
    assert shown == [str(n) for n in range(1, 31)]  # three open, the rest of 30 behind <details>
    assert "<summary>37 more pieces of evidence</summary>" in item
    assert "… and 10 more (dfg converge --format json lists them all)" in item
    assert "rows.csv:40" not in item
    assert "/srv/x" not in item
