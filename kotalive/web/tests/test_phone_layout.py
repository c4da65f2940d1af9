"""Phone-first details in a real browser at 360 px: a table of three columns or more becomes one card a row, each value
after its column's name (site.js copies the headers into `data-label`, site.css shows them); without JavaScript a wide
table scrolls inside its wrapper, which shows that it does, and the page itself never scrolls sideways; every button,
button-styled link, checkbox or radio label and rating score is at least 44 by 44 px."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page

from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.tests.helpers import drain
from kotalive.web.tests.test_browser import PHONE, _fits_the_phone, _serious_violations, _sign_in, browser

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser.py
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = 44
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "phone-layout"  # for review (CI keeps var/screenshots)
# What a finger presses: buttons, links drawn as buttons, the labels around checkboxes and radios (the rating scores).
PRESSABLE = "button, .button, label:has(> input[type=checkbox]), label:has(> input[type=radio])"


@pytest.fixture(autouse=True)
def _shots_folder() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


def _as(browser: Browser, base: str, login: str, *, javascript: bool = True, width: int = PHONE["width"]) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": PHONE["height"]}, locale="id-ID", java_script_enabled=javascript
    )
    page = context.new_page()
    _sign_in(page, base, login)
    return page


def _cards(page: Page) -> list[dict[str, Any]]:
    """Each table of the page: its column headers, each body cell's data-label and the label drawn before it, how a
    row is displayed, and whether any cell reaches past the screen's right edge."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('main table')].map(table => {
                const rows = [...table.tBodies[0].rows].filter(row => !row.classList.contains('only'));
                return {
                    carded: table.classList.contains('cards-on-phone'),
                    headers: [...table.tHead.rows[0].cells].map(c => c.textContent.replace(/\\s+/g, ' ').trim()),
                    labels: rows.map(row => [...row.cells].map(c => c.getAttribute('data-label'))),
                    drawn: rows.map(row => [...row.cells].filter(c => c.tagName === 'TD')
                        .map(c => getComputedStyle(c, '::before').content)),
                    display: rows.length ? getComputedStyle(rows[0]).display : '',
                    beyond: [...table.querySelectorAll('tbody td, tbody th')].some(
                        c => c.getBoundingClientRect().right > window.innerWidth + 0.5),
                };
            })"""
        )
    )


def _small_targets(page: Page) -> list[tuple[str, int, int]]:
    return [
        (str(text), int(w), int(h))
        for text, w, h in page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
                .map(e => [e.textContent.trim().slice(0, 40), e.getBoundingClientRect().width,
                           e.getBoundingClientRect().height])
                .filter(([, w, h]) => w < 44 - 0.5 || h < 44 - 0.5)""",
            PRESSABLE,
        )
    ]


def test_the_live_room_queue_becomes_one_card_a_report_with_each_value_named(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    file_report(personas["warga1"])
    file_report(personas["warga2"])
    page = _as(browser, live_server.url, "kominfo.operator")

    page.goto(live_server.url + "/kantor/live-room/")

    [queue] = _cards(page)
    assert queue["carded"]
    assert queue["display"] == "block"  # a card, not a table row
    assert len(queue["labels"]) == 2
    for labels, drawn in zip(queue["labels"], queue["drawn"], strict=True):
        assert labels == queue["headers"]  # "Laporan", "Kategori", "Kelurahan", "Tenggat", "SLA"
        assert drawn == [f'"{label}"' for label in queue["headers"]]  # shown before each value
    assert not queue["beyond"]
    assert _fits_the_phone(page)
    assert _serious_violations(page) == []
    page.screenshot(path=SHOTS / "liveroom-queue-cards.png", full_page=True)

    # On a wide screen the same page keeps its table
    wide = _as(browser, live_server.url, "kominfo.operator", width=1024)
    wide.goto(live_server.url + "/kantor/live-room/")
    assert _cards(wide)[0]["display"] == "table-row"


def test_the_inbox_and_the_dashboard_fit_a_phone_with_cards_or_scrolling_tables(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    from kotalive.cases.tests.fixtures import submit_birth_certificate

    submit_birth_certificate(personas["warga1"])
    file_report(personas["warga1"])
    drain()  # the dashboards' day rollups
    for login, path in [
        ("dukcapil.verifikator", "/kantor/DISDUKCAPIL/kotak-masuk/"),
        ("kominfo.operator", "/kantor/dasbor/"),
    ]:
        page = _as(browser, live_server.url, login)
        page.goto(live_server.url + path)

        tables = _cards(page)
        assert tables, path
        assert any(t["carded"] for t in tables), path
        for table in tables:
            if table["carded"]:
                assert all(labels == table["headers"] for labels in table["labels"]), path
                assert not table["beyond"], (path, table["headers"])
        # A table left as it is (two columns, or a grid such as the hand-off matrix) scrolls inside its wrapper
        assert page.evaluate(
            """() => [...document.querySelectorAll('main .table-wrap')].every(
                w => w.scrollWidth <= w.clientWidth || getComputedStyle(w).overflowX === 'auto')"""
        ), path
        assert _fits_the_phone(page), path
        assert _serious_violations(page) == [], path


def test_without_javascript_a_wide_table_scrolls_inside_its_wrapper_and_shows_it(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    from kotalive.cases.tests.fixtures import submit_birth_certificate

    submit_birth_certificate(personas["warga1"])
    page = _as(browser, live_server.url, "dukcapil.verifikator", javascript=False)

    page.goto(live_server.url + "/kantor/DISDUKCAPIL/kotak-masuk/")

    wrapper = page.locator("main .table-wrap").first
    assert page.locator("main table.cards-on-phone").count() == 0  # no script: a table as it is
    assert wrapper.evaluate("w => w.scrollWidth > w.clientWidth")  # wider than the phone...
    assert _fits_the_phone(page)  # ...yet the page does not scroll sideways: the wrapper does
    style = wrapper.evaluate("w => [getComputedStyle(w).overflowX, getComputedStyle(w).backgroundImage]")
    assert style[0] == "auto"
    assert style[1].count("radial-gradient") == 2  # the shadow on the side where more columns are
    before = wrapper.screenshot()
    wrapper.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert wrapper.evaluate("w => w.scrollLeft") > 0
    assert wrapper.screenshot() != before  # the hidden columns come into view


def _awaiting_the_reporters_rating(personas: dict) -> str:
    """A report handled to the end and verified by the Live Room: its reporter may rate it."""
    _citizen, filed = file_report(personas["warga1"])
    tracking = filed["tracking"]
    live_room = bearer_client(personas["kominfo.operator"])
    dishub = bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Tiga lampu diganti")
    act_ok(live_room, tracking, "verify_completion")
    return str(tracking)


def test_every_button_checkbox_label_and_rating_score_is_at_least_44_px(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    tracking = _awaiting_the_reporters_rating(personas)
    citizen = _as(browser, live_server.url, "warga1")
    officer = _as(browser, live_server.url, "kominfo.operator")
    _citizen, triage = file_report(personas["warga2"])
    pages = [
        (citizen, f"/laporan/{tracking}/"),  # the rating scores, confirm, reopen
        (citizen, "/laporan/baru/"),  # anonymous / confidential checkboxes
        (citizen, "/kasus/"),
        (officer, f"/laporan/{triage['tracking']}/"),  # the Live Room's moves, reject and merge last
        (officer, "/kantor/live-room/"),
        (officer, "/kantor/dasbor/"),
    ]
    for page, path in pages:
        page.goto(live_server.url + path)
        assert page.locator(PRESSABLE).count() > 0, path
        assert _small_targets(page) == [], path
        assert _fits_the_phone(page), path

    citizen.goto(f"{live_server.url}/laporan/{tracking}/")
    scores = citizen.locator(".scale label")
    assert scores.count() == 5
    for i in range(5):
        box = scores.nth(i).bounding_box()
        assert box is not None
        assert box["width"] >= TARGET
        assert box["height"] >= TARGET
    citizen.locator(".scale label").nth(3).click()  # anywhere on the score's box chooses it
    assert citizen.locator(".scale input[value='4']").is_checked()
    citizen.locator(".scale").screenshot(path=SHOTS / "rating-scores.png")
