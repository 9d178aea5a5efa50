"""The Web API stand-in the Slack tests and the benchmark talk to: it must answer as Slack
documents (https://api.slack.com/methods), or the adapter tests prove nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_standin import BOT_USER_ID, SlackStandIn, make_user

BOT_TOKEN = "xoxb-standin-test-token"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(token=BOT_TOKEN) as standin:
        yield standin


def web_client(slack: SlackStandIn, **kwargs: Any) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.base_url, timeout=5, **kwargs)



def test_standin_answers_documented_methods(slack: SlackStandIn) -> None:
    client = web_client(slack)
    assert client.auth_test()["user_id"] == BOT_USER_ID

    user = client.users_info(user="U0BOB")["user"]
    assert user["tz"] == "America/Los_Angeles"
    assert user["tz_offset"] in (-8 * 3600, -7 * 3600)
    assert {"id", "name", "real_name", "tz_label", "is_admin"} <= user.keys()
    assert user["profile"]["display_name"] == "bob"
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"

    posted = client.chat_postMessage(channel="C0MEETING", text="Meeting starts")
    assert posted["ok"] and posted["channel"] == "C0MEETING" and posted["ts"]
    assert client.chat_postEphemeral(channel="C0MEETING", user="U0ALICE", text="psst")["ok"]
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == "DU0ALICE"
    view = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    assert client.views_publish(user_id="U0ALICE", view=view)["view"]["type"] == "home"

    # the sync WebClient POSTs read methods form-encoded, and chat.postMessage as JSON
    info = slack.calls("users.info")[0]
    assert info.http_method == "POST" and info.params == {"user": "U0BOB"}
    assert info.content_type.startswith("application/x-www-form-urlencoded")
    post = slack.calls("chat.postMessage")[0]
    assert post.content_type.startswith("application/json")
    assert post.params == {"channel": "C0MEETING", "text": "Meeting starts"}
    assert post.token == BOT_TOKEN


def test_standin_accepts_form_bodies_and_checks_the_token(slack: SlackStandIn) -> None:
    client = web_client(slack)
    form = client.api_call("chat.postMessage", data={"channel": "C0MEETING", "text": "form"})
    assert form["ok"]
    assert slack.calls("chat.postMessage")[0].content_type.startswith(
        "application/x-www-form-urlencoded"
    )
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=slack.base_url).api_call("auth.test")
    assert err.value.response["error"] == "not_authed"


def test_standin_issues_socket_mode_urls(slack: SlackStandIn) -> None:
    # Socket Mode clients ask apps.connections.open (with the xapp- token) for the URL to
    # dial, through their web_client, so the stand-in's base_url redirects them too.
    slack.set_socket_mode_url("ws://127.0.0.1:9/link?ticket=1")
    client = WebClient(base_url=slack.base_url)
    opened = client.apps_connections_open(app_token="xapp-standin-token")
    assert opened["url"] == "ws://127.0.0.1:9/link?ticket=1"
    with pytest.raises(SlackApiError):
        client.apps_connections_open(app_token=BOT_TOKEN)


def test_standin_pages_conversation_members(slack: SlackStandIn) -> None:
    slack.set_members("C0BIG", [f"U{i:04d}" for i in range(7)])
    client = web_client(slack)
    members, cursor, pages = [], None, 0
    while True:
        page = client.conversations_members(channel="C0BIG", limit=3, cursor=cursor)
        members += page["members"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert members == [f"U{i:04d}" for i in range(7)]
    assert pages == 3
    # slack_sdk's own pagination (iterating a response follows next_cursor) agrees
    paged = [m for page in client.conversations_members(channel="C0BIG") for m in page["members"]]
    assert paged == members
    assert len(slack.calls("conversations.members")) == 3 + 4  # default page size 2


def test_standin_records_calls_thread_safely(slack: SlackStandIn) -> None:
    slack.add_user(make_user("U0EVE", "eve", tz="Pacific/Auckland"))

    def work() -> None:
        client = web_client(slack)
        for _ in range(25):
            client.users_info(user="U0EVE")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    calls = slack.calls("users.info")
    assert len(calls) == 200
    assert all(c.params == {"user": "U0EVE"} for c in calls)
    assert [c.time for c in calls] == sorted(c.time for c in calls)


def test_standin_faults(slack: SlackStandIn) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url, retry_handlers=[])
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C0MEETING", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C0MEETING", text="x")["ok"]  # only k calls fail

    slack.server_error("users.info", times=2, status=503)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.users_info(user="U0ALICE")
        assert err.value.response.status_code == 503
    assert client.users_info(user="U0ALICE")["ok"]

    slack.delay("auth.test", 0.3)
    start = time.monotonic()
    client.auth_test()
    assert time.monotonic() - start >= 0.3
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]


def test_standin_opens_modals_and_gives_permalinks(slack: SlackStandIn) -> None:
    client = web_client(slack)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Add to agenda"},
             "blocks": []}
    opened = client.views_open(trigger_id="123.456.abc", view=modal)["view"]
    assert opened["type"] == "modal" and opened["id"].startswith("V")
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="", view=modal)
    assert err.value.response["error"] == "invalid_arguments"
    link = client.chat_getPermalink(channel="C0MEETING", message_ts="1521547200.000100")
    assert link["permalink"] == "https://standin.slack.com/archives/C0MEETING/p1521547200000100"
    with pytest.raises(SlackApiError) as err:
        client.chat_getPermalink(channel="C0MEETING", message_ts="")
    assert err.value.response["error"] == "message_not_found"


def test_standin_installs_by_oauth_with_rotating_tokens(slack: SlackStandIn) -> None:
    authorize = f"http://127.0.0.1/oauth/v2/authorize?client_id={slack.client_id}&scope=commands"
    anonymous = WebClient(base_url=slack.base_url, timeout=5)
    with pytest.raises(SlackApiError) as err:
        anonymous.oauth_v2_access(client_id=slack.client_id, client_secret="wrong",
                                  code=slack.approve(authorize, "T0AAA"))
    assert err.value.response["error"] == "bad_client_secret"
    granted = anonymous.oauth_v2_access(client_id=slack.client_id,
                                        client_secret=slack.client_secret,
                                        code=slack.approve(authorize, "T0AAA"))
    assert granted["team"]["id"] == "T0AAA" and granted["is_enterprise_install"] is False
    assert granted["expires_in"] == 43200 and granted["refresh_token"].startswith("xoxe-1-")
    token = granted["access_token"]
    assert WebClient(token=token, base_url=slack.base_url).auth_test()["team_id"] == "T0AAA"

    refreshed = anonymous.oauth_v2_access(client_id=slack.client_id,
                                          client_secret=slack.client_secret,
                                          grant_type="refresh_token",
                                          refresh_token=granted["refresh_token"])
    with pytest.raises(SlackApiError) as err:  # the old token stops working
        WebClient(token=token, base_url=slack.base_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    new = WebClient(token=refreshed["access_token"], base_url=slack.base_url)
    assert new.auth_test()["team_id"] == "T0AAA"

    org = anonymous.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret,
                                    code=slack.approve(authorize, None, enterprise_id="E0ORG"))
    assert org["is_enterprise_install"] is True and org["team"] is None
    assert org["enterprise"]["id"] == "E0ORG"
    slack.revoke("T0AAA")
    with pytest.raises(SlackApiError):
        new.auth_test()
