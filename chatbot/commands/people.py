"""/attend, /attendance and /tz: who is at the meeting, and where they are."""

from __future__ import annotations

import re
from dataclasses import replace

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean
from chatbot.core.model import Attendance
from chatbot.core.timefmt import clock_time, in_zone
from chatbot.core.timezones import UnknownZone, renamed, resolve_zone
from chatbot.meeting_view import gather

_GITHUB = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$")


def parse_roll_call(text: str) -> tuple[str, str, str]:
    """'Tim / Wild Tree Tech / @betatim' -> (name, affiliation, github). `|` works too."""
    parts = [p.strip() for p in re.split(r"\s*[/|]\s*", text)]
    github = ""
    if len(parts) > 1 and parts[-1].startswith("@"):
        match = _GITHUB.match(parts[-1])
        if not match:
            raise CommandError(
                f"'{parts[-1]}' is not a GitHub handle. Usage: /attend name / affiliation / @github"
            )
        github = match.group(1)
        parts = parts[:-1]
    name = parts[0]
    affiliation = " / ".join(p for p in parts[1:] if p)
    if not name:
        raise CommandError("Who is attending? Usage: /attend name / affiliation / @github")
    return name, affiliation, github


def attend_command(context: Context) -> Reply:
    series, occurrence = context.meeting()
    text = clean(context.command.args)
    user = context.user
    if text.lower() in ("regrets", "regret", "apologies", "sorry"):
        record = Attendance(user.id, user.name, user.affiliation, user.github, regrets=True)
        verb = "sends regrets for"
    else:
        if text:
            name, affiliation, github = parse_roll_call(text)
            user = replace(user, affiliation=affiliation or user.affiliation,
                           github=github or user.github)
            context.store.users.save(context.scope.workspace, user)
        else:
            name = user.name
        record = Attendance(user.id, name, user.affiliation, user.github)
        verb = "is here for"
    key = occurrence.key.isoformat()
    context.store.attendance.record(context.scope, series.id, key, record, context.now.isoformat())
    present = [a for a in context.store.attendance.in_meeting(context.scope, series.id, key)
               if not a.regrets]
    hint = ""
    if not record.regrets and not (record.affiliation or record.github):
        hint = "\n(Add your affiliation and GitHub handle: /attend name / affiliation / @github)"
    return Reply(
        f"{record.roll_call_line()} {verb} {series.name} ({len(present)} signed in){hint}",
        public=True,
    )


def attendance_command(context: Context) -> Reply:
    series, occurrence = context.meeting()
    view = gather(context.store, context.scope, series, occurrence)
    present, regrets = view.present, view.regrets
    if not view.attendance:
        return Reply(f"Nobody has signed the roll call of {series.name} yet. Use /attend.")
    lines = [f"Roll call of {series.name} ({len(present)}):"]
    lines += [f"* {r.roll_call_line()}" for r in present]
    if regrets:
        lines.append("Regrets: " + ", ".join(r.name for r in regrets))
    return Reply("\n".join(lines))


def tz_command(context: Context) -> Reply:
    text = clean(context.command.args)
    if not text:
        zone = context.zone
        source = "" if context.user.tz else " (from your profile; set yours with /tz ZONE)"
        local = clock_time(in_zone(context.now, zone))
        return Reply(f"Your timezone is {zone}{source}; it is {local} there now.")
    try:
        zone = resolve_zone(text)
    except UnknownZone as error:
        raise CommandError(str(error)[0].upper() + str(error)[1:]) from None
    context.store.users.save(context.scope.workspace, replace(context.user, tz=zone))
    local = clock_time(in_zone(context.now, zone))
    # Only current IANA names are stored: an old one is stored under its current name.
    renaming = f" (IANA's current name for {text})" if renamed(text, zone) else ""
    return Reply(f"Your timezone is now {zone}{renaming}; it is {local} there now.")
