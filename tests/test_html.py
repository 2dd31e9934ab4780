"""The interactive HTML page: escaping, determinism, offline-ness, legend, filters, scale."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from dataflow_graph import api
from dataflow_graph.errors import UnknownOrganisationError
from dataflow_graph.examples import synthetic, two_copies
from dataflow_graph.graph import build_graph, convergences
from dataflow_graph.model import Identifiability, Period, Role
from dataflow_graph.outputs.html import FINDING_WIDTH, LANDING_ONLY, STYLES, json_for_script, render_html

ORG = '<img src=x onerror="window.__xss=1">'
EVIDENCE = "The CSU sends </script><script>window.__xss=1</script> & <img src=x onerror=window.__xss=1>."


def payload_graph():
    """two_copies() with the CCG named ORG and every hop into it citing EVIDENCE."""
    ex = two_copies()
    bad = replace(ex.organisations["org:example-ccg"], name=ORG)
    flows = []
    for f in ex.flows:
        hops = tuple(
            replace(h, target=bad, evidence=replace(h.evidence, text=EVIDENCE)) if h.target.id == bad.id else h
            for h in f.hops
        )
        flows.append(replace(f, hops=hops))
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
    labels = {n["label"] for n in page_data(page)["nodes"]}
    assert ORG in labels  # the JSON decodes back to the raw text, drawn on the canvas as text
    assert any(EVIDENCE in e["title"] for e in page_data(page)["edges"])


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
# Offline


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


# ---------------------------------------------------------------------------------------
# Determinism


def test_html_same_input_gives_same_bytes():
    G, found = payload_graph()
    assert render_html(G, findings=found) == render_html(payload_graph()[0], findings=payload_graph()[1])


_DIGEST = """
import hashlib, sys
from dataflow_graph import api
from dataflow_graph.examples import synthetic
from dataflow_graph.graph import build_graph
from dataflow_graph.outputs.html import render_html
ex = synthetic(200, controllers=60, seed=3)
big = render_html(build_graph(ex.flows, ex.organisations.values())).encode()
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
# Style, legend, findings


def test_html_legend_has_every_role_and_identifiability_present(seed_page):
    data = page_data(seed_page)
    legend = tags(seed_page.split('<ul id="dfg-legend">')[1].split("</ul>")[0])
    roles = {a["data-role"] for _, a in legend if "data-role" in a}
    levels = {a["data-identifiability"] for _, a in legend if "data-identifiability" in a}
    assert roles == {n["role"] for n in data["nodes"]}
    assert levels == {e["identifiability"] for e in data["edges"]}
    assert any(e["dashes"] for e in data["edges"])
    assert html.escape(LANDING_ONLY) in seed_page
    for role in roles:
        assert html.escape(STYLES[Role(role)].legend) in seed_page


def test_html_styles_come_from_one_table():
    assert set(STYLES) == set(Role) | set(Identifiability)
    G = build_graph(two_copies().flows)
    data = page_data(render_html(G))
    for n in data["nodes"]:
        assert n["color"]["background"] == STYLES[Role(n["role"])].colour
        assert n["shape"] == STYLES[Role(n["role"])].shape
    for e in data["edges"]:
        assert e["color"]["color"] == STYLES[Identifiability(e["identifiability"])].colour
        assert e["dashes"] == e["landing_only"]


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
        "2018-06..2018-09 (4 months)",
        "honoured on one copy and not on the other",
        "DARS-NIC-81831-Y2N8H",
        "seeds/000_95fc53981bcca0e2.txt:",
        "<q>",
    ):
        assert text in panel, text


# ---------------------------------------------------------------------------------------
# Filters


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
        ({"focus": "org:example-ccg"}, 4, 6),
        ({"focus": "org:example-ccg", "depth": 1, "identifiability": "pseudonymised"}, 2, 1),
    ],
)
def test_html_filters_restrict_nodes_and_hops(example_graph, options, nodes, edges):
    data = page_data(render_html(example_graph, **options))
    assert len(data["nodes"]) == nodes
    assert sum(e["hops"] for e in data["edges"]) == edges


def test_html_focus_unknown_organisation_raises(example_graph):
    with pytest.raises(UnknownOrganisationError):
        render_html(example_graph, focus="org:nowhere")


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
    assert {"dfg-search", "dfg-family", "dfg-names", "dfg-network", "dfg-findings"} <= found
    options = [a["value"] for t, a in tags(seed_page) if t == "option" and a.get("value")]
    assert "NHS Thurrock CCG" in options
    assert "SUS" in options


# ---------------------------------------------------------------------------------------
# Scale and layout


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
    positions = [(n["x"], n["y"]) for n in data["nodes"]]
    assert all(isinstance(v, int) for p in positions for v in p)
    assert len(set(positions)) == len(positions)
