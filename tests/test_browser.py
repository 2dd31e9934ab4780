"""The HTML page in real headless Chromium, with every network request blocked.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium
chromium-driver``); other paths can be given in ``DFG_CHROMIUM`` and ``DFG_CHROMEDRIVER``.
Where they are missing the tests FAIL and say how to install them; set
``DFG_SKIP_BROWSER=1`` to skip them instead (never in CI).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_html import EVIDENCE, ORG, page_data, payload_graph

from dataflow_graph import api
from dataflow_graph.outputs.html import render_html

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("DFG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DFG_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = (
    "install them with `sudo apt-get install chromium chromium-driver` (Debian/Ubuntu; "
    "other systems: set DFG_CHROMIUM and DFG_CHROMEDRIVER to the browser and its driver), "
    "or set DFG_SKIP_BROWSER=1 to skip the browser tests"
)
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*", "*://*"]


def _missing() -> list[str]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    return missing


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    missing = _missing()
    if missing:
        message = f"browser test needs {', '.join(missing)}: {INSTALL}"
        if os.environ.get("DFG_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
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
        "--window-size=1400,900",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.set_page_load_timeout(20)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})
    yield d
    d.quit()


def _requests(d) -> list[str]:
    """URLs of every request the page made since the last call (from the performance log)."""
    urls = []
    for entry in d.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _open(d, page: str, path: Path) -> None:
    path.write_text(page, encoding="utf-8")
    _requests(d)  # drop what came before
    d.get(path.as_uri())
    deadline = time.monotonic() + 15
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


def test_browser_payload_page_draws_offline_and_xss_does_not_run(driver, tmp_path):
    G, found = payload_graph()
    path = tmp_path / "payload.html"
    _open(driver, render_html(G, findings=found), path)
    _assert_drawn(driver, G.number_of_nodes())
    panel = driver.find_element("id", "dfg-findings").text
    assert ORG in panel  # shown as text, not parsed into an element
    assert EVIDENCE.replace("  ", " ") in panel
    driver.execute_script(
        "window.dfg.network.body.emitter.emit('click', "
        "{nodes: ['org:example-ccg'], edges: [], pointer: {DOM: {x: 0, y: 0}}})"
    )
    assert ORG in driver.find_element("id", "dfg-details").text
    driver.execute_script("var b = document.querySelector('.dfg-goto'); b.click();")
    assert driver.execute_script("return document.querySelectorAll('#dfg-side img, #dfg-side script').length") == 0
    assert driver.execute_script("return typeof window.__xss") == "undefined"
    _assert_offline(driver, path)


def test_browser_seed_page_draws_offline_and_filters(driver, tmp_path):
    register = api.load()
    page = api.export(register, "html").decode("utf-8")
    data = page_data(page)
    path = tmp_path / "thurrock.html"
    _open(driver, page, path)
    _assert_drawn(driver, len(data["nodes"]))
    assert driver.execute_script("return window.dfg.visible") == {
        "nodes": len(data["nodes"]),
        "edges": len(data["edges"]),
    }
    driver.execute_script(
        "var c = document.querySelector('.dfg-level[value=identifiable]');"
        "c.checked = false; c.dispatchEvent(new Event('change'));"
    )
    expected = sum(e["identifiability"] != "identifiable" for e in data["edges"])
    assert driver.execute_script("return window.dfg.visible.edges") == expected
    search = driver.find_element("id", "dfg-search")
    search.send_keys("thurrock")
    assert driver.find_element("id", "dfg-search-result").text == "1 match"
    assert driver.execute_script("return window.dfg.network.getSelectedNodes()") == ["org:nhs-thurrock-ccg"]
    _assert_offline(driver, path)
