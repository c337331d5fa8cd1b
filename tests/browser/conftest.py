"""Browser tests: Playwright driving Debian's Chromium against a real daphne (tests/browser/server.py)."""

from __future__ import annotations

import itertools

import pytest

from .server import close_chromium, kubeviz_server, launch_chromium, missing_requirements

_names = itertools.count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server():
    missing = missing_requirements()
    if missing:
        pytest.skip(missing)
    with kubeviz_server() as live:
        yield live


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def open_browser(playwright_instance):
    """open_browser() -> a fresh Chromium context (one person); all are closed after the test."""
    contexts = []

    def open_(width: int = 1280, height: int = 720):
        context = launch_chromium(playwright_instance, width=width, height=height)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        close_chromium(context)


class Dashboard:
    """One browser tab on a cluster page, with the few reads the tests need."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, url: str) -> Dashboard:
        self.page.goto(url)
        self.wait_live()
        return self

    def wait_live(self) -> None:
        self.page.wait_for_function("window.__kubeviz && window.__kubeviz.version !== null")
        self.page.wait_for_selector("#conn[data-state=open]")
        self.wait_settled()

    def wait_settled(self) -> None:
        """ELK's layout on screen, nothing moving: clicks land where they aim."""
        self.page.wait_for_function("window.__kubeviz.diagram.settled")

    @property
    def version(self) -> int:
        return self.page.evaluate("window.__kubeviz.version")

    def wait_version(self, version: int, timeout: float = 30000) -> None:
        """The page has drawn `version` (its version follows the drawing, not the socket)."""
        self.page.wait_for_function("(v) => window.__kubeviz.version >= v", arg=version, timeout=timeout)

    def has_element(self, ident: str) -> bool:
        return self.page.evaluate("(id) => window.__kubeviz.diagram.has(id)", ident)

    def wait_element(self, ident: str, timeout: float = 10000) -> None:
        self.page.wait_for_function("(id) => window.__kubeviz.diagram.has(id)", arg=ident, timeout=timeout)

    def classes(self, ident: str) -> list[str]:
        return self.page.evaluate("(id) => window.__kubeviz.diagram.cy.getElementById(id).classes()", ident)

    def click_element(self, ident: str, double: bool = False) -> None:
        self.wait_settled()
        pos = self.page.evaluate(
            """(id) => {
            const cy = window.__kubeviz.diagram.cy;
            const el = cy.getElementById(id);
            cy.center(el);
            const r = el.renderedPosition();
            const b = cy.container().getBoundingClientRect();
            return {x: r.x + b.left, y: r.y + b.top};
        }""",
            ident,
        )
        if double:
            self.page.mouse.dblclick(pos["x"], pos["y"])
        else:
            self.page.mouse.click(pos["x"], pos["y"])

    def type_yaml(self, text: str) -> None:
        """Replace the active buffer's text the way a person pastes it."""
        content = self.page.locator("#editor-pane .cm-content")
        content.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)

    def editor_text(self) -> str:
        return self.page.evaluate("window.__kubeviz.editor.view.state.doc.toString()")


@pytest.fixture
def dashboard():
    return Dashboard


@pytest.fixture
def new_cluster(server, open_browser):
    """Create a cluster through the home page's form (as a person would); returns its URL."""

    def create(lesson: str = "", name: str | None = None) -> str:
        context = open_browser()
        page = context.new_page()
        page.goto(server.url + "/")
        page.fill("#id_name", name or f"test {lesson or 'empty'} {next(_names)}")
        page.select_option("#id_lesson", lesson)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/clusters/**")
        url = page.url
        page.close()
        return url

    return create
