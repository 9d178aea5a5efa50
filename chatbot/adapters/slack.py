"""The Slack adapter: Bolt (asyncio) in front of the shared command language.

Served by uvicorn on `/slack/events` (HTTP mode), or over Socket Mode when an app token is
set. The ack path does only local work: the answer goes back in the ack body; everything
that talks to Slack's Web API (channel posts, DMs, the App Home) runs in the background.
See README.md, "Slack", for the design and its measurements.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from chatbot import logs, workspace_data
from chatbot.adapters import slack_blocks as blocks
from chatbot.adapters import slack_modal
from chatbot.adapters.slack_guard import guarded
from chatbot.adapters.slack_install import INSTALL_PATH, REDIRECT_PATH, Installations
from chatbot.adapters.slack_outbox import Background, web_client
from chatbot.adapters.slack_shortcuts import MessageShortcuts, permalink, team_of
from chatbot.adapters.slack_text import from_slack, handles, mention_command, with_handles
from chatbot.adapters.slack_users import SlackProfile, UserDirectory
from chatbot.adapters.slack_votes import VoteMessages
from chatbot.adapters.slack_workspaces import Workspaces
from chatbot.commands import Bot, Message, Reply
from chatbot.config import SettingsError, SlackSettings
from chatbot.core.model import Scope, User
from chatbot.core.reminder import Reminder
from chatbot.meeting_view import person_home
from chatbot.scheduler import Reminders, ReminderScheduler
from chatbot.web.headers import SecurityHeaders

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
# How long the scheduler's thread waits for a reminder to be posted before it gives up
# (and releases the claim so the next tick tries again).
REMINDER_TIMEOUT = 120.0
# Commands whose @word is not a Slack user: the roll call's last field is a GitHub handle.
_NO_HANDLE_RESOLUTION = {"attend"}
# How often the data of workspaces that uninstalled the app is checked for its end date.
PURGE_INTERVAL = 3600.0
# Commands after which the App Home of people who opened it may be out of date.
_CHANGES_HOME = {"todo", "tz"}

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import uvicorn


class SlackStartError(Exception):
    """Slack cannot be used with these settings: shown as one line, no traceback."""


class SlackAdapter:
    def __init__(self, bot: Bot, settings: SlackSettings, *, reminders: bool = True):
        self.bot = bot
        self.settings = settings
        self.with_reminders = reminders
        # Installed by OAuth in many workspaces, or one workspace with SLACK_BOT_TOKEN.
        self.installations = (
            Installations(settings, bot.store.path, web_client(None, settings.api_url))
            if settings.installed_by_oauth else None)
        self.workspaces = Workspaces(settings, self._current_token)
        self._enterprises: dict[str, str | None] = {}  # team -> its org, as last heard
        self.retention_days = workspace_data.DEFAULT_RETENTION_DAYS  # after an uninstall
        self._purging: asyncio.Task | None = None
        self.background = Background()
        self.votes = VoteMessages(self.workspaces, self.background, bot.store)
        self.team_id = ""
        self.shutdown_grace = 5.0  # seconds queued posts may still take when stopping
        self.loop: asyncio.AbstractEventLoop | None = None
        self.home_viewers: dict[str, set[str]] = {}  # team -> who opened the App Home
        self._homes_due: set[tuple[str, str]] = set()
        self._authorization: AuthorizeResult | None = None
        self._session: aiohttp.ClientSession | None = None
        self._scheduler: ReminderScheduler | None = None
        self._scheduler_started: asyncio.Future | None = None
        self.app = self._build_app()

    @property
    def users(self) -> UserDirectory:
        """The profiles of the one workspace (SLACK_BOT_TOKEN)."""
        return self.workspaces.get(self.team_id).users

    # -- lifecycle ----------------------------------------------------------------------------

    def authenticate(self) -> None:
        """Check the bot token once, before serving: learns the workspace, and spares every
        first request Bolt's own auth.test (which could miss the 3-second deadline).
        Installed by OAuth, each workspace's token is checked when it installs."""
        if self.installations is not None:
            return
        client = WebClient(
            token=self.settings.bot_token, base_url=self.settings.api_url, timeout=10,
            retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler()],
        )
        try:
            answer = client.auth_test()
        except SlackApiError as error:
            raise SlackStartError(
                f"Slack rejected SLACK_BOT_TOKEN ({error.response.get('error')})"
            ) from None
        except OSError as error:
            raise SlackStartError(
                f"cannot reach Slack's Web API at {self.settings.api_url}: {error}"
            ) from None
        self.team_id = answer["team_id"]
        self.bot.workspaces[PLATFORM] = self.team_id  # the meeting pages show this team's
        self._authorization = AuthorizeResult.from_auth_test_response(
            auth_test_response=answer, bot_token=self.settings.bot_token
        )
        log.info("Slack: signed in as %s to %s (%s)", answer.get("user"), answer.get("team"),
                 self.team_id)

    async def start(self) -> None:
        if self._authorization is None:
            self.authenticate()
        self.loop = asyncio.get_running_loop()
        # One pooled session for every call: without it each call opens a new connection.
        self._session = aiohttp.ClientSession()
        self.workspaces.set_session(self._session)
        self.app.client.session = self._session
        if self.installations is not None:
            self.installations.client.session = self._session
            self._purging = asyncio.ensure_future(self._purge_departed())
        if self.with_reminders:
            self._scheduler = ReminderScheduler(Reminders(self.bot, SlackReminders(self)))
            # start() posts what was missed while the bot was down, and waits for those posts
            # on this loop: it runs in a thread so that serving starts at once.
            self._scheduler_started = asyncio.ensure_future(
                asyncio.to_thread(self._scheduler.start)
            )

    async def stop(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
        if self._scheduler is not None:
            with contextlib.suppress(Exception):
                await self._scheduler_started
            await asyncio.to_thread(self._scheduler.shutdown)
        await self.background.stop(self.shutdown_grace)
        await self.workspaces.stop(self.shutdown_grace)
        if self._session is not None:
            await self._session.close()

    def run_from_thread(self, work: Coroutine, timeout: float = REMINDER_TIMEOUT) -> Any:
        """Run `work` on the adapter's loop and wait for it (from the scheduler's thread)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            work.close()
            raise RuntimeError("the Slack adapter is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            work.close()
            raise RuntimeError("run_from_thread called on the event loop: it would deadlock")
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    # -- Bolt ---------------------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        # process_before_response=True: the response is sent as soon as the listener
        # returns, instead of Bolt polling for the ack every 10 ms. Listeners therefore
        # never await the Web API after ack(); they hand such calls to the background.
        async def authorize() -> AuthorizeResult | None:
            return self._authorization  # from authenticate(): no auth.test per request

        if self.installations is None:
            app = AsyncApp(client=web_client(None, self.settings.api_url),
                           signing_secret=self.settings.signing_secret, authorize=authorize,
                           process_before_response=True)
        else:  # Bolt's OAuth flow; its authorize finds (and refreshes) each team's token
            app = AsyncApp(client=web_client(None, self.settings.api_url),
                           signing_secret=self.settings.signing_secret,
                           oauth_flow=self.installations.oauth_flow(self._installed),
                           process_before_response=True)
            app.event("app_uninstalled")(self._on_uninstalled)
            app.event("tokens_revoked")(self._on_tokens_revoked)
            app.use(self._use_workspace_token)  # one token otherwise: nothing to switch
        app.command(re.compile(r"^/"))(self._on_command)
        app.action(blocks.ATTEND_ACTION)(self._on_attend)
        app.action(blocks.SKIP_ACTION)(self._on_skip)
        app.view(slack_modal.NEW_MEETING)(self._on_new_meeting)
        app.action(blocks.ITEM_ACTION)(self._on_item_action)
        app.action(blocks.VOTE_ACTION)(self._on_vote_button)
        app.shortcut(blocks.ADD_TO_MINUTES)(self._on_add_to_minutes)
        MessageShortcuts(self).register(app)  # Add to agenda, Add as TODO
        app.event("app_home_opened")(self._on_home_opened)
        app.event("app_mention")(self._on_mention)
        return app

    # -- workspaces ---------------------------------------------------------------------------

    async def _use_workspace_token(self, context: dict, next: Callable) -> None:
        """Every call made for a request's workspace uses the token Bolt authorized it
        with (an org-wide install's token serves each of the org's workspaces)."""
        team = context.get("team_id") or context.get("enterprise_id")
        if team and context.get("bot_token"):
            self.workspaces.use_token(team, context["bot_token"])
            enterprise = context.get("enterprise_id")
            if self.installations is not None and self._enterprises.get(team, "") != enterprise:
                self._enterprises[team] = enterprise  # for reminders, sent with no request
                self.bot.store.workspaces.installed(team, enterprise,
                                                    self.bot.clock.now().isoformat())
        await next()

    async def _current_token(self, team: str) -> str | None:
        if self.installations is None:
            return self.settings.bot_token
        known = self.bot.store.workspaces
        if known.has_left(team):
            return None
        return await self.installations.bot_token(team, known.enterprise_of(team))

    async def _installed(self, team: str, enterprise: str | None) -> None:
        self.bot.store.workspaces.installed(team, enterprise, self.bot.clock.now().isoformat())
        self._enterprises[team] = enterprise

    async def _on_uninstalled(self, context: dict) -> None:
        await self.installations.uninstalled(context)
        await self._left(context)

    async def _on_tokens_revoked(self, event: dict, context: dict) -> None:
        await self.installations.tokens_revoked(event, context)
        if event.get("tokens", {}).get("bot"):
            await self._left(context)

    async def _purge_departed(self) -> None:
        """Hourly: the data of workspaces gone longer than the retention period."""
        while True:
            try:
                await asyncio.to_thread(workspace_data.purge_departed, self.bot,
                                        self.retention_days)
            except Exception:
                log.exception("deleting the data of uninstalled workspaces failed")
            await asyncio.sleep(PURGE_INTERVAL)

    async def _left(self, context: dict) -> None:
        """Its tokens are gone: nothing more goes out there; its data is kept for
        CHATBOT_RETENTION_DAYS in case it installs again."""
        known, now = self.bot.store.workspaces, self.bot.clock.now().isoformat()
        team, enterprise = context.get("team_id"), context.get("enterprise_id")
        # Org-wide: every workspace of the org that used it loses it with the org.
        org_wide = enterprise and (context.get("is_enterprise_install") or not team)
        gone = set(known.of_enterprise(enterprise)) | {enterprise} if org_wide else {team}
        for one in gone:
            known.left(one, now)
            self._enterprises.pop(one, None)
            await self.workspaces.forget(one)
        log.info("Slack: uninstalled from %s", ", ".join(sorted(gone)))

    # -- listeners ----------------------------------------------------------------------------

    async def _on_command(self, ack: Callable, command: dict) -> None:
        name = command["command"].lstrip("/").lower()
        team, channel = command["team_id"], command["channel_id"]
        scope = Scope(PLATFORM, team, channel)
        user, is_admin = await self._speaker(team, command["user_id"],
                                             command.get("user_name", ""))
        if name == "meeting" and command.get("text", "").strip().lower() == "new":
            await ack()
            await self._open_new_meeting_form(command["trigger_id"], scope, user)
            return
        text, mentioned = await self._incoming(team, command.get("text", ""), channel,
                                               resolve_handles=name not in _NO_HANDLE_RESOLUTION)
        reply = self.handle(Message(f"/{name} {text}".rstrip(), scope, user, is_admin), mentioned)
        answer = blocks.command_reply(reply, self.names(team), channel)
        await ack(**answer)
        self._after(reply, scope, name, user.id, shown=answer["text"])

    async def _on_mention(self, event: dict, context: dict) -> None:
        """`@chatbot agenda add …`: the command after the mention, in a channel or in a
        thread (where Slack lets no slash command through), answered in that thread."""
        team = context.get("team_id") or event.get("team") or self.team_id
        channel, author = event.get("channel"), event.get("user")
        command = mention_command(event.get("text", ""), context.get("bot_user_id") or "")
        if not (channel and author) or event.get("bot_id") or command is None:
            return
        name, _, rest = command.partition(" ")
        name = name.lstrip("/!").lower() or "help"
        user, is_admin = await self._speaker(team, author, "")
        text, mentioned = await self._incoming(team, rest, channel,
                                               resolve_handles=name not in _NO_HANDLE_RESOLUTION)
        scope = Scope(PLATFORM, team, channel)
        reply = self.handle(Message(f"/{name} {text}".rstrip(), scope, user, is_admin), mentioned)
        answer = blocks.command_reply(reply, self.names(team), channel)
        self.background.spawn(
            self.workspaces.get(team).client.chat_postMessage(
                channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"),
                text=answer["text"], blocks=answer.get("blocks")),
            "chat.postMessage in a thread",
        )
        self._after(reply, scope, name, user.id, seen_by_all=True)

    async def _on_attend(self, ack: Callable, body: dict, action: dict) -> None:
        await ack()
        await self._act(body, f"/attend --meeting {action['value']}", "attend")

    async def _open_new_meeting_form(self, trigger_id: str, scope: Scope, user: User) -> None:
        stored = self.bot.store.users.get(scope.workspace, user.id)
        zone = (stored.zone if stored else None) or user.tz or "UTC"
        today = self.bot.clock.now().date()
        await slack_modal.open_form(
            self.workspaces.get(scope.workspace).client, trigger_id,
            slack_modal.new_meeting_view(zone, scope.channel, today), scope.channel, user.id)

    async def _on_new_meeting(self, ack: Callable, body: dict, view: dict) -> None:
        """The form's answers, said as `/meeting new NAME` and `/meeting set ...`: all of
        them or none (one transaction); a refusal is shown under its field, the form open."""
        form = slack_modal.read_form(view)
        scope = Scope(PLATFORM, team_of(body), view.get("private_metadata", ""))
        said = body["user"]
        user, is_admin = await self._speaker(scope.workspace, said["id"],
                                             said.get("username") or said.get("name", ""))
        store, replies = self.bot.store, []

        def say(field: str, text: str) -> None:
            reply = self.handle(Message(text, scope, user, is_admin), {})
            if not reply.ok:
                raise _Refused(field, reply.text)  # rolls every one of them back
            replies.append(reply)

        try:
            with store.transaction():
                before = set(store.chat_series.in_channel(scope))
                say("name", f"/meeting new {form.name}")
                made = set(store.chat_series.in_channel(scope)) - before
                for field, text in form.settings(made.pop()) if made else []:
                    say(field, text)
        except _Refused as refused:
            await ack(response_action="errors", errors={refused.field: refused.text})
            return
        await ack()
        for reply in replies:
            self._after(reply, scope, "meeting", user.id)

    async def _on_skip(self, ack: Callable, body: dict, action: dict) -> None:
        await ack()
        series, _, day = action["value"].partition(" ")
        await self._act(body, f"/meeting --meeting {series} skip {day}", "meeting")

    async def _on_item_action(self, ack: Callable, body: dict, action: dict) -> None:
        """A button beside a TODO or agenda item: `/KIND ACTION N` in its channel."""
        await ack()
        kind, verb = blocks.ITEM_ACTION.match(action["action_id"]).groups()
        channel, _, number = action["value"].partition(" ")
        await self._act(body, f"/{kind} {verb} {number}", kind, channel)

    async def _on_vote_button(self, ack: Callable, body: dict, action: dict) -> None:
        """A choice on the vote message: a ballot for that vote only."""
        await ack()
        channel, _, vote = action["value"].partition(" ")
        number, _, choice = vote.partition(" ")
        if not (number.isdigit() and choice):
            log.warning("a vote button with the value %r; ignored", action["value"][:100])
            return
        await self._act(body, f"/vote #{number} {choice}", "vote", channel)

    async def _on_add_to_minutes(self, ack: Callable, body: dict) -> None:
        """The *Add to minutes* message shortcut: the message, with its permalink, filed
        under the current item as its author's."""
        await ack()
        message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
        team = team_of(body)
        text, _ = await self._incoming(team, message.get("text", ""), channel or "",
                                       resolve_handles=False)
        if not channel or not text:
            return
        link = await permalink(self.workspaces.get(team).client, channel, message.get("ts", ""))
        said = f"/link {link} {text}" if link else f"/note {text}"
        author = message.get("user") or body["user"]["id"]
        await self._act({**body, "user": {"id": author}}, said, "note", channel,
                        tell=body["user"]["id"])

    async def _act(self, body: dict, text: str, name: str, channel: str | None = None,
                   tell: str | None = None) -> None:
        """A button click, said as the command it stands for."""
        team = team_of(body)
        channel = channel or (body.get("channel") or {}).get("id")
        if not channel:
            log.warning("%s clicked outside a channel; ignored", text)
            return
        said = body["user"]
        user, is_admin = await self._speaker(team, said["id"],
                                             said.get("username") or said.get("name", ""))
        scope = Scope(PLATFORM, team, channel)
        reply = self.handle(Message(text, scope, user, is_admin), {})
        self._after(reply, scope, name, user.id)
        if not (reply.ok and reply.public):
            shown = blocks.command_reply(reply, self.names(team), channel)["text"]
            self.background.spawn(
                self.workspaces.get(team).client.chat_postEphemeral(
                    channel=channel, user=tell or user.id, text=shown),
                "chat.postEphemeral",
            )

    async def _on_home_opened(self, event: dict, context: dict) -> None:
        if event.get("tab") != "home":
            return
        team = context.get("team_id") or self.team_id
        self.home_viewers.setdefault(team, set()).add(event["user"])
        self._refresh_home(team, event["user"])

    # -- the command path ---------------------------------------------------------------------

    def handle(self, message: Message, mentioned: dict[str, SlackProfile]) -> Reply:
        """Bot.handle, storing the profiles of the people mentioned with the command: a
        command that fails stores nothing at all, not even those profiles."""
        def save_profiles() -> None:
            for profile in mentioned.values():
                self._save_profile(message.scope.workspace, profile)

        return self.bot.handle(message, save_profiles)

    async def _speaker(self, team: str, user_id: str, fallback_name: str
                       ) -> tuple[User, bool]:
        """The user as Slack knows them now (the profile zone is what /tz falls back to),
        and whether they are a workspace admin."""
        profile = await self.workspaces.get(team).users.profile(user_id)
        if profile is not None:
            return User(id=user_id, name=profile.name, tz=profile.tz), profile.is_admin
        stored = self.bot.store.users.get(team, user_id)
        return User(id=user_id, name=stored.name if stored else fallback_name or user_id), False

    async def _incoming(self, team: str, raw: str, channel: str, resolve_handles: bool
                        ) -> tuple[str, dict[str, SlackProfile]]:
        incoming = from_slack(raw)
        text = incoming.text
        users = self.workspaces.get(team).users
        mentioned = await users.profiles(incoming.mentioned)
        if resolve_handles and (typed := handles(text)):
            found = {h: await users.resolve_handle(h, channel) for h in typed}
            text = with_handles(text, found.get)
            mentioned.update(await users.profiles(u for u in found.values() if u))
        return text, mentioned

    def _save_profile(self, workspace: str, profile: SlackProfile) -> None:
        stored = self.bot.store.users.get(workspace, profile.id)
        if stored is None:
            updated = User(id=profile.id, name=profile.name, profile_tz=profile.tz)
        else:  # keep what people chose here (/tz, affiliation…)
            updated = replace(stored, name=profile.name,
                              profile_tz=profile.tz or stored.profile_tz)
        if updated != stored:
            self.bot.store.users.save(workspace, updated)

    def _after(self, reply: Reply, scope: Scope, name: str, user_id: str,
               seen_by_all: bool = False, shown: str | None = None) -> None:
        """What follows a command: the change posted to the channel (unless the answer was
        already posted where all can see it, in a thread), the vote message, App Homes.
        `shown`: the reply as the channel line already rendered for the asker."""
        if not reply.ok:
            return
        in_vote_message = reply.public and self.votes.show(scope, reply)
        if reply.public and not (in_vote_message or seen_by_all):
            self.workspaces.get(scope.workspace).poster.post(
                scope.channel, shown or blocks.channel_line(reply, self.names(scope.workspace)))
        if name in _CHANGES_HOME:
            viewers = self.home_viewers.get(scope.workspace, set())
            for viewer in viewers if name == "todo" else viewers & {user_id}:
                self._refresh_home(scope.workspace, viewer)

    def names(self, workspace: str) -> blocks.Names:
        users = self.workspaces.get(workspace).users

        def name(user_id: str) -> str | None:
            profile = users.cached(user_id)
            if profile is not None:
                return profile.name
            stored = self.bot.store.users.get(workspace, user_id)
            return stored.name if stored else None

        return name

    # -- App Home -----------------------------------------------------------------------------

    def _refresh_home(self, team: str, user_id: str) -> None:
        if (team, user_id) in self._homes_due:
            return  # a publish is already on its way and will read the latest state
        self._homes_due.add((team, user_id))
        self.background.spawn(self.publish_home(team, user_id), f"views.publish {user_id}")

    async def publish_home(self, team: str, user_id: str) -> None:
        self._homes_due.discard((team, user_id))
        workspace = self.workspaces.get(team)
        profile = await workspace.users.profile(user_id)
        store = self.bot.store
        stored = store.users.get(team, user_id)
        zone = (stored and stored.tz) or (profile and profile.tz) or (
            stored and stored.profile_tz) or "UTC"
        now = self.bot.clock.now()
        meetings, todos = person_home(self.bot.meetings, store, PLATFORM, team, user_id, now)
        view = blocks.home_view(zone, meetings, todos, self.names(team), now)
        await workspace.client.views_publish(user_id=user_id, view=view)

    # -- what the bot sends by itself ---------------------------------------------------------

    async def send_to_channel(self, team: str | None, channel: str, text: str,
                              message_blocks: list[dict]) -> None:
        workspace = await self.workspaces.refreshed(team) if team else None
        if workspace is None:  # uninstalled (or a binding that names no workspace)
            log.info("not posting in %s: the app is not installed in %s", channel, team)
            return
        await workspace.poster.send(channel, text, message_blocks)

    async def send_direct(self, team: str | None, user_id: str, text: str,
                          message_blocks: list[dict]) -> None:
        workspace = await self.workspaces.refreshed(team) if team else None
        if workspace is None:
            log.info("no direct message to %s: the app is not installed in %s", user_id, team)
            return
        opened = await workspace.client.conversations_open(users=user_id)
        await workspace.poster.send(opened["channel"]["id"], text, message_blocks)


class SlackReminders:
    """The scheduler's ReminderTarget. Called from the scheduler's thread: it waits until
    Slack has the message, so a failure releases the claim and the next tick retries."""

    platform = PLATFORM

    def __init__(self, adapter: SlackAdapter):
        self.adapter = adapter

    @property
    def workspace(self) -> str:
        """The one workspace's (SLACK_BOT_TOKEN); installed by OAuth, a series' binding
        names its workspace (`T0123/C0456`)."""
        return self.adapter.team_id

    def post_reminder(self, channel: str, compose: Callable[[], Reminder]) -> None:
        team = self.adapter.bot.workspace_of_channel(PLATFORM, channel) or self.workspace
        text, message = blocks.reminder_message(compose(), self.adapter.names(team))
        self.adapter.run_from_thread(self.adapter.send_to_channel(team, channel, text, message))

    def send_direct(self, user: User, compose: Callable[[], Reminder]) -> None:
        team = self.workspace or self.adapter.bot.store.users.workspace_of(user.id)
        text, message = blocks.reminder_message(compose(), self.adapter.names(team or ""))
        self.adapter.run_from_thread(self.adapter.send_direct(team, user.id, text, message))

    def post_notice(self, channel: str, notice: Reply) -> None:
        team = self.adapter.bot.workspace_of_channel(PLATFORM, channel) or self.workspace
        text = blocks.channel_line(notice, self.adapter.names(team))
        self.adapter.run_from_thread(
            self.adapter.send_to_channel(team, channel, text, [blocks.section(text)]))

    def send_direct_notice(self, user: User, notice: Reply) -> None:
        team = self.workspace or self.adapter.bot.store.users.workspace_of(user.id)
        text = blocks.channel_line(notice, self.adapter.names(team or ""))
        self.adapter.run_from_thread(
            self.adapter.send_direct(team, user.id, text, [blocks.section(text)]))


# -- serving -------------------------------------------------------------------------------


def http_app(adapter: SlackAdapter, extra_routes: Sequence[BaseRoute] = ()) -> ASGIApp:
    """Bolt at /slack/events behind its guard, /healthz, Bolt's OAuth flow at
    /slack/install and /slack/oauth_redirect when installed by OAuth, and `extra_routes`
    (the meeting pages) on one port; every response with the security headers."""
    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        await adapter.start()
        try:
            yield
        finally:
            await adapter.stop()

    events = guarded(adapter.app, adapter.settings.signing_secret)
    if adapter.installations is not None:
        oauth_flow = AsyncSlackRequestHandler(adapter.app)  # GETs: nothing for the guard
        extra_routes = [Route(path, oauth_flow.handle, methods=["GET"])
                        for path in (INSTALL_PATH, REDIRECT_PATH)] + list(extra_routes)
    return SecurityHeaders(Starlette(
        routes=[Route(EVENTS_PATH, events, methods=["POST"]), Route("/healthz", health),
                *extra_routes],
        lifespan=lifespan,
    ))


def http_server(adapter: SlackAdapter, host: str, port: int,
                extra_routes: Sequence[BaseRoute] = ()) -> uvicorn.Server:
    import uvicorn  # only HTTP mode needs the server

    # One process: the bot keeps state in memory and runs the reminder scheduler.
    # uvicorn picks uvloop and httptools by itself when they are installed; its log lines
    # go through the bot's handler (redacted, JSON when asked).
    config = uvicorn.Config(http_app(adapter, extra_routes), host=host, port=port, lifespan="on",
                            access_log=False, timeout_graceful_shutdown=10,
                            log_config=logs.UVICORN_LOG_CONFIG)
    return uvicorn.Server(config)


def serve_http(adapter: SlackAdapter, host: str, port: int,
               extra_routes: Sequence[BaseRoute] = ()) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it has stopped
        http_server(adapter, host, port, extra_routes).run()


async def serve_socket_mode(adapter: SlackAdapter, stop: asyncio.Event | None = None) -> None:
    """Until `stop` is set (or SIGINT/SIGTERM): no public URL, Slack dials nothing."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await adapter.start()
    handler = AsyncSocketModeHandler(adapter.app, adapter.settings.app_token)
    try:
        await handler.connect_async()
        log.info("Slack: connected in Socket Mode")
        await stop.wait()
    finally:
        await handler.close_async()
        await adapter.stop()


def run(bot: Bot, host: str = "0.0.0.0", port: int = 3000,
        extra_routes: Sequence[BaseRoute] = ()) -> int:
    """`chatbot run --adapter slack`: exit status 0, or 2 with one line saying what is wrong."""
    try:
        settings = SlackSettings.from_env()
    except ValueError as error:
        log.error("cannot start the Slack adapter: %s", error)
        return 2
    problem = ("SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID (installed by OAuth) is "
               "not set" if settings is None else settings.problem())
    if problem is not None:
        log.error("cannot start the Slack adapter: %s (see .env.example)", problem)
        return 2
    # Bolt would also read these by itself, and warn that the token goes unused beside the
    # client the adapter configures; nor need child processes inherit the secrets.
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                 "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    adapter = SlackAdapter(bot, settings)
    try:
        adapter.retention_days = workspace_data.retention_days()
        adapter.authenticate()
    except (SlackStartError, SettingsError) as error:
        log.error("cannot start the Slack adapter: %s", error)
        return 2
    if settings.socket_mode:
        asyncio.run(serve_socket_mode(adapter))
    else:
        log.info("Slack: serving %s on http://%s:%d", EVENTS_PATH, host, port)
        if adapter.installations is not None:
            log.info("Slack: the install link is %s on that address", INSTALL_PATH)
        serve_http(adapter, host, port, extra_routes)
    return 0


class _Refused(Exception):
    """A command said for a form was refused: shown under `field`."""

    def __init__(self, field: str, text: str):
        super().__init__(text)
        self.field, self.text = field, text
