"""Security headers on every HTTP response, not only on the pages: static files, 404s,
500s, the Slack endpoint and /healthz get them too.

`SecurityHeaders(app)` wraps a whole ASGI app (the Slack adapter's, and whatever
PageServer serves), outside Starlette's own error handling, so even the "Internal Server
Error" it sends carries them. A header the app set itself wins (a different
Cache-Control, say).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.web.app import PAGE_HEADERS

# The pages' own headers (see there why each), on everything else too.
SECURITY_HEADERS = PAGE_HEADERS


def without_host(location: str) -> str:
    """A redirect's target as a path on this site: Starlette builds it from the request's
    Host header, which the client chose, so an absolute one could send a reader anywhere.
    A relative target is left as it is."""
    parts = urlsplit(location)
    if not (parts.scheme or parts.netloc or location.startswith(("/", "\\"))):
        return location
    # "//evil.example" or "/\evil.example" as a path would be read as a host again.
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if "location" in headers:
                    headers["location"] = without_host(headers["location"])
            await send(message)

        await self.app(scope, receive, send_with_headers)
