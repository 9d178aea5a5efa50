"""Every query is scoped to its workspace and channel."""

from __future__ import annotations

import datetime as dt

from chatbot.scheduler import Reminders


def two_channels(chat):
    # Channel B has its own series with the same rule; channel A is the seed's.
    (chat.schedules_dir / "other-team.toml").write_text(
        (chat.schedules_dir / "binder-team.toml").read_text()
        .replace('console = "binder-team"', 'console = "other-team"')
        .replace("JupyterHub and BinderHub Team Meeting", "Other Team Meeting"))


def a(chat, text, user="jessica"):
    return chat.ok(text, user=user, channel="binder-team")


def b(chat, text, user="jessica"):
    return chat.ok(text, user=user, channel="other-team")


def test_channels_never_see_or_change_each_other(chat):
    two_channels(chat)
    a(chat, "/agenda add secret A item")
    a(chat, "/attend Jessica / Jupyter / @jzf2101")
    a(chat, "/todo add @betatim secret A todo")
    b(chat, "/agenda add B item", user="tim")
    b(chat, "/todo add @betatim B todo", user="tim")

    assert "secret" not in b(chat, "/agenda")
    assert "Nobody has signed" in b(chat, "/attendance")
    todos_b = b(chat, "/todos @betatim")
    assert "B todo" in todos_b and "secret" not in todos_b
    assert "1. B todo" in todos_b  # numbering is per channel
    assert "secret" not in b(chat, "/todos mine", user="betatim")
    assert "There is no agenda item 2" in chat.error("/agenda remove 2", channel="other-team")
    chat.ok("/todo done 1", user="tim", channel="other-team")
    assert "secret A todo" in a(chat, "/todos")
    assert "secret A item" in a(chat, "/agenda")


def test_workspaces_are_separate_even_with_the_same_channel_id(chat):
    chat.ok("/todo add secret", user="U1", workspace="T1", platform="slack", channel="C1")
    other = chat.ok("/todos", user="U1", workspace="T2", platform="slack", channel="C1")
    assert "secret" not in other


class Recorder:
    platform = "console"
    workspace = "console"

    def __init__(self):
        self.posts = []

    def post_reminder(self, channel, compose):
        self.posts.append((channel, compose().text()))

    def send_direct(self, user, compose):
        self.posts.append((f"dm:{user.id}", compose().text()))


def test_reminders_only_carry_their_own_channel(chat):
    two_channels(chat)
    a(chat, "/agenda add secret A item")
    a(chat, "/todo add @betatim secret A todo")
    b(chat, "/agenda add B item", user="tim")
    b(chat, "/remind me on", user="tim")
    target = Recorder()
    Reminders(chat.bot, target).tick(dt.datetime(2018, 3, 20, 17, 0, tzinfo=dt.UTC))
    by_channel = dict(target.posts)
    assert "secret" in by_channel["binder-team"]
    assert "secret" not in by_channel["other-team"]
    assert "B item" in by_channel["other-team"]
    assert "secret" not in by_channel["dm:tim"]
