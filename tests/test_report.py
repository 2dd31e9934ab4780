"""`dfg report`: the briefing states what its evidence carries, cites real lines, reads offline."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph._resources import embedded_path
from dataflow_graph.cli import cli
from dataflow_graph.outputs.report import headline, month_words, render_html

SEED = embedded_path("seeds") / "000_95fc53981bcca0e2.txt"
WORKBOOK = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
CITE = re.compile(r"<li><q>(?P<text>.*?)</q> <cite>(?P<cite>.*?)</cite></li>", re.S)


@pytest.fixture(scope="module")
def thurrock() -> str:
    page, _ = render_html(api.briefing(api.load(), organisation="NHS Thurrock CCG"))
    return page


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_report_thurrock_headline_holds_the_facts(thurrock):
    words = " ".join(_text(thurrock).split())
    assert (
        "NHS Thurrock CCG received SUS data both identifiable, for invoice validation, and pseudonymised, "
        "for commissioning, in June–September 2018; opt-outs were honoured on the identifiable copy and not "
        "on the pseudonymised one." in words
    )
    assert "both copies were released under NIC-41576-W2B4Q" in words
    assert "both copies cover 2018-06 to 2018-09" in words


def test_report_every_citation_is_a_real_line_of_the_seed(thurrock):
    lines = SEED.read_text(encoding="utf-8").splitlines()
    cites = [(text, cite) for text, cite in CITE.findall(thurrock) if ", line " in cite]
    assert len(cites) >= 10
    for text, cite in cites:
        name, where, *_ = (part.strip() for part in html.unescape(cite).split(","))
        assert name == SEED.name
        number = int(where.removeprefix("line "))
        assert html.unescape(text) in lines[number - 1], (cite, text)


def test_report_2017_lists_the_top_10_findings_in_severity_order():
    register = api.load([WORKBOOK])
    page, _ = render_html(api.briefing(register, top=10))
    ranked = re.search(r'<ol class="ranked">(.*?)</ol>', page, re.S)
    assert ranked is not None
    severities = [int(s) for s in re.findall(r"severity (\d+) \(", ranked.group(1))]
    assert len(severities) == 10
    assert severities == sorted(severities, reverse=True)
    found, _ = api.convergences(register)
    best = api.ranked(found, api.file_findings(register))[:10]
    assert severities == [f.severity for f in best]


def test_report_is_the_same_bytes_twice(thurrock):
    again, _ = render_html(api.briefing(api.load(), organisation="NHS Thurrock CCG"))
    assert again == thurrock


def test_report_escapes_markup_in_names_and_evidence(tmp_path):
    hostile = 'Mede<script>alert("x")</script>&<b>co</b> Limited'
    page_text = SEED.read_text(encoding="utf-8").replace("MedeAnalytics International Limited", hostile)
    page_text = page_text.replace("Medeanalytics International Limited", hostile)
    path = tmp_path / "hostile.txt"
    path.write_text(page_text, encoding="utf-8")
    page, pictures = render_html(api.briefing(api.load([path]), organisation="NHS Thurrock CCG"))
    assert "<script" not in page
    assert "<b>co</b>" not in page
    assert "&lt;script&gt;" in page
    assert not any("<script" in p.svg for p in pictures)


def test_report_markdown_keeps_the_text_and_writes_the_pictures(tmp_path):
    out = tmp_path / "thurrock.md"
    result = CliRunner().invoke(cli, ["report", "--org", "thurrock ccg", "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "opt-outs were honoured on the identifiable copy" in text
    pictures = sorted((tmp_path / "thurrock-pictures").glob("*.svg"))
    assert [p.name for p in pictures] == ["finding-1-routes.svg", "finding-1-timeline.svg"]
    assert all(f"thurrock-pictures/{p.name}" in text for p in pictures)
    assert f"wrote {out}" in result.stderr


def test_report_refuses_a_terminal_and_markdown_to_stdout():
    result = CliRunner().invoke(cli, ["report", "--format", "md", "-o", "-"])
    assert result.exit_code == 2
    assert "give -o FILE.md" in result.output


def test_report_month_words_and_headline_of_every_2017_finding():
    assert month_words("2017-09", "2017-11") == "September–November 2017"
    register = api.load([WORKBOOK])
    found, _ = api.convergences(register)
    for f in [*found, *api.file_findings(register)]:
        line = headline(f)
        assert line.startswith(f.recipient)
        if "opt-outs were honoured" in line:
            assert any(q.name == "opt_out_divergence" for q in f.qualifiers)


def test_org_and_converge_point_to_the_report():
    for args in (["org", "NHS Thurrock CCG"], ["converge"]):
        assert "`dfg report" in " ".join(CliRunner().invoke(cli, args).stdout.split())


# ---------------------------------------------------------------------------------------
# In a real browser: no script, no network, printed to PDF


def _browser_missing() -> list[str]:
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).is_file()]
    if shutil.which("pdftotext") is None:
        missing.append("pdftotext (poppler-utils)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    return missing


@pytest.mark.browser
def test_report_renders_offline_without_javascript_and_prints(tmp_path, thurrock):
    missing = _browser_missing()
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install chromium chromium-driver poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    page = tmp_path / "thurrock.html"
    page.write_text(thurrock, encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.get(page.as_uri())
        body = driver.find_element("tag name", "body").text
        assert "NHS Thurrock CCG received SUS data both identifiable" in body
        assert driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "1"})  # the page has no script to run
        pdf = base64.b64decode(driver.print_page(PrintOptions()))
        requests = [
            m for m in (entry["message"] for entry in driver.get_log("performance")) if "Network.requestWillBeSent" in m
        ]
    finally:
        driver.quit()
    urls = {u for m in requests for u in re.findall(r'"url":"([^"]+)"', m)}
    assert {u for u in urls if re.match(r"(?:https?|wss?|ftp)://", u)} == set()
    (tmp_path / "thurrock.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "thurrock.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "NHS Thurrock CCG received SUS data both identifiable" in flat
    assert f"{SEED.name}, line" in flat
