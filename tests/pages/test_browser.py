"""End to end in headless Chromium against a real server: log in, overview, a failing site's charts, acknowledge.

Screenshots go to artifacts/pages/ (or $WQMON_TEST_ARTIFACTS).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
