"""Hostile and careless schedule files (issue 16): each is one problem line from
`schedules check`, and never takes down the other series."""

from __future__ import annotations

import logging
import os
import shutil

import pytest
from conftest import ROOT, Chat
from test_cli import NOW, chatbot

from chatbot import cli

HEAD = 'name = "Stand-up"\ntimezone = "UTC"\nstart = "2018-03-19T16:00"\nrrule = "FREQ=DAILY"\n'
CHANNEL = '\n[channels]\nconsole = "standup"\n'
DATES = ", ".join(f'"2019-01-{day:02d}T10:00"' for day in range(1, 29))

# (file name, content, field, what the problem line says)
HOSTILE = [
    ("quoted-bool.toml", HEAD + 'public = "false"', "public", "must be true or false"),
    ("long-duration.toml", HEAD + 'duration = "9999999999d"', "duration", "far too long"),
    ("long-reminder.toml", HEAD + 'reminders = ["99999999999d"]', "reminders",
     "entry 1: '99999999999d' is far too long"),
    ("deep-arrays.toml", HEAD + "zones = " + "[" * 5000 + "]" * 5000, "file",
     "nests arrays or tables more than 16 deep"),
    ("deep-tables.toml", HEAD + "admins = " + "{a = " * 3000 + "1" + "}" * 3000, "file",
     "nests arrays or tables more than 16 deep"),
    ("dotted-key.toml", HEAD + "channels." + ".".join(["a"] * 20000) + " = 1", "file",
     "line 5 has more than 100 dotted key parts"),  # tomllib: 10 s
    ("many-keys.toml", HEAD + "".join(f"key{n} = 1\n" for n in range(3000)), "file",
     "and 2991 more problems like these"),  # 10 lines, not 3,000
    ("newline-name.toml", HEAD.replace("Stand-up", "Stand-up\\nSigned-off-by: mallory"),
     "name", "must be one line without control characters"),
    ("newline-video.toml", HEAD + 'video = "https://meet.example.org/a\\nb"', "video",
     "must be one line"),
    ("script-video.toml", HEAD + 'video = "javascript:alert(1)"', "video",
     "is not a link like https://"),
    ("huge-count.toml", HEAD.replace("FREQ=DAILY", "FREQ=DAILY;COUNT=99999999999999999999"),
     "rrule", "COUNT may be at most 10000"),
    ("far-future.toml", HEAD.replace('"UTC"', '"Pacific/Honolulu"').replace(
        "2018-03-19T16:00", "9999-12-31T20:00"), "start", "between the years 1970 and 2200"),
    ("eight-thousand-years.toml", HEAD + 'duration = "2932896d"', "duration",
     "not between 1m and 7d"),
    ("many-dates.toml", HEAD + "dates = [" + ", ".join([DATES] * 20) + "]", "dates",
     "at most 500 entries"),
    ("fifty-thousand-dates.toml", HEAD + "dates = [" + ", ".join([DATES] * 1800) + "]", "file",
     "is larger than 64 KB"),
    ("...toml", HEAD, "file", "file name '..' cannot be a series id"),
    (".hidden.toml", HEAD, "file", "file name '.hidden' cannot be a series id"),
    ("javascript:alert(1).toml", HEAD + "public = true", "file",
     "file name 'javascript:alert(1)' cannot be a series id"),
]


def run_cli(workdir, capsys, *argv):
    code = cli.main(["--db", str(workdir / "chatbot.db"), "--schedules",
                     str(workdir / "schedules"), "--now", NOW, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules",
                    ignore=shutil.ignore_patterns("*.md"))
    return tmp_path


@pytest.mark.parametrize("name, content, field, message", HOSTILE,
                         ids=[case[0] for case in HOSTILE])
def test_hostile_file_is_one_problem_line_and_the_others_keep_working(
        workdir, capsys, name, content, field, message):
    path = workdir / "schedules" / name
    path.write_text(content + CHANNEL)

    code, out, _ = run_cli(workdir, capsys, "schedules", "check")
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith(f"{path}: {field}: ") and message in line for line in lines), out
    assert all(line.startswith(f"{path}: ") for line in lines), out

    code, out, _ = run_cli(workdir, capsys, "schedules", "list")
    assert code == 0
    assert "binder-team: JupyterHub and BinderHub Team Meeting" in out
    code, out, _ = run_cli(workdir, capsys, "say", "--channel", "binder-team", "/meeting")
    assert code == 0
    assert "Wednesday 21 March, 17:00 UTC" in out


def test_fifo_named_like_a_schedule_is_refused_without_hanging(workdir):
    fifo = workdir / "schedules" / "x.toml"
    os.mkfifo(fifo)
    result = chatbot(workdir, "schedules", "check")  # times out (and fails) if it blocks
    assert result.returncode == 1
    assert f"{fifo}: file: is not a regular file" in result.stdout


def test_folder_named_like_a_schedule_is_refused(workdir, capsys):
    folder = workdir / "schedules" / "notes.toml"
    folder.mkdir()
    code, out, _ = run_cli(workdir, capsys, "schedules", "check")
    assert (code, out) == (1, f"{folder}: file: is not a regular file; a schedule is a .toml "
                              "text file\n")


def test_run_serves_the_good_file_beside_one_that_used_to_crash_it(workdir):
    (workdir / "schedules" / "deep.toml").write_text(HEAD + "zones = " + "[" * 5000
                                                     + "]" * 5000 + CHANNEL)
    result = chatbot(workdir, "--now", NOW, "run", "--user", "tim", "--tz", "UTC", "--no-web",
                     stdin="/meeting\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "skipping broken schedule" in result.stderr and "deep.toml: file: nests" \
        in result.stderr
    assert "JupyterHub and BinderHub Team Meeting: Wednesday 21 March, 17:00 UTC" in result.stdout


def test_file_turning_bad_keeps_its_last_good_version_and_is_logged_once(tmp_path, caplog):
    chat = Chat(tmp_path)
    chat.bot.schedules.log_problems = True
    standup = chat.schedules_dir / "standup.toml"
    standup.write_text(HEAD + CHANNEL)
    assert "Stand-up" in chat.ok("/meeting", channel="standup")

    with caplog.at_level(logging.WARNING, logger="chatbot.schedules"):
        standup.write_text(HEAD + 'duration = "9999999999d"' + CHANNEL)
        assert "Stand-up" in chat.ok("/meeting", channel="standup")
        assert "Stand-up" in chat.ok("/agenda add rotate the on-call", channel="standup")
        assert "JupyterHub" in chat.ok("/meeting", channel="binder-team")
        # Another file's change reloads the folder: the broken one is not logged again.
        (chat.schedules_dir / "other.toml").write_text(HEAD.replace("Stand-up", "Other"))
        assert "Stand-up" in chat.ok("/meeting", channel="standup")
    logged = [r.getMessage() for r in caplog.records]
    assert logged == [f"broken schedule, still running its last good version: {standup}: "
                      "duration: '9999999999d' is far too long"]
    assert [str(p) for p in chat.bot.schedules.problems] == [
        f"{standup}: duration: '9999999999d' is far too long"]

    standup.write_text(HEAD.replace("Stand-up", "Stand-up, fixed") + CHANNEL)
    assert "Stand-up, fixed" in chat.ok("/meeting", channel="standup")
    assert chat.bot.schedules.problems == []


def test_bad_file_dropped_into_a_running_bot_is_skipped(tmp_path, caplog):
    chat = Chat(tmp_path)
    chat.bot.schedules.log_problems = True
    assert "JupyterHub" in chat.ok("/meeting", channel="binder-team")
    with caplog.at_level(logging.WARNING, logger="chatbot.schedules"):
        (chat.schedules_dir / "overflow.toml").write_text(
            HEAD + 'reminders = ["99999999999d"]' + CHANNEL)
        assert "JupyterHub" in chat.ok("/meeting", channel="binder-team")
        assert "JupyterHub" in chat.ok("/agenda add Kubeflow", channel="binder-team")
    assert len(caplog.records) == 1
    assert "skipping broken schedule" in caplog.records[0].getMessage()
