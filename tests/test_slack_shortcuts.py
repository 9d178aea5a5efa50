"""The message shortcuts *Add to agenda* and *Add as TODO*, end to end: the real Bolt app
behind its guard, requests signed as Slack signs them, the forms opened on the Web API
stand-in and submitted back as Slack sends them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import slack_requests as sr
from slack_standin import SlackStandIn
from slack_world import CHANNEL, SECRET, TOKEN, SlackWorld

MESSAGE_TS = "1521655200.000100"
PERMALINK = f"https://standin.slack.com/archives/{CHANNEL}/p1521655200000100"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SlackWorld]:
    with SlackStandIn(token=TOKEN) as slack, SlackWorld(tmp_path, slack) as served:
        yield served


def choose(world: SlackWorld, shortcut: str, text: str, *, author: str = "U0BOB",
           chooser: str = "U0ALICE", channel: str = CHANNEL) -> dict:
    """The shortcut chosen on `author`'s message: the form it opened."""
    before = len(world.slack.calls("views.open"))
    status, _ = world.send(sr.message_shortcut(
        SECRET, callback_id=shortcut, message_text=text, message_user=author,
        message_ts=MESSAGE_TS, user_id=chooser, channel_id=channel))
    assert status == 200
    opened = world.slack.wait_for_calls("views.open", before + 1)[before]
    view = opened.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def fields(view: dict) -> dict[str, dict]:
    return {block["block_id"]: block["element"] for block in view["blocks"]}


def submit(world: SlackWorld, view: dict, answers: dict, *, user: str = "U0ALICE",
           metadata: str | None = None) -> tuple[int, dict | str]:
    values = {block: {block: answer} for block, answer in answers.items()}
    return world.send(sr.view_submission(
        SECRET, callback_id=view["callback_id"], values=values, user_id=user,
        private_metadata=view["private_metadata"] if metadata is None else metadata))


def text_answer(text: str) -> dict:
    return {"type": "plain_text_input", "value": text}


def section_answer(key: str) -> dict:
    return {"type": "static_select", "selected_option": {"value": key}}


def owners_answer(*users: str) -> dict:
    return {"type": "multi_users_select", "selected_users": list(users)}


# -- Add to agenda ---------------------------------------------------------------------------


def test_add_to_agenda_offers_the_sections_and_adds_the_item_as_its_authors(
        world: SlackWorld) -> None:
    view = choose(world, "add_to_agenda", "Can we ship &lt;b&gt; on Friday, <@U0ALICE>?")
    form = fields(view)
    assert (view["callback_id"], list(form)) == ("add_to_agenda", ["text", "section"])
    assert form["text"]["initial_value"] == "Can we ship <b> on Friday, @alice?"
    assert [o["text"]["text"] for o in form["section"]["options"]] == [
        "Help or discussion needed", "Decisions needed", "Quick updates",
        "News and reports", "Thanks and celebrations"]
    assert form["section"]["initial_option"]["value"] == "discuss"  # as /agenda add's

    status, body = submit(world, view, {"text": text_answer("Ship <b> on Friday?"),
                                        "section": section_answer("decision")})
    assert (status, body) == (200, "")  # the form closes
    world.posted("bob added agenda item 1 (Decisions needed): Ship &lt;b&gt; on Friday? "
                 f"({PERMALINK})")
    [item] = world.store.agenda.items(world.scope, "binder-team", "2018-03-21")
    assert (item.section, item.author_id) == ("decision", "U0BOB")
    agenda = world.answer("/agenda")
    assert f"1. Ship &lt;b&gt; on Friday? ({PERMALINK}) (bob)" in agenda


def test_the_commands_refusal_is_shown_on_the_form_and_nothing_is_stored(
        world: SlackWorld) -> None:
    view = choose(world, "add_to_agenda", "A long story")
    before = world.snapshot()
    status, body = submit(world, view, {"text": text_answer("x" * 2100),
                                        "section": section_answer("discuss")})
    assert status == 200 and body["response_action"] == "errors"
    assert "the limit is 2,000" in body["errors"]["text"]
    status, body = submit(world, view, {"text": text_answer("x"),
                                        "section": section_answer("agenda")})
    assert body["errors"] == {"section": "Pick a section."}
    assert world.snapshot() == before


def test_outside_a_meetings_channel_or_on_a_message_without_text_the_form_says_why(
        world: SlackWorld) -> None:
    for shortcut in ("add_to_agenda", "add_as_todo"):
        view = choose(world, shortcut, "Lost thought", channel="C0OTHER")
        assert "submit" not in view and view["close"]["text"] == "Close"
        assert "No meeting is scheduled for this channel" in json.dumps(view)
        view = choose(world, shortcut, "")
        assert "This message has no text to add" in json.dumps(view)
    assert world.store.agenda.items(world.scope, "binder-team", "2018-03-21") == []


def test_a_form_slack_will_not_open_is_said_to_the_chooser(world: SlackWorld) -> None:
    world.slack.expire_triggers()  # the shortcut's trigger is older than Slack's 3 seconds
    choose(world, "add_to_agenda", "Kubeflow presentation")
    [told] = world.slack.wait_for_calls("chat.postEphemeral")
    assert (told.params["channel"], told.params["user"]) == (CHANNEL, "U0ALICE")
    assert told.params["text"] == (":warning: Slack did not open the form (expired_trigger_id). "
                                   "Ask for it again.")


# -- Add as TODO -----------------------------------------------------------------------------


def test_add_as_todo_offers_the_author_as_owner_and_records_the_todo(world: SlackWorld) -> None:
    view = choose(world, "add_as_todo", "I will write the release notes")
    form = fields(view)
    assert (view["callback_id"], list(form)) == ("add_as_todo", ["text", "owners"])
    assert form["owners"]["initial_users"] == ["U0BOB"]
    assert form["text"]["initial_value"] == "I will write the release notes"

    status, body = submit(world, view, {"text": text_answer("Write the\n release notes"),
                                        "owners": owners_answer("U0BOB", "U0DEV")})
    assert (status, body) == (200, "")
    [todo] = world.store.todos.in_channel(world.scope)
    assert (todo.text, todo.creator_id, set(todo.owners)) == (
        f"Write the release notes ({PERMALINK})", "U0BOB", {"U0BOB", "U0DEV"})
    item = f"  1. Write the release notes ({PERMALINK})"
    assert world.answer("/todos") == f"Open TODOs:\nbob\n{item}\ndev\n{item}"
    world.posted(f"TODO 1 for bob, dev: Write the release notes ({PERMALINK})")
    assert world.store.users.get(sr.TEAM_ID, "U0DEV").name == "dev"  # the owner's profile


def test_a_todo_form_without_owners_asks_for_them(world: SlackWorld) -> None:
    view = choose(world, "add_as_todo", "Someone should do this")
    before = world.snapshot()
    for owners in (owners_answer(), owners_answer("not a user")):
        status, body = submit(world, view, {"text": text_answer("Do this"), "owners": owners})
        assert body["errors"] == {"owners": "Pick who will do it."}
    assert world.snapshot() == before


# -- what comes back must be what the bot sent ------------------------------------------------


def forgeries(metadata: str) -> list[str]:
    sealed = json.loads(metadata)
    return [
        "",
        "not json",
        json.dumps([sealed]),
        json.dumps({**sealed, "author": "U0DEV"}),  # someone else's words
        json.dumps({**sealed, "channel": "C0OTHER"}),
        json.dumps({**sealed, "mac": "0" * 64}),
        json.dumps({k: v for k, v in sealed.items() if k != "permalink"}),
        json.dumps({**sealed, "extra": "x"}),
        json.dumps({**sealed, "ts": 7}),
    ]


@pytest.mark.parametrize("shortcut", ["add_to_agenda", "add_as_todo"])
def test_a_forged_or_malformed_private_metadata_stores_nothing(world: SlackWorld,
                                                               shortcut: str) -> None:
    view = choose(world, shortcut, "Genuine words")
    answers = {"text": text_answer("Forged words"), "section": section_answer("discuss"),
               "owners": owners_answer("U0BOB")}
    before = world.snapshot()
    for metadata in forgeries(view["private_metadata"]):
        status, body = submit(world, view, answers, metadata=metadata)
        assert status == 200 and body["response_action"] == "errors", metadata
        assert "not opened by this bot for you" in body["errors"]["text"]
    # Sealed for alice: bob cannot send it as his.
    status, body = submit(world, view, answers, user="U0BOB")
    assert "not opened by this bot for you" in body["errors"]["text"]
    assert world.snapshot() == before


def payload_of(request: sr.SlackRequest) -> dict:
    return json.loads(dict(parse_qsl(request.body))["payload"])


def resigned(payload: dict) -> sr.SlackRequest:
    return sr.signed(SECRET, urlencode({"payload": json.dumps(payload)}), sr.FORM)


def test_the_guard_refuses_malformed_shortcuts_and_forms(world: SlackWorld) -> None:
    shortcut = payload_of(sr.message_shortcut(SECRET, callback_id="add_as_todo",
                                              message_text="x", message_user="U0BOB"))
    del shortcut["trigger_id"]
    status, body = world.send(resigned(shortcut))
    assert status == 400 and "trigger_id" in body["error"]
    for answer, says in ((owners_answer("U0BOB") | {"selected_users": "U0BOB"}, "selected_users"),
                         (text_answer("x") | {"value": 7}, "value"),
                         ({"selected_option": "discuss"}, "selected_option")):
        form = payload_of(sr.view_submission(SECRET, callback_id="add_as_todo",
                                             values={"owners": {"owners": answer}}))
        status, body = world.send(resigned(form))
        assert status == 400 and says in body["error"]
    assert world.store.todos.in_channel(world.scope) == []
