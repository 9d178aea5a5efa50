"""/meeting new, set, show, admin and delete: a series made and changed in chat.

Its settings are a schedule file's keys in the file's own forms (stored by
`store.chat_series`), checked by the same rules as a file (`parse_series`), so what
chat accepts a file would too, and `chatbot schedules export` writes that file.
"""

from __future__ import annotations

import re

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import leading_mentions, split_word
from chatbot.commands.permissions import require_meeting_admin
from chatbot.core.reply import Instant, line
from chatbot.core.schedule import Series
from chatbot.core.schedule_fields import MAX_NAME, line_of
from chatbot.core.series_id import SeriesNameError, series_id
from chatbot.core.timefmt import in_zone, long_datetime
from chatbot.core.timezones import UnknownZone, resolve_zone
from chatbot.core.when import WhenError, read_when
from chatbot.series_book import chat_series

WHEN_EXAMPLE = "/meeting set when every 3rd wednesday at 18:00"
SHOWN_OCCURRENCES = 3


def new_series(context: Context, name: str) -> Reply:
    if not name:
        raise CommandError("Give the new meeting a name: /meeting new Team Sync")
    try:
        name = line_of(MAX_NAME)(name)
        new_id = series_id(name, taken=_taken_ids(context, series_id(name)))
    except (ValueError, SeriesNameError) as error:
        raise CommandError(f"The name {error}.") from None
    scope = context.scope
    settings = {"name": name, "timezone": context.zone, "admins": [context.user.id],
                "channels": {scope.platform: scope.channel}}
    context.store.chat_series.add(scope, new_id, settings, context.user.id,
                                  context.now.isoformat())
    return Reply(
        f"Made the meeting {name} (id {new_id}) for this channel, in {context.zone} (your "
        f"zone), with you as its admin.\nStill missing: when it meets, like {WHEN_EXAMPLE}. "
        "See /meeting show for its settings.", public=True)


def _taken_ids(context: Context, base: str) -> set[str]:
    """The ids a series whose id would be `base` must not take (`base`, `base-2`...): of the
    files (broken ones too) and of the series made in chat."""
    book, numbered = context.bot.schedules, f"{base}-"
    files = {problem.path.stem for problem in book.problems} | {
        s.id for s in book.series if s.id == base or s.id.startswith(numbered)}
    return files | set(context.store.chat_series.ids_from(base))


def set_setting(context: Context, rest: str) -> Reply:
    key, value = split_word(rest)
    if key not in SETTERS:
        raise CommandError(f"Use /meeting set KEY VALUE with a KEY among {', '.join(SETTERS)}.")
    if not value:
        raise CommandError(f"Give a value: /meeting set {key} {SETTERS[key][1]}")
    return SETTERS[key][0](context, key, value)


def _set_when(context: Context, _key: str, text: str) -> Reply:
    target, settings = editable_series(context)
    today = in_zone(context.now, settings["timezone"]).date()
    try:
        when = read_when(text, today=today)
    except WhenError as error:
        raise CommandError(f"{str(error).rstrip('.')}. Nothing was changed.") from None
    changed = dict(settings, start=when.start.strftime("%Y-%m-%dT%H:%M"))
    if when.zone:
        changed["timezone"] = when.zone
    changed.pop("rrule", None)
    if when.rrule:
        changed["rrule"] = when.rrule
    series = _saved(context, target, changed, "start")
    rule = f"RRULE:{series.recurrence.rrule}" if series.recurrence.rrule else "once (no RRULE)"
    # Posted for all: "your time" is each reader's where the platform shows instants so
    # (Slack), the asker's elsewhere.
    lines = [line(f"{series.name} now meets {rule}, from {changed['start']} {series.timezone}."),
             line(f"The next meetings, in your time and the meeting's ({series.timezone}):")]
    for occurrence in series.recurrence.upcoming(context.now, SHOWN_OCCURRENCES):
        start = occurrence.start_utc
        lines.append(line(Instant(start, context.zone, context.now),
                          f"  |  {long_datetime(start, series.timezone, context.now)}", depth=1))
    return Reply(lines, public=True)


def _set_value(read):
    """A setter for one key: `read` turns what was typed into the file's form."""

    def setter(context: Context, key: str, text: str) -> Reply:
        target, settings = editable_series(context)
        try:
            value = read(text)
        except ValueError as error:
            raise CommandError(f"{key}: {error}. Nothing was changed.") from None
        _saved(context, target, dict(settings, **{key: value}), key)
        return Reply(f"{settings['name']}: {key} is now {_shown(value)}.", public=True)

    return setter


def _zone(text: str) -> str:
    try:
        return resolve_zone(text)
    except UnknownZone as error:
        raise ValueError(str(error).rstrip(".")) from None


def _switch(text: str) -> bool:
    if text.lower() not in ("on", "off"):
        raise ValueError(f"'{text[:40]}' is neither on nor off")
    return text.lower() == "on"


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", text) if word]


def _reminders(text: str) -> list[str]:
    return [] if text.lower() in ("none", "off") else _words(text)


SETTERS = {
    "when": (_set_when, "every 3rd wednesday at 18:00"),
    "name": (_set_value(str), "Team Sync"),
    "timezone": (_set_value(_zone), "Europe/Berlin"),
    "video": (_set_value(str), "https://meet.example.org/team"),
    "notes": (_set_value(str), "https://hackmd.io/team"),
    "duration": (_set_value(str), "45m"),
    "reminders": (_set_value(_reminders), "7d 1d 1h 0m (or none)"),
    "zones": (_set_value(lambda text: [_zone(z) for z in _words(text)]),
              "Europe/Berlin, America/Los_Angeles"),
    "public": (_set_value(_switch), "on|off"),
    "auto_skip_empty": (_set_value(_switch), "on|off"),
    "rotate": (_set_value(lambda text: [s.strip() for s in text.split(",") if s.strip()]),
               "18:00, 09:00 America/Los_Angeles"),
}


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return str(value)


def _saved(context: Context, series_id: str, settings: dict, key: str) -> Series | None:
    """Store `settings` if a schedule file holding them would load; else one line on the
    first problem. A series still missing its time is stored, but is no series yet."""
    series, problems = chat_series(series_id, settings)
    problems = [p for p in problems if not (p.field == "start" and "start" not in settings)]
    if problems:
        first = problems[0]
        raise CommandError(f"{first.field}: {first.message}. Nothing was changed.")
    context.store.chat_series.update(series_id, settings, context.now.isoformat())
    return series


def editable_series(context: Context, action: str = "change", pick: str | None = None
                    ) -> tuple[str, dict]:
    """The chat series the command means (`--meeting ID`, else the channel's) and its
    settings, once the asker is one of its admins; else one line saying what to do."""
    pick = pick or context.command.meeting
    chat = context.store.chat_series
    if pick is None:
        here = chat.in_channel(context.scope)
        if len(here) > 1:
            raise CommandError(f"This channel has several meetings ({', '.join(here)}): "
                               "add --meeting ID, like /meeting --meeting "
                               f"{here[0]} {context.command.args}")
        pick = here[0] if here else None
    settings = chat.settings(pick) if pick else None
    if settings is None:
        _refuse_file_series(context, pick)
    require_meeting_admin(context, settings["admins"], f"{action} {settings['name']}")
    return pick, settings


def _refuse_file_series(context: Context, pick: str | None,
                        what: str = "edit that file to change it") -> None:
    files = context.bot.schedules.files
    found = files.get(pick) if pick else next(
        (s for s in context.bot.meetings.series_in(context.scope) if files.get(s.id)), None)
    if found is not None:
        raise CommandError(f"{found.name} is defined by the file {files.folder / found.id}.toml;"
                           f" {what}.")
    if pick:
        raise CommandError(f"No meeting '{pick[:60]}' was made in chat; see /meeting show.")
    raise CommandError("No meeting has been made in this channel yet: make one with "
                       "/meeting new NAME.")


def show_series(context: Context) -> Reply:
    chat = context.store.chat_series
    here = [context.command.meeting] if context.command.meeting else chat.in_channel(
        context.scope)
    found = [(pick, settings) for pick in here if (settings := chat.settings(pick))]
    if not found:
        _refuse_file_series(context, context.command.meeting, "its settings are there")
    lines = []
    for pick, settings in found:
        names = context.names(settings["admins"])
        lines.append(f"{settings['name']} (id {pick}, made in chat):")
        for key in ("timezone", "start", "rrule", "duration", "video", "notes", "reminders",
                    "zones", "public", "auto_skip_empty", "rotate"):
            if key in settings:
                lines.append(f"  {key}: {_shown(settings[key])}")
        lines.append(f"  admins: {', '.join(names[a] for a in settings['admins'])}")
        if "start" not in settings:
            lines.append(f"  Still missing: when it meets, like {WHEN_EXAMPLE}")
    return Reply("\n".join(lines))


def change_admins(context: Context, rest: str) -> Reply:
    how, people = split_word(rest)
    mentions, _ = leading_mentions(people)
    if how not in ("add", "remove") or not mentions:
        raise CommandError("Use /meeting admin add @user or /meeting admin remove @user.")
    target, settings = editable_series(context)
    chosen = [context.resolve(mention).id for mention in mentions]
    admins = list(settings["admins"])
    if how == "add":
        admins += [user for user in chosen if user not in admins]
    else:
        admins = [user for user in admins if user not in chosen]
        if not admins:
            raise CommandError(f"{settings['name']} needs at least one admin: add another "
                               "before removing the last. Nothing was changed.")
    _saved(context, target, dict(settings, admins=admins), "admins")
    names = context.names(admins)
    return Reply(f"{settings['name']}'s admins: {', '.join(names[a] for a in admins)}.",
                 public=True)


def delete_series(context: Context, confirmed_id: str) -> Reply:
    target, settings = editable_series(context, "delete", pick=confirmed_id or None)
    if not confirmed_id:
        return Reply(f"This deletes the meeting {settings['name']} and its settings (its "
                     "agenda, TODOs and minutes stay). To confirm, say "
                     f"/meeting delete {target}")
    context.store.chat_series.delete(target)
    return Reply(f"Deleted the meeting {settings['name']} ({target}).", public=True)
