"""A meeting's record: minutes from stored data, ending a meeting, importing past notes.

Shared by the chat commands (/meeting end) and the command line (`chatbot minutes`,
`chatbot import`). It sits between the store and the commands: it reads and writes
through `Store`, renders with `chatbot.core.minutes` and parses with
`chatbot.core.notes_import`; files and git are `chatbot.archive`'s job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from chatbot import archive
from chatbot.core.cafe import SKIPPED, split_year
from chatbot.core.live_meeting import Entry
from chatbot.core.minutes import MinutesInput
from chatbot.core.model import AgendaItem, Attendance, MeetingRecord, Scope, Todo, User
from chatbot.core.notes_import import (
    ImportedAttendee,
    ImportedEntry,
    ImportedNotes,
    parse_notes,
    split_owners,
)
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import Series
from chatbot.core.view import TodoEntry
from chatbot.meeting_view import gather
from chatbot.minutes_styles import meeting_minutes, minutes_path, minutes_text
from chatbot.store import Store

# Larger files are not meeting notes; reading them whole would only waste memory.
MAX_NOTES_BYTES = 1_000_000
IMPORT_CREATOR = "import"  # creator_id of imported TODOs: nobody typed them here


# --------------------------------------------------------------------------
# Minutes from stored data


def _instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def _since(record: MeetingRecord | None, series: Series, occurrence: Occurrence):
    """When "the last meeting" was: its recorded end, else its scheduled start."""
    if record is not None and (ended := _instant(record.ended_at)) is not None:
        return ended
    earlier = series.recurrence.previous_before(occurrence.start_utc - dt.timedelta(seconds=1))
    return earlier.start_utc if earlier else None


def _todo_entries(
    store: Store, scope: Scope, series: Series, key: str, cutoff: dt.datetime,
    since: dt.datetime | None,
) -> tuple[TodoEntry, ...]:
    """TODOs as the meeting saw them: new ones, older ones still open at its end and
    older ones done since the last meeting. Another series' TODOs are not ours."""
    todos = [
        t for t in store.todos.in_channel(scope, open_only=False) if t.series in (None, series.id)
    ]
    users = store.users.by_id(scope.workspace, sorted({o for t in todos for o in t.owners}))
    entries = []
    for todo in todos:
        is_new = todo.series == series.id and todo.occurrence == key
        created = _instant(todo.created_at)
        if not is_new and created is not None and created > cutoff:
            continue  # recorded after this meeting
        done_at = _instant(todo.done_at)
        done = done_at is not None and done_at <= cutoff
        if done and not is_new and (since is None or done_at <= since):
            continue  # closed before the last meeting: old news
        names = tuple(users[o].name if o in users else o for o in todo.owners)
        entries.append(TodoEntry(todo.number, todo.text, names, is_new=is_new, done=done))
    return tuple(entries)


def build_minutes(
    store: Store, scope: Scope, series: Series, occurrence: Occurrence, now: dt.datetime
) -> MinutesInput:
    """Everything the minutes of one occurrence show, read from the store."""
    key = occurrence.key.isoformat()
    record = store.meetings.get(scope, series.id, key)
    ended_at = _instant(record.ended_at) if record else None
    cutoff = ended_at or now
    view = gather(store, scope, series, occurrence)
    previous = store.meetings.previous(scope, series.id, key)
    own_path = archive.relative_path(series.id, occurrence.key)
    return MinutesInput(
        series_name=series.name,
        start=occurrence.start,
        member_zones=view.zones,
        video=series.video,
        previous_notes=(
            archive.link_between(own_path, previous.archive_path)
            if previous is not None and previous.archive_path else ""
        ),
        attendees=view.present,
        regrets=view.regrets,
        agenda=view.agenda,
        ended=ended_at is not None,
        decisions=tuple(d.text for d in store.decisions.in_meeting(scope, series.id, key)),
        todos=_todo_entries(
            store, scope, series, key, cutoff, _since(previous, series, occurrence)
        ),
        chairs=view.chairs,
        unfiled=view.unfiled,
    )


def minutes_markdown(
    store: Store, scope: Scope, series: Series, occurrence: Occurrence, now: dt.datetime
) -> str:
    """The meeting's minutes in its series' shape, as they stand now (ArchiveError when
    the team's template fails)."""
    return meeting_minutes(store, scope, series, occurrence,
                           build_minutes(store, scope, series, occurrence, now),
                           gather(store, scope, series, occurrence))


# --------------------------------------------------------------------------
# Ending a meeting


class NotInProgress(Exception):
    """The meeting had already ended (two people said /meeting end at once)."""


@dataclass(frozen=True)
class Ended:
    minutes: MinutesInput
    path: Path  # the archived file
    git: str  # what happened in git, one line ("" when the folder is not in git)
    carried: tuple[AgendaItem, ...]  # copies now on the next occurrence's agenda
    next_occurrence: Occurrence | None


def end_meeting(
    store: Store, archive_root: Path, scope: Scope, series: Series, occurrence: Occurrence,
    now: dt.datetime,
) -> Ended:
    """Close the meeting, carry undone items over, archive the minutes, commit them.

    The store changes and the file are one unit: if the file cannot be written the
    transaction rolls back and the meeting stays in progress (ArchiveError). Raises
    NotInProgress if it was not in progress, so items are never carried over twice.
    """
    key = occurrence.key.isoformat()
    following = series.recurrence.next_after(occurrence.start_utc)
    relative = minutes_path(series, occurrence)
    with store.transaction():
        if not store.meetings.end(scope, series.id, key, now.isoformat(), relative):
            raise NotInProgress(key)
        carried = carry_over(store, scope, series.id, key, following, now) if following else []
        minutes = build_minutes(store, scope, series, occurrence, now)
        text = minutes_text(store, archive_root, scope, series, occurrence, minutes,
                            gather(store, scope, series, occurrence))
        path = archive.write(archive_root, relative, text)
    message = f"Minutes of {series.name}, {occurrence.key.isoformat()}"
    return Ended(
        minutes=minutes, path=path, git=archive.commit(archive_root, path, message),
        carried=tuple(carried), next_occurrence=following,
    )


def carry_over(store: Store, scope: Scope, series_id: str, key: str, following: Occurrence,
               now: dt.datetime) -> list[AgendaItem]:
    """Copy the undone agenda items of occurrence `key` to the following one, flagged
    carried over (a part of ending a meeting, inside its transaction)."""
    return [
        store.agenda.add(scope, series_id, following.key.isoformat(), item.section, item.text,
                         User(id=item.author_id, name=item.author_name), now.isoformat(),
                         carried_over=True, timebox=item.timebox)
        for item in store.agenda.items(scope, series_id, key) if not item.done
    ]


# --------------------------------------------------------------------------
# Importing past notes


class NotesError(Exception):
    """A notes file that cannot be imported; the message names the file and the fix."""


@dataclass(frozen=True)
class LoadedNotes:
    source: Path
    text: str  # the file's, or its section's for a yearly archive
    notes: ImportedNotes
    skipped: bool = False  # "No meeting due to lack of attendees."

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _read(source: Path) -> str:
    try:
        if source.stat().st_size > MAX_NOTES_BYTES:
            raise NotesError(f"{source}: larger than {MAX_NOTES_BYTES:,} bytes; not meeting notes")
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotesError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise NotesError(f"{source}: is a folder; give the notes files themselves") from None
    except UnicodeDecodeError:
        raise NotesError(f"{source}: not UTF-8 text; is it a markdown file?") from None
    except OSError as error:
        raise NotesError(f"{source}: cannot be read ({error.strerror})") from None


def load_notes(source: Path) -> LoadedNotes:
    """Read and parse one file; NotesError unless it is dated meeting notes."""
    return _parsed(source, _read(source), source.name)


def load_notes_file(source: Path) -> list[LoadedNotes]:
    """A meeting's notes, or each meeting of a yearly archive (`# 2024 … Archive`, then
    a `## YYYY-MM-DD` section per meeting): NotesError unless every one can be imported."""
    text = _read(source)
    sections = split_year(text)
    if not sections or not _YEAR_TITLE.match(text):
        return [_parsed(source, text, source.name)]
    return [_section(source, date, section) for date, section in sections]


_YEAR_TITLE = re.compile(r"\s*#\s+\d{4}\b")


# How the archive says a month had no meeting: "No meeting due to lack of attendees."
# (the bot's own line), "Meeting cancelled due to folk on vacation."
_NO_MEETING = re.compile(r"\bno meeting\b|\bcancel+ed\b", re.IGNORECASE)


def _section(source: Path, date: str, text: str) -> LoadedNotes:
    notes = parse_notes(text, f"{date}.md")
    said = notes.attendees or notes.todos or notes.agenda
    if not said and notes.date is not None and (SKIPPED in text or _NO_MEETING.search(text)):
        return LoadedNotes(source, text, notes, skipped=True)
    return _parsed(source, text, f"{date}.md", where=f"{source}, section {date}")


def _parsed(source: Path, text: str, name: str, where: str | None = None) -> LoadedNotes:
    where = where or str(source)
    notes = parse_notes(text, name)
    if not (notes.attendees or notes.todos or notes.agenda):
        raise NotesError(f"{where}: found no roll call, TODOs or agenda; is it meeting notes?")
    if notes.date is None:
        raise NotesError(
            f"{where}: found no meeting date; add a 'Date: YYYY-MM-DD' line "
            "or name the file YYYY-MM-DD.md"
        )
    return LoadedNotes(source, text, notes)


@dataclass(frozen=True)
class Imported:
    loaded: LoadedNotes
    occurrence: str  # the occurrence key the notes were stored under
    stored: bool  # False when this exact file had been imported before


def import_notes(
    store: Store, archive_root: Path, scope: Scope, series: Series, loaded: LoadedNotes,
    now: dt.datetime,
) -> Imported:
    """Store the notes as a past occurrence: attendance, open TODOs, agenda (discussed).

    The same content imported again stores nothing; a corrected version of the same
    day's notes adds only the items and TODOs the day does not have yet.
    """
    notes = loaded.notes
    occurrence = series.occurrence_on_day(notes.date)
    key = occurrence.key.isoformat()
    with store.transaction():
        if store.imports.contains(scope, series.id, loaded.content_hash):
            return Imported(loaded, key, stored=False)
        start = occurrence.start_utc
        store.meetings.record_past(
            scope, series.id, key, start.isoformat(), (start + series.duration).isoformat(),
            archive.inside(archive_root, loaded.source), loaded.source.name, loaded.skipped,
        )
        if loaded.skipped:  # a month without a meeting: nobody came, nothing was said
            store.imports.record(scope, series.id, loaded.content_hash, loaded.source.name,
                                 key, now.isoformat())
            return Imported(loaded, key, stored=True)
        people = _import_attendance(store, scope, series, key, notes, now)
        todos = _import_todos(store, scope, series, key, notes, people, start)
        _import_agenda(store, scope, series, key, notes, start, todos)
        store.imports.record(
            scope, series.id, loaded.content_hash, loaded.source.name, key, now.isoformat()
        )
    return Imported(loaded, key, stored=True)


def _attendee_user(
    store: Store, workspace: str, person: ImportedAttendee, taken: set[str]
) -> User:
    """The known user a roll-call line means (by GitHub handle, then name), or a new one.

    Notes sometimes give two people the same handle; each line still gets its own user.
    """
    for handle in filter(None, (person.github, person.name)):
        known = store.users.find(workspace, handle)
        if known is None:
            github = person.github if handle == person.github else ""
            user = User(id=handle, name=person.name, affiliation=person.affiliation,
                        github=github)
            store.users.save(workspace, user)
            return user
        if known.id not in taken:
            return known
    number = 2
    while store.users.get(workspace, f"{person.name} ({number})") is not None:
        number += 1
    user = User(id=f"{person.name} ({number})", name=person.name,
                affiliation=person.affiliation)
    store.users.save(workspace, user)
    return user


def _import_attendance(
    store: Store, scope: Scope, series: Series, key: str, notes: ImportedNotes,
    now: dt.datetime,
) -> list[tuple[ImportedAttendee, User]]:
    people: list[tuple[ImportedAttendee, User]] = []
    taken: set[str] = set()
    for person in notes.attendees:
        user = _attendee_user(store, scope.workspace, person, taken)
        taken.add(user.id)
        people.append((person, user))
        record = Attendance(user.id, person.name, person.affiliation, person.github)
        store.attendance.record(scope, series.id, key, record, now.isoformat())
    return people


def _import_agenda(
    store: Store, scope: Scope, series: Series, key: str, notes: ImportedNotes,
    start: dt.datetime, todos: dict[str, Todo],
) -> None:
    # Items of past notes were discussed; the author is part of the text when written.
    nobody = User(id="", name="")
    known = {(item.section, item.text) for item in store.agenda.items(scope, series.id, key)}
    filed = _Filing(store, scope, series.id, key, start)
    for entry in notes.agenda:
        if (entry.section, entry.text) in known:
            continue
        known.add((entry.section, entry.text))
        item = store.agenda.add(
            scope, series.id, key, entry.section, entry.text, nobody, start.isoformat()
        )
        store.agenda.set_done(item.id)
        for written in entry.entries:
            filed.add(str(item.id), written, todos.get(written.text))


class _Filing:
    """What the notes wrote under each item, as entries of the meeting run item by item
    (so every view shows them under it); a TODO's entry refers to its stored row."""

    def __init__(self, store: Store, scope: Scope, series: str, key: str, at: dt.datetime):
        self._where, self._store, self._at = (scope, series, key), store, at
        entries = store.live_entries.entries(scope, series, key)
        self._seq = max((e.seq for e in entries), default=0)
        self._number = max((e.number or 0 for e in entries), default=0)

    def add(self, item: str, written: ImportedEntry, todo: Todo | None) -> None:
        self._seq, self._number = self._seq + 1, self._number + 1
        text = f"{written.text} {written.title}".strip() if written.kind == "link" else written.text
        entry = Entry(self._seq, written.kind, self._number, item, IMPORT_CREATOR, self._at,
                      text, owners=todo.owners if todo and written.kind == "todo" else ())
        ref = todo.id if todo and written.kind == "todo" else None
        self._store.live_entries.save(*self._where, (entry,), ref)


def _owner(
    store: Store, workspace: str, name: str, people: list[tuple[ImportedAttendee, User]]
) -> User:
    """Who an owner as written ("Tim", "Chris", "@minrk") is: someone in the roll call
    if the name or a unique first name matches, else a known user, else a new one."""
    wanted = name.lstrip("@").casefold()
    exact = [u for p, u in people if wanted in (p.name.casefold(), p.github.casefold())]
    if exact:
        return exact[0]
    first = [u for p, u in people if p.name.split() and p.name.split()[0].casefold() == wanted]
    if len(first) == 1 and " " not in wanted:
        return first[0]
    known = store.users.find(workspace, name.lstrip("@"))
    if known is not None:
        return known
    user = User(id=name.lstrip("@"), name=name.lstrip("@"))
    store.users.save(workspace, user)
    return user


def _import_todos(
    store: Store, scope: Scope, series: Series, key: str, notes: ImportedNotes,
    people: list[tuple[ImportedAttendee, User]], start: dt.datetime,
) -> dict[str, Todo]:
    """The notes' TODOs stored (those the day has not yet): the day's TODOs by text."""
    known = {
        t.text: t for t in store.todos.in_channel(scope, open_only=False)
        if t.series == series.id and t.occurrence == key
    }
    for todo in notes.todos:
        if todo.text in known:
            continue
        owners = [_owner(store, scope.workspace, n, people).id for n in split_owners(todo.owner)]
        # Dated at the meeting, so later minutes list it as "still open from earlier".
        known[todo.text] = store.todos.add(
            scope, todo.text, IMPORT_CREATOR, owners, series.id, key, start.isoformat()
        )
    return known
