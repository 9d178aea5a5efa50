"""Running a meeting from chat: /meeting start, /decision, /meeting end, the archived minutes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from chatbot import archive
from chatbot.core.model import Scope
from chatbot.meeting_record import NotInProgress, build_minutes, end_meeting

SCOPE = Scope("console", "console", "binder-team")
# The seed schedule: third Wednesday, 18:00 Europe/Berlin, 60 minutes.
MARCH = dt.datetime(2018, 3, 21, 17, 0, tzinfo=dt.UTC)
APRIL = dt.datetime(2018, 4, 18, 16, 0, tzinfo=dt.UTC)
MINUTES = "binder-team/2018-03-21.md"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def at(chat, instant: dt.datetime, minutes: int = 0) -> None:
    chat.set_now(instant + dt.timedelta(minutes=minutes))


def run_march_meeting(chat) -> str:
    chat.ok("/agenda add Kubeflow presentation", user="jessica")
    chat.ok("/agenda add decision: BinderHub release schedule", user="min")
    at(chat, MARCH, 2)
    chat.ok("/meeting start", user="jessica")
    chat.ok("/attend Jessica / Jupyter / @jzf2101", user="jessica")
    chat.ok("/attend Tim / Wild Tree Tech / @betatim", user="betatim")
    chat.ok("/attend regrets", user="min")
    chat.ok("/decision Cut a 0.1 release with JupyterHub 0.9", user="jessica")
    chat.ok("/todo add @betatim reach out to CERN", user="jessica")
    chat.ok("/agenda done 1", user="jessica")
    at(chat, MARCH, 55)
    return chat.ok("/meeting end", user="jessica")


def test_end_posts_a_summary_and_archives_the_minutes(chat):
    summary = run_march_meeting(chat)
    assert summary.splitlines() == [
        "jessica ended JupyterHub and BinderHub Team Meeting of Wednesday 21 March, 17:00 UTC.",
        "Attendees (2): Jessica, Tim",
        "Regrets: min",
        "Decisions (1):",
        "  - Cut a 0.1 release with JupyterHub 0.9",
        "New TODOs by owner:",
        "  betatim",
        "    1. reach out to CERN",
        "Carried over to Wednesday 18 April, 16:00 UTC: 1 agenda item",
        f"Minutes: {chat.archive / MINUTES}",
    ]
    text = (chat.archive / MINUTES).read_text(encoding="utf-8")
    assert "- **Date:** Wednesday 21 March 2018, 18:00 CET (17:00 UTC)" in text
    assert (
        "## Roll call\n\n- Jessica / Jupyter / @jzf2101\n- Tim / Wild Tree Tech / @betatim\n"
    ) in text
    assert "Regrets:\n\n- min\n" in text
    assert "- **jessica:** Kubeflow presentation _(discussed)_" in text
    assert "- **min:** BinderHub release schedule _(carried over)_" in text
    assert "## Decisions\n\n- Cut a 0.1 release with JupyterHub 0.9\n" in text
    assert "### betatim\n\nNew:\n\n- [ ] TODO #1: reach out to CERN (betatim)\n" in text


def test_undone_items_carry_over_to_the_next_meeting(chat):
    run_march_meeting(chat)
    agenda = chat.ok("/agenda")
    assert "on Wednesday 18 April, 16:00 UTC" in agenda
    assert "  1. BinderHub release schedule (min) (carried over)" in agenda
    assert "Kubeflow" not in agenda


def test_a_started_meeting_wins_over_the_clock(chat):
    at(chat, MARCH, 5)
    chat.ok("/meeting start")
    at(chat, MARCH, 90)  # the scheduled hour is over; without the start this is April's
    chat.ok("/attend Tim / Wild Tree Tech / @betatim", user="betatim")
    assert "Tim / Wild Tree Tech / @betatim" in chat.ok("/attendance")
    assert "Wednesday 21 March" in chat.ok("/agenda")
    assert "in progress, started 17:05 UTC by jessica" in chat.ok("/meeting")


def test_after_the_end_commands_act_on_the_next_meeting(chat):
    at(chat, MARCH, 1)
    chat.ok("/meeting start")
    at(chat, MARCH, 20)
    chat.ok("/meeting end")
    at(chat, MARCH, 30)  # still inside the scheduled hour, but the meeting is over
    assert "for JupyterHub and BinderHub Team Meeting on Wednesday 18 April" in chat.ok(
        "/agenda add late idea"
    )
    assert "18 April" in chat.ok("/decision write it down")


def test_a_late_start_is_still_that_days_meeting(chat):
    at(chat, MARCH, 150)  # two and a half hours late
    assert "of Wednesday 21 March" in chat.ok("/meeting start")


def test_start_refuses_a_meeting_weeks_away(chat):
    before = chat.snapshot()
    error = chat.error("/meeting start")  # 2018-03-20 12:00 UTC, 29 hours before
    assert "/meeting start works from 12 hours before" in error
    assert chat.snapshot() == before


def test_start_twice_and_end_without_start_are_clear_errors(chat):
    before = chat.snapshot()
    assert "No meeting is in progress" in chat.error("/meeting end")
    assert chat.snapshot() == before
    at(chat, MARCH)
    chat.ok("/meeting start", user="carol")
    started = chat.snapshot()
    assert "already in progress (started by carol)" in chat.error("/meeting start")
    assert chat.snapshot() == started


def test_decision_needs_text(chat):
    before = chat.snapshot()
    assert "Usage: /decision TEXT" in chat.error("/decision   ")
    assert chat.snapshot() == before


def test_unwritable_archive_keeps_the_meeting_open(chat):
    chat.ok("/agenda add not done yet")
    at(chat, MARCH)
    chat.ok("/meeting start")
    chat.archive.write_text("a file where the archive folder should be")
    before = chat.snapshot()
    error = chat.error("/meeting end")
    assert "Could not write the minutes" in error and "still in progress" in error
    assert chat.snapshot() == before  # not ended, nothing carried over
    chat.archive.unlink()
    assert "Minutes:" in chat.ok("/meeting end")


def test_user_text_cannot_break_the_minutes(chat):
    chat.ok("/agenda add ## Fake heading <script>x</script>")
    at(chat, MARCH)
    chat.ok("/meeting start")
    chat.ok("/decision - [ ] TODO: not a real one")
    chat.ok("/meeting end")
    lines = (chat.archive / MINUTES).read_text().splitlines()
    assert [line for line in lines if line.startswith("#")] == [
        "# JupyterHub and BinderHub Team Meeting - March 2018",
        "## Roll call",
        "## Help or discussion needed",
        "## Decisions",
    ]
    assert r"- **jessica:** \#\# Fake heading \<script\>x\</script\> _(carried over)_" in lines
    assert r"- \- \[ \] TODO\: not a real one" in lines


def test_minutes_link_the_previous_meeting_and_list_older_todos(chat):
    chat.ok("/todo add @carol old and still open")  # recorded for March
    chat.ok("/todo add @carol old and finished")
    run_march_meeting(chat)
    at(chat, APRIL, -60)
    chat.ok("/todo done 2")
    at(chat, APRIL, 1)
    chat.ok("/meeting start")
    chat.ok("/todo add @carol brand new")
    chat.ok("/meeting end")
    text = (chat.archive / "binder-team/2018-04-18.md").read_text()
    assert "- **Previous meeting's notes:** [2018-03-21.md](2018-03-21.md)" in text
    assert (
        "### carol\n\n"
        "New:\n\n- [ ] TODO #4: brand new (carol)\n\n"
        "Still open from earlier meetings:\n\n- [ ] TODO #1: old and still open (carol)\n\n"
        "Done since the last meeting:\n\n- [x] TODO #2: old and finished (carol)\n"
    ) in text
    assert "- **min:** BinderHub release schedule _(carried over)_" in text  # again


def test_minutes_show_members_zones(chat):
    chat.ok("/agenda")  # jessica, zone UTC from her profile
    chat.ok("/tz los angeles", user="carol")
    chat.ok("/tz Europe/Oslo", user="min", tz=None)
    series = chat.bot.schedules.series[0]
    march = series.occurrence_on_day(dt.date(2018, 3, 21))
    minutes = build_minutes(chat.store, SCOPE, series, march, MARCH)
    assert minutes.member_zones == ("America/Los_Angeles", "Europe/Oslo", "UTC")


@needs_git
def test_end_commits_the_minutes_when_the_archive_is_a_git_repository(chat):
    subprocess.run(["git", "init", "-q", str(chat.archive)], check=True)
    summary = run_march_meeting(chat)
    assert "(committed as " in summary.splitlines()[-1]
    log = subprocess.run(
        ["git", "-C", str(chat.archive), "log", "--name-only", "--format=%s"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert log[:3] == [
        "Minutes of JupyterHub and BinderHub Team Meeting, 2018-03-21", "", MINUTES,
    ]


@needs_git
def test_commit_leaves_other_staged_work_alone(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "draft.md").write_text("someone's work in progress")
    subprocess.run(["git", "-C", str(tmp_path), "add", "draft.md"], check=True)
    path = archive.write(tmp_path, MINUTES, "# minutes\n")
    assert archive.commit(tmp_path, path, "Minutes").startswith("committed as ")
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert status == "A  draft.md\n"
    assert archive.commit(tmp_path, path, "Minutes") == "unchanged in git"


def test_missing_git_is_reported_not_fatal(chat, monkeypatch):
    monkeypatch.setattr(archive, "GIT", "no-such-git-program")
    (chat.archive / ".git").mkdir(parents=True)
    summary = run_march_meeting(chat)
    assert summary.splitlines()[-1].endswith("(not committed: git is not installed)")
    assert (chat.archive / MINUTES).exists()


def test_archive_outside_git_just_writes_the_file(tmp_path):
    path = archive.write(tmp_path, MINUTES, "# minutes\n")
    assert path.read_text() == "# minutes\n"
    assert archive.commit(tmp_path, path, "Minutes") == ""


def test_archive_paths():
    assert archive.relative_path("binder-team", dt.date(2018, 3, 21)) == MINUTES
    assert archive.link_between(MINUTES, "binder-team/2018-02-21.md") == "2018-02-21.md"
    assert archive.link_between(MINUTES, "older/2017.md") == "../older/2017.md"
    with pytest.raises(archive.ArchiveError):
        archive.relative_path("../escape", dt.date(2018, 3, 21))


def test_a_second_end_of_the_same_meeting_carries_nothing_twice(chat):
    chat.ok("/agenda add still to do")
    at(chat, MARCH)
    chat.ok("/meeting start")
    series = chat.bot.schedules.series[0]
    march = series.occurrence_on_day(dt.date(2018, 3, 21))
    end_meeting(chat.store, chat.archive, SCOPE, series, march, MARCH)
    before = chat.snapshot()
    # What a second process that also saw the meeting in progress would do next.
    with pytest.raises(NotInProgress):
        end_meeting(chat.store, chat.archive, SCOPE, series, march, MARCH)
    assert chat.snapshot() == before


def test_help_and_unknown_actions(chat):
    assert chat.ok("/help decision").startswith("/decision TEXT")
    assert "/meeting [next | start | end | link | ics | remind me on|off]" in chat.ok("/help")
    unknown = chat.error("/meeting stop")
    assert ("Use /meeting, /meeting start, /meeting end, /meeting link, /meeting ics or "
            "/meeting remind.") in unknown
