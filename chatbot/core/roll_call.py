"""The roll call of past meeting notes: where it starts, and who one entry names.

The team has written it in several ways over the years, all read here:

    ## Roll call            (or "Attendees", "Participants"; or a line ending "Roll call:")
    - Tim / Wild Tree Tech / @betatim
    - Min | Simula | @minrk
    - Min / @minrk / Simula
    - Tim Head (@betatim) / Wild Tree Tech
    - [Tim Head](https://github.com/betatim) | Wild Tree Tech
    - _name / institution / GitHub handle_      (the template's placeholder: skipped)
    - ...                                       (skipped)

What the bot writes itself (`chatbot.core.minutes`) escapes `/`, `|`, brackets and a
leading `@` in people's text, so none of these forms can be made up by a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ESCAPED_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED_OR_AUTOLINK_RE = re.compile(_ESCAPED_RE.pattern + r"|<(https?://[^\s<>]*)>")
_SEPARATOR_RE = re.compile(r"(?<!\\)[/|]")
_ROLL_CALL = r"(?:roll[ -]?call|attendees|participants|check[ -]?in)"  # Café: check-in
_EMPHASIS = r"(?:\*\*|__|\*|_)?"
_HEADING_RE = re.compile(rf"{_EMPHASIS}{_ROLL_CALL}{_EMPHASIS}\s*:?\s*{_EMPHASIS}", re.I)
_EMPHASIZED_RE = re.compile(r"^(\*\*|__|\*|_)(?P<inner>.*[^\\])\1$")
_ELLIPSIS_RE = re.compile(r"^[\s.…]*$")

_HANDLE = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"


def _github_address(group: str) -> str:
    return rf"https?://(?:www\.)?github\.com/(?P<{group}>{_HANDLE})/?"


_GITHUB_RE = re.compile(
    # [label](https://github.com/handle), <https://github.com/handle>, a bare address,
    # or "(@handle)"; never a backslash-escaped bracket.
    r"(?<!\\)\[(?P<label>(?:\\.|[^\[\]\\])*)\]\(\s*<?" + _github_address("linked") + r">?\s*\)"
    r"|<?" + _github_address("address") + r">?(?![\w/-])"
    rf"|(?<!\\)\(@(?P<paren>{_HANDLE})\)"
)
_AT_HANDLE_RE = re.compile(rf"@({_HANDLE})")

_PLACEHOLDER_NAMES = {"name", "your name", "full name", "<name>"}
_PLACEHOLDER_FIELDS = {
    "institution", "affiliation", "organisation", "organization", "github",
    "github handle", "handle", "@github", "@handle",
}


@dataclass(frozen=True)
class ImportedAttendee:
    name: str
    affiliation: str
    github: str  # without '@', '' if none


def unescape_markdown(text: str) -> str:
    """Undo backslash escapes of ASCII punctuation and `<url>` autolinks (the inverse of
    escaping): one pass, so an escaped `\\<` is never read as an autolink's start."""
    return _ESCAPED_OR_AUTOLINK_RE.sub(lambda m: m.group(1) or m.group(2), text)


def is_roll_call_heading(text: str) -> bool:
    return _HEADING_RE.fullmatch(text.strip()) is not None


def is_roll_call_intro(text: str) -> bool:
    """A paragraph line that opens a roll call: "… sign in below. Roll call:", or a line
    that is only "Attendees:" (or another roll-call heading's words, with a colon)."""
    bare = text.strip().strip("*_").rstrip()
    return bare.endswith(":") and (
        is_roll_call_heading(bare) or re.search(r"roll[ -]?call\s*:$", bare, re.I) is not None)


def _take_github(text: str) -> tuple[str, str]:
    """The entry without a GitHub link or "(@handle)", and the handle ('' if none)."""
    handles: list[str] = []

    def remove(match: re.Match[str]) -> str:
        handle = match["linked"] or match["address"] or match["paren"]
        handles.append(handle)
        label = (match["label"] or "").strip()
        return "" if label.lstrip("@") in ("", handle) or "github.com" in label else label

    rest = _GITHUB_RE.sub(remove, text)
    return rest, handles[0] if handles else ""


def _is_placeholder(fields: list[str]) -> bool:
    if all(_ELLIPSIS_RE.match(part) for part in fields):
        return True
    return fields[0].lower() in _PLACEHOLDER_NAMES and all(
        part.lower() in _PLACEHOLDER_FIELDS for part in fields[1:])


def parse_attendee(text: str) -> ImportedAttendee | None:
    """One roll-call entry, or None for a placeholder or an empty line."""
    emphasized = _EMPHASIZED_RE.match(text.strip())
    text, github = _take_github(emphasized["inner"] if emphasized else text)
    fields = [part.strip() for part in _SEPARATOR_RE.split(text)]
    while fields and not fields[-1]:
        fields.pop()
    if not fields or not fields[0] or _is_placeholder(fields):
        return None
    rest = fields[1:]
    if not github and rest and rest[-1].startswith("@"):
        github = rest.pop()[1:]  # "@handle" last, as the bot writes it: taken as written
    elif not github:
        at = next((part for part in rest if _AT_HANDLE_RE.fullmatch(part)), None)
        if at is not None:
            rest.remove(at)
            github = at[1:]
    return ImportedAttendee(
        name=unescape_markdown(fields[0]),
        affiliation=unescape_markdown(" / ".join(part for part in rest if part)),
        github=unescape_markdown(github),
    )
