"""/meeting: when the meeting is, in your time and in UTC, its page, calendar and personal
reminders; starting and ending it is `meeting_run.py`."""

from __future__ import annotations

from chatbot.commands import meeting_changes, meeting_run, meeting_setup, remind, roles
from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import split_word
from chatbot.commands.permissions import require_meeting_admin
from chatbot.core.ical import series_calendar
from chatbot.core.reply import Instant, Link, line
from chatbot.core.timefmt import how_far, long_datetime


def meeting_command(context: Context) -> Reply:
    action, rest = split_word(context.command.args)
    actions = {
        "": next_meeting, "next": next_meeting, "ics": calendar_file, "link": page_link,
        "start": meeting_run.start, "end": meeting_run.end,
        "remind": lambda context: remind.personal_reminders(context, rest),
        **setup_actions(rest),
    }
    if action not in actions:
        raise CommandError(
            f"Unknown /meeting action '{action[:40]}'. Use /meeting, /meeting start, "
            "/meeting end, /meeting link, /meeting ics or /meeting remind. Set one up with "
            "/meeting new|set|show|admin|delete, change one meeting with /meeting "
            "skip|unskip|move, and share its roles with /meeting volunteer|roles|swap."
        )
    return actions[action](context)


def setup_actions(rest: str) -> dict:
    """Making and changing a series in chat (`meeting_setup.py`)."""
    return {
        "new": lambda context: meeting_setup.new_series(context, rest),
        "set": lambda context: meeting_setup.set_setting(context, rest),
        "show": meeting_setup.show_series,
        "admin": lambda context: meeting_setup.change_admins(context, rest),
        "delete": lambda context: meeting_setup.delete_series(context, rest),
        "skip": lambda context: meeting_changes.skip_meeting(context, rest),
        "unskip": lambda context: meeting_changes.unskip_meeting(context, rest),
        "move": lambda context: meeting_changes.move_meeting(context, rest),
        "volunteer": lambda context: roles.volunteer(context, rest),
        "roles": roles.show_roles,
        "swap": lambda context: roles.swap(context, rest),
    }


def calendar_file(context: Context) -> Reply:
    """The series' calendar feed: its address where the pages are served (a calendar
    program subscribed to it follows every skip and move), else the file itself."""
    series, _ = context.meeting()
    url = context.bot.pages.private_url(series)
    if url is not None:
        return Reply((line(f"Calendar of {series.name}: subscribe to it in your "
                                 "calendar program, and it follows every skip and move "
                                 "(this address is for the channel's members):"),
                            line(Link(f"{url}.ics"))))
    ics = series_calendar(series, context.now).decode()
    return Reply(f"Calendar of {series.name} (save as {series.id}.ics and import it):\n{ics}")


ROTATED = "{name}'s page has a new address: the old one no longer works."


def page_link(context: Context) -> Reply:
    """The page's private address, for the asker alone: it is the key to the page.
    `/meeting link rotate` (admins) changes that key, for a link shared too widely."""
    series, _ = context.meeting()
    _, option = split_word(context.command.args)
    rotating = option.lower() == "rotate"
    if option and not rotating:
        raise CommandError("Use /meeting link, or /meeting link rotate to give the page a new "
                           "address (the old one stops working).")
    if rotating:
        require_meeting_admin(context, series.admins, "rotate the page link")
        context.bot.pages.rotate(series)
    rotated = [line(ROTATED.format(name=series.name))] if rotating else []
    url = context.bot.pages.private_url(series)
    if url is None:
        if rotating:
            return Reply(rotated)
        raise CommandError(
            "This bot serves no meeting pages: run it with its web server "
            "(chatbot run) or set CHATBOT_PUBLIC_URL to the address it is reached at."
        )
    lines = rotated + [
        line(f"The page of {series.name}, for this channel's members (share it only with "
             "them):"),
        line(Link(url), depth=1),
        line(Link(f"{url}.ics", "Calendar to subscribe to"), depth=1),
    ]
    if series.public:
        lines.append(line("It is also public at ", Link(context.bot.pages.url(series)),
                          depth=1))
    return Reply(lines)


def next_meeting(context: Context) -> Reply:
    series, occurrence = context.meeting()
    start = occurrence.start_utc
    items = context.store.agenda.items(context.scope, series.id, occurrence.key.isoformat())
    started = meeting_run.started_at(context, series, occurrence)
    if started:
        status = f"in progress, {started}"
    elif series.in_progress(context.now) == occurrence:
        status = "in progress now"
    else:
        status = how_far(start, context.now)
    lines = [
        line(f"{series.name}: ", Instant(start, context.zone, context.now),
             f" your time ({status})"),
        line(long_datetime(start, "UTC", context.now), depth=1),  # in UTC for everyone
    ]
    if series.video:
        lines.append(line(Link(series.video, "Video"), depth=1))
    held_by = roles.roles_line(context, series, occurrence)
    if held_by:
        lines.append(line(held_by, depth=1))
    count = len(items)
    lines.append(line(f"Agenda: {count} item{'s' if count != 1 else ''} (see /agenda)", depth=1))
    page = context.bot.pages.url(series)
    if page:
        lines.append(line(Link(page, "See it in your time"), depth=1))
    return Reply(lines)
