"""Logging: plain or JSON lines, with secrets redacted from every record.

Redaction happens in a filter on the handler, so a token can't leak through a
library's log line, an exception message or a traceback either.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from chatbot.redaction import SecretFinder


class RedactSecrets(logging.Filter):
    """Redacts what `chatbot.redaction` calls a secret: the bot's settings (or the
    values given) and every credential shape."""

    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.finder = SecretFinder(secrets)

    def redact(self, text: str) -> str:
        return self.finder.redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # its job bookkeeping is noise


# uvicorn.Config(log_config=UVICORN_LOG_CONFIG): uvicorn's own loggers lose the handlers it
# would install and pass their lines to the handler configure() puts on the root logger, so
# they are redacted, and JSON under --log-format json, like every other line.
UVICORN_LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {name: {"handlers": [], "propagate": True, "level": "NOTSET"}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")},
}
