"""What counts as a secret, found in any text: the bot's own settings by value, and
well-known credential shapes.

One rule for every output: what people type is redacted as it comes in (so it is never
stored, and no reminder, page or minutes can carry it), and every log line is redacted
again on its way out (`chatbot.logs.RedactSecrets`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The settings whose values are the bot's credentials (see .env.example).
SECRET_SETTINGS = (
    "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
    "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD",
)
REDACTED = "[redacted]"
# Shorter configured values would redact ordinary words; real secrets are longer.
MIN_SECRET_LENGTH = 8

# Credential shapes, named for the warning, each with the literal pieces one of which
# every match holds: a text holding none is not scanned (the scan took 0.012 ms for a
# two-line reply, and every reply is checked). Each is anchored so it does not cut words.
SHAPES: dict[str, tuple[tuple[str, ...], str]] = {
    "a private key": (("-----BEGIN",), (
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*)"  # a cut-off key: all of it
    )),
    "a Slack token": (("xox", "xapp-"), r"\bxox[a-z](?:\.xox[a-z])?-[\w-]+|\bxapp-[\w-]+"),
    "a Matrix access token": (("syt_", "mct_"), r"\b(?:syt|mct)_[\w-]+"),
    "a GitHub token": (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
                       r"\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}"),
    "an AWS access key": (("AKIA", "ASIA", "ABIA", "ACCA"),
                          r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
}
_SHAPES = re.compile(
    "|".join(f"(?P<shape{index}>{pattern})" for index, (_, pattern) in enumerate(SHAPES.values())),
    re.DOTALL,
)
_MARKERS = tuple(marker for markers, _ in SHAPES.values() for marker in markers)
_SHAPE_NAMES = list(SHAPES)


def configured_secrets(environ: Mapping[str, str] = os.environ) -> list[str]:
    return [environ.get(name, "") for name in SECRET_SETTINGS]


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[str, ...]  # what was taken out, in words ("a Slack token"), each once


class SecretFinder:
    """Finds and redacts the given secret values (default: the bot's settings) and
    every credential shape."""

    def __init__(self, secrets: Iterable[str] | None = None):
        values = configured_secrets() if secrets is None else secrets
        self.secrets = sorted(
            {v for v in values if len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        return self.find(text).text

    def find(self, text: str) -> Redacted:
        found: dict[str, None] = {}
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
                found["one of this bot's own credentials"] = None

        def replace(match: re.Match) -> str:
            found[_SHAPE_NAMES[int(match.lastgroup.removeprefix("shape"))]] = None
            return REDACTED

        if any(marker in text for marker in _MARKERS):
            text = _SHAPES.sub(replace, text)
        return Redacted(text, tuple(found))


def warning(found: Iterable[str]) -> str:
    """What to tell someone whose message held a secret: one line."""
    what = " and ".join(found)
    return (f"What you sent looked like {what}; it was replaced by {REDACTED} and not "
            "stored. Treat it as leaked: rotate it now.")
