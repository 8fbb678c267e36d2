"""End to end in a real browser: `streamlit run app.py` + headless Chromium, as a council member would use it.

Skips (with the reason printed) only where it cannot run: no Chromium or no playwright. It saves
screenshots to ``artifacts/browser/`` (or ``$REGIODEAL_ARTIFACTS_DIR``) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.config import ROOT, Settings
from views.support import settings_env

CHROMIUM = os.environ.get("REGIODEAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("REGIODEAL_ARTIFACTS_DIR", ROOT / "artifacts")) / "browser"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def browser_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        msg = f"SKIP browser test: Chromium not found at {CHROMIUM} (make test installs it via scripts/ensure-chromium.sh)"
        print(msg)
        pytest.skip(msg)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        msg = "SKIP browser test: python playwright is not installed (pip install -r requirements-dev.txt)"
        print(msg)
        pytest.skip(msg)
    return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))


@pytest.fixture(scope="module")
def app_url(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `streamlit run app.py` on a free loopback port, over the session's test index."""
    tmp = tmp_path_factory.mktemp("browser")
    settings = built_settings.model_copy(update={"feedback_path": tmp / "feedback.jsonl"})
    port = _free_port()
    env = {**os.environ, **settings_env(settings), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    log_file = (tmp / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout=120)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log_file.close()
        print(f"streamlit log: {tmp / 'streamlit.log'}")


def open_page(pw: Any, browser_path: str, app_url: str, height: int = 1000) -> tuple[Any, Any]:
    """(browser, page): headless chromium at the app, Dutch locale, 1280 px wide, 60 s per step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = pw.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": height}, locale="nl-NL")
    page.set_default_timeout(60_000)
    page.goto(app_url)
    return browser, page


def test_dutch_question_in_real_browser(browser_path: str, app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser, page = open_page(pw, browser_path, app_url)
        try:
            chat = page.get_by_test_id("stChatInputTextArea")
            expect(chat).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Probeer bijvoorbeeld")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "01-start.png"), full_page=True)

            chat.fill("Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?")
            chat.press("Enter")
            # The first answer also waits for lazy model loading: allow for a slow CI machine.
            card_link = page.get_by_role("link", name="Bekijk in het document").first
            expect(card_link).to_be_visible(timeout=240_000)
            answer = page.get_by_test_id("stChatMessage").nth(1)
            expect(answer).to_contain_text("40 miljoen")
            expect(answer).to_contain_text("Kamerbrief")
            expect(answer).to_contain_text("Beantwoord door")
            # The quoted span is highlighted inside its passage.
            assert answer.locator("span", has_text="maximaal € 40 miljoen").count() > 0
            page.screenshot(path=str(ARTIFACTS / "02-answer.png"), full_page=True)

            card_link.click()
            expect(page.get_by_text("Geciteerde passage").first).to_be_visible(timeout=60_000)
            assert "doc=kamerbrief" in page.url
            page.screenshot(path=str(ARTIFACTS / "03-document.png"), full_page=False)
        finally:
            browser.close()
