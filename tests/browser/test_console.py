"""The web console at /__cartkit/, used in Chromium as a person would, against ``cartkit serve``.

Every page the tests open records what it asked for and what it logged: no request may go to
another host than the mock, and no console error may appear (besides the refusals a test
provokes on purpose). What the page shows is checked against calls the test makes itself,
outside the browser (httpx, curl), on the same mock.

Screenshots at 1280x800 and 390x844 are written to a temporary folder, or to ``docs/`` with
``CARTKIT_SCREENSHOTS=docs`` (how the README's pictures are made).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.pytest_plugin import free_port

from .conftest import CARTS, Server, _cartkit, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route


def expect(locator: Any) -> Any:
    """Playwright's ``expect`` (imported late: the harness skips without Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


VENDORS = ("shopimind", "nextcommerce", "elasticpath", "epages", "stateset")
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
VIEWS = ("overview", "explorer", "data", "steer", "journal")
READY = {
    "overview": "article.vendor",
    "explorer": ".swagger .opblock",
    "data": "table.carts",
    "steer": "section.steer",
    "journal": "#view-journal .state",
}
"""What each view shows once it has what it needs."""
JOURNAL_BOUND = 2.0  # seconds: the bound for a request to show in the journal
SCREENSHOTS_ENV = "CARTKIT_SCREENSHOTS"
DOCS = Path(__file__).parents[2] / "docs"
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")
UNNAMED = re.compile(
    r"^\s*- (button|textbox|combobox|checkbox|spinbutton|searchbox|radio|slider|switch|listbox)"
    r"(?! \")\b"
)
"""A control in Playwright's ARIA snapshot with no accessible name (``- button`` alone)."""


@dataclass
class Visit:
    """A browser page on the console, and what it did."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refusals: set[int] = field(default_factory=set)
    """Statuses the test provokes on purpose: Chromium logs their loads as console errors."""

    def open(self, fragment: str = "") -> None:
        """Load the console (through ``/``, which redirects) at ``#fragment``."""
        self.page.goto(f"{self.origin}/{'#' + fragment if fragment else ''}")
        self.page.locator("nav").wait_for()

    def go(self, fragment: str) -> None:
        """Follow the console's own navigation to ``#fragment`` (as a link would)."""
        self.page.evaluate("fragment => { window.location.hash = fragment; }", fragment)
        view = fragment.split("/")[0]
        self.page.locator(f"#view-{view}").wait_for()

    def clipboard(self) -> str:
        text: str = self.page.evaluate("navigator.clipboard.readText()")
        return text

    def unexpected_errors(self) -> list[str]:
        found = []
        for message in self.errors:
            refused = REFUSED.search(message)
            if refused is None or int(refused[1]) not in self.refusals:
                found.append(message)
        return found


@pytest.fixture
def visit(browser: Browser) -> Iterator[Callable[..., Visit]]:
    """Open the console of a mock in a fresh browser context; checks every page it opened."""
    opened: list[tuple[Visit, Any]] = []

    def open_console(server: Server, size: str = "desktop") -> Visit:
        width, height = SIZES[size]
        context = browser.new_context(
            viewport={"width": width, "height": height},
            permissions=["clipboard-read", "clipboard-write"],
        )
        page = context.new_page()
        seen = Visit(page=page, origin=server.url)
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on(
            "console",
            lambda message: seen.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))
        opened.append((seen, context))
        return seen

    yield open_console
    for seen, context in opened:
        context.close()
        foreign = [url for url in seen.requests if _origin(url) != seen.origin]
        assert foreign == [], f"requests to other hosts than the mock: {foreign}"
        assert seen.unexpected_errors() == []


@pytest.fixture(autouse=True)
def pristine(mock: Server) -> Iterator[None]:
    """Each test finds (and leaves) the shared mock in its start-up state."""
    yield
    httpx.put(f"{mock.url}/__cartkit/scenario", json={"scenario": "default"}).raise_for_status()
    httpx.delete(f"{mock.url}/__cartkit/faults").raise_for_status()


@pytest.fixture(scope="module")
def overview(mock: Server) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{mock.url}/__cartkit/overview").json()
    return found


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: ``docs/`` with ``CARTKIT_SCREENSHOTS=docs``, else a temp dir."""
    if os.environ.get(SCREENSHOTS_ENV) == "docs":
        DOCS.mkdir(exist_ok=True)
        return DOCS
    return tmp_path_factory.mktemp("screenshots")


# -- the page --------------------------------------------------------------------------------


def test_slash_opens_the_console_on_the_overview(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    seen = visit(mock)
    seen.open()
    page = seen.page
    assert page.url == f"{mock.url}/__cartkit/"
    assert page.title() == "Overview · cartkit mock console"
    cards = page.locator("article.vendor")
    assert cards.evaluate_all("cards => cards.map(c => c.dataset.vendor)") == list(VENDORS)
    facts = page.locator("dl.facts")
    assert facts.get_by_text("2026-01-15T12:00:00Z").is_visible()
    assert facts.locator("dd").nth(1).text_content() == str(CARTS)
    for vendor, described in overview["vendors"].items():
        card = page.locator(f"#vendor-{vendor}")
        assert card.locator("code.url").text_content() == described["list"]["url"]
        assert card.locator(".badge").text_content() == "default"


def test_every_copied_url_and_snippet_answers_200(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    seen = visit(mock)
    seen.open("overview")
    page = seen.page
    for vendor, described in overview["vendors"].items():
        card = page.locator(f"#vendor-{vendor}")
        card.get_by_role("button", name=f"Copy the {described['title']} list URL").click()
        url = seen.clipboard()
        assert url == described["list"]["url"]
        shown = dict(
            line.split(": ", 1) for line in card.locator("dd.headers code").all_text_contents()
        )
        assert httpx.get(url, headers=shown).status_code == 200, vendor

        card.get_by_role("button", name=f"Copy the {described['title']} curl command").click()
        command = seen.clipboard()
        assert command == card.locator(".snippet.curl code").text_content()
        status = subprocess.run(
            ["bash", "-c", f"{command} -o /dev/null -w '%{{http_code}}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        assert status == "200", (vendor, command)

        card.get_by_role("button", name=f"Copy the {described['title']} fetch snippet").click()
        snippet = seen.clipboard()
        ran = page.evaluate(f"async () => {{ {snippet}\n return [response.status, body]; }}")
        assert ran[0] == 200, (vendor, snippet)
        assert any(isinstance(value, list) and value for value in ran[1].values())  # carts


def test_the_explorer_tries_a_call_that_lists_carts(
    visit: Callable[..., Visit], mock: Server
) -> None:
    seen = visit(mock)
    seen.open("explorer/stateset")
    page = seen.page
    execute = page.locator(".swagger button.execute")
    execute.wait_for(timeout=15_000)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/stateset/v1/carts") as answer:
        execute.click()
    response = answer.value
    assert response.status == 200
    assert response.request.headers["authorization"] == "Bearer sk_test_demo"
    body = response.json()
    assert body["object"] == "list" and len(body["data"]) == 10 and body["total_count"] == CARTS
    shown = page.locator(".swagger .live-responses-table tbody .response-col_status").first
    assert shown.text_content() == "200"  # what the page shows the person who clicked


def test_switching_to_empty_in_the_page_empties_the_next_list_call_and_reset_restores_it(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    stateset = overview["vendors"]["stateset"]
    seen = visit(mock)
    seen.open("steer")
    page = seen.page
    card = page.locator("section.steer[data-vendor=stateset]")
    card.get_by_role("combobox", name="Scenario for StateSet").select_option("empty")
    card.locator(".state").filter(has_text="Answers in empty").wait_for()
    body = httpx.get(stateset["list"]["url"], headers=stateset["headers"]).json()
    assert (body["object"], body["data"], body["total_count"]) == ("list", [], 0)
    other = overview["vendors"]["epages"]
    assert httpx.get(other["list"]["url"], headers=other["headers"]).json()["results"] == CARTS
    seen.go("overview")  # the change shows there at once
    assert page.locator("#vendor-stateset .badge").text_content() == "empty"
    assert page.locator("#vendor-epages .badge").text_content() == "default"

    seen.go("steer")
    card.get_by_role("button", name="Reset StateSet").click()
    card.locator(".state").filter(has_text="Answers in default").wait_for()
    body = httpx.get(stateset["list"]["url"], headers=stateset["headers"]).json()
    assert body["total_count"] == CARTS


def test_faults_are_set_and_reset_with_the_keyboard_alone(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    stateset = overview["vendors"]["stateset"]
    seen = visit(mock)
    seen.open()
    page = seen.page
    tab_to(page, page.get_by_role("link", name="Scenarios & faults"))
    page.keyboard.press("Enter")
    expect(page.locator("#h-steer")).to_be_focused()  # the focus follows to the view shown
    rate = page.get_by_role("spinbutton", name="Error rate (0 to 1) for StateSet")
    tab_to(page, rate)
    outline = rate.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"  # where the focus is shows
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # submits the vendor's faults form
    state = page.locator("section.steer[data-vendor=stateset] .state")
    state.filter(has_text="100 % errors").wait_for()
    assert httpx.get(f"{mock.url}/__cartkit/faults").json()["faults"]["stateset"] == {
        "latency_ms": 0.0,
        "jitter_ms": 0.0,
        "error_rate": 1.0,
    }
    failing = {httpx.get(stateset["list"]["url"], headers=stateset["headers"]).status_code
               for _ in range(5)}  # fmt: skip
    assert failing <= {429, 500, 503} and failing

    tab_to(page, page.get_by_role("button", name="Reset StateSet"))
    page.keyboard.press("Enter")
    state.filter(has_text="faults: none").wait_for()
    assert httpx.get(stateset["list"]["url"], headers=stateset["headers"]).status_code == 200


def test_a_request_made_by_curl_shows_in_the_journal_within_2_s(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    stateset = overview["vendors"]["stateset"]
    seen = visit(mock)
    seen.open("journal")
    page = seen.page
    page.locator("#view-journal .state").filter(has_text="Live:").wait_for()
    probe = uuid.uuid4().hex
    subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-H", "Authorization: Bearer sk_test_secret",
         "-H", f"X-Console-Probe: {probe}", stateset["list"]["url"] + "?limit=3"],
        check=True, timeout=30,
    )  # fmt: skip
    sent = time.monotonic()
    entry = page.locator("ol.journal details").filter(has_text=probe)
    entry.wait_for(state="attached", timeout=JOURNAL_BOUND * 1000)
    assert time.monotonic() - sent <= JOURNAL_BOUND
    assert entry.locator("summary .status").text_content() == "200"
    assert entry.locator("summary .target").text_content() == "GET /stateset/v1/carts?limit=3"

    entry.locator("summary").click()  # expand it: its query and masked headers
    assert entry.locator("code.query").text_content() == "limit=3"
    headers = dict(
        zip(
            entry.locator("dl.headers dt").all_text_contents(),
            entry.locator("dl.headers dd").all_text_contents(),
            strict=True,
        )
    )
    assert headers.get("authorization") == "Bearer ***", headers
    assert headers["x-console-probe"] == probe
    entry.get_by_role("button", name="Copy GET /stateset/v1/carts as curl").click()
    command = seen.clipboard()
    assert "Bearer ***" in command and "sk_test_secret" not in command
    assert f"'x-console-probe: {probe}'" in command and "?limit=3'" in command
    replayed = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert len(json.loads(replayed)["data"]) == 3  # any bearer works: the masked one too

    both = page.locator("ol.journal details").filter(has_text=probe)  # the curl and its replay
    expect(both).to_have_count(2, timeout=JOURNAL_BOUND * 1000)
    page.get_by_role("combobox", name="Vendor").select_option("shopimind")
    expect(both).to_have_count(0, timeout=JOURNAL_BOUND * 1000)
    page.get_by_role("combobox", name="Vendor").select_option("stateset")
    page.get_by_role("spinbutton", name="Status").fill("401")
    expect(both).to_have_count(0, timeout=JOURNAL_BOUND * 1000)
    page.get_by_role("spinbutton", name="Status").fill("200")
    expect(both).to_have_count(2, timeout=JOURNAL_BOUND * 1000)
    # The list is redrawn as it polls (an empty moment, or a drawing made before the last
    # filter took, says nothing): read it until the filtered drawing is there.
    deadline, shown = time.monotonic() + 10, []  # a redraw, not the journal's 2 s bound
    while time.monotonic() < deadline:
        shown = page.locator("ol.journal details").evaluate_all(
            "rows => rows.map(r => r.dataset.vendor + ' ' + r.dataset.status)"
        )
        if shown and set(shown) == {"stateset 200"}:
            break
    assert shown and set(shown) == {"stateset 200"}, shown


def test_the_data_tables_first_row_is_the_first_cart_of_the_same_call(
    visit: Callable[..., Visit], mock: Server, overview: dict[str, Any]
) -> None:
    stateset = overview["vendors"]["stateset"]
    seen = visit(mock)
    seen.open("data/stateset")
    page = seen.page
    form = page.locator("#view-data form.params")
    form.get_by_role("combobox", name="status").select_option("abandoned")
    form.get_by_role("combobox", name="sort_by").select_option("total")
    form.get_by_role("spinbutton", name="limit").fill("5")
    form.get_by_role("button", name="Fetch StateSet carts").click()
    line = page.locator("#view-data .request code.url").filter(has_text="status=abandoned")
    line.wait_for()
    url = line.text_content().removeprefix("GET ")  # type: ignore[union-attr]
    assert url == (f"{stateset['list']['url']}?limit=5&status=abandoned&sort_by=total")
    body = httpx.get(url, headers=stateset["headers"]).json()
    table = page.locator("#view-data table.carts")
    columns = table.locator("thead th").all_text_contents()
    first = table.locator("tbody tr").first.locator("td").all_text_contents()
    cart = body["data"][0]
    assert "id" in columns and "total" in columns
    assert first == [_cell(cart[column]) for column in columns]
    assert table.locator("tbody tr").count() == len(body["data"]) == 5

    page.get_by_text("Raw JSON", exact=True).click()  # the raw answer, one click away
    assert json.loads(page.locator("#view-data details.raw pre").text_content() or "") == body


def test_every_control_is_labelled(visit: Callable[..., Visit], mock: Server) -> None:
    seen = visit(mock)
    seen.open()
    page = seen.page
    for view in VIEWS:
        seen.go(view)
        page.locator(READY[view]).first.wait_for(timeout=15_000)
        # Swagger UI's own controls are its authors' business: the console's picker is checked.
        where = "#view-explorer .pick" if view == "explorer" else f"#view-{view}"
        tree = page.locator(where).aria_snapshot()
        unnamed = [line for line in tree.splitlines() if UNNAMED.match(line)]
        assert unnamed == [], (view, unnamed)
    assert page.locator("nav").aria_snapshot().count('- link "') == len(VIEWS)


@pytest.mark.parametrize("size", SIZES)
def test_each_view_fits_the_screen(
    visit: Callable[..., Visit], mock: Server, screenshots: Path, size: str
) -> None:
    seen = visit(mock, size)
    seen.open()
    page = seen.page
    width = SIZES[size][0]
    for view in (*VIEWS, "data/elasticpath"):
        seen.go(view)
        page.locator(READY[view.split("/")[0]]).first.wait_for(timeout=15_000)
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, (view, scrolled)
        if view in {"overview", "data/elasticpath", "journal"}:
            name = view.split("/")[0]
            page.screenshot(path=screenshots / f"console-{name}-{width}.png")


# -- who may open it -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A mock started with --admin-token (one vendor, few carts: it starts fast)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [_cartkit(), "serve", "--port", str(port), "--vendor", "stateset", "--carts", "20",
               "--admin-token", "s3cret", "--log-level", "warning"]  # fmt: skip
    log = tmp_path_factory.mktemp("guarded") / "mock.log"
    with serving(command, url, f"{url}/__cartkit/health", log) as server:
        yield server


def test_with_an_admin_token_the_page_asks_for_it(
    visit: Callable[..., Visit], guarded: Server
) -> None:
    seen = visit(guarded)
    seen.refusals.add(401)
    page = seen.page
    page.goto(f"{guarded.url}/__cartkit/")
    token = page.get_by_label("Admin token")
    token.wait_for()
    assert page.locator("nav").is_hidden()
    token.fill("wrong")
    page.get_by_role("button", name="Open the console").click()
    page.get_by_text("That token was refused").wait_for()
    page.get_by_label("Admin token").fill("s3cret")
    page.get_by_role("button", name="Open the console").click()
    page.locator("#vendor-stateset").wait_for()
    assert page.evaluate("sessionStorage.getItem('cartkit.adminToken')") == "s3cret"
    page.reload()  # the tab remembers it
    page.locator("#vendor-stateset").wait_for()
    assert page.get_by_label("Admin token").is_hidden()


def test_on_a_network_without_a_token_the_page_says_the_admin_api_is_off(
    visit: Callable[..., Visit], browser: Browser
) -> None:
    # No server binds a non-loopback address in the tests: the browser's requests are answered
    # in-process by a mock configured as `cartkit serve --host 0.0.0.0` would be.
    client = TestClient(create_app(vendors=("stateset",), carts=5, host="0.0.0.0"))
    origin = f"http://127.0.0.1:{free_port()}"  # nothing listens: every request is routed

    def answer(route: Route) -> None:
        request = route.request
        response = client.request(
            request.method, request.url.removeprefix(origin), headers=request.headers
        )
        route.fulfill(status=response.status_code, headers=dict(response.headers),
                      body=response.content)  # fmt: skip

    seen = visit(Server(url=origin, pid=0))
    seen.refusals.add(403)
    seen.page.route(f"{origin}/**", answer)
    seen.page.goto(f"{origin}/")
    notice = seen.page.get_by_role("alert")
    notice.get_by_text("--admin-token").wait_for()
    assert notice.get_by_role("heading").text_content() == "The admin API is off"
    assert seen.page.locator("nav").is_hidden()


def tab_to(page: Page, target: Any, presses: int = 200) -> None:
    """Press Tab until *target* has the focus (fails if it never does: not reachable)."""
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{target} was not reached with Tab")


def _cell(value: Any) -> str:
    """How the data table shows a value (as JavaScript's JSON.stringify, strings as is)."""
    return value if isinstance(value, str) else json.dumps(value)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
