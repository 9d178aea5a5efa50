"""One bot installed in many workspaces by OAuth: each workspace's calls with its own token.

The real adapter under uvicorn, Bolt's real OAuth flow and signature checks, the Web API
stand-in playing Slack (its authorize page is `approve`, its oauth.v2.access issues
rotating tokens per workspace).
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import slack_requests as sr
from slack_standin import SlackStandIn
from slack_world import MEETING_START, ROOT, SECRET, SEED_NOW, SlackWorld, free_port

from chatbot.adapters.slack_install import BOT_SCOPES
from chatbot.commands import Clock
from chatbot.config import SettingsError
from chatbot.workspace_data import purge_departed, retention_days
from tests.conftest import cli_env

A, B = "T0AAA", "T0BBB"
CHANNELS = {A: "C0AAA", B: "C0BBB"}
SERIES = {A: "team-a", B: "team-b"}
ONE_HOUR_BEFORE = MEETING_START - dt.timedelta(hours=1) + dt.timedelta(seconds=30)


def write_bound_schedules(folder: Path) -> Path:
    """The seed meeting twice, each bound to a channel of its own workspace."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = (ROOT / "schedules" / "binder-team.toml").read_text()
    for team, channel in CHANNELS.items():
        (folder / f"{SERIES[team]}.toml").write_text(
            seed.replace("[channels]\n", f'[channels]\nslack = "{team}/{channel}"\n'))
    return folder


@pytest.fixture
def world(tmp_path):
    with SlackStandIn(token="xoxb-unused") as slack, SlackWorld(
            tmp_path, slack, oauth=True,
            schedules=write_bound_schedules(tmp_path / "schedules")) as world:
        yield world


def get(world: SlackWorld, path: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        answer = connection.getresponse()
        return (answer.status, answer.read().decode(),
                {k.lower(): v for k, v in answer.getheaders()})
    finally:
        connection.close()


def start_install(world: SlackWorld) -> tuple[str, str]:
    """GET /slack/install: the authorize URL of its "Add to Slack" link, and the cookie."""
    status, page, headers = get(world, "/slack/install")
    assert status == 200, page
    link = re.search(r'<a href="([^"]+)">Add to Slack</a>', page)
    assert link, page
    return html.unescape(link.group(1)), headers["set-cookie"].split(";")[0]


def install(world: SlackWorld, team: str | None, enterprise: str | None = None) -> str:
    """The whole flow, as a browser goes through it: the success page."""
    authorize, cookie = start_install(world)
    code = world.slack.approve(authorize, team, enterprise_id=enterprise)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    status, page, _ = get(world, "/slack/oauth_redirect?" + urlencode(
        {"code": code, "state": state}), cookie)
    assert status == 200, page
    return page


def tokens_used(world: SlackWorld) -> set[str | None]:
    return {c.token for c in world.slack.calls() if c.method != "oauth.v2.access"}


def test_install_page_links_to_slacks_authorize_page_with_the_scopes_and_a_state(world):
    authorize, cookie = start_install(world)
    url = urlsplit(authorize)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}/" == world.slack.base_url.removesuffix("api/")
    assert url.path == "/oauth/v2/authorize"
    assert query["client_id"] == [world.slack.client_id]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    assert query["state"][0] and query["state"][0] in cookie


def test_two_workspaces_each_answered_reminded_and_homed_with_their_own_token(world):
    for team in (A, B):
        page = install(world, team)
        assert "/invite @chatbot" in page and "/meeting new" in page
    tokens = {team: world.slack.tokens_of(team) for team in (A, B)}
    assert all(tokens.values()) and not tokens[A] & tokens[B]

    member = {A: ("U0ALICE", "alice"), B: ("U0BOB", "bob")}  # each wants direct reminders
    for team in (A, B):
        world.slack.clear_calls()
        user, name = member[team]
        status, body = world.command("/meeting", "remind me on", team=team, user=user,
                                     user_name=name, channel=CHANNELS[team])
        assert status == 200, body
        status, body = world.command("/agenda", f"add topic of {team}", team=team,
                                     channel=CHANNELS[team])
        assert status == 200 and f"topic of {team}" in body["text"], body
        assert world.posted(f"topic of {team}", channel=CHANNELS[team])
        assert world.send(sr.app_home_opened(SECRET, team_id=team))[0] == 200
        world.slack.wait_for_calls("views.publish")
        assert tokens_used(world) <= tokens[team]

    world.slack.clear_calls()
    delivered = world.tick(ONE_HOUR_BEFORE)
    assert {d.channel for d in delivered} == set(CHANNELS.values())
    for team, channel in CHANNELS.items():
        [post] = [c for c in world.slack.calls("chat.postMessage")
                  if c.params["channel"] == channel]
        assert post.token in tokens[team]
        assert f"topic of {team}" in str(post.params)  # the agenda of that workspace only
        [opened] = [c for c in world.slack.calls("conversations.open")
                    if c.params["users"] == member[team][0]]
        assert opened.token in tokens[team]
    assert len(world.slack.calls("conversations.open")) == 2
    store = world.store
    assert store.workspaces.enterprise_of(A) is None and not store.workspaces.has_left(A)


def test_uninstalled_workspace_gets_nothing_more_and_the_other_is_unaffected(world):
    install(world, A)
    install(world, B)
    world.command("/agenda", "add kept for a month", team=A, channel=CHANNELS[A])
    tokens_a = world.slack.tokens_of(A)

    status, _ = world.send(sr.app_uninstalled(SECRET, team_id=A))
    assert status == 200
    world.slack.revoke(A)  # as Slack does: its tokens are dead from now on
    installations = world.adapter.installations.installation_store
    assert installations.find_bot(enterprise_id=None, team_id=A) is None
    assert installations.find_bot(enterprise_id=None, team_id=B) is not None

    world.slack.clear_calls()
    world.tick(ONE_HOUR_BEFORE)  # A's reminder is settled unsent: not retried every tick
    assert [c.params["channel"] for c in world.slack.calls("chat.postMessage")] == [CHANNELS[B]]
    world.command("/agenda", "add still here", team=B, channel=CHANNELS[B])
    assert world.posted("still here", channel=CHANNELS[B])
    assert not tokens_used(world) & tokens_a
    assert all(c.params["channel"] != CHANNELS[A] for c in world.slack.calls("chat.postMessage"))
    # Its meeting data stays for the retention period, in case it comes back.
    assert world.store.workspaces.has_left(A)
    assert len(world.store.workspaces.rows(A)["agenda_items"]) == 1

    install(world, A)  # back before the data went: nothing is due to be deleted
    assert not world.store.workspaces.has_left(A)


def test_revoked_bot_token_counts_as_leaving(world):
    install(world, A)
    assert world.send(sr.tokens_revoked(SECRET, team_id=A))[0] == 200
    installations = world.adapter.installations.installation_store
    assert installations.find_bot(enterprise_id=None, team_id=A) is None
    assert world.store.workspaces.has_left(A)


def test_a_forged_state_on_the_redirect_is_refused(world):
    authorize, cookie = start_install(world)
    code = world.slack.approve(authorize, A)
    status, page, _ = get(world, "/slack/oauth_redirect?" + urlencode(
        {"code": code, "state": "forged-state"}), cookie)
    assert status >= 400
    status, page, _ = get(world, "/slack/oauth_redirect?" + urlencode(
        {"code": code, "state": parse_qs(urlsplit(authorize).query)["state"][0]}))
    assert status >= 400  # the right state, but not from the browser that asked for it
    assert world.slack.calls("oauth.v2.access") == []
    assert world.adapter.installations.installation_store.find_bot(
        enterprise_id=None, team_id=A) is None


def test_an_org_wide_install_answers_in_each_of_its_workspaces(world):
    install(world, None, enterprise="E0ORG")
    org_tokens = world.slack.tokens_of("E0ORG")
    world.slack.clear_calls()
    status, body = world.send(sr.slash_command(SECRET, command="/tz", text="Europe/Paris",
                                               team_id="T0ORGA", enterprise_id="E0ORG"))
    assert status == 200 and "Europe/Paris" in body["text"], body
    assert tokens_used(world) <= org_tokens
    assert world.store.workspaces.enterprise_of("T0ORGA") == "E0ORG"

    assert world.send(sr.app_uninstalled(SECRET, team_id="T0ORGA", enterprise_id="E0ORG")
                      )[0] == 200
    assert world.adapter.installations.installation_store.find_bot(
        enterprise_id="E0ORG", team_id=None, is_enterprise_install=True) is None
    assert world.store.workspaces.has_left("T0ORGA")  # its data goes with the org's install


def test_a_token_about_to_expire_is_refreshed_before_use(world):
    world.slack.set_token_lifetime(60)  # well inside the two hours before expiry
    install(world, A)
    [first] = world.slack.tokens_of(A)
    world.slack.clear_calls()
    status, body = world.command("/tz", "Europe/Paris", team=A, channel=CHANNELS[A])
    assert status == 200, body
    refreshes = [c for c in world.slack.calls("oauth.v2.access")
                 if c.params.get("grant_type") == "refresh_token"]
    assert refreshes
    assert first not in tokens_used(world)


# -- a workspace's data: exported, purged, and purged by itself after it left ---------------


def chatbot_cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args], cwd=folder, capture_output=True,
        text=True, timeout=60, env=cli_env(folder, CHATBOT_ARCHIVE=str(folder / "notes")))


def test_export_then_purge_takes_a_workspace_away_and_leaves_the_other(world, tmp_path):
    for team in (A, B):
        install(world, team)
        channel = CHANNELS[team]
        world.command("/agenda", f"add plan of {team}", team=team, channel=channel)
        world.command("/todo", f"add chores of {team}", team=team, channel=channel)
        world.command("/attend", f"Alice of {team} / Org", team=team, channel=channel)
    minutes = tmp_path / "notes" / "team-a" / "2018-03-21.md"
    minutes.parent.mkdir(parents=True)
    minutes.write_text("# Minutes of team A\n")
    world.store.db.execute(
        "INSERT INTO meetings (workspace, channel, series, occurrence, started_at, ended_at,"
        " archive_path) VALUES (?, ?, 'team-a', '2018-03-21', 'x', 'y', ?)",
        (A, CHANNELS[A], "team-a/2018-03-21.md"))

    out = tmp_path / "a.json"
    done = chatbot_cli(tmp_path, "export", "--workspace", A, "--out", str(out))
    assert done.returncode == 0, done.stderr
    exported = json.loads(out.read_text())
    text = json.dumps(exported)
    assert f"plan of {A}" in text and f"chores of {A}" in text and f"Alice of {A}" in text
    assert B not in text
    assert [s["id"] for s in exported["series"]] == ["team-a"]
    assert f'slack = "{A}/{CHANNELS[A]}"' in exported["series"][0]["schedule"]
    assert exported["minutes"][0]["markdown"] == "# Minutes of team A\n"

    done = chatbot_cli(tmp_path, "purge", "--workspace", A)
    assert done.returncode == 0, done.stderr
    left = world.store.workspaces.rows(A)
    assert not any(left.values()), left
    assert not minutes.exists()
    assert all(world.store.workspaces.rows(B)[t] for t in ("agenda_items", "todos",
                                                            "attendance"))
    again = json.loads(chatbot_cli(tmp_path, "export", "--workspace", A).stdout)
    assert again["agenda"] == again["todos"] == again["roll_calls"] == again["minutes"] == []


def test_a_workspace_that_left_is_purged_after_the_retention_period(world):
    install(world, A)
    install(world, B)
    world.command("/agenda", "add ours", team=A, channel=CHANNELS[A])
    world.send(sr.app_uninstalled(SECRET, team_id=A))
    bot = world.bot
    assert purge_departed(bot, days=30) == []  # left today: kept
    bot.clock = Clock(SEED_NOW + dt.timedelta(days=31))
    assert purge_departed(bot, days=30) == [A]
    assert not any(world.store.workspaces.rows(A).values())
    assert purge_departed(bot, days=30) == []


def test_retention_days_setting():
    assert retention_days({}) == 30
    assert retention_days({"CHATBOT_RETENTION_DAYS": "7"}) == 7
    with pytest.raises(SettingsError, match="whole number of days"):
        retention_days({"CHATBOT_RETENTION_DAYS": "a month"})


# -- `chatbot run` installed by OAuth --------------------------------------------------------


def oauth_env(tmp_path: Path, slack: SlackStandIn, **extra: str) -> dict[str, str]:
    env = cli_env(tmp_path, CHATBOT_SCHEDULES=str(write_bound_schedules(tmp_path / "s")),
                  SLACK_CLIENT_ID=slack.client_id, SLACK_CLIENT_SECRET=slack.client_secret,
                  SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.base_url)
    env.update(extra)
    return env


def test_chatbot_run_serves_the_install_link_without_a_bot_token(tmp_path):
    port = free_port()
    with SlackStandIn() as slack:
        process = subprocess.Popen(
            [sys.executable, "-m", "chatbot.cli", "run", "--adapter", "slack", "--host",
             "127.0.0.1", "--port", str(port)], env=oauth_env(tmp_path, slack), cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            seen = ""
            for line in iter(process.stdout.readline, ""):  # EOF: it stopped
                seen += line
                if "Uvicorn running" in line:
                    break
            assert "Uvicorn running" in seen, seen
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/install",
                                        timeout=10) as answer:
                page = answer.read().decode()
            assert "Add to Slack" in page and "oauth/v2/authorize" in page
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "the install link is /slack/install" in seen


@pytest.mark.parametrize(("extra", "says"), [
    ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is not set"),
    ({"SLACK_APP_TOKEN": "xapp-1"}, "installing by OAuth needs HTTP mode"),
    ({"CHATBOT_RETENTION_DAYS": "soon"}, "CHATBOT_RETENTION_DAYS='soon' is not a whole"),
])
def test_chatbot_run_says_what_is_missing_to_install_by_oauth(tmp_path, extra, says):
    with SlackStandIn() as slack:
        done = subprocess.run([sys.executable, "-m", "chatbot.cli", "run", "--adapter", "slack"],
                              env=oauth_env(tmp_path, slack, **extra), cwd=tmp_path,
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert says in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_reminders_in_a_workspace_of_an_org_wide_install_use_the_orgs_token(tmp_path):
    folder = write_bound_schedules(tmp_path / "schedules")
    seed = (ROOT / "schedules" / "binder-team.toml").read_text()
    (folder / "org-team.toml").write_text(
        seed.replace("[channels]\n", '[channels]\nslack = "T0ORGA/C0ORG"\n'))
    with SlackStandIn() as slack, SlackWorld(tmp_path, slack, oauth=True,
                                             schedules=folder) as world:
        install(world, None, enterprise="E0ORG")
        # The org's workspace is learnt from its first request (an org install names none).
        world.send(sr.slash_command(SECRET, command="/tz", team_id="T0ORGA",
                                    enterprise_id="E0ORG", channel_id="C0ORG"))
        world.slack.clear_calls()
        world.tick(ONE_HOUR_BEFORE)
        [post] = world.slack.calls("chat.postMessage")
        assert post.params["channel"] == "C0ORG"
        assert post.token in world.slack.tokens_of("E0ORG")


def test_a_channel_bound_in_one_workspace_is_not_another_workspaces(world):
    install(world, A)
    install(world, B)
    status, body = world.command("/meeting", team=B, channel=CHANNELS[A])
    assert status == 200 and "No meeting is scheduled for this channel" in body["text"], body
    status, body = world.command("/meeting", team=A, channel=CHANNELS[A])
    assert "No meeting" not in body["text"], body
