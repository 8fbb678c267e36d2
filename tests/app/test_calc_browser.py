"""The calculator in a real browser (`streamlit run app.py` + headless Chromium): the card in the chat
(verdict banner, table with ✓/✗ and [n] sources, no stray asterisks) in Dutch and English, and the
Calculator page's what-if chart. Screenshots go to ``artifacts/browser/`` for a person to look at.

Skips (with the reason) only where it cannot run: no Chromium or no playwright (see test_app_browser).
"""

from __future__ import annotations

import re

import pytest

from tests.app.test_app_browser import ARTIFACTS, app_url, browser_path, open_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def _ask(page, question: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    before = page.get_by_test_id("stChatMessage").count()
    chat = page.get_by_test_id("stChatInputTextArea")
    expect(chat).to_be_visible(timeout=120_000)
    chat.fill(question)
    chat.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(before + 1)
    # the first answer waits for lazy model loading: allow for a slow, shared machine
    expect(answer.locator("table").first).to_be_visible(timeout=240_000)
    # while Streamlit reruns, the bubble may briefly hold the stale card beside the new one (seen on a loaded
    # machine, session 31): the answer as it settles holds one card
    expect(answer.locator("table")).to_have_count(1, timeout=60_000)
    return answer


def _shoot(page, answer, name: str) -> None:  # type: ignore[no-untyped-def]
    """The answer bubble as the user sees it (scrolled into view; the chat column scrolls on its own)."""
    answer.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = answer.bounding_box()
    if box:
        page.screenshot(path=str(ARTIFACTS / name), clip={"x": box["x"], "y": max(0, box["y"]), "width": box["width"],
                                                          "height": min(box["height"], 1800 - max(0, box["y"]))})
    else:
        page.screenshot(path=str(ARTIFACTS / name))


def test_calculator_card_and_chart_in_real_browser(browser_path: str, app_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser, page = open_page(pw, browser_path, app_url, height=1800)
        try:

            answer = _ask(page, "Wij vragen € 40 miljoen aan het Rijk en brengen zelf € 35 miljoen in. Mag dat?")
            _shoot(page, answer, "10-calc-card-nl.png")
            expect(answer.get_by_test_id("stAlertContentError")).to_contain_text("Nee")
            expect(answer.locator("table")).to_contain_text("Rijksbijdrage")
            expect(answer.locator("table")).to_contain_text("✗")
            expect(answer.locator("table")).to_contain_text("✓")
            assert "****" not in answer.inner_text()
            # each rule with its source number, in bold like every [n] marker
            assert answer.locator("table strong").filter(has_text=re.compile(r"\[\d+\]")).count() > 0, answer.inner_text()

            answer = _ask(page, "We'd ask the Rijk for €40m and put in €80m of our own. Does that meet the rules?")
            expect(answer.get_by_test_id("stAlertContentSuccess")).to_contain_text("Yes")
            expect(answer.locator("table")).to_contain_text("✓")
            assert "****" not in answer.inner_text()
            _shoot(page, answer, "11-calc-card-en.png")

            page.goto(f"{app_url}/cofinanciering")
            rijk = page.get_by_role("spinbutton", name="Rijksbijdrage (€ miljoen)")
            expect(rijk).to_be_visible(timeout=60_000)
            chart = page.locator(".vega-embed").first
            expect(chart).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stAlertContentSuccess").last).to_contain_text("Ja")
            expect(page.locator('.vega-embed [aria-roledescription="point"]').first).to_have_attribute(
                "aria-label", re.compile(r"Cofinanciering \(€ miljoen\): 80; Rijksbijdrage \(€ miljoen\): 40")
            )
            chart.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "12-calc-chart-allowed.png"), full_page=True)

            cof = page.get_by_role("spinbutton", name="Cofinanciering (€ miljoen)")
            cof.fill("30")
            cof.press("Enter")
            expect(page.get_by_test_id("stAlertContentError").last).to_contain_text("Nee", timeout=60_000)
            # the plan's point moves to the new co-financing (the chart is redrawn, not only the verdict)
            point = page.locator('.vega-embed [aria-roledescription="point"]').first
            expect(point).to_have_attribute("aria-label", re.compile(r"Cofinanciering \(€ miljoen\): 30\b"), timeout=60_000)
            expect(point).to_have_attribute("aria-label", re.compile("niet toegestaan"))
            page.screenshot(path=str(ARTIFACTS / "13-calc-chart-not-allowed.png"), full_page=True)
        finally:
            browser.close()
