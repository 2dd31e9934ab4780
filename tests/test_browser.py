"""The HTML page in real headless Chromium, with every network request blocked.

Needs Chromium and its driver (Debian: ``apt-get install chromium chromium-driver``;
``.ci/run`` installs them); other binaries can be named in ``DFG_CHROMIUM`` and
``DFG_CHROMEDRIVER``.  Where they are missing the tests are SKIPPED, with the reason in
pytest's summary (``-rs`` is in the project's pytest options), except under ``CI=true``,
where they are required and FAIL with the install hint.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from test_html import EVIDENCE, ORG, _chain_and_fan, page_data, payload_graph

from dataflow_graph import api
from dataflow_graph.outputs.html import render_html
from dataflow_graph.outputs.layout import LABEL_PX, READABLE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
REGISTER_2017 = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
INSTALL = (
    "install them with `sudo apt-get install chromium chromium-driver` (Debian/Ubuntu; other systems: set "
    "DFG_CHROMIUM and DFG_CHROMEDRIVER to the browser and its driver)"
)
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*", "*://*"]
#: viewports: a 1280×800 window, a 1400×900 one, and a 1280×800 laptop's browser (toolbars taken off)
LAPTOP, DESKTOP, BROWSER_ON_LAPTOP = (1280, 800), (1400, 900), (1280, 680)


def _binary(variable: str, *names: str) -> str | None:
    given = os.environ.get(variable)
    if given:
        return given if Path(given).is_file() else None
    return next((found for name in names if (found := shutil.which(name))), None)


def _missing() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = []
    if _binary("DFG_CHROMIUM", "chromium", "chromium-browser", "google-chrome") is None:
        missing.append("Chromium (chromium)")
    if _binary("DFG_CHROMEDRIVER", "chromedriver") is None:
        missing.append("its driver (chromedriver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    return missing


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


MISSING = _missing()
if MISSING and not _in_ci():  # one line in pytest's summary, with the reason
    pytest.skip(f"browser tests need {', '.join(MISSING)}: {INSTALL}", allow_module_level=True)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if MISSING:
        pytest.fail(f"browser tests need {', '.join(MISSING)}: {INSTALL} (required under CI=true)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(_binary("DFG_CHROMIUM", "chromium", "chromium-browser", "google-chrome"))
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--hide-scrollbars",
        "--window-size=1400,900",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(service=Service(str(_binary("DFG_CHROMEDRIVER", "chromedriver"))), options=options)
    d.set_page_load_timeout(30)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})
    yield d
    d.quit()


@pytest.fixture(scope="module")
def register_2017():
    return api.load([REGISTER_2017])


def _requests(d) -> list[str]:
    """URLs of every request the page made since the last call (from the performance log)."""
    urls = []
    for entry in d.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _open(d, page: str, path: Path, size: tuple[int, int] = LAPTOP) -> None:
    """Write the page, open it in a viewport of ``size`` CSS pixels, wait for the first view."""
    path.write_text(page, encoding="utf-8")
    d.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
    )
    _requests(d)  # drop what came before
    d.get(path.as_uri())
    deadline = time.monotonic() + 20
    while not d.execute_script("return !!(window.dfg && window.dfg.drawn)"):
        assert time.monotonic() < deadline, "the network never drew"
        time.sleep(0.05)


def _assert_drawn(d, nodes: int) -> None:
    size = d.execute_script(
        "var c = document.querySelector('#dfg-network canvas');return c ? [c.width, c.height] : null"
    )
    assert size is not None, "no canvas"
    assert size[0] > 0
    assert size[1] > 0
    assert d.execute_script("return window.dfg.nodes.length") == nodes
    assert d.execute_script("return window.dfg.network.body.nodeIndices.length") == nodes


def _assert_offline(d, path: Path) -> None:
    left = [u for u in _requests(d) if u != path.as_uri() and not u.startswith(("data:", "about:"))]
    assert left == [], f"requests left the page: {left}"
    errors = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


_FIRST_VIEW = """
var net = window.dfg.network, nodes = window.dfg.nodes, box = document.getElementById('dfg-network');
var ids = nodes.getIds({filter: function (n) { return !n.hidden; }});
var scale = net.getScale(), rects = [];
ids.forEach(function (id) {
  var b = net.getBoundingBox(id);
  var a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
  rects.push([a.x, a.y, z.x, z.y]);
});
return {scale: scale, fonts: ids.map(function (id) { return nodes.get(id).font.size; }),
        rects: rects, width: box.clientWidth, height: box.clientHeight, shown: ids.length};
"""


def _first_view(d) -> dict:
    """The first view as drawn: zoom, the visible nodes' font sizes and on-screen boxes."""
    return d.execute_script(_FIRST_VIEW)


def _assert_readable_and_fitted(view: dict) -> None:
    """Every name at least LABEL_PX on screen, every box inside the canvas with a margin."""
    assert view["shown"] > 0
    smallest = min(view["fonts"]) * view["scale"]
    assert smallest >= LABEL_PX, f"names {smallest:.1f} px high at the first zoom ({view['scale']:.3f})"
    for left, top, right, bottom in view["rects"]:
        assert left >= 8, (left, top, right, bottom)
        assert top >= 8, (left, top, right, bottom)
        assert right <= view["width"] - 8, (left, top, right, bottom)
        assert bottom <= view["height"] - 8, (left, top, right, bottom)


def _assert_no_absolute_path(d, *folders: Path) -> None:
    dom = d.execute_script("return document.documentElement.outerHTML")
    for secret in {*(str(f.resolve()) for f in folders), str(ROOT), os.path.expanduser("~"), "file://"}:
        assert secret not in dom, secret


def _assert_timeline_in_each_finding(d) -> int:
    counts = d.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#dfg-findings .dfg-finding'), function (f) {"
        " var svg = f.querySelector('figure.dfg-timeline svg');"
        " return svg ? svg.querySelectorAll('rect[stroke-width=\"2\"] > title').length : -1; })"
    )
    assert counts, "no findings in the panel"
    assert all(n > 0 for n in counts), counts
    return len(counts)


def test_browser_payload_page_draws_offline_and_xss_does_not_run(driver, tmp_path):
    G, found = payload_graph()
    path = tmp_path / "payload.html"
    _open(driver, render_html(G, findings=found, focus="org:example-ccg", depth=3), path)
    _assert_drawn(driver, G.number_of_nodes())
    panel = driver.find_element("id", "dfg-findings").text
    assert ORG in panel  # shown as text, not parsed into an element
    assert EVIDENCE.replace("  ", " ") in panel
    driver.execute_script(
        "window.dfg.network.body.emitter.emit('click', "
        "{nodes: ['org:example-ccg'], edges: [], pointer: {DOM: {x: 0, y: 0}}})"
    )
    assert ORG in driver.find_element("id", "dfg-details").text
    driver.execute_script("var b = document.querySelector('#dfg-findings .dfg-goto'); b.click();")
    assert driver.execute_script("return document.querySelectorAll('#dfg-side img, #dfg-side script').length") == 0
    assert driver.execute_script("return document.querySelectorAll('svg script, svg foreignObject').length") == 0
    assert driver.execute_script("return typeof window.__xss") == "undefined"
    _assert_offline(driver, path)


def test_browser_seed_page_is_readable_fitted_offline_and_filters(driver, tmp_path):
    register = api.load()
    page = api.export(register, "html").decode("utf-8")
    data = page_data(page)
    path = tmp_path / "thurrock.html"
    _open(driver, page, path)
    _assert_drawn(driver, len(data["nodes"]))
    _assert_readable_and_fitted(_first_view(driver))
    assert driver.execute_script("return window.dfg.visible") == {
        "nodes": len(data["nodes"]),
        "edges": len(data["edges"]),
    }
    assert _assert_timeline_in_each_finding(driver) == 2
    _assert_no_absolute_path(driver, tmp_path)
    driver.execute_script(
        "var c = document.querySelector('input.dfg-level[value=identifiable]');"
        "c.checked = false; c.dispatchEvent(new Event('change'));"
    )
    expected = sum(e["identifiability"] != "identifiable" for e in data["edges"])
    assert driver.execute_script("return window.dfg.visible.edges") == expected
    driver.execute_script(
        "var m = document.getElementById('dfg-during'); m.value = '2030'; m.dispatchEvent(new Event('change'));"
    )
    assert driver.execute_script("return window.dfg.visible.edges") == 0
    search = driver.find_element("id", "dfg-search")
    search.send_keys("thurrock")
    assert driver.find_element("id", "dfg-search-result").text == "1 match"
    assert driver.execute_script("return window.dfg.network.getSelectedNodes()") == ["org:nhs-thurrock-ccg"]
    _assert_offline(driver, path)


def test_browser_focus_page_of_2017_register_is_readable_highlighted_and_complete(driver, tmp_path, register_2017):
    page = api.export(register_2017, "html", focus="NHS Surrey Downs CCG").decode("utf-8")
    path = tmp_path / "surrey.html"
    _open(driver, page, path)
    view = _first_view(driver)
    _assert_readable_and_fitted(view)
    nodes = driver.execute_script("return window.dfg.nodes.get()")
    [focus] = [n for n in nodes if n["focus"]]
    assert focus["name"] == "NHS Surrey Downs CCG"
    others = [n for n in nodes if not n["focus"]]
    assert focus["borderWidth"] > max(n["borderWidth"] for n in others)
    assert focus["font"]["size"] > max(n["font"]["size"] for n in others)
    drawn = driver.execute_script(
        "var n = window.dfg.network.body.nodes[arguments[0]]; "
        "return {bold: n.labelModule.lines[0].blocks[0].mod, border: n.options.borderWidth};",
        focus["id"],
    )
    assert drawn == {"bold": "bold", "border": focus["borderWidth"]}  # as vis-network draws it
    first = driver.execute_script(
        "return document.querySelector('#dfg-findings .dfg-finding').getAttribute('data-node')"
    )
    assert first == focus["id"]  # the focus's findings come first
    found = _assert_timeline_in_each_finding(driver)
    assert found == len(api.convergences(register_2017)[0]) + len(api.file_findings(register_2017))
    _assert_no_absolute_path(driver, tmp_path, REGISTER_2017.parent)
    _assert_offline(driver, path)


@pytest.mark.parametrize("size", [LAPTOP, BROWSER_ON_LAPTOP])
def test_browser_large_2017_graph_opens_readable_on_the_findings(driver, tmp_path, register_2017, size):
    page = api.export(register_2017, "html").decode("utf-8")
    path = tmp_path / "register.html"
    _open(driver, page, path, size=size)
    view = _first_view(driver)
    _assert_readable_and_fitted(view)
    total = len(page_data(page)["nodes"])
    assert view["shown"] < total
    driver.execute_script(
        "var s = document.getElementById('dfg-view'); s.value = 'all'; s.dispatchEvent(new Event('change'));"
    )
    assert driver.execute_script("return window.dfg.visible.nodes") == total
    _assert_offline(driver, path)


def test_browser_sixty_organisations_fit_with_names_of_twelve_pixels(driver, tmp_path):
    G = _chain_and_fan(READABLE)
    path = tmp_path / "sixty.html"
    _open(driver, render_html(G), path, size=DESKTOP)
    view = _first_view(driver)
    assert view["shown"] == READABLE
    _assert_readable_and_fitted(view)
