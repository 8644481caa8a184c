"""End to end in headless Chromium against a real server: log in, overview, a failing site's charts, acknowledge.

Screenshots go to artifacts/pages/ (or $WQMON_TEST_ARTIFACTS).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.methods.ratings import CLASS_COLOURS
from service.report.pdf import HEADLESS_ARGS
from tests.pages.conftest import DemoServer, chromium_or_skip

pytestmark = pytest.mark.browser


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile and page (Playwright driving Debian's /usr/bin/chromium)."""
    chromium = chromium_or_skip()
    try:
        from playwright import sync_api
    except ImportError:
        message = "Playwright for Python is needed for the browser tests (pip install -e '.[test]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(chromium),
            headless=True,
            args=list(HEADLESS_ARGS),
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def log_in(page: Any, server: DemoServer, role: str) -> None:
    page.goto(f"{server.url}/overview")
    assert page.url.startswith(f"{server.url}/login")
    page.fill("#api_key", server.keys[role])
    page.click("#login-button")
    page.wait_for_url(f"{server.url}/overview")


def test_log_in_see_overview_and_a_failing_site_chart(page: Any, demo_server: DemoServer, artifacts: Path) -> None:
    page.goto(f"{demo_server.url}/overview")
    page.screenshot(path=str(artifacts / "01-login.png"))
    log_in(page, demo_server, "viewer")
    scorecard = page.locator("table.scorecard").first
    assert scorecard.locator("tr[data-indicator]").count() >= 5
    assert page.locator("span.status.red").count() >= 1
    assert "不达标" in scorecard.inner_text()
    page.screenshot(path=str(artifacts / "02-overview.png"), full_page=True)

    page.goto(f"{demo_server.url}/sites")
    assert page.locator("#site-list tr[data-site]").count() == len(demo_server.config.sites)
    page.screenshot(path=str(artifacts / "03-sites.png"), full_page=True)
    page.go_back()
    failing = scorecard.locator("a[href^='/sites/']").first  # a site that pulls an indicator down
    site_name = failing.inner_text()
    failing.click()
    page.wait_for_url("**/sites/*")
    assert site_name in page.locator("h1").inner_text()
    assert page.locator("#month-classes td.bad").count() >= 1  # a month that missed the target
    page.wait_for_selector(".js-plotly-plot")
    traces = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(e => e.data.length)")
    assert traces and all(n >= 1 for n in traces)
    exceeding = page.locator(".chart[data-exceedances]:not([data-exceedances='0'])")
    assert exceeding.count() >= 1
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 1  # drawn, not only data
    page.screenshot(path=str(artifacts / "04-site.png"), full_page=False)


def test_operator_acknowledges_an_alert(page: Any, demo_server: DemoServer, artifacts: Path) -> None:
    log_in(page, demo_server, "operator")
    page.goto(f"{demo_server.url}/alerts")
    row = page.locator("#active-alerts tr[data-status='open']").first
    alert_id = row.get_attribute("data-alert")
    row.locator("input[name='note']").fill("已通知运维人员现场核查")
    row.locator("button[type='submit']").click()
    page.wait_for_url(f"{demo_server.url}/alerts")
    done = page.locator(f"#active-alerts tr[data-alert='{alert_id}']")
    assert done.get_attribute("data-status") == "acknowledged"
    assert "已通知运维人员现场核查" in done.inner_text()
    page.screenshot(path=str(artifacts / "05-alerts.png"), full_page=True)


def rgb(hex_colour: str) -> str:
    """#1e6fd9 as the browser's computed style writes it: rgb(30, 111, 217)."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def badge_colours(page: Any, selector: str) -> list[tuple[str, str]]:
    return [
        (str(c), str(b))
        for c, b in page.evaluate(
            f"() => Array.from(document.querySelectorAll({selector!r}))"
            ".map(e => [e.dataset.class || e.textContent.trim(), getComputedStyle(e).backgroundColor])"
        )
    ]


@pytest.mark.parametrize(("width", "size"), [(1280, "desk"), (390, "phone")])
def test_the_report_page_reads_at_desk_and_phone_size_and_prints_clean(
    page: Any, demo_server: DemoServer, artifacts: Path, width: int, size: str
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server, "viewer")
    page.goto(f"{demo_server.url}/report?month=2025-10")
    page.wait_for_selector("#chart-sections .main-svg")
    assert page.locator("h1").inner_text() == "清溪县水环境质量月报（2025年10月）"
    assert "XX" not in page.locator("body").inner_text()
    assert page.locator("#print-button").is_visible()
    assert page.locator("#signatures").inner_text().replace("\n", " ").count("：") == 3
    classes = badge_colours(page, "#sections .class")
    assert len(classes) >= 8  # target, this month and last month of four sections
    assert all(colour == rgb(CLASS_COLOURS[name]["hex"]) for name, colour in classes)
    legend = badge_colours(page, "#class-legend .class")
    assert [name for name, _ in legend] == list(CLASS_COLOURS)
    assert page.locator("#rates .trend.better, #rates .trend.worse").count() >= 1
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page scrolls sideways by {wide} px at {width} px"
    page.screenshot(path=str(artifacts / f"06-report-{size}.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("#print-button").is_visible()  # the toolbar does not print
    page.emulate_media(media="screen")


@pytest.mark.parametrize(("width", "size"), [(1280, "desk"), (390, "phone")])
def test_classes_and_statuses_carry_their_colours_with_a_legend(
    page: Any, demo_server: DemoServer, artifacts: Path, width: int, size: str
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server, "viewer")
    statuses = page.locator(".status-legend .status")
    assert [statuses.nth(i).get_attribute("data-status") for i in range(statuses.count())] == [
        "达标", "基本达标", "不达标", "无数据"
    ]  # fmt: skip
    expected = {"green": "rgb(46, 125, 50)", "amber": "rgb(249, 168, 37)", "red": "rgb(198, 40, 40)",
                "grey": "rgb(158, 158, 158)"}  # fmt: skip
    for i, colour in enumerate(["green", "amber", "red", "grey"]):
        assert statuses.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") == expected[colour]
    page.screenshot(path=str(artifacts / f"07-overview-legend-{size}.png"), full_page=False)
    page.goto(f"{demo_server.url}/sites?month=2025-10")
    shown = badge_colours(page, "#site-list .klass")
    assert len(shown) >= 2 * 6  # class and target of the six surface sites
    assert all(colour == rgb(CLASS_COLOURS[name]["hex"]) for name, colour in shown)
    assert [n for n, _ in badge_colours(page, ".class-legend .klass")] == list(CLASS_COLOURS)
    page.screenshot(path=str(artifacts / f"08-sites-classes-{size}.png"), full_page=True)
    page.goto(f"{demo_server.url}/sites/qx-chujing?year=2025")
    months = badge_colours(page, "#month-classes .klass")
    assert len(months) == 12 and all(colour == rgb(CLASS_COLOURS[name]["hex"]) for name, colour in months)


PHONE_PAGES = ["/overview?month=2025-10", "/sites?month=2025-10", "/latest", "/sites/qx-chujing?year=2025",
               "/sites/wwtp-chengdong?year=2025", "/sites/src-qingshan?year=2025", "/alerts", "/upload",
               "/report?month=2025-10", "/map?month=2025-10"]  # fmt: skip


def test_every_page_fits_a_phone_with_a_collapsed_menu_and_scrolling_tables(
    page: Any, demo_server: DemoServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_server, "operator")
    for number, path in enumerate(PHONE_PAGES):
        page.goto(f"{demo_server.url}{path}")
        if "/sites/" in path:
            page.wait_for_selector(".js-plotly-plot")
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} scrolls sideways by {wide} px at 390 px"
        if not path.startswith("/report"):
            assert not page.locator("#menu a[href='/sites']").is_visible()  # collapsed
            page.click("label.menu-button")
            assert page.locator("#menu a[href='/sites']").is_visible()
            page.click("label.menu-button")
        name = path.strip("/").split("?")[0].replace("/", "-")
        page.screenshot(path=str(artifacts / f"09-phone-{number}-{name}.png"), full_page=False)
    page.goto(f"{demo_server.url}/sites/qx-chujing?year=2025")
    page.wait_for_selector(".js-plotly-plot")
    overlap = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(plot => {
             const bar = plot.querySelector('.modebar'), title = plot.querySelector('.gtitle');
             if (!bar || !title) return false;
             const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
             return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
           }).length"""
    )
    assert overlap == 0, f"{overlap} chart toolbars cover their titles at 390 px"


def test_api_docs_work_offline(page: Any, demo_server: DemoServer, artifacts: Path) -> None:
    """Swagger UI draws the API from files the service serves; any request elsewhere is refused."""
    elsewhere: list[str] = []

    def only_the_service(route: Any) -> None:
        if route.request.url.startswith(demo_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_service)
    page.goto(f"{demo_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    assert page.locator(".opblock").count() >= 10
    assert not elsewhere, elsewhere
    page.screenshot(path=str(artifacts / "10-api-docs.png"), full_page=False)


def test_site_charts_sit_in_a_grid_with_units_on_their_axes(
    page: Any, demo_server: DemoServer, artifacts: Path
) -> None:
    log_in(page, demo_server, "viewer")
    page.goto(f"{demo_server.url}/sites/qx-chujing?year=2025")
    page.wait_for_selector(".js-plotly-plot .ytitle")
    tops = page.evaluate("() => Array.from(document.querySelectorAll('.chart-grid .chart')).map(e => e.offsetTop)")
    assert len(tops) >= 2 and tops[0] == tops[1]  # side by side at desk width
    units = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot .ytitle')).map(e => e.textContent)"
    )
    assert units and all(u.strip() for u in units)  # mg/L, pH units, …: no axis without its unit
    page.locator("#parameter-picker input[value='w01001']").check()
    page.locator("#parameter-picker button").click()
    page.wait_for_url("**param=w01001*")
    assert page.locator("#chart-w01001").count() == 1
    page.screenshot(path=str(artifacts / "11-site-grid.png"), full_page=False)
