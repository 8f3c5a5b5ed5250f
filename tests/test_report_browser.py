"""The HTML report in a real headless Chromium: the graph is drawn, the 002 → 001 edge is on screen,
and hostile metadata stays text.

Chromium and chromedriver come from the system (scripts/_system_deps.sh installs them with
apt-get); without them these tests skip and say why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dedup.corpus import Corpus
from dedup.report import write_report
from tests.conftest import seed_id
from tests.test_report import HOSTILE_TITLE, hostile_db

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")


def _skip(reason: str) -> None:
    # CI installs Chromium (scripts/_system_deps.sh): there a missing browser is a failure, not a skip
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        _skip(f"no headless browser: {', '.join(missing)} missing (scripts/_system_deps.sh installs "
                    "them with apt-get install chromium chromium-driver, as root)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000",
                 "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    except Exception as exc:  # a broken install must read as a skip with its reason, not as a report bug
        _skip(f"chromium did not start: {exc}")
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _rect(driver: Any, element: Any) -> dict[str, float]:
    box: dict[str, float] = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height};",
        element,
    )
    return box


def _severe_console(driver: Any) -> list[str]:
    # CSP violations and load failures show up here; a clean page logs nothing severe
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def test_seeds_report_in_chromium(browser: Any, seeds_run: dict[str, Any], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with Corpus.open(str(seeds_run["db"])) as corpus:
        report = write_report(corpus, tmp_path / "report.html")
    browser.get(report.resolve().as_uri())

    graph = browser.find_element(By.CSS_SELECTOR, "svg#provenance-graph")
    assert graph.is_displayed()
    g_box = _rect(browser, graph)
    assert g_box["width"] > 300 and g_box["height"] > 150

    quoting, quoted = seed_id("002"), seed_id("001")
    edge = browser.find_element(
        By.CSS_SELECTOR, f'svg g.edge.quotes[data-from="{quoting}"][data-to="{quoted}"]'
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", edge)
    assert edge.is_displayed()
    e_box = _rect(browser, edge)
    assert e_box["width"] > 20, e_box  # a real curve between two columns, not a collapsed path

    # both ends of the arrow are on screen, the quoted one to the right (arrows point at the quoted)
    src = browser.find_element(By.CSS_SELECTOR, f'svg g.node.doc[data-id="{quoting}"]')
    dst = browser.find_element(By.CSS_SELECTOR, f'svg g.node.doc.canonical[data-id="{quoted}"]')
    assert src.is_displayed() and dst.is_displayed()
    assert _rect(browser, src)["x"] < _rect(browser, dst)["x"]
    cluster = browser.find_element(By.CSS_SELECTOR, "svg g.cluster[data-id]")
    c_box, d_box = _rect(browser, cluster), _rect(browser, dst)
    assert c_box["x"] <= d_box["x"] and d_box["x"] + d_box["width"] <= c_box["x"] + c_box["width"]

    # the graph links into the page: the edge leads to its quotation section, with both passages shown
    section = browser.find_element(By.CSS_SELECTOR, "article.reuse.quotes")
    sides = section.find_elements(By.CSS_SELECTOR, "figure.side .passage")
    assert len(sides) == 2 and all(s.is_displayed() for s in sides)
    assert all("officially left Mali" in s.text for s in sides)

    browser.save_screenshot(str(tmp_path / "report.png"))
    graph.screenshot(str(tmp_path / "graph.png"))
    assert (tmp_path / "graph.png").stat().st_size > 5000
    if os.environ.get("DEDUP_REPORT_SHOTS"):  # to look at the pictures by hand
        out = Path(os.environ["DEDUP_REPORT_SHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(out / "report-top.png"))
        graph.screenshot(str(out / "graph.png"))
        section.screenshot(str(out / "reuse.png"))
    assert _severe_console(browser) == []


def test_hostile_metadata_stays_text_in_chromium(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    with Corpus.open(str(hostile_db(tmp_path))) as corpus:
        report = write_report(corpus, tmp_path / "hostile.html")
    browser.get(report.resolve().as_uri())
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is the check
    counts = browser.execute_script(
        "return [document.scripts.length, document.images.length, document.querySelectorAll('iframe').length,"
        " [...document.querySelectorAll('a[href]')].map(a => new URL(a.getAttribute('href'), document.baseURI))"
        "   .filter(u => !['http:', 'https:'].includes(u.protocol) && !(u.protocol === 'file:' && u.hash))"
        "   .length];"
    )
    assert counts == [0, 0, 0, 0]
    assert HOSTILE_TITLE in browser.find_element(By.TAG_NAME, "body").text
    assert _severe_console(browser) == []


# -- large corpora: the first screen, the size of the page, the width of the pictures -------------------
def _check_large_report(browser: Any, page: Path, shots: str) -> dict[str, Any]:
    """Load ``page`` in a 1400×900 viewport; the first screen must show the two tables that answer
    who carried what and who takes from whom, and no picture may be wider than 2,000 px."""
    from selenium.webdriver.common.by import By

    assert page.stat().st_size < 3_000_000
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        browser.get(page.resolve().as_uri())
        for section in ("carried", "outlets"):
            rows = browser.find_elements(By.CSS_SELECTOR, f"#{section} tbody tr")
            assert rows, section
            # the heading and the first five rows are on the first screen, without scrolling
            assert _rect(browser, browser.find_element(By.CSS_SELECTOR, f"#{section} h2"))["y"] >= 0
            last = rows[min(4, len(rows) - 1)]
            assert _rect(browser, last)["y"] + _rect(browser, last)["height"] <= 900, section
        widths = browser.execute_script(
            "return [...document.querySelectorAll('svg.graph')].map(s => [s.id, +s.getAttribute('width'),"
            " s.getBoundingClientRect().width]);")
        assert widths and all(w <= 2000 and shown <= 1400 for _, w, shown in widths), widths
        if os.environ.get("DEDUP_REPORT_SHOTS"):
            out = Path(os.environ["DEDUP_REPORT_SHOTS"])
            out.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(out / f"{shots}-top.png"))
            first = browser.find_element(By.CSS_SELECTOR, "#graph")
            browser.execute_script("arguments[0].scrollIntoView()", first)
            browser.save_screenshot(str(out / f"{shots}-graph.png"))
        assert _severe_console(browser) == []
        info: dict[str, Any] = browser.execute_script(
            "return {height: document.documentElement.scrollHeight, graphs: document.querySelectorAll('svg').length}")
        return info
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_large_report_first_screen_in_chromium(browser: Any, tmp_path: Path) -> None:
    from tests.test_report_scale import scale_db

    db, _ = scale_db(tmp_path / "scale.db")
    with Corpus.open(str(db)) as corpus:
        report = write_report(corpus, tmp_path / "scale.html")
    info = _check_large_report(browser, report, "scale")
    assert info["graphs"] > 1


@pytest.mark.slow
def test_helsinki_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    import re

    from dedup import run
    from tests.golden import DATA, _write_jsonl, helsinki_records

    if not (DATA / "helsinki" / "helsinki_articles.csv").is_file():
        pytest.skip(f"Helsinki data not found in {DATA}")
    _write_jsonl(tmp_path / "h.jsonl", helsinki_records())
    run([str(tmp_path / "h.jsonl")], db=str(tmp_path / "h.db"))
    with Corpus.open(str(tmp_path / "h.db")) as corpus:
        report = write_report(corpus, tmp_path / "helsinki.html")
        md_text = write_report(corpus, tmp_path / "helsinki.md").read_text(encoding="utf-8")
    _check_large_report(browser, report, "helsinki")
    blocks = re.findall(r"```mermaid\n(.*?)\n```", md_text, re.S)
    assert blocks and max(len(b) for b in blocks) < 50_000
