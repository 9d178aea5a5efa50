"""Who may change what: authors, owners, creators and channel admins."""

from __future__ import annotations

from chatbot.commands import Message
from chatbot.core.model import Scope, User


def with_admins(chat, *admins: str) -> None:
    path = chat.schedules_dir / "binder-team.toml"
    listed = ", ".join(f'"{a}"' for a in admins)
    path.write_text(path.read_text().replace("[channels]", f"admins = [{listed}]\n\n[channels]"))


def test_only_the_author_or_an_admin_removes_or_moves_an_item(chat):
    with_admins(chat, "carol")
    chat.ok("/agenda add Kubeflow presentation", user="jessica")
    chat.ok("/agenda add other", user="jessica")
    before = chat.snapshot()
    refusal = chat.error("/agenda remove 1", user="tim")
    assert refusal == ("Only its author (jessica) or a channel admin (carol) "
                       "can remove agenda item 1.")
    assert "can move agenda item 2" in chat.error("/agenda move 2 1", user="tim")
    assert chat.snapshot() == before
    chat.ok("/agenda move 2 1", user="jessica")
    chat.ok("/agenda remove 1", user="carol")
    assert "other" not in chat.ok("/agenda")


def test_todo_owner_creator_or_admin_may_close_or_reassign(chat):
    chat.ok("/todo add @betatim reach out to CERN", user="choldgraf")
    refusal = chat.error("/todo done 1", user="minrk")
    assert refusal.startswith("Only its owners and creator (betatim, choldgraf) or a channel admin")
    assert "can reassign TODO 1" in chat.error("/todo assign 1 @minrk", user="minrk")
    chat.ok("/todo done 1", user="betatim")
    chat.ok("/todo reopen 1", user="choldgraf")
    assert "can reopen TODO 1" in chat.error("/todo reopen 1", user="minrk")


def test_platform_admins_may_manage_everything(chat):
    chat.ok("/todo add @betatim reach out to CERN", user="choldgraf")
    scope = Scope("console", "console", "binder-team")
    reply = chat.bot.handle(Message("/todo done 1", scope, User("boss", "boss"), is_admin=True))
    assert reply.ok, reply.text


def test_meetings_are_started_and_ended_by_admins_when_the_series_names_any(chat):
    with_admins(chat, "carol")
    chat.set_now(chat.clock.now().replace(day=21, hour=17, minute=1))
    assert chat.error("/meeting start", user="tim") == (
        "Only a channel admin (carol) can start JupyterHub and BinderHub Team Meeting.")
    chat.ok("/meeting start", user="carol")
    assert "can end" in chat.error("/meeting end", user="tim")
    chat.ok("/meeting end", user="carol")


def test_without_admins_the_channel_runs_its_meeting(chat):
    chat.set_now(chat.clock.now().replace(day=21, hour=17, minute=1))
    chat.ok("/meeting start", user="tim")
    chat.ok("/meeting end", user="jessica")
