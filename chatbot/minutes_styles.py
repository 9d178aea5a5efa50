"""The shape a series' minutes take when its meeting ends (`minutes = …` in the schedule):
`report`, a file per meeting (`core/minutes.py`); `cafe`, the Collaboration Café's file
per year with the newest meeting on top and every other byte kept (`core/cafe.py`); or
the path of the team's own Jinja2 template, given the meeting's read model.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from chatbot import archive
from chatbot.core import cafe
from chatbot.core.minutes import MinutesInput, escape_markdown, render_minutes
from chatbot.core.model import Scope
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import Series
from chatbot.core.view import MeetingView
from chatbot.meeting_view import live_meeting
from chatbot.store import Store

CELEBRATIONS = "thanks"  # the agenda section whose items are the Café's celebrations


def minutes_path(series: Series, occurrence: Occurrence) -> str:
    """Where the meeting's minutes go inside the archive folder."""
    if series.minutes == "cafe":
        return cafe.yearly_path(PurePosixPath(), series.id, occurrence.key).as_posix()
    return archive.relative_path(series.id, occurrence.key)


def minutes_text(store: Store, root: Path, scope: Scope, series: Series,
                 occurrence: Occurrence, minutes: MinutesInput, view: MeetingView) -> str:
    """The archived file's new text (ArchiveError when it cannot be made)."""
    if series.minutes == "cafe":
        relative = minutes_path(series, occurrence)
        document = archive.read(root, relative)
        if document is None and (root / relative).exists():
            raise archive.ArchiveError(
                f"Could not read {root / relative} (too large, or not UTF-8 text); "
                "it is left as it was")
        meeting = cafe_meeting(store, scope, series, occurrence, view)
        return cafe.add_section(document, meeting, series.name)
    return meeting_minutes(store, scope, series, occurrence, minutes, view)


def meeting_minutes(store: Store, scope: Scope, series: Series, occurrence: Occurrence,
                    minutes: MinutesInput, view: MeetingView) -> str:
    """One meeting's minutes in its series' shape: the report, the Café section (as it
    stands in the yearly file), or the team's template (`chatbot minutes`, the page)."""
    if series.minutes == "report":
        return render_minutes(minutes)
    if series.minutes == "cafe":
        return cafe.render_section(cafe_meeting(store, scope, series, occurrence, view))
    return _from_template(Path(series.minutes), minutes, view)


def cafe_meeting(store: Store, scope: Scope, series: Series, occurrence: Occurrence,
                 view: MeetingView) -> cafe.CafeMeeting:
    """The meeting as the Café archive shows it: check-in from the roll call, celebrations
    from the thanks items, the agenda item by item with what was filed under each; one
    nobody came to (no roll call, nothing recorded) is the month's one line."""
    live = live_meeting(store, scope, series, occurrence.key.isoformat())
    agenda: tuple[cafe.Topic, ...] = ()
    if live is not None:
        discussed = tuple(item for item in live.agenda if item.section != CELEBRATIONS)
        agenda = cafe.live_agenda(dataclasses.replace(live, agenda=discussed))
    question = live.icebreaker if live else None
    record = store.meetings.get(scope, series.id, occurrence.key.isoformat())
    # Nobody signed in and nothing was said (or imported as such): the month's one line.
    recorded = live is not None and bool(live.live_entries)
    held = not (record and record.skipped) and bool(view.present or recorded)
    return cafe.CafeMeeting(
        date=occurrence.key,
        held=held,
        check_in=tuple(cafe.CheckIn(a.name, a.github, a.affiliation) for a in view.present),
        icebreaker=question.text if question else "",
        answers=tuple(cafe.Answer(live.name(e.author), e.text) for e in live.answers)
        if live else (),
        celebrations=tuple(e.text for e in view.agenda if e.section == CELEBRATIONS),
        agenda=agenda,
    )


def _from_template(path: Path, minutes: MinutesInput, view: MeetingView) -> str:
    """The team's template, sandboxed: it sees `meeting` (the read model) and `minutes`
    (what the report shows), and escapes what people typed with the `md` filter."""
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(path.parent), autoescape=False,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters["md"] = escape_markdown
    try:
        return environment.get_template(path.name).render(meeting=view, minutes=minutes)
    except jinja2.TemplateError as error:
        raise archive.ArchiveError(f"The minutes template {path} failed: {error}") from None
