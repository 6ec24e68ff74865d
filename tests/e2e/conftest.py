"""Shared by the browser tests: Debian's Chromium driven by Playwright, screenshots, axe-core."""

import os
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

# Debian's Chromium. Its headless shell (apt-get install -y chromium-headless-shell: the same
# Chromium release, without the desktop browser around it; what Playwright itself runs for
# headless pages) is taken when it is there: the walks cost about a third less CPU with it.
FULL_CHROMIUM = "/usr/bin/chromium"
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
CHROMIUM = HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else FULL_CHROMIUM
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "e2e"
DOCS = ROOT / "docs" / "screenshots"
DATA = Path(__file__).resolve().parents[1] / "data"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


# CI sets REQUIRE_BROWSER=1 (REQUIRE_SERVICES=1 implies it): a missing browser fails the run.
REQUIRE_BROWSER = REQUIRE_SERVICES or os.environ.get("REQUIRE_BROWSER") == "1"
NO_BROWSER = (
    "Chromium is not installed (apt-get install -y chromium chromium-headless-shell fonts-noto-cjk)"
)


def chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"{NO_BROWSER}: REQUIRE_BROWSER=1 requires the browser tests to run")
        pytest.skip(NO_BROWSER, allow_module_level=True)  # (also called at a module's top)


@pytest.fixture(scope="module")
def browser():
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# The README's screenshots are rewritten only when asked (they change with every date and
# 到達番号): UPDATE_DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_filing_flow.py
UPDATE_DOCS = os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1"
# The walks' own screenshots cost ~0.3 s of CPU each (a full-page PNG), ~20 s per run of the
# suite: taken when asked, E2E_SCREENSHOTS=1 (the checks on each page run either way).
SCREENSHOTS = UPDATE_DOCS or os.environ.get("E2E_SCREENSHOTS") == "1"


class Shots:
    """Numbered full-page screenshots under test-output/e2e/<name>/ when E2E_SCREENSHOTS=1;
    ``docs=`` also writes the README's copy under docs/screenshots/ when
    UPDATE_DOCS_SCREENSHOTS=1."""

    def __init__(self, name: str):
        self.dir = OUT / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, label: str, *, docs: str | None = None) -> None:
        self.n += 1
        if not SCREENSHOTS:
            return
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{label}.png"), full_page=True)
        if docs and UPDATE_DOCS:
            DOCS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS / f"{docs}.png"), full_page=True)


def check_accessibility(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{page.url}: {bad}"


def no_sideways_scroll(page, label: str) -> None:
    """The page is no wider than the window: nothing to scroll sideways."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        culprits = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                    Math.round(e.getBoundingClientRect().right))"""
        )
        raise AssertionError(f"{label}: horizontal scroll ({width}px > {inner}px): {culprits}")
