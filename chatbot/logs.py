"""Logging: plain or JSON lines, with secrets redacted from every record.

Redaction happens in a filter on the handler, so a token can't leak through a
library's log line, an exception message or a traceback either.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re

SECRET_SETTINGS = (
    "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
    "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD",
)
# Token shapes, for secrets that reach a log without being in our settings.
_TOKEN_SHAPES = re.compile(r"\b(xox[abposr]-[\w-]+|xapp-[\w-]+|syt_[\w-]+|mct_[\w-]+)")
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        if secrets is None:
            secrets = [os.environ.get(name, "") for name in SECRET_SETTINGS]
        # Short values would redact ordinary words; real secrets are long.
        self.secrets = sorted({v for v in secrets if len(v) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)

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
