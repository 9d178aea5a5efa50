"""Serving the pages beside a chat adapter that does not serve HTTP itself (the console,
later Gitter): uvicorn on a thread of its own, while the adapter keeps the main one."""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn
from starlette.types import ASGIApp

from chatbot import logs
from chatbot.web.headers import SecurityHeaders

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 5


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound now: a port in use is an error at start, not a log line
    later, and port 0 picks a free one (`.getsockname()` says which)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class PageServer:
    def __init__(self, host: str, port: int):
        self.socket = bind(host, port)
        self.host = host
        self.port = self.socket.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, app: ASGIApp) -> None:
        config = uvicorn.Config(SecurityHeaders(app), lifespan="off", access_log=False,
                                log_level="warning",
                                log_config=logs.UVICORN_LOG_CONFIG)
        self._server = uvicorn.Server(config)
        # Off the main thread uvicorn leaves signals alone: Ctrl-C stays the console's.
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.socket]},
            name="page-server", daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(STOP_TIMEOUT_SECONDS)
        self.socket.close()
