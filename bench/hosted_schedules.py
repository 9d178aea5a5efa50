"""Benchmark: a hosted bot, 1,000 workspaces x 100 series = 100,000 series.

Most series are made in chat (rows of `store.chat_series`), some come from schedule
files; each is bound to its own Slack channel, `T…/C…`, in its workspace. It prints
  - start-up until a command is answered (files and the store opened, every series
    loaded, one `/meeting` answered), median of restarts, and the catch-up tick beside it,
  - peak RSS of this process (run alone: `--hosted` measures nothing else before),
  - the cost of one reminder tick once the catch-up built the timeline, with the
    reminders due and the series held: the same number due with 10,000 and 100,000
    series held, and 10 against 1,000 due.

    .venv/bin/python bench/schedules.py --hosted [--runs 5]   (or bench/hosted_schedules.py)

Targets (issue 15): start-up <= 5 s, RSS <= 400 MB, the tick's cost grows with the
reminders due, not with the series held (ratio 100,000/10,000 held near 1).

Every background series meets on Mondays or Fridays, so no reminder of theirs falls on
Wednesday between 11:00 and 15:00 UTC, where the probes' are: run r's probes meet at
13:00 + r minutes on that Wednesday, and their one-hour reminders are what the tick at
12:00 + r minutes finds due.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from chatbot.commands import Clock, Message, build_bot
from chatbot.core.model import Scope, User
from chatbot.core.rule_dates import rule_dates
from chatbot.core.schedule import ScheduleBook
from chatbot.scheduler import Reminders
from chatbot.store import Store

WORKSPACES, PER_WORKSPACE, FROM_FILES = 1_000, 100, 5  # of each workspace's 100
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # a Monday: the catch-up
PROBE_DUE = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # Wednesday
ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney",
         "America/Phoenix", "Asia/Kathmandu", "Pacific/Chatham", "UTC"]
RULES = ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "FREQ=MONTHLY;BYDAY=1MO",
         "FREQ=MONTHLY;BYDAY=-1FR"]


class HostedTarget:
    """Slack on many workspaces: each binding names its workspace. It composes what it
    posts only when `composing` (not during a first catch-up's thousands of posts)."""
    platform = "slack"
    workspace = ""

    def __init__(self, composing: bool = True):
        self.composing = composing
        self.posted = 0

    def post_reminder(self, channel, compose):
        if self.composing:
            compose()
        self.posted += 1

    def send_direct(self, user, compose):
        compose()

    def post_notice(self, channel, notice):
        pass

    def send_direct_notice(self, user, notice):
        pass


def binding(number: int) -> tuple[str, str]:
    return f"T{number // PER_WORKSPACE:04d}", f"C{number:06d}"


def background(rng: random.Random, number: int) -> dict:
    start = (NOW - dt.timedelta(days=rng.randrange(1, 3650))).date()
    # Each rule's first meeting on or after `start`: move to the weekday the rule names.
    weekday = 0 if "MO" in RULES[number % len(RULES)] else 4
    start += dt.timedelta(days=(weekday - start.weekday()) % 7)
    workspace, channel = binding(number)
    return {"name": f"Series {number}", "timezone": rng.choice(ZONES),
            "start": f"{start}T{rng.choice([9, 16, 18]):02d}:{rng.choice([0, 30]):02d}",
            "rrule": RULES[number % len(RULES)], "admins": ["U0001"],
            "channels": {"slack": f"{workspace}/{channel}"}}


def probe(number: int, run: int) -> dict:
    workspace, channel = binding(number)
    start = PROBE_DUE + dt.timedelta(hours=1, minutes=run) - dt.timedelta(weeks=10)
    return {"name": f"Probe {number}", "timezone": "UTC", "start": f"{start:%Y-%m-%dT%H:%M}",
            "rrule": "FREQ=WEEKLY", "admins": ["U0001"], "reminders": ["1h"],
            "channels": {"slack": f"{workspace}/{channel}"}}


def toml(settings: dict) -> str:
    lines = [f'{key} = "{value}"' for key, value in settings.items()
             if isinstance(value, str)]
    lines += [f"{key} = {list(value)!r}".replace("'", '"') for key, value in settings.items()
              if isinstance(value, list)]
    return "\n".join(lines) + f'\n[channels]\nslack = "{settings["channels"]["slack"]}"\n'


def make_world(folder: Path, held: int, probes: dict[int, int]) -> tuple[Path, Path]:
    """`held` series, FROM_FILES in each 100 as files, the rest in the database; probes
    (series number -> run) among them. Answers the schedules folder and database."""
    schedules = folder / "schedules"
    schedules.mkdir(parents=True)
    store = Store(folder / "chatbot.db")
    rng = random.Random(15)
    with store.transaction():
        for number in range(held):
            settings = (probe(number, probes[number]) if number in probes
                        else background(rng, number))
            series_id = f"s{number:06d}"
            if number % PER_WORKSPACE < FROM_FILES:
                (schedules / f"{series_id}.toml").write_text(toml(settings))
            else:
                workspace, channel = binding(number)
                store.chat_series.add(Scope("slack", workspace, channel), series_id, settings,
                                      "U0001", NOW.isoformat())
    store.close()
    return schedules, folder / "chatbot.db"


def probes_for(held: int, due: int, runs: range) -> dict[int, int]:
    """`due` probe series for each run, spread over the workspaces, never from files; the
    runs numbered from 0 take even-numbered series, the others odd-numbered ones."""
    chosen = [n for n in range(held) if n % PER_WORKSPACE >= FROM_FILES][runs[0] > 0::2]
    step = len(chosen) // (due * len(runs))
    return {chosen[index * step]: runs[index % len(runs)] for index in range(due * len(runs))}


def start(schedules: Path, database: Path, now: dt.datetime):
    """A bot as `chatbot run` makes it, and the seconds until a command is answered."""
    began = time.perf_counter()
    bot = build_bot(Store(database), ScheduleBook(schedules), Clock(now))
    workspace, channel = binding(PER_WORKSPACE + FROM_FILES)
    reply = bot.handle(Message("/meeting", Scope("slack", workspace, channel),
                               User("U0001", "Ada")))
    assert reply.ok, reply.text
    return bot, time.perf_counter() - began


def caught_up(bot) -> tuple[Reminders, HostedTarget, float]:
    """Reminders after the catch-up (which builds the timeline) and a tick absorbing what
    fell due since; the seconds the catch-up took."""
    target = HostedTarget(composing=False)
    reminders = Reminders(bot, target)
    began = time.perf_counter()
    reminders.tick(bot.clock.now())
    took = time.perf_counter() - began
    reminders.tick(PROBE_DUE - dt.timedelta(minutes=30))
    target.composing = True
    return reminders, target, took


def tick_cost(reminders: Reminders, target: HostedTarget, runs: range) -> tuple[float, int]:
    """Median seconds of one tick with one run's probes due; the reminders each posted."""
    costs, posted = [], set()
    for run in runs:
        before = target.posted
        began = time.perf_counter()
        reminders.tick(PROBE_DUE + dt.timedelta(minutes=run))
        costs.append(time.perf_counter() - began)
        posted.add(target.posted - before)
    [due] = posted
    return statistics.median(costs), due


def run(tmp: Path, runs: int) -> list[str]:
    held = WORKSPACES * PER_WORKSPACE
    few, lots = range(runs), range(runs, 2 * runs)
    began = time.perf_counter()
    schedules, database = make_world(tmp / "hosted", held, {
        **probes_for(held, 10, few), **probes_for(held, 1_000, lots)})
    made = time.perf_counter() - began
    first = time.perf_counter()
    bot, _ = start(schedules, database, NOW)
    Reminders(bot, HostedTarget(composing=False)).tick(NOW)
    first = time.perf_counter() - first
    restarts = []
    for restart in range(1, 4):
        bot = None  # the bot before is gone, and so are its rules, as in a new process
        rule_dates.cache_clear()
        gc.collect()
        bot, ready = start(schedules, database, NOW + dt.timedelta(minutes=restart))
        assert len(bot.schedules.series) == held
        restarts.append(ready)
    reminders, target, catch_up = caught_up(bot)
    few_cost, few_due = tick_cost(reminders, target, few)
    lots_cost, lots_due = tick_cost(reminders, target, lots)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rules_kept = rule_dates.cache_info()
    bot = reminders = None
    small_schedules, small_database = make_world(tmp / "small", 10_000,
                                                 probes_for(10_000, 10, few))
    small_reminders, small_target, _ = caught_up(start(small_schedules, small_database, NOW)[0])
    small_cost, small_due = tick_cost(small_reminders, small_target, few)
    return [
        f"hosted: {WORKSPACES} workspaces x {PER_WORKSPACE} series = {held} series, "
        f"{held * FROM_FILES // PER_WORKSPACE} from files, the rest made in chat "
        f"(written in {made:.0f} s)",
        f"start-up, median of 3 restarts, until a command is answered: "
        f"{statistics.median(restarts):.2f} s   target <= 5 s",
        f"  the catch-up beside it (a walk of every series, which every tick was before "
        f"the timeline): {catch_up:.2f} s",
        f"  first start on an empty claims table, its catch-up posting included: {first:.2f} s",
        f"peak RSS: {rss_mb:.0f} MB   target <= 400 MB",
        f"  (expanded rules kept by rule_dates' cache: {rules_kept.currsize}, "
        f"at most {rules_kept.maxsize})",
        f"one reminder tick once the timeline is built, median of {runs}:",
        f"  {small_due:5d} due, {10_000:6d} series held: {small_cost * 1000:7.1f} ms",
        f"  {few_due:5d} due, {held:6d} series held: {few_cost * 1000:7.1f} ms   "
        f"ratio to 10000 held {few_cost / small_cost:.2f}x   target near 1",
        f"  {lots_due:5d} due, {held:6d} series held: {lots_cost * 1000:7.1f} ms   "
        f"per reminder due {lots_cost / lots_due * 1000:.2f} ms "
        f"({few_cost / few_due * 1000:.2f} ms with {few_due} due)",
    ]


def main(runs: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        print(f"machine: {sys.platform}, Python {sys.version.split()[0]}")
        print("\n".join(run(Path(tmp_name), runs)))


if __name__ == "__main__":
    main()
