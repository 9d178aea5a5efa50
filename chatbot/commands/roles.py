"""/meeting volunteer, roles and swap: the facilitator and note-taker rotation."""

from __future__ import annotations

import datetime as dt

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import leading_mentions, split_word
from chatbot.commands.permissions import require_one_of
from chatbot.core.roles import MeetingRoles
from chatbot.core.schedule_fields import day as read_day
from chatbot.core.timefmt import long_date
from chatbot.meeting_roles import ROLE_NAMES, coming_roles, roles_said

ROLE_WORDS = {"facilitator": "facilitator", "facilitate": "facilitator", "notes": "notes",
              "notetaker": "notes", "note-taker": "notes"}


def volunteer(context: Context, rest: str) -> Reply:
    series, _ = context.meeting()
    word, _ = split_word(rest)
    roles = context.store.roles
    if word == "off":
        left = roles.leave(series.id, context.user.id)
        if not left:
            raise CommandError(f"You are in no rotation of {series.name}.")
        return Reply(f"You left the {' and '.join(ROLE_NAMES[r] for r in left)} rotation of "
                     f"{series.name}.", public=True)
    role = ROLE_WORDS.get(word)
    if role is None:
        raise CommandError("Use /meeting volunteer facilitator, /meeting volunteer notes, or "
                           "/meeting volunteer off to leave.")
    if not roles.join(series.id, role, context.user.id, context.now.isoformat()):
        raise CommandError(f"You are already in the {ROLE_NAMES[role]} rotation of "
                           f"{series.name}.")
    return Reply(f"You joined the {ROLE_NAMES[role]} rotation of {series.name}, at the back "
                 "of the line. See /meeting roles.", public=True)


def show_roles(context: Context) -> Reply:
    series, _ = context.meeting()
    coming = coming_roles(context.store, series, context.scope, context.now)
    if not any(r.facilitator or r.notetaker for r in coming):
        return Reply(f"Nobody has volunteered for {series.name} yet: /meeting volunteer "
                     "facilitator or /meeting volunteer notes.")
    lines = [f"{series.name}: facilitator and note-taker"]
    lines += [f"  {long_date(roles.key, context.now)}: {roles_text(context, roles)}"
              for roles in coming]
    return Reply("\n".join(lines))


def roles_text(context: Context, roles: MeetingRoles) -> str:
    names = context.names([u for u in (roles.facilitator, roles.notetaker) if u])
    return (f"facilitator {names.get(roles.facilitator, 'nobody yet')}, "
            f"notes {names.get(roles.notetaker, 'nobody yet')}")


def swap(context: Context, rest: str) -> Reply:
    series, _ = context.meeting()
    usage = "/meeting swap 2026-12-24 facilitator @user"
    words = rest.split(maxsplit=2)
    if len(words) < 3 or ROLE_WORDS.get(words[1].lower()) is None:
        raise CommandError(f"Say which meeting, which role and who: {usage}")
    try:
        key = read_day(words[0])
    except ValueError as error:
        raise CommandError(f"{error}; write it like {usage}") from None
    role = ROLE_WORDS[words[1].lower()]
    mentions, _ = leading_mentions(words[2])
    if len(mentions) != 1:
        raise CommandError(f"Name one person: {usage}")
    occurrence = series.recurrence.occurrence_on(key)
    if occurrence is None or occurrence.start_utc + series.duration < context.now:
        raise CommandError(f"{key} is not a coming meeting of {series.name}; see "
                           "/meeting roles for the next ones.")
    holder = _holder(context, series, key, role)
    require_one_of(context, [holder] if holder else [], f"this meeting's {ROLE_NAMES[role]}",
                   f"hand the {ROLE_NAMES[role]} role of {key} to someone else")
    chosen = context.resolve(mentions[0])
    context.store.roles.swap(series.id, key.isoformat(), role, chosen.id, context.user.id,
                             context.now.isoformat())
    return Reply(f"{chosen.name} is the {ROLE_NAMES[role]} of {series.name} on "
                 f"{long_date(key, context.now)}.", public=True)


def _holder(context: Context, series, key: dt.date, role: str) -> str | None:
    for roles in coming_roles(context.store, series, context.scope, context.now, count=60):
        if roles.key == key:
            return roles.facilitator if role == "facilitator" else roles.notetaker
    return None


def roles_line(context: Context, series, occurrence) -> str:
    """'Facilitator: ana, notes: dan' for a meeting whose roles anyone holds, else ''."""
    return roles_said(context.store, series, context.scope, occurrence, context.now)
