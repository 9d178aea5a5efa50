"""The `chatbot` command line: run the bot, say one command, inspect schedules,
print a meeting's minutes and import past notes."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from chatbot import archive, logs, workspace_data
from chatbot.adapters import console
from chatbot.commands import Bot, Clock, build_bot
from chatbot.config import Settings, SettingsError, default_adapter, load_env_file
from chatbot.core.ical import series_calendar
from chatbot.core.model import Scope
from chatbot.core.schedule import ScheduleBook, Series, parse_offset
from chatbot.core.schedule_export import schedule_toml
from chatbot.core.timefmt import in_zone, utc_stamp
from chatbot.core.timezones import UnknownZone, local_zone_name, resolve_zone
from chatbot.meeting_record import (
    Imported,
    NotesError,
    import_notes,
    load_notes_file,
    minutes_markdown,
)
from chatbot.meeting_roles import coming_roles
from chatbot.page_links import base_url_of
from chatbot.scheduler import Reminders, ReminderScheduler, compose_for
from chatbot.selection import Chosen, NoMeeting
from chatbot.series_book import SeriesBook
from chatbot.store import Store

log = logging.getLogger("chatbot")


class CliError(Exception):
    """A mistake in the command line: shown as one line, exit status 2."""


def parse_instant(text: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO 8601 instant like 2018-03-20T12:00Z"
        ) from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' needs a UTC offset or Z, like 2018-03-20T12:00Z"
        )
    return instant.astimezone(dt.UTC)


def port_argument(text: str) -> int:
    if not text.strip().isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 picks a free one)")
    return int(text)


def zone_argument(text: str) -> str:
    try:
        return resolve_zone(text)
    except UnknownZone as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2018-03-21") from None


def build_parser() -> argparse.ArgumentParser:
    # Global options work before or after the sub-command (SUPPRESS keeps either from
    # overwriting the other with its default).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="SQLite file (env CHATBOT_DB, default chatbot.db)")
    common.add_argument("--schedules", default=argparse.SUPPRESS,
                        help="schedule folder (env CHATBOT_SCHEDULES, default schedules)")
    common.add_argument("--now", type=parse_instant, default=argparse.SUPPRESS,
                        help="answer as if the clock read this instant (ISO 8601)")
    common.add_argument("--log-format", choices=["text", "json"], default=argparse.SUPPRESS,
                        help="log lines as text (default) or JSON")

    parser = argparse.ArgumentParser(prog="chatbot", parents=[common],
                                     description="A meeting bot for Slack, Gitter and the console.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", parents=[common], help="start the bot")
    run.add_argument("--adapter", choices=["console", "slack", "gitter"], default=None,
                     help="default: slack when SLACK_BOT_TOKEN is set; gitter when the "
                          "MATRIX_* settings are set and no SLACK_* one is; else console")
    run.add_argument("--port", type=int, default=3000, help="slack: HTTP port (/slack/events)")
    run.add_argument("--host", default="0.0.0.0", help="slack: address to listen on")
    run.add_argument("--user", default=None, help="console: who you are (default $USER)")
    run.add_argument("--tz", type=zone_argument, default=None,
                     help="console: your timezone (default the machine's)")
    run.add_argument("--channel", default=None, help="console: the channel you type in")
    run.add_argument("--web-host", default=os.environ.get("CHATBOT_WEB_HOST") or "127.0.0.1",
                     help="address the meeting pages are served on (env CHATBOT_WEB_HOST,"
                          " default 127.0.0.1: this machine only)")
    run.add_argument("--web-port", type=port_argument,
                     default=os.environ.get("CHATBOT_WEB_PORT") or "8080",
                     help="port of the meeting pages (env CHATBOT_WEB_PORT, default 8080;"
                          " 0: any free port)")
    run.add_argument("--no-web", action="store_true", help="serve no meeting pages")

    say = commands.add_parser("say", parents=[common], help="send one command, print the reply")
    say.add_argument("--user", default=None)
    say.add_argument("--channel", default=None)
    say.add_argument("--tz", type=zone_argument, default=None)
    say.add_argument("text", nargs="+")

    schedules = commands.add_parser("schedules", parents=[common], help="inspect schedules")
    schedule_commands = schedules.add_subparsers(dest="schedules_command", required=True)
    listing = schedule_commands.add_parser("list", parents=[common], help="next occurrences")
    listing.add_argument("--meeting", default=None)
    listing.add_argument("--tz", type=zone_argument, default=None)
    listing.add_argument("--count", type=int, default=5)
    listing.add_argument("--json", action="store_true")
    schedule_commands.add_parser("check", parents=[common], help="validate every schedule file")
    export = schedule_commands.add_parser(
        "export", parents=[common], help="print the schedule file of a series made in chat")
    export.add_argument("meeting", help="series id")

    remind = commands.add_parser("remind", parents=[common], help="reminder tools")
    remind_commands = remind.add_subparsers(dest="remind_command", required=True)
    preview = remind_commands.add_parser("preview", parents=[common],
                                         help="print a reminder as the console shows it")
    preview.add_argument("--meeting", default=None)
    preview.add_argument("--offset", default="1d", help="how long before the start (7d, 1h, 0m)")
    preview.add_argument("--occurrence", default=None, help="the meeting's date, YYYY-MM-DD")

    ics = commands.add_parser("ics", parents=[common], help="print the RFC 5545 calendar")
    ics.add_argument("--meeting", default=None)

    minutes = commands.add_parser("minutes", parents=[common],
                                  help="print a meeting's minutes as markdown")
    minutes.add_argument("--meeting", default=None, help="series id (default: the channel's)")
    minutes.add_argument("--date", type=date_argument, default=None,
                         help="the occurrence (default: in progress, else the last held)")
    minutes.add_argument("--channel", default=None, help="console channel")

    importing = commands.add_parser("import", parents=[common],
                                    help="store past meeting notes (markdown)")
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE")
    importing.add_argument("--meeting", default=None, help="series id (default: the channel's)")
    importing.add_argument("--channel", default=None, help="console channel")
    importing.add_argument("--json", action="store_true", help="what was found, as JSON")

    exporting = commands.add_parser("export", parents=[common],
                                    help="a workspace's series, agendas, roll calls, TODOs "
                                         "and minutes, as JSON")
    exporting.add_argument("--workspace", required=True, help="Slack team id, T…")
    exporting.add_argument("--out", type=Path, default=None, help="file (default: stdout)")
    purge = commands.add_parser("purge", parents=[common],
                                help="delete everything stored for a workspace, now")
    purge.add_argument("--workspace", required=True, help="Slack team id, T…")
    return parser


def settings_of(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(getattr(args, "db", None), getattr(args, "schedules", None))
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise CliError(f"CHATBOT_PUBLIC_URL '{settings.public_url}' must start with https://")
    return settings


def open_bot(args: argparse.Namespace, page_base_url: str | None = None,
             report_problems: bool = True) -> Bot:
    """The bot; its replies link to the meeting pages at CHATBOT_PUBLIC_URL, else at
    `page_base_url` (the web server `chatbot run` starts), else nowhere."""
    settings = settings_of(args)
    schedules = ScheduleBook(settings.schedules, log_problems=report_problems)
    schedules.problems  # noqa: B018  (loads now, so broken files are logged at start)
    return build_bot(
        Store(settings.db), schedules, Clock(getattr(args, "now", None)), settings.archive,
        settings.public_url or page_base_url,
    )


def console_scope(bot: Bot, channel: str | None) -> Scope:
    """The command line acts in a console channel, as `say` does."""
    return Scope(console.PLATFORM, console.WORKSPACE, channel or console.default_channel(bot))


def cmd_run(args: argparse.Namespace) -> int:
    settings_of(args)  # a bad CHATBOT_PUBLIC_URL stops us before the port is taken
    adapter = args.adapter or default_adapter()
    # Slack in HTTP mode serves the pages on its own port; other adapters beside them.
    slack_http = adapter == "slack" and not os.environ.get("SLACK_APP_TOKEN")
    pages = None
    if not args.no_web and not slack_http:
        pages = start_page_server(args)
    if args.no_web:
        base_url = None
    elif slack_http:
        base_url = base_url_of("127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host,
                               args.port)
    else:
        base_url = base_url_of(pages.host, pages.port)
    bot = open_bot(args, base_url)
    site = None
    if not args.no_web:
        from chatbot.web.app import PageSite

        # The pages read through a connection of their own: SQLite then shows them only
        # committed commands, never one half-way through its transaction.
        readers = open_bot(args, bot.pages.base_url, report_problems=False)
        scope_for = (console.page_scope(readers) if adapter == "console"
                     else platform_page_scope(bot, adapter))
        site = PageSite(readers, scope_for)
    try:
        if pages is not None:
            from chatbot.web.app import page_app

            pages.start(page_app(site))
            log.info("meeting pages served at %s (see /meeting link)", bot.pages.base_url)
        if adapter == "gitter":
            from chatbot.adapters import gitter  # imports mautrix: only when Matrix is used

            return gitter.run(bot)
        if adapter == "slack":
            from chatbot.adapters import slack  # Bolt and its server load only when used
            from chatbot.web.app import page_routes

            routes = page_routes(site) if site is not None and slack_http else []
            return slack.run(bot, host=args.host, port=args.port, extra_routes=routes)
        return run_console(args, bot)
    finally:
        if pages is not None:
            pages.stop()
        log.info("stopped")


def start_page_server(args: argparse.Namespace):
    from chatbot.web.server import PageServer  # the web stack loads only to serve

    try:
        return PageServer(args.web_host, args.web_port)
    except OSError as error:
        raise CliError(
            f"cannot serve the meeting pages on {args.web_host}:{args.web_port}: "
            f"{error.strerror or error}; pick another --web-port, or --no-web"
        ) from None


def platform_page_scope(bot: Bot, platform: str):
    """A series' page shows its channel on the running platform; the adapter tells the
    bot its workspace (Slack's team) and the ids of channels bound by name (aliases)."""

    def scope_for(series: Series) -> Scope | None:
        channel = bot.channel_of(series, platform)
        workspace = bot.workspace_named(series, platform) or bot.workspaces.get(platform)
        return Scope(platform, workspace, channel) if channel and workspace else None

    return scope_for


def run_console(args: argparse.Namespace, bot: Bot) -> int:
    user = args.user or getpass.getuser()
    shell = console.Console(bot, user, args.tz or local_zone_name(),
                            args.channel or console.default_channel(bot))
    scheduler = ReminderScheduler(Reminders(bot, console.ConsoleReminders(shell)))
    shell.stop_on_sigterm()
    console.serve(shell, scheduler)
    return 0


def pick_series(bot: Bot, meeting: str | None) -> Series:
    series = bot.schedules.series
    if meeting is not None:
        chosen = bot.schedules.get(meeting)
        if chosen is None:
            raise CliError(f"no meeting '{meeting}' (known: {', '.join(s.id for s in series)})")
        return chosen
    if len(series) != 1:
        raise CliError(f"pick a meeting with --meeting ({', '.join(s.id for s in series)})")
    return series[0]


def cmd_remind(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    series = pick_series(bot, args.meeting)
    try:
        offset = parse_offset(args.offset)
    except ValueError as error:
        raise CliError(f"--offset: {error}") from None
    now = bot.clock.now()
    if args.occurrence:
        try:
            occurrence = series.recurrence.occurrence_on(dt.date.fromisoformat(args.occurrence))
        except ValueError:
            raise CliError(
                f"--occurrence: '{args.occurrence}' is not a date like 2018-03-21"
            ) from None
        if occurrence is None:
            raise CliError(f"{series.id} has no meeting on {args.occurrence}")
    else:
        occurrence = series.recurrence.next_after(now)
        if occurrence is None:
            raise CliError(f"{series.id} has no upcoming meeting")
    channel = bot.channel_of(series, console.PLATFORM) or console.default_channel(bot)
    scope = Scope(console.PLATFORM, console.WORKSPACE, channel)
    # As it will read when posted: at the start minus the offset, not now.
    posted_at = occurrence.start_utc - offset
    print(compose_for(bot, series, scope, occurrence, offset, posted_at).text())
    return 0


def cmd_ics(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    sys.stdout.write(series_calendar(pick_series(bot, args.meeting), bot.clock.now()).decode())
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    reply = console.say(
        bot, " ".join(args.text), args.user or getpass.getuser(),
        args.channel or console.default_channel(bot), args.tz or local_zone_name(),
    )
    print(console.render(reply))
    return 0 if reply.ok else 1


def cmd_schedules(args: argparse.Namespace) -> int:
    settings = Settings.from_env(getattr(args, "db", None), getattr(args, "schedules", None))
    book = SeriesBook(ScheduleBook(settings.schedules), Store(settings.db))
    if args.schedules_command == "export":
        return export_series(book, args.meeting)
    if args.schedules_command == "check":
        for problem in book.problems:
            print(problem)
        if not book.problems:
            print(f"{len(book.files.series)} schedule(s) OK in {settings.schedules}")
        return 1 if book.problems else 0
    for problem in book.problems:
        print(f"warning: {problem}", file=sys.stderr)
    series = [s for s in book.series if args.meeting in (None, s.id)]
    if args.meeting and not series:
        print(f"no meeting '{args.meeting}' in {settings.schedules}", file=sys.stderr)
        return 1
    now = Clock(getattr(args, "now", None)).now()
    rows = []
    for item in series:
        held_by = roles_by_day(book, item, now, args.count)
        for occurrence in item.recurrence.upcoming(now, args.count):
            local = in_zone(occurrence.start_utc, args.tz or item.timezone)
            rows.append({
                "meeting": item.id, "name": item.name,
                "start_utc": utc_stamp(occurrence.start_utc),
                "start_local": local.isoformat(timespec="minutes"),
                "zone": args.tz or item.timezone, "source": book.source(item.id),
                **held_by.get(occurrence.key, {"facilitator": None, "notetaker": None}),
            })
    rows.sort(key=lambda row: row["start_utc"])
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['start_local']}  {row['start_utc']}  {row['meeting']}: {row['name']}")
    return 0


def roles_by_day(book: SeriesBook, series: Series, now: dt.datetime, count: int) -> dict:
    """occurrence date -> facilitator and notetaker (display names, or None), read in
    the channel a chat series was made in, else in the series' console channel."""
    scope = book.store.chat_series.scope_of(series.id) or Scope(
        console.PLATFORM, console.WORKSPACE, series.channels.get(console.PLATFORM, "console"))
    coming = coming_roles(book.store, series, scope, now, count + 1)
    users = book.store.users.by_id(
        scope.workspace, [user for roles in coming for user in roles[1:] if user])

    def name(user: str | None) -> str | None:
        return (users[user].name if user in users else user) if user else None

    return {roles.key: {"facilitator": name(roles.facilitator),
                        "notetaker": name(roles.notetaker)} for roles in coming}


def export_series(book: SeriesBook, series_id: str) -> int:
    settings = book.store.chat_series.settings(series_id)
    if settings is None:
        where = (f"it is the file {book.folder / series_id}.toml already"
                 if book.files.get(series_id) else "no series was made in chat with that id")
        raise CliError(f"cannot export '{series_id}': {where}")
    if book.get(series_id) is None:
        print(f"warning: {series_id} does not say when it meets yet (/meeting set when ...); "
              "the file needs a start", file=sys.stderr)
    sys.stdout.write(schedule_toml(settings, series_id=series_id))
    return 0


def minutes_occurrence(
    bot: Bot, scope: Scope, pick: str | None, day: dt.date | None
) -> Chosen | NoMeeting:
    """--date's occurrence; else the meeting in progress, else the last one held."""
    choice = bot.meetings.choose(scope, pick, bot.clock.now())
    if isinstance(choice, Chosen):
        series, current = choice.series, choice.occurrence
    else:
        # A series with no meeting to come (a one-off, a COUNT reached) still has minutes.
        over = [s for s in bot.meetings.series_in(scope) if pick in (None, s.id)]
        if not over:
            return choice
        series, current = over[0], None
    if day is not None:
        held = bot.store.meetings.get(scope, series.id, day.isoformat())
        if held is None and series.recurrence.occurrence_on(day) is None:
            return NoMeeting(
                f"{series.name} has no meeting on {day}: none is scheduled, held or imported."
            )
        return Chosen(series, series.occurrence_on_day(day))
    record = current and bot.store.meetings.get(scope, series.id, current.key.isoformat())
    if record is not None and record.in_progress:
        return Chosen(series, current)
    latest = bot.store.meetings.latest(scope, series.id)
    if latest is None and current is None:
        return NoMeeting(f"{series.name} has no meeting held and none to come.")
    if latest is None:
        print(f"note: no meeting held yet; this is the draft of {current.key}", file=sys.stderr)
        return choice
    return Chosen(series, series.occurrence_on_day(dt.date.fromisoformat(latest.occurrence)))


def cmd_minutes(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    scope = console_scope(bot, args.channel)
    choice = minutes_occurrence(bot, scope, args.meeting, args.date)
    if isinstance(choice, NoMeeting):
        print(f"error: {choice.reason}", file=sys.stderr)
        return 1
    try:
        text = minutes_markdown(bot.store, scope, choice.series, choice.occurrence,
                                bot.clock.now())
    except archive.ArchiveError as error:  # the team's own template failed
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(text, end="")
    return 0


def describe_import(result: Imported) -> list[str]:
    notes = result.loaded.notes
    outcome = "stored" if result.stored else "already imported; nothing stored"
    if result.loaded.skipped:
        return [f"{result.loaded.source}: no meeting on {notes.date} ({outcome} as skipped)"]
    lines = [f"{result.loaded.source}: meeting of {notes.date} ({outcome})"]
    lines.append(f"  Roll call ({len(notes.attendees)}):")
    lines += [
        "    " + " / ".join(filter(None, [a.name, a.affiliation, a.github and f"@{a.github}"]))
        for a in notes.attendees
    ]
    lines.append(f"  TODOs ({len(notes.todos)}):")
    lines += [f"    {t.text} ({t.owner or 'no owner'})" for t in notes.todos]
    sections = Counter(item.section for item in notes.agenda)
    counts = ", ".join(f"{section} {count}" for section, count in sections.items())
    lines.append(f"  Agenda ({len(notes.agenda)}){': ' + counts if counts else ''}")
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    scope = console_scope(bot, args.channel)
    choice = bot.meetings.choose(scope, args.meeting, bot.clock.now())
    if isinstance(choice, NoMeeting):
        print(f"error: {choice.reason}", file=sys.stderr)
        return 1
    # Read every file before storing any: one bad file imports nothing.
    loaded, problems = [], []
    for path in args.files:
        try:
            loaded.extend(load_notes_file(path))
        except NotesError as error:
            problems.append(str(error))
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing imported", file=sys.stderr)
        return 1
    with bot.store.transaction():
        results = [
            import_notes(bot.store, bot.archive, scope, choice.series, notes, bot.clock.now())
            for notes in loaded
        ]
    if args.json:
        print(json.dumps([
            {"file": str(r.loaded.source), "stored": r.stored, "skipped": r.loaded.skipped,
             **r.loaded.notes.to_json()}
            for r in results
        ], indent=2))
    else:
        for result in results:
            print("\n".join(describe_import(result)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    document = workspace_data.export_workspace(bot, args.workspace)
    if not any(document[key] for key in ("series", "agenda", "todos", "meetings", "people")):
        print(f"error: nothing is stored for workspace {args.workspace!r} (a Slack team id "
              "looks like T0123ABCD)", file=sys.stderr)
        return 1
    workspace_data.write_export(document, args.out)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    deleted = workspace_data.purge_workspace(bot, args.workspace)
    print(f"deleted {deleted} rows and files of workspace {args.workspace}")
    return 0


def main(argv: list[str] | None = None) -> int:
    load_env_file()
    args = build_parser().parse_args(argv)
    logs.configure(getattr(args, "log_format", "text"))
    handlers = {
        "run": cmd_run, "say": cmd_say, "schedules": cmd_schedules,
        "remind": cmd_remind, "ics": cmd_ics, "minutes": cmd_minutes, "import": cmd_import,
        "export": cmd_export, "purge": cmd_purge,
    }
    try:
        return handlers[args.command](args)
    except (CliError, SettingsError) as error:
        print(f"chatbot: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `chatbot ics | head`: the reader has all it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more reaches the pipe
        return 0


if __name__ == "__main__":
    sys.exit(main())
