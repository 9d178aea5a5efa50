"""Generated schedule files: what `schedules check` accepts works everywhere, and what
it rejects never disturbs the other series.

CHATBOT_PROPERTY_EXAMPLES asks for a larger run (default 150, about 10 s), e.g.
CHATBOT_PROPERTY_EXAMPLES=2000 .venv/bin/pytest -q tests/test_schedule_property.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from conftest import Chat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot import cli
from chatbot.adapters import console
from chatbot.page_links import PageLinks
from chatbot.web.app import PageSite, page_app
from chatbot.web.server import PageServer

EXAMPLES = int(os.environ.get("CHATBOT_PROPERTY_EXAMPLES", "150"))
BASE = "https://meet.example.org"
RRULE_LINE = re.compile(r"RRULE:FREQ=[A-Z]+(;[A-Z]+=[^;\s:]+)*")
ZONES = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Honolulu", "Pacific/Kiritimati",
         "Pacific/Chatham", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
ONE_LINE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                   min_size=1, max_size=40).filter(str.strip)
MOMENTS = st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2200, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0))
LOCAL_TIMES = st.one_of(MOMENTS.map(lambda m: m.strftime("%Y-%m-%dT%H:%M")), MOMENTS)
DAYS = st.dates(dt.date(1970, 1, 1), dt.date(2200, 12, 31))


def offsets(most_minutes: int, least: int = 0) -> st.SearchStrategy[str]:
    def spelled(minutes: int) -> str:
        for unit, size in (("d", 1440), ("h", 60)):
            if minutes and minutes % size == 0:
                return f"{minutes // size}{unit}"
        return f"{minutes}m"
    return st.integers(least, most_minutes).map(spelled)


@st.composite
def rules(draw) -> str:
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))}"]
    optional = {
        "INTERVAL": st.integers(1, 3660).map(str),
        "COUNT": st.integers(1, 10_000).map(str),
        "UNTIL": DAYS.map(lambda d: d.strftime("%Y%m%d")),
        "BYDAY": st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "1MO",
                                           "-1FR", "3WE"]), min_size=1, max_size=3, unique=True
                          ).map(",".join),
        "BYMONTHDAY": st.integers(-31, 31).filter(bool).map(str),
        "BYMONTH": st.integers(1, 12).map(str),
        "BYSETPOS": st.integers(-3, 3).filter(bool).map(str),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), max_size=3, unique=True)):
        parts.append(f"{name}={draw(optional[name])}")
    spelled = draw(st.sampled_from([str, str.lower, lambda text: "RRULE:" + text,
                                    lambda text: text.replace("=", " = ")]))
    return spelled(";".join(parts))


LINKS = st.one_of(
    st.sampled_from(["https://calpoly.zoom.us/my/jupyter", "http://meet.example.org/a?b=c#d",
                     "https://例え.jp/会議", 'https://x.org/"><script>alert(1)</script>']),
    st.from_regex(r"https://[a-z]{1,10}\.org/[A-Za-z0-9_.~%-]{0,20}", fullmatch=True),
)
SLOTS = st.tuples(st.integers(0, 23), st.integers(0, 59), st.none() | st.sampled_from(ZONES)).map(
    lambda s: f"{s[0]:02d}:{s[1]:02d}" + (f" {s[2]}" if s[2] else ""))
VALID = {
    "rrule": rules(),
    "duration": offsets(7 * 1440, least=1),
    "video": LINKS,
    "notes": LINKS,
    "dates": st.lists(LOCAL_TIMES, max_size=4),
    "skip": st.lists(DAYS, max_size=3),
    "moved": st.dictionaries(DAYS.map(str), LOCAL_TIMES, max_size=2),
    "rotate": st.lists(SLOTS, max_size=3),
    "reminders": st.lists(offsets(60 * 1440), max_size=4),
    "zones": st.lists(st.sampled_from(ZONES), max_size=3),
    "admins": st.lists(ONE_LINE, max_size=2),
    "public": st.booleans(),
}
HOSTILE = st.one_of(
    TEXT, st.integers(), st.floats(), st.booleans(), st.lists(TEXT, max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2), MOMENTS.map(lambda m: m.replace(tzinfo=dt.UTC)),
    st.sampled_from(["false", "9999999999d", "2932896d", "-1m", "javascript:alert(1)",
                     "FREQ=DAILY;COUNT=99999999999999999999", "FREQ=YEARLY;INTERVAL=9999999",
                     "9999-12-31T20:00", "0001-01-01T00:00", "1969-12-31T23:59", "localtime",
                     "a\nb", "a\u2028b", "x" * 3000]),
)
IDS = st.sampled_from(["", "", "", ".", "..", ".hidden-", "Upper-", "-dash-", "a.b-", "ü-",
                       "javascript:alert(1)-"])


@st.composite
def schedule_files(draw) -> tuple[str, dict]:
    data = {
        "name": draw(ONE_LINE),
        "timezone": draw(st.sampled_from(ZONES)),
        "start": draw(LOCAL_TIMES),
    }
    for key in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=6, unique=True)):
        data[key] = draw(VALID[key])
    if draw(st.booleans()):  # half of the files: one value of any type, anywhere
        key = draw(st.sampled_from(["name", "timezone", "start", "channels", "unknown",
                                    *sorted(VALID)]))
        data[key] = draw(HOSTILE)
    return draw(IDS), data


def toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):  # JSON escapes are TOML escapes; TOML also escapes DEL
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return "{" + ", ".join(f"{toml(str(k))} = {toml(v)}" for k, v in value.items()) + "}"


def toml_file(data: dict, channel: str) -> str:
    lines = [f"{toml(key)} = {toml(value)}" for key, value in data.items() if key != "channels"]
    channels = data.get("channels", {"console": channel})
    lines.append(f"channels = {toml(channels)}")
    return "\n".join(lines) + "\n"


class World:
    """One bot, its page server and its folder; each example adds one file."""

    def __init__(self, tmp_path: Path):
        self.chat = Chat(tmp_path)
        self.chat.bot.pages = PageLinks(self.chat.store, BASE)
        self.server = PageServer("127.0.0.1", 0)
        self.server.start(page_app(PageSite(self.chat.bot, console.page_scope(self.chat.bot))))
        self.numbers = itertools.count()
        self.path: Path | None = None

    def cli(self, now: dt.datetime, *argv: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["--db", str(self.chat.db_path), "--schedules",
                             str(self.chat.schedules_dir), "--now", now.isoformat(), *argv])
        return code, out.getvalue() + err.getvalue()

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.server.port}{path}",
                                        timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def add(self, prefix: str, data: dict) -> tuple[str, str]:
        if self.path is not None:
            self.path.unlink()
        number = next(self.numbers)
        channel = f"gen-{number}"
        self.path = self.chat.schedules_dir / f"{prefix}gen-{number}.toml"
        self.path.write_text(toml_file(data, channel), encoding="utf-8")
        return self.path.stem, channel


def accepted_file_works_everywhere(world: World, series_id: str) -> None:
    series = world.chat.bot.schedules.get(series_id)
    first = series.recurrence.next_after(dt.datetime(1960, 1, 1, tzinfo=dt.UTC))
    assert first is not None
    before = first.start_utc - dt.timedelta(hours=1)
    for argv in (["schedules", "list", "--meeting", series_id], ["ics", "--meeting", series_id],
                 ["remind", "preview", "--meeting", series_id]):
        code, out = world.cli(before, *argv)
        assert code == 0, (argv, out)
    rules = [line for line in out_of_ics(world, before, series_id) if line.startswith("RRULE")]
    assert all(RRULE_LINE.fullmatch(line) for line in rules), rules

    channel = series.channels.get("console")
    if channel is None:  # bound to no console channel: no chat command reaches it
        return
    user = series.admins[0] if series.admins else "jessica"
    pick = f"--meeting {series_id}"  # the channel may hold another series too
    world.chat.set_now(first.start_utc)
    link = world.chat.ok(f"/meeting {pick} link", user=user, channel=channel)
    key = link.split(f"{BASE}/m/")[1].split()[0]
    assert world.get(f"/m/{key}") == 200
    assert world.get(f"/m/{key}.ics") == 200
    if series.public:
        assert world.get(f"/m/{series_id}") == 200
    world.chat.ok(f"/agenda {pick} add a thing to discuss", user=user, channel=channel)
    world.chat.ok(f"/meeting {pick} start", user=user, channel=channel)
    world.chat.set_now(first.start_utc + series.duration)
    world.chat.ok(f"/meeting {pick} end", user=user, channel=channel)
    code, out = world.cli(first.start_utc + series.duration, "minutes", "--meeting", series_id,
                          "--channel", channel)
    assert code == 0, out
    assert world.get(f"/m/{key}") == 200


def out_of_ics(world: World, now: dt.datetime, series_id: str) -> list[str]:
    return world.cli(now, "ics", "--meeting", series_id)[1].splitlines()


def others_keep_working(world: World) -> None:
    world.chat.set_now(dt.datetime(2018, 3, 20, 12, tzinfo=dt.UTC))
    assert "Wednesday 21 March, 17:00 UTC" in world.chat.ok("/meeting", channel="binder-team")
    code, out = world.cli(dt.datetime(2018, 3, 20, 12, tzinfo=dt.UTC), "schedules", "list")
    assert code == 0, out
    assert "binder-team: JupyterHub and BinderHub Team Meeting" in out


def test_what_check_accepts_works_everywhere_and_what_it_rejects_harms_nothing(tmp_path):
    world = World(tmp_path)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(schedule_files())
    def check(generated):
        prefix, data = generated
        series_id, _ = world.add(prefix, data)
        code, out = world.cli(dt.datetime(2018, 3, 20, 12, tzinfo=dt.UTC), "schedules", "check")
        mine = [line for line in out.splitlines() if line.startswith(f"{world.path}: ")]
        assert code == (1 if mine else 0), out
        assert len(mine) == len(out.splitlines()) or not mine, out  # no other file's problem
        if mine:
            others_keep_working(world)
        else:
            accepted_file_works_everywhere(world, series_id)

    try:
        check()
    finally:
        world.server.stop()


def test_minutes_of_a_one_off_meeting_after_it_ended(tmp_path):
    """Found by the property test: with no meeting to come, `chatbot minutes` answered
    "has no upcoming meeting" instead of printing the last one's minutes."""
    world = World(tmp_path)
    try:
        series_id, channel = world.add("", {"name": "Sprint planning", "timezone": "UTC",
                                            "start": "2018-03-19T16:00"})
        world.chat.set_now(dt.datetime(2018, 3, 19, 16, tzinfo=dt.UTC))
        world.chat.ok("/meeting start", channel=channel)
        world.chat.ok("/decision ship it", channel=channel)
        world.chat.set_now(dt.datetime(2018, 3, 19, 17, tzinfo=dt.UTC))
        world.chat.ok("/meeting end", channel=channel)
        code, out = world.cli(dt.datetime(2018, 3, 20, 12, tzinfo=dt.UTC), "minutes",
                              "--meeting", series_id, "--channel", channel)
        assert code == 0, out
        assert "Sprint planning" in out and "ship it" in out
    finally:
        world.server.stop()
