"""Who may change what: one place for every command's permission rule.

People manage their own things: an agenda item's author, a TODO's owners and creator.
Channel admins (the `admins` of the channel's series, plus the platform's own admins,
such as Slack workspace admins) may manage everything. Starting and ending meetings is
for admins when the series names any; a series without admins is run by its channel.
Skipping and moving a meeting is for admins and the chairs of the meeting in progress.
"""

from __future__ import annotations

from collections.abc import Iterable

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError
from chatbot.core.schedule import Series
from chatbot.meeting_view import live_meeting


def channel_admins(context: Context) -> list[str]:
    admins: dict[str, None] = {}
    for series in context.bot.meetings.series_in(context.scope):
        admins.update(dict.fromkeys(series.admins))
    return list(admins)


def is_admin(context: Context) -> bool:
    return context.message.is_admin or context.user.id in channel_admins(context)


def _admin_phrase(context: Context) -> str:
    admins = channel_admins(context)
    if not admins:
        return "a channel admin (list admins = [...] in the schedule file)"
    names = context.names(admins)
    return f"a channel admin ({', '.join(names[a] for a in admins)})"


def require_one_of(context: Context, allowed: Iterable[str], whose: str, action: str) -> None:
    """Refuse, naming who can, unless the asker is among `allowed` or an admin."""
    allowed = list(dict.fromkeys(allowed))
    if context.user.id in allowed or is_admin(context):
        return
    names = context.names(allowed)
    people = ", ".join(names[a] for a in allowed)
    raise CommandError(
        f"Only {whose} ({people}) or {_admin_phrase(context)} can {action}."
    )


def require_meeting_admin(context: Context, admins: Iterable[str], action: str) -> None:
    admins = list(admins)
    if not admins or context.user.id in admins or context.message.is_admin:
        return
    names = context.names(admins)
    raise CommandError(
        f"Only a channel admin ({', '.join(names[a] for a in admins)}) can {action}."
    )


def require_chair_or_meeting_admin(context: Context, series: Series, action: str) -> None:
    """The chairs of the series' meeting in progress (who started it, the facilitator,
    whoever /chair made one) may; otherwise as `require_meeting_admin`."""
    for meeting in context.store.meetings.in_progress(context.scope):
        live = (live_meeting(context.store, context.scope, series, meeting.occurrence)
                if meeting.series == series.id else None)
        if live is not None and live.is_chair(context.user.id):
            return
    require_meeting_admin(context, series.admins, action)
