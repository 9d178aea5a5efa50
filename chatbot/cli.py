"""The `chatbot` command line: run the bot, say one command, inspect schedules."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import sys

from chatbot.adapters import console
from chatbot.commands import Bot, Clock, build_bot
from chatbot.config import Settings, load_env_file, slack_configured
from chatbot.core.calendar import series_calendar
from chatbot.core.model import Scope
from chatbot.core.schedule import ScheduleBook, Series, parse_offset
from chatbot.core.timefmt import in_zone, utc_stamp
from chatbot.core.timezones import UnknownZone, local_zone_name, resolve_zone
from chatbot.scheduler import Reminders, ReminderScheduler
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


def zone_argument(text: str) -> str:
    try:
        return resolve_zone(text)
    except UnknownZone as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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

    parser = argparse.ArgumentParser(prog="chatbot", parents=[common],
                                     description="A meeting bot for Slack, Gitter and the console.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", parents=[common], help="start the bot")
    run.add_argument("--adapter", choices=["console", "slack"], default=None,
                     help="default: slack when SLACK_BOT_TOKEN is set, else console")
    run.add_argument("--port", type=int, default=3000, help="slack: HTTP port (/slack/events)")
    run.add_argument("--host", default="0.0.0.0", help="slack: address to listen on")
    run.add_argument("--user", default=None, help="console: who you are (default $USER)")
    run.add_argument("--tz", type=zone_argument, default=None,
                     help="console: your timezone (default the machine's)")
    run.add_argument("--channel", default=None, help="console: the channel you type in")

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

    remind = commands.add_parser("remind", parents=[common], help="reminder tools")
    remind_commands = remind.add_subparsers(dest="remind_command", required=True)
    preview = remind_commands.add_parser("preview", parents=[common],
                                         help="print a reminder as the console shows it")
    preview.add_argument("--meeting", default=None)
    preview.add_argument("--offset", default="1d", help="how long before the start (7d, 1h, 0m)")
    preview.add_argument("--occurrence", default=None, help="the meeting's date, YYYY-MM-DD")

    ics = commands.add_parser("ics", parents=[common], help="print the RFC 5545 calendar")
    ics.add_argument("--meeting", default=None)
    return parser


def open_bot(args: argparse.Namespace) -> Bot:
    settings = Settings.from_env(getattr(args, "db", None), getattr(args, "schedules", None))
    schedules = ScheduleBook(settings.schedules)
    for problem in schedules.problems:
        log.warning("skipping broken schedule: %s", problem)
    return build_bot(Store(settings.db), schedules, Clock(getattr(args, "now", None)))


def cmd_run(args: argparse.Namespace) -> int:
    bot = open_bot(args)
    if (args.adapter or ("slack" if slack_configured() else "console")) == "slack":
        from chatbot.adapters import slack  # Bolt and its server load only when used

        return slack.run(bot, host=args.host, port=args.port)
    user = args.user or getpass.getuser()
    shell = console.Console(bot, user, args.tz or local_zone_name(),
                            args.channel or console.default_channel(bot))
    scheduler = ReminderScheduler(Reminders(bot, console.ConsoleReminders(shell.write)))
    scheduler.start()
    try:
        shell.run()
    except KeyboardInterrupt:
        shell.write("\nbye")
    finally:
        scheduler.shutdown()
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
    reminders = Reminders(bot, console.ConsoleReminders(print))
    scope = reminders.scope(series) or Scope(console.PLATFORM, console.WORKSPACE,
                                             console.default_channel(bot))
    print(reminders.compose(series, scope, occurrence, offset, now).text())
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
    book = ScheduleBook(settings.schedules)
    if args.schedules_command == "check":
        for problem in book.problems:
            print(problem)
        if not book.problems:
            print(f"{len(book.series)} schedule(s) OK in {settings.schedules}")
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
        for occurrence in item.recurrence.upcoming(now, args.count):
            local = in_zone(occurrence.start_utc, args.tz or item.timezone)
            rows.append({
                "meeting": item.id, "name": item.name,
                "start_utc": utc_stamp(occurrence.start_utc),
                "start_local": local.isoformat(timespec="minutes"),
                "zone": args.tz or item.timezone,
            })
    rows.sort(key=lambda row: row["start_utc"])
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['start_local']}  {row['start_utc']}  {row['meeting']}: {row['name']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    load_env_file()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # its job bookkeeping is noise
    args = build_parser().parse_args(argv)
    handlers = {"run": cmd_run, "say": cmd_say, "schedules": cmd_schedules,
                "remind": cmd_remind, "ics": cmd_ics}
    try:
        return handlers[args.command](args)
    except CliError as error:
        print(f"chatbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
