"""/meeting remind me on|off: personal reminders as direct messages, in your own time.

`/remind` is the same on the console and Gitter; Slack keeps `/remind` for itself (a
built-in command never reaches an app), so the manifest declares only `/meeting`."""

from __future__ import annotations

from dataclasses import replace

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean

USAGE = ("Usage: /meeting remind me on, /meeting remind me off, or /meeting remind to see "
         "which you get")


def remind_command(context: Context) -> Reply:
    return personal_reminders(context, context.command.args)


def personal_reminders(context: Context, request: str) -> Reply:
    words = clean(request).lower().split()
    if not words:
        state = "on" if context.user.remind else "off"
        return Reply(
            f"Personal reminders are {state} for you (in {context.zone}). "
            f"Channel reminders are posted for everyone. {USAGE}."
        )
    if words[0] == "me" and len(words) == 2 and words[1] in ("on", "off"):
        on = words[1] == "on"
        context.store.users.save(context.scope.workspace, replace(context.user, remind=on))
        if on:
            return Reply(
                f"You will get each reminder of this channel's meetings as a direct message, "
                f"in your time ({context.zone}; change it with /tz)."
            )
        return Reply("You will no longer get personal reminders.")
    if words[0] == "digest" and len(words) == 2 and words[1] in ("on", "off"):
        wanted = words[1] == "on"
        context.store.digests.set_wanted(context.scope.workspace, context.user.id, wanted,
                                         context.now.isoformat())
        return Reply("After a meeting you missed, you will get what happened as a direct "
                     "message." if wanted else "You will no longer get a digest of the "
                     "meetings you miss.")
    raise CommandError(f"Unknown reminder request '{' '.join(words)[:40]}'. {USAGE}.")
