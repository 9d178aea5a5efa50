"""A schedule's Slack binding may name the channel's workspace; other platforms' never do."""

import pytest

from chatbot.core.channel_binding import split_binding


@pytest.mark.parametrize(("platform", "binding", "split"), [
    ("slack", "T0123/C0456", ("T0123", "C0456")),
    ("slack", "C0456", (None, "C0456")),
    ("slack", "/C0456", (None, "C0456")),
    ("gitter", "jupyterhub/binder", (None, "jupyterhub/binder")),
    ("console", "team/room", (None, "team/room")),
])
def test_split_binding(platform, binding, split):
    assert split_binding(platform, binding) == split
