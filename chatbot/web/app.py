"""The meeting pages over HTTP: a thin Starlette layer over `chatbot.web.page`.

    GET /                          the public series, listed
    GET /m/<key>                   a series' page; <key> is its token, or its id if public
    GET /m/<key>.ics               its RFC 5545 calendar (what `chatbot ics` prints)
    GET /m/<key>/minutes/<date>    the minutes of a past meeting, as HTML
    GET /static/…                  the page's stylesheet and script (no outside assets)

The seam for an adapter that serves HTTP itself (Slack in HTTP mode): build a
`PageSite` with the adapter's own idea of a series' channel, and add `page_routes`
to its Starlette app, at the root (every link inside the pages is relative, so a
proxy may put the whole app under a path prefix):

    site = PageSite(bot, scope_for=lambda s: Scope("slack", team_id, s.channels["slack"]))
    app = Starlette(routes=[Route("/slack/events", ...), *page_routes(site)])

`page_app(site)` is the same routes as an app of their own; `chatbot run` serves it
for the console with `chatbot.web.server.PageServer`. Links in chat replies use
`bot.pages` (`chatbot.page_links`), whose base URL is `CHATBOT_PUBLIC_URL` or this server.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from chatbot.commands import Bot
from chatbot.core.ical import series_calendar
from chatbot.core.schedule import Series
from chatbot.core.timefmt import clock_time, long_date
from chatbot.web.minutes_html import minutes_html
from chatbot.web.page import ScopeFor, meeting_page, minutes_markdown_of

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
# The page shows times with the one formatter every other place uses.
TEMPLATES.env.filters.update(clock_time=clock_time, long_date=long_date)

# The pages hold a team's plans behind an unguessable address: nothing may carry that
# address elsewhere (Referer), nothing outside the bot may run or load (CSP), and
# search engines and shared caches keep nothing.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-cache",
}
_ARCHIVED_MINUTES = re.compile(r"^(?:\.\./[^/]+/)?(\d{4}-\d{2}-\d{2})\.md$")
_SAFE_LINK = re.compile(r"^https?://\S+$")


class PageSite:
    """What the routes need: the bot (store, schedules, clock, archive, page tokens)
    and which channel's agenda and TODOs a series' page shows on this platform."""

    def __init__(self, bot: Bot, scope_for: ScopeFor):
        self.bot = bot
        self.scope_for = scope_for

    def series_at(self, key: str) -> Series | None:
        return self.bot.pages.series_at(key, self.bot.schedules)


def _html(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(
        request, template, context, status_code=status, headers=PAGE_HEADERS
    )


def _not_found(request: Request, root: str) -> Response:
    return _html(request, "not_found.html", {"root": root}, status=404)


def page_routes(site: PageSite) -> list[BaseRoute]:
    def index(request: Request) -> Response:
        public = [s for s in site.bot.schedules.series if s.public]
        return _html(request, "index.html", {"root": "", "series": public})

    def meeting(request: Request) -> Response:
        key = request.path_params["key"]
        series = site.series_at(key)
        if series is None:
            return _not_found(request, "../")
        page = meeting_page(site.bot, series, site.scope_for(series), site.bot.clock.now())
        return _html(request, "meeting.html", {
            "root": "../",
            "page": page,
            "calendar": f"{key}.ics",
            "minutes_base": f"{key}/minutes/",
            # Schedule files are trusted, but only a web address becomes a link.
            "video": series.video if _SAFE_LINK.match(series.video) else "",
            "notes": series.notes if _SAFE_LINK.match(series.notes) else "",
        })

    def calendar(request: Request) -> Response:
        series = site.series_at(request.path_params["key"])
        if series is None:
            return _not_found(request, "../")
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", series.id) + ".ics"
        return Response(
            series_calendar(series, site.bot.clock.now()),
            media_type="text/calendar; charset=utf-8",
            headers={**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def minutes(request: Request) -> Response:
        root = "../../../"
        key = request.path_params["key"]
        series = site.series_at(key)
        try:
            day = dt.date.fromisoformat(request.path_params["day"])
        except ValueError:
            return _not_found(request, root)
        if series is None:
            return _not_found(request, root)
        markdown = minutes_markdown_of(
            site.bot, series, site.scope_for(series), day, site.bot.clock.now()
        )
        if markdown is None:
            return _not_found(request, root)

        def link_for(target: str) -> str | None:
            # "Previous meeting's notes" links another archived file of this series:
            # its page sits beside this one.
            match = _ARCHIVED_MINUTES.match(target)
            return match.group(1) if match else None

        return _html(request, "minutes.html", {
            "root": root,
            "series": series,
            "label": long_date(day),
            "back": f"../../{key}",
            "minutes": minutes_html(markdown, link_for),
        })

    return [
        Route("/", index),
        # Before /m/{key}, which would take "<key>.ics" for a key.
        Route("/m/{key}.ics", calendar),
        Route("/m/{key}", meeting),
        Route("/m/{key}/minutes/{day}", minutes),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def page_app(site: PageSite) -> Starlette:
    return Starlette(routes=page_routes(site))
