"""The meeting pages served in-process on a free local port, and the links to them in chat."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

import icalendar
import pytest
from conftest import SEED_NOW, Chat
from meeting_pages import STANDUP_ONLY, seed_two_teams

from chatbot.adapters import console
from chatbot.core.ical import series_calendar
from chatbot.core.model import Scope
from chatbot.page_links import PageLinks
from chatbot.scheduler import Reminders
from chatbot.web.app import PageSite, page_app
from chatbot.web.minutes_html import minutes_html
from chatbot.web.server import PageServer

BASE = "https://meet.example.org"
PAGE_LINK = re.compile(re.escape(BASE) + r"/m/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")


@pytest.fixture
def chat(tmp_path) -> Chat:
    chat = Chat(tmp_path)
    seed_two_teams(chat)
    chat.bot.pages = PageLinks(chat.store, BASE)
    return chat


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


class Client:
    def __init__(self, base: str):
        self.base = base

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as answer:
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()},
                                answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()},
                            error.read())


@pytest.fixture
def client(chat):
    server = PageServer("127.0.0.1", 0)
    server.start(page_app(PageSite(chat.bot, console.page_scope(chat.bot))))
    yield Client(f"http://127.0.0.1:{server.port}")
    server.stop()


def page_path(chat: Chat, channel: str = "binder-team") -> str:
    reply = chat.say("/meeting link", user="carol", channel=channel, tz=None)
    assert reply.ok and not reply.public, reply  # the key to the page: for the asker only
    return "/m/" + PAGE_LINK.search(reply.text).group(1)


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_meeting_link_opens_the_page_with_times_agenda_and_todos(chat, client):
    path = page_path(chat)
    assert page_path(chat) == path  # the same address every time
    page = client.get(path)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "JupyterHub and BinderHub Team Meeting" in text
    assert "Wednesday 21 March, 18:00 CET" in text and "Wednesday 21 March, 17:00 UTC" in text
    # The zone table, for readers without JavaScript.
    assert "America/Los_Angeles 10:00 PDT Wednesday 21 March" in text
    assert "Asia/Kolkata 22:30 IST (night) Wednesday 21 March" in text
    assert "Australia/Sydney 04:00 AEDT (night) Thursday 22 March" in text
    assert "Help or discussion needed Kubeflow presentation (jessica)" in text
    assert "Decisions needed release schedule for BinderHub 0.1 (carol)" in text
    assert "betatim 1. reach out to CERN about how installing z2jh went" in text
    assert "carol 2. write the 0.1 release notes" in text
    assert 'href="https://calpoly.zoom.us/my/jupyter"' in page.text
    # The page loads nothing from outside and says so to the browser.
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//(?!calpoly|github)', page.text)
    assert client.get("/static/page.js").status_code == 200
    assert client.get("/static/page.css").status_code == 200


def test_without_a_web_address_there_is_no_link(tmp_path):
    chat = Chat(tmp_path)
    error = chat.error("/meeting link")
    assert "CHATBOT_PUBLIC_URL" in error
    assert "See it in your time" not in chat.ok("/meeting")
    assert "BEGIN:VCALENDAR" in chat.ok("/meeting ics")  # the file itself, with no address


def test_meeting_ics_gives_the_feed_to_subscribe_to(chat, client):
    path = page_path(chat)
    reply = chat.say("/meeting ics", user="carol", tz=None)
    assert reply.ok and not reply.public
    assert reply.text.endswith(f"\n{BASE}{path}.ics") and "BEGIN:VCALENDAR" not in reply.text
    assert client.get(f"{path}.ics").text.startswith("BEGIN:VCALENDAR")


def test_meeting_replies_and_reminders_link_to_the_page(chat):
    path = page_path(chat)
    assert f"See it in your time: {BASE}{path}" in chat.ok("/meeting", user="carol", tz=None)
    chat.set_now(dt.datetime(2018, 3, 21, 17, 1, tzinfo=dt.UTC))
    started = chat.ok("/meeting start", user="jessica")
    assert f"See it in your time: {BASE}{path}" in started
    ended = chat.ok("/meeting end", user="jessica")
    assert f"on the meeting's page: {BASE}{path}/minutes/2018-03-21" in ended
    chat.set_now(SEED_NOW)
    # A public series links to its public address.
    assert f"See it in your time: {BASE}/m/standup" in chat.ok("/meeting", channel="standup")

    class Target:
        platform, workspace = "console", "console"

    series = chat.bot.schedules.get("binder-team")
    occurrence = series.recurrence.next_after(SEED_NOW)
    reminder = Reminders(chat.bot, Target()).compose(
        series, Scope("console", "console", "binder-team"), occurrence,
        dt.timedelta(days=1), SEED_NOW,
    )
    assert f"See it in your time: {BASE}{path}" in reminder.text()


@pytest.mark.parametrize("suffix", ["", ".ics", "/minutes/2018-02-21"])
def test_wrong_or_guessed_addresses_get_404(chat, client, suffix):
    token = page_path(chat)[len("/m/"):]
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for key in (wrong, token.lower(), "binder-team", "nonexistent", "", "%2e%2e"):
        response = client.get(f"/m/{key}{suffix}")
        assert response.status_code == 404, (key, suffix)
        assert "JupyterHub" not in response.text and "Kubeflow" not in response.text
    assert client.get(f"/m/{token}{suffix}").status_code == 200


def test_past_minutes_of_this_series_only(chat, client):
    path = page_path(chat)
    assert client.get(f"{path}/minutes/2018-03-21").status_code == 404  # not held yet
    assert client.get(f"{path}/minutes/not-a-date").status_code == 404
    # The stand-up held no meeting that day; the seed meeting's minutes are not its.
    assert client.get("/m/standup/minutes/2018-02-21").status_code == 404


def test_another_series_data_never_appears(chat, client):
    binder = client.get(page_path(chat)).text
    standup_private = client.get(page_path(chat, channel="standup")).text
    standup_public = client.get("/m/standup").text
    for text in STANDUP_ONLY:
        assert text in visible_text(standup_public) and text in visible_text(standup_private)
        assert text not in binder
    for page in (standup_private, standup_public):
        for theirs in ("Kubeflow", "reach out to CERN", "release notes", "February 2018",
                       "calpoly"):
            assert theirs not in page
    assert "Infrastructure stand-up" not in binder
    # Only the public series is listed at the root.
    index = visible_text(client.get("/").text)
    assert "Infrastructure stand-up" in index and "JupyterHub" not in index


def test_calendar_is_the_series_feed(chat, client):
    response = client.get(page_path(chat) + ".ics")
    assert response.headers["content-type"].startswith("text/calendar")
    assert 'filename="binder-team.ics"' in response.headers["content-disposition"]
    series = chat.bot.schedules.get("binder-team")
    assert response.content == series_calendar(series, chat.clock.now())
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and event["RRULE"]["BYDAY"] == ["3WE"]


def test_archived_minutes_render_as_escaped_html(chat, client):
    path = page_path(chat)
    page = client.get(path).text
    assert f'href="{path[len("/m/"):]}/minutes/2018-02-21"' in page
    assert "Wednesday 21 February 2018" in page
    minutes = client.get(f"{path}/minutes/2018-02-21")
    assert minutes.status_code == 200
    html = minutes.text
    assert "<h1>JupyterHub and BinderHub Team Meeting - February 2018</h1>" in html
    assert "<li>Ship BinderHub 0.1 in March</li>" in html
    assert "<li>Jessica / Jupyter / @jzf2101</li>" in html
    # What people typed is text, never markup or a link.
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert "[click](javascript:alert(1))" in html  # as typed, not a link
    assert "<script>window" not in html and 'href="javascript' not in html
    assert minutes.headers["content-security-policy"].startswith("default-src 'none'")


def test_minutes_html_escapes_everything_and_links_only_safe_targets():
    def link_for(target):
        return target[:-3] if re.fullmatch(r"\d{4}-\d\d-\d\d\.md", target) else None

    html = minutes_html(
        "---\ntitle: March 2018\n---\n\n# Team - March 2018\n\n"
        "- **Previous meeting's notes:** [2018-02-21.md](2018-02-21.md)\n"
        "- [x] TODO #1: done _thing_ (tim)\n  - nested <b>bold</b>\n"
        "- [evil](javascript:alert) [file](../../etc/passwd) <https://ok.example/a>\n\n"
        "<img src=x onerror=alert(1)>\n\n```\n<code> & more\n```\n",
        link_for,
    )
    assert "title: March" not in html  # front matter is dropped
    assert "<h1>Team - March 2018</h1>" in html
    assert '<a href="2018-02-21">2018-02-21.md</a>' in html
    assert '<input type="checkbox" disabled checked aria-label="done"> TODO #1: done' in html
    assert "<em>thing</em>" in html
    assert "<ul>\n<li>nested &lt;b&gt;bold&lt;/b&gt;" in html
    assert "evil" in html and "javascript" not in html
    assert " file " in html and "passwd" not in html  # an unknown relative link: its text only
    assert '<a href="https://ok.example/a" rel="noopener noreferrer">' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<pre><code>&lt;code&gt; &amp; more</code></pre>" in html
    assert "<img" not in html and "<b>" not in html


def test_an_admin_rotating_the_link_closes_the_old_address_at_once(chat, client):
    schedule = chat.schedules_dir / "binder-team.toml"
    schedule.write_text(
        schedule.read_text().replace("[channels]", 'admins = ["jessica"]\n[channels]'))
    old = page_path(chat)
    refused = chat.error("/meeting link rotate", user="carol", tz=None)
    assert "Only a channel admin (jessica) can rotate the page link" in refused
    assert client.get(old).status_code == 200

    rotated = chat.say("/meeting link rotate", user="jessica")
    assert rotated.ok and not rotated.public
    assert "the old one no longer works" in rotated.text
    new = "/m/" + PAGE_LINK.search(rotated.text).group(1)
    assert new != old
    for suffix in ("", ".ics", "/minutes/2018-02-21"):
        assert client.get(old + suffix).status_code == 404
        assert client.get(new + suffix).status_code == 200
    assert page_path(chat) == new  # /meeting link now gives the new address
    assert "/meeting link rotate" in chat.error("/meeting link spin", user="jessica")
