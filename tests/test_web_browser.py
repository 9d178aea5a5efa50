"""The meeting page as people see it: `chatbot run` in a subprocess, read by Debian's
headless Chromium driven by Playwright, with the browser's timezone set per test.

Playwright's own browser download cannot be used here, so the browser is
/usr/bin/chromium (`make test` installs it). Under CI=true these tests fail, never
skip, when the browser cannot run. Screenshots go to tests/artifacts/ for a person
to look at.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import icalendar
import pytest
from conftest import ROOT, SEED_NOW, Chat
from meeting_pages import STANDUP_ONLY, seed_two_teams

from tests.conftest import cli_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
NOW = SEED_NOW.strftime("%Y-%m-%dT%H:%MZ")  # the day before the seed meeting


def cannot_run(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run; each test opens its own context (zone, JS)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        cannot_run("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        cannot_run(f"{CHROMIUM} is missing (apt-get install -y chromium; make test does it)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as error:
            cannot_run(f"{CHROMIUM} did not start: {error}")
        yield chromium
        chromium.close()


class ConsoleBot:
    """`chatbot run` on the console adapter, its pages on a free port; type into it."""

    def __init__(self, workdir: Path):
        env = cli_env(workdir, CHATBOT_ARCHIVE=str(workdir / "notes"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chatbot.cli", "--now", NOW, "run", "--user", "jessica",
             "--tz", "Europe/Berlin", "--channel", "binder-team", "--web-port", "0"],
            cwd=workdir, env=env, text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()
        self.base = self.expect(r"meeting pages served at (http://127\.0\.0\.1:\d+)").group(1)

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")

    def type(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.stdin.close()  # Ctrl-D: the console says bye and the server stops
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pages")
    chat = Chat(workdir)
    seed_two_teams(chat)
    chat.store.close()
    running = ConsoleBot(workdir)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def page_url(bot) -> str:
    bot.type("/meeting link")
    return bot.expect(r"^  (http://\S+/m/[A-Za-z0-9_-]{24})$").group(1)


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_in(url: str, zone: str = "UTC", javascript: bool = True):
        context = browser.new_context(timezone_id=zone, java_script_enabled=javascript,
                                      viewport={"width": 420, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url)
        return page, response

    yield open_in
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def section(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


@pytest.mark.parametrize(("zone", "expected"), [
    ("America/Los_Angeles", "Wednesday 21 March, 10:00"),
    ("Asia/Kolkata", "Wednesday 21 March, 22:30"),
    ("Australia/Sydney", "Thursday 22 March, 04:00"),
])
def test_next_meeting_in_the_browsers_own_zone(open_page, page_url, zone, expected):
    page, response = open_page(page_url, zone)
    assert response.status == 200
    assert page.locator("#local-start").inner_text() == expected
    assert "your browser's zone" in page.locator("#your-time").inner_text()
    # The meeting's own zone and UTC, whatever the reader's.
    times = page.locator("dl.times").inner_text()
    assert "Wednesday 21 March, 18:00 CET" in times and "Wednesday 21 March, 17:00 UTC" in times
    # The countdown runs on the bot's clock (--now), and it runs.
    countdown = page.locator("#countdown")
    first = countdown.inner_text()
    assert re.fullmatch(r"starts in 1 day, (4:59|5:00):\d\d", first), first
    page.wait_for_function(
        "first => document.getElementById('countdown').textContent !== first", arg=first)
    screenshot(page, f"meeting-page-{zone.replace('/', '-')}")


def test_agenda_and_todos_said_in_chat_appear(open_page, bot, page_url):
    bot.type("/agenda add thanks: Tim for the 0.1 release")  # said to the running bot
    bot.expect(r"added agenda item \d+ \(Thanks and celebrations\)")
    page, _ = open_page(page_url, "Europe/Berlin")
    agenda = section(page, "Agenda").inner_text()
    assert re.search(r"Help or discussion needed\s+Kubeflow presentation \(jessica\)", agenda)
    assert re.search(r"Decisions needed\s+release schedule for BinderHub 0\.1 \(carol\)", agenda)
    assert re.search(r"Thanks and celebrations\s+Tim for the 0\.1 release \(jessica\)", agenda)
    todos = section(page, "Open TODOs").inner_text()
    assert re.search(r"betatim\s+1\. reach out to CERN about how installing z2jh went", todos)
    assert re.search(r"carol\s+2\. write the 0\.1 release notes", todos)
    assert page.get_by_role("link", name="https://calpoly.zoom.us/my/jupyter").is_visible()


def test_calendar_link_downloads_the_series_feed(open_page, page_url, tmp_path):
    page, _ = open_page(page_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to your calendar").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "binder-team.ics"
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "JupyterHub and BinderHub Team Meeting"
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and event["RRULE"]["BYDAY"] == ["3WE"]


def test_without_javascript_the_zone_table_tells_the_time(open_page, page_url):
    page, _ = open_page(page_url, "Australia/Sydney", javascript=False)
    assert page.locator("#local-start").count() == 0
    row = page.get_by_role("row", name="Australia/Sydney").inner_text()
    assert "04:00 AEDT" in row and "Thursday 22 March" in row
    row = page.get_by_role("row", name="America/Los_Angeles").inner_text()
    assert "10:00 PDT" in row and "Wednesday 21 March" in row
    screenshot(page, "meeting-page-without-javascript")


def test_past_minutes_open_as_html(open_page, page_url):
    page, _ = open_page(page_url)
    page.get_by_role("link", name="Wednesday 21 February 2018").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "JupyterHub and BinderHub Team Meeting - February 2018"
    text = page.locator("article").inner_text()
    assert "Ship BinderHub 0.1 in March" in text
    assert "<script>window.pwned = 1</script>" in text  # shown as typed, never run
    assert page.evaluate("window.pwned") is None
    screenshot(page, "past-minutes")
    page.get_by_role("link", name="JupyterHub and BinderHub Team Meeting").click()
    assert page.url == page_url


def test_wrong_token_is_404_and_series_stay_apart(open_page, bot, page_url):
    token = page_url.rsplit("/", 1)[1]
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    page, _ = open_page(page_url)
    for text in STANDUP_ONLY:
        assert text not in page.content()
    for path in (f"/m/{wrong}", "/m/binder-team", f"/m/{wrong}.ics"):
        response = page.goto(bot.base + path)
        assert response.status == 404, path
        assert page.get_by_role("heading", level=1).inner_text() == "No such page"
        assert "JupyterHub" not in page.content()
    response = page.goto(bot.base + "/m/standup")  # public = true
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Infrastructure stand-up"
    content = page.content()
    assert all(text in content for text in STANDUP_ONLY)
    for theirs in ("Kubeflow", "reach out to CERN", "February 2018", "calpoly"):
        assert theirs not in content
