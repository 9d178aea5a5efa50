"""manifest.yml creates an app that can do everything the adapter does."""

from __future__ import annotations

from pathlib import Path

import yaml

from chatbot.adapters.slack import EVENTS_PATH
from chatbot.commands.help import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())


def test_every_command_is_declared_with_the_usage_the_bot_documents() -> None:
    declared = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    wanted = {f"/{name}" for name in COMMANDS if name != "help"} | {"/decision"}
    assert wanted <= set(declared)
    for name, entry in COMMANDS.items():
        if name == "help":
            continue
        command = declared[f"/{name}"]
        assert command["description"] and len(command["description"]) <= 100
        assert command["should_escape"] is True  # mentions arrive as <@U…|name>
        assert command["url"].endswith(EVENTS_PATH)
        assert entry.usage == f"/{name} {command.get('usage_hint', '')}".strip()


def test_the_app_home_events_interactivity_and_scopes_are_on() -> None:
    features, settings = MANIFEST["features"], MANIFEST["settings"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read"} <= scopes
