"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
SERIOUS = {"serious", "critical"}
# What Chromium says when the page under a script is replaced by a navigation.
NAVIGATED_AWAY = re.compile(r"reading 'documentElement'|Execution context was destroyed|navigat", re.I)


def _missing_browser_parts() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"
    # Playwright's bundled driver is linked against libatomic, which a minimal Debian lacks.
    if not any(
        Path(d, "libatomic.so.1").exists()
        for d in (
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
        )
    ):
        return "no libatomic.so.1 for Playwright's driver: install it with `apt-get install -y libatomic1`"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    missing = _missing_browser_parts()
    if missing and os.environ.get("CI") and any(Path(str(i.fspath)).is_relative_to(here) for i in items):
        pytest.exit(f"CI must run the browser tests, but: {missing}", returncode=1)
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "viewport": {"width": 1280, "height": 900}}


class CspWatch:
    """CSP violations reported in the browser console of the test's pages."""

    def __init__(self):
        self.violations: list[str] = []
        # axe-core copies the page's stylesheets into <style> elements of its own to read them, which the CSP
        # refuses: what is reported while axe runs is axe's, not the page's.
        self.paused = False

    def report(self, message):
        if "Content Security Policy" in message.text and not self.paused:
            self.violations.append(f"{message.page.url if message.page else '?'}: {message.text}")


@pytest.fixture(autouse=True)
def no_csp_violations(browser, monkeypatch):
    """Fail the test when a page it opens reports a Content-Security-Policy violation in the browser console.

    Every context the test creates (the `page` fixture's too) is watched: browser.new_context is wrapped.
    """
    watch = CspWatch()
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", watch.report)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield watch
    assert not watch.violations, "CSP violations:\n" + "\n".join(watch.violations)


@pytest.fixture
def axe_check(no_csp_violations):
    """Run axe-core (shipped inside the axe-playwright-python package) and fail on serious or critical findings."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    checked: list[str] = []

    def check(page):
        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]}}
        no_csp_violations.paused = True
        try:
            # A click that navigates returns before the new page has a document: axe must read the page the
            # person lands on, so wait for it, and start again once if a navigation replaced the page mid-run.
            page.wait_for_load_state("load")
            try:
                results = axe.run(page, options=options)
            except PlaywrightError as error:
                if not NAVIGATED_AWAY.search(str(error)):
                    raise
                page.wait_for_load_state("load")
                results = axe.run(page, options=options)
        finally:
            no_csp_violations.paused = False
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
        )
        assert not bad, f"axe-core on {page.url}:\n{details}"
        checked.append(page.url)

    check.checked = checked
    return check


@pytest.fixture
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")
