"""manifest.yml creates an app that can do everything the adapter does."""

from __future__ import annotations

from pathlib import Path

import yaml

from chatbot.adapters.slack import EVENTS_PATH
from chatbot.adapters.slack_blocks import ADD_TO_MINUTES
from chatbot.adapters.slack_modal import ADD_AS_TODO, ADD_TO_AGENDA
from chatbot.commands.help import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())


# Slack's built-in commands (Slack Help Center, "Use built-in slash commands"): a command of
# the same name in an app's manifest never reaches the app, and they work in threads only
# because they are Slack's own.
SLACK_BUILT_IN = {
    "/active", "/apps", "/archive", "/away", "/call", "/close", "/collapse", "/dm", "/dnd",
    "/expand", "/feed", "/feedback", "/help", "/invite", "/invite_people", "/join", "/kick",
    "/leave", "/me", "/msg", "/mute", "/open", "/prefs", "/remind", "/remove", "/rename",
    "/search", "/shortcuts", "/shrug", "/status", "/topic", "/who",
}
DECLARED = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}


def test_the_manifest_declares_no_command_slack_keeps_for_itself() -> None:
    assert not set(DECLARED) & SLACK_BUILT_IN


def test_what_slack_keeps_is_reachable_through_meeting() -> None:
    assert COMMANDS["remind"].usage.startswith("/meeting remind")
    assert "remind me on|off" in DECLARED["/meeting"]["usage_hint"]


def test_every_other_command_is_declared_with_the_usage_the_bot_documents() -> None:
    reachable = {name for name in COMMANDS if f"/{name}" not in SLACK_BUILT_IN}
    assert {f"/{name}" for name in reachable} | {"/decision"} <= set(DECLARED)
    for name in reachable:
        entry = COMMANDS[name]
        command = DECLARED[f"/{name}"]
        assert command["description"] and len(command["description"]) <= 100
        assert command["should_escape"] is True  # mentions arrive as <@U…|name>
        assert command["url"].endswith(EVENTS_PATH)
        assert entry.usage == f"/{name} {command.get('usage_hint', '')}".strip()


def test_the_app_home_events_interactivity_and_scopes_are_on() -> None:
    features, settings = MANIFEST["features"], MANIFEST["settings"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened", "app_mention", "app_uninstalled", "tokens_revoked"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read", "app_mentions:read"} <= scopes


def test_the_install_link_asks_for_the_manifests_scopes_and_returns_to_its_redirect_url(
) -> None:
    from chatbot.adapters.slack_install import BOT_SCOPES, REDIRECT_PATH

    assert tuple(MANIFEST["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    assert [url.endswith(REDIRECT_PATH) for url in MANIFEST["oauth_config"]["redirect_urls"]
            ] == [True]


def test_the_message_shortcuts_are_declared_on_messages() -> None:
    shortcuts = MANIFEST["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [
        ("message", ADD_TO_MINUTES), ("message", ADD_TO_AGENDA), ("message", ADD_AS_TODO)]
    for shortcut in shortcuts:
        assert len(shortcut["name"]) <= 25 and len(shortcut["description"]) <= 80
