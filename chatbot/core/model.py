"""The records a meeting is made of. Plain data: no storage, no platform."""

from __future__ import annotations

from dataclasses import dataclass, field

# Agenda sections in the order the team-compass notes use, with their headings.
SECTIONS: dict[str, str] = {
    "news": "News and reports",
    "update": "Quick updates",
    "thanks": "Thanks and celebrations",
    "discuss": "Help or discussion needed",
    "decision": "Decisions needed",
}
SECTION_ORDER = ("discuss", "decision", "update", "news", "thanks")
DEFAULT_SECTION = "discuss"


@dataclass(frozen=True)
class Scope:
    """Where a command was said: every stored row belongs to one workspace and channel."""

    platform: str
    workspace: str
    channel: str


@dataclass(frozen=True)
class User:
    id: str
    name: str
    tz: str | None = None  # chosen with /tz; wins over the platform profile's
    profile_tz: str | None = None
    affiliation: str = ""
    github: str = ""
    remind: bool = False

    @property
    def zone(self) -> str | None:
        return self.tz or self.profile_tz


@dataclass(frozen=True)
class AgendaItem:
    id: int
    section: str
    text: str
    author_id: str
    author_name: str
    position: int
    done: bool = False
    carried_over: bool = False
    timebox: int | None = None  # minutes: `/agenda add 10m TEXT`


@dataclass(frozen=True)
class Attendance:
    user_id: str
    name: str
    affiliation: str = ""
    github: str = ""
    regrets: bool = False

    def roll_call_line(self) -> str:
        github = f"@{self.github}" if self.github else ""
        return " / ".join([self.name, self.affiliation, github])


@dataclass(frozen=True)
class Todo:
    id: int
    number: int
    text: str
    creator_id: str
    owners: tuple[str, ...] = field(default_factory=tuple)
    series: str | None = None
    occurrence: str | None = None
    created_at: str = ""
    done_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.done_at is None


@dataclass(frozen=True)
class Decision:
    id: int
    text: str
    author_id: str
    created_at: str = ""


@dataclass(frozen=True)
class MeetingRecord:
    """One occurrence the bot ran (or imported): when it started and ended, where its
    minutes are. `occurrence` is the occurrence key (the local date, ISO)."""

    series: str
    occurrence: str
    started_at: str | None = None
    ended_at: str | None = None
    started_by: str | None = None
    archive_path: str | None = None  # relative to the archive folder
    imported_from: str | None = None
    skipped: bool = False  # imported as a month without a meeting

    @property
    def in_progress(self) -> bool:
        return self.started_at is not None and self.ended_at is None
