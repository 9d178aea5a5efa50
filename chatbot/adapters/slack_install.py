"""Installing the Slack app in many workspaces, with Bolt's own OAuth flow.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (and no SLACK_BOT_TOKEN) the adapter serves

    GET /slack/install          a page with an "Add to Slack" link (the scopes, a state)
    GET /slack/oauth_redirect   where Slack sends the installer back: oauth.v2.access

Installations and OAuth states are kept in the bot's own SQLite file by slack_sdk's SQLite3
stores (their tables, `slack_installations`, `slack_bots` and `oauth_states`, are theirs
alone). Tokens rotate: a token due to expire is refreshed before use, by Bolt's authorize
for requests and by `bot_token` for what the bot sends by itself (reminders). The authorize
URL and oauth.v2.access go through SLACK_API_URL's host, so GovSlack and tests work alike.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urljoin

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from chatbot.config import SlackSettings

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of manifest.yml (tests/test_slack_manifest.py keeps the two equal).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "im:write", "users:read",
              "channels:read", "groups:read", "app_mentions:read")
# A rotated token lives 12 hours; it is refreshed when it has less than this left.
REFRESH_BEFORE_MINUTES = 120
STATE_SECONDS = 600  # how long an "Add to Slack" link stays good

log = logging.getLogger(__name__)

# Called with (workspace or enterprise id, enterprise id or None) once an install completes.
OnInstalled = Callable[[str, str | None], Awaitable[None]]


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API: https://slack.com/oauth/v2/authorize."""
    return urljoin(api_url, "../oauth/v2/authorize")


def _page(title: str, body: str) -> str:
    """A page with no inline style or outside image: the site's CSP allows neither."""
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head><body>{body}</body></html>")


def install_page(authorize: str) -> str:
    return _page("Add chatbot to Slack", (
        "<h1>chatbot</h1><p>It runs your team's recurring meeting: agenda, roll call, "
        "TODOs, reminders in everyone's own time.</p>"
        f"<p><a href=\"{html.escape(authorize)}\">Add to Slack</a></p>"))


def success_page(installation: Installation) -> str:
    where = installation.team_name or installation.enterprise_name or "your workspace"
    return _page("chatbot is installed", (
        f"<h1>chatbot is installed in {html.escape(where)}</h1>"
        "<p>Next: invite it to your meeting's channel (<code>/invite @chatbot</code>), "
        "then type <code>/meeting new</code> there to plan the meeting.</p>"))


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow, with our install page."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return install_page(url)


class Installations:
    """The workspaces that installed the app, and their tokens, in the bot's database."""

    def __init__(self, settings: SlackSettings, database: Path, client: AsyncWebClient):
        self.settings = settings
        self.client = client  # SLACK_API_URL's, for oauth.v2.access and refreshing tokens
        self.installation_store = SQLite3InstallationStore(
            database=str(database), client_id=settings.client_id)
        self.state_store = SQLite3OAuthStateStore(
            database=str(database), expiration_seconds=STATE_SECONDS)
        self.rotator = AsyncTokenRotator(client_id=settings.client_id,
                                         client_secret=settings.client_secret, client=client)
        self.revocation = AsyncTokenRevocationListeners(self.installation_store)

    def oauth_flow(self, on_installed: OnInstalled) -> InstallFlow:
        return InstallFlow(client=self.client, settings=self.oauth_settings(on_installed))

    def oauth_settings(self, on_installed: OnInstalled) -> AsyncOAuthSettings:
        async def succeeded(args: AsyncSuccessArgs) -> BoltResponse:
            installation = args.installation
            key = installation.team_id or installation.enterprise_id or ""
            await on_installed(key, installation.enterprise_id)
            log.info("Slack: installed in %s (%s)", installation.team_name
                     or installation.enterprise_name, key)
            return BoltResponse(status=200, body=success_page(installation), headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
            })

        async def failed(args: AsyncFailureArgs) -> BoltResponse:
            log.warning("Slack: an install failed: %s", args.reason)
            return await args.default.failure(args)  # Bolt's page, with a link to try again

        settings = AsyncOAuthSettings(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            scopes=list(BOT_SCOPES),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            authorization_url=authorize_url(self.settings.api_url),
            installation_store=self.installation_store,
            installation_store_bot_only=True,  # the bot acts; nobody's user token is kept
            state_store=self.state_store,
            state_expiration_seconds=STATE_SECONDS,
            token_rotation_expiration_minutes=REFRESH_BEFORE_MINUTES,
            callback_options=AsyncCallbackOptions(success=succeeded, failure=failed),
        )
        # Bolt's own authorize for requests, refreshing tokens through SLACK_API_URL (the
        # one AsyncOAuthSettings makes would call slack.com).
        settings.authorize = self.authorize()
        return settings

    def authorize(self) -> AsyncInstallationStoreAuthorize:
        return AsyncInstallationStoreAuthorize(
            logger=log, installation_store=self.installation_store,
            client_id=self.settings.client_id, client_secret=self.settings.client_secret,
            token_rotation_expiration_minutes=REFRESH_BEFORE_MINUTES, bot_only=True,
            client=self.client,
            # Bolt calls auth.test for every request unless it keeps the answer, per token
            # (so a rotated token is asked about once): 48 ms -> 2 ms an ack, against
            # 0.6 ms with SLACK_BOT_TOKEN (bench/slack_oauth.py).
            cache_enabled=True,
        )

    async def bot_token(self, team_id: str, enterprise_id: str | None = None) -> str | None:
        """The workspace's bot token, refreshed first when it is due to expire; None when
        the app is not installed there. An org-wide install answers for all its
        workspaces (`enterprise_id` known)."""
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None and enterprise_id:
            bot = await self.installation_store.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None:
            return None
        if bot.bot_refresh_token:
            rotated = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=REFRESH_BEFORE_MINUTES)
            if rotated is not None:
                await self.installation_store.async_save_bot(rotated)
                bot = rotated
        return bot.bot_token

    async def uninstalled(self, context: AsyncBoltContext) -> None:
        """app_uninstalled: every token of the workspace (or org) is deleted."""
        await self.revocation.handle_app_uninstalled_events(context)
        if context.is_enterprise_install and context.enterprise_id:
            # Bolt deletes by (enterprise, team): an org-wide install is stored with no team.
            await self.installation_store.async_delete_all(
                enterprise_id=context.enterprise_id, team_id=None)

    async def tokens_revoked(self, event: dict, context: AsyncBoltContext) -> None:
        await self.revocation.handle_tokens_revoked_events(event, context)
        if (event.get("tokens", {}).get("bot") and context.is_enterprise_install
                and context.enterprise_id):
            await self.installation_store.async_delete_bot(
                enterprise_id=context.enterprise_id, team_id=None)
