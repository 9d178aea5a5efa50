"""Usage and help text for every command; also the source of Slack's usage hints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandHelp:
    usage: str
    summary: str
    details: str = ""


COMMANDS: dict[str, CommandHelp] = {
    "agenda": CommandHelp(
        "/agenda [add [section:] [10m] TEXT | remove N | done N | move N POS | next | "
        "take N|TOPIC [10m]]",
        "Show or change the next meeting's agenda; in a meeting, take up its items.",
        "Sections: discuss (default), decision, update, news, thanks; "
        "e.g. /agenda add decision: 10m release schedule for 0.1 (10m: its timebox). "
        "During a meeting (chairs): /agenda next takes up the next item not yet taken up, "
        "/agenda take N item N, /agenda take TOPIC a topic not on the agenda; what is "
        "recorded then is filed under that item.",
    ),
    "attend": CommandHelp(
        "/attend [name / affiliation / @github | regrets]",
        "Sign the roll call of the meeting (your affiliation and GitHub handle are remembered).",
    ),
    "attendance": CommandHelp("/attendance", "Show the meeting's roll call and regrets."),
    "todo": CommandHelp(
        "/todo add [@owner …] TEXT | done N | assign N @user … | reopen N",
        "Record a TODO (no owner: it is yours) or change one by its number.",
    ),
    "todos": CommandHelp(
        "/todos [mine | @user]",
        "Open TODOs of this channel's meeting (and those of no meeting), grouped by owner.",
    ),
    "tz": CommandHelp(
        "/tz [ZONE]",
        "Show or set your timezone: an IANA name (Europe/Berlin) or a city (los angeles).",
    ),
    "meeting": CommandHelp(
        "/meeting [next | start | end | link | ics | remind me on|off]",
        "When the next meeting is, in your time and UTC, with its video link; "
        "start it, or end it and archive the minutes; link: the meeting's web page "
        "(for channel members); ics: the series' calendar, to subscribe to.",
        "/meeting start: roll call, decisions and TODOs go to this meeting. /meeting end: "
        "agenda items not done carry over to the next meeting, the minutes are archived "
        "and a summary is posted. /meeting link rotate (admins): a new page address, "
        "the old one stops working. "
        "Set a meeting up here: /meeting new NAME, /meeting set when every 3rd wednesday "
        "at 18:00 berlin (or set name|timezone|video|notes|duration|reminders|zones|"
        "public|rotate|auto_skip_empty VALUE), /meeting show, /meeting admin add|remove "
        "@user, /meeting delete. One meeting: /meeting skip [DATE], /meeting unskip DATE, "
        "/meeting move DATE DATE-TIME. Roles: /meeting volunteer facilitator|notes|off, "
        "/meeting roles, /meeting swap DATE facilitator|notes @user.",
    ),
    "remind": CommandHelp(
        "/meeting remind [me on | me off]",
        "Also get each meeting reminder as a direct message, in your own time "
        "(/remind … does the same outside Slack, where /remind is Slack's own).",
    ),
    "decision": CommandHelp("/decision TEXT", "Record a decision in the meeting's minutes."),
    "topic": CommandHelp(
        "/topic N|TOPIC [10m]",
        "Take up agenda item N, or a topic not on the agenda (chairs): /agenda take "
        "(not on Slack, which keeps /topic for itself).",
    ),
    "note": CommandHelp("/note TEXT", "Add a note to the minutes, under the current item."),
    "link": CommandHelp(
        "/link URL [TEXT]", "Add a link (http or https) to the minutes, under the current item."
    ),
    "undo": CommandHelp(
        "/undo [N]",
        "Remove your last entry in this meeting; a chair may remove entry N, whoever made it.",
    ),
    "chair": CommandHelp(
        "/chair @user …",
        "Make people chairs of the meeting (chairs). Chairs take up items, close votes, "
        "undo anyone's entries and end the meeting.",
        "Whoever started the meeting and the series' admins are chairs.",
    ),
    "unchair": CommandHelp("/unchair @user", "Remove a chair (chairs)."),
    "vote": CommandHelp(
        "/vote [QUESTION [choice, …] | CHOICE | withdraw | close]",
        "Open a vote on the current item (chairs; choices +1, 0, -1 unless listed), "
        "vote, change or withdraw your vote, show the count, or close it (chairs).",
    ),
    "icebreaker": CommandHelp(
        "/icebreaker [QUESTION | ANSWER]",
        "Ask the meeting's ice-breaker question (chairs), then answer it (anyone); "
        "alone, show it. The Café minutes list the answers.",
        "A chair changes the question with /undo, then asks again.",
    ),
    "help": CommandHelp("/help [COMMAND]", "List the commands, or explain one."),
}

PICK_MEETING = (
    "When this channel has several meetings, commands act on the one in progress, "
    "else the soonest; put --meeting ID after the command to pick another "
    "(e.g. /agenda --meeting standup add …)."
)


def help_text(command: str | None = None) -> str:
    if command:
        entry = COMMANDS[command]
        lines = [entry.usage, entry.summary]
        if entry.details:
            lines.append(entry.details)
        return "\n".join(lines)
    lines = ["Commands:"]
    lines += [f"  {entry.usage}\n      {entry.summary}" for entry in COMMANDS.values()]
    lines.append(PICK_MEETING)
    return "\n".join(lines)
