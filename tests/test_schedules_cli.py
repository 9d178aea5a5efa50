"""Schedule files from the command line: check, preview, calendar feed, broken files."""

from __future__ import annotations

import icalendar
from test_cli import NOW, chatbot, workdir  # noqa: F401  (workdir is a fixture)

BROKEN = 'name = "Broken"\ntimezone = "Mars/Olympus"\nstart = "soon"\nrrule = "FREQ=MONTLY"\n'


def test_check_lists_every_problem(workdir):  # noqa: F811
    (workdir / "schedules" / "broken.toml").write_text(BROKEN)
    (workdir / "schedules" / "garbled.toml").write_text("name = [unclosed\n")
    result = chatbot(workdir, "schedules", "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    folder = workdir / "schedules"
    assert f"{folder}/broken.toml: timezone: unknown timezone 'Mars/Olympus' (use an IANA name)" \
        in lines
    assert f"{folder}/broken.toml: start: 'soon' is not a local time like 2018-01-17T18:00" in lines
    assert any(line.startswith(f"{folder}/garbled.toml: file: not valid TOML") for line in lines)
    assert not any("binder-team.toml" in line for line in lines)


def test_check_passes_on_shipped_schedules(workdir):  # noqa: F811
    result = chatbot(workdir, "schedules", "check")
    assert result.returncode == 0
    assert "OK" in result.stdout


def test_bad_rrule_is_reported_by_field(workdir):  # noqa: F811
    (workdir / "schedules" / "typo.toml").write_text(
        'name = "Typo"\ntimezone = "UTC"\nstart = "2018-01-01T10:00"\nrrule = "FREQ=MONTLY"\n')
    result = chatbot(workdir, "schedules", "check")
    assert result.returncode == 1
    assert f"{workdir / 'schedules'}/typo.toml: rrule:" in result.stdout


def test_run_starts_with_the_valid_series_and_logs_broken_ones(workdir):  # noqa: F811
    (workdir / "schedules" / "broken.toml").write_text(BROKEN)
    result = chatbot(workdir, "--now", NOW, "run", "--user", "tim", "--tz", "UTC",
                     stdin="/meeting\n")
    assert result.returncode == 0
    assert "skipping broken schedule" in result.stderr
    assert "broken.toml: timezone" in result.stderr
    assert "JupyterHub and BinderHub Team Meeting: Wednesday 21 March, 17:00 UTC" in result.stdout


def test_console_prints_reminder_missed_while_down(workdir):  # noqa: F811
    # 2018-03-20T18:00Z is after the 1-day reminder (17:00Z) of the 21 March meeting.
    result = chatbot(workdir, "--now", "2018-03-20T18:00Z", "run", "--user", "tim",
                     stdin="")
    assert "[#binder-team] Reminder: JupyterHub and BinderHub Team Meeting in 23 hours" \
        in result.stdout
    again = chatbot(workdir, "--now", "2018-03-20T18:05Z", "run", "--user", "tim", stdin="")
    assert "Reminder:" not in again.stdout


def test_remind_preview(workdir):  # noqa: F811
    chatbot(workdir, "--now", NOW, "say", "--user", "jessica",
            "/agenda add Kubeflow presentation")
    result = chatbot(workdir, "--now", NOW, "remind", "preview", "--offset", "1d")
    assert result.returncode == 0, result.stderr
    assert "Reminder: JupyterHub and BinderHub Team Meeting in a day" in result.stdout
    assert "1. Kubeflow presentation (jessica)" in result.stdout
    assert "Wednesday 21 March 2018, 18:00 CET (Europe/Berlin)" in result.stdout
    bad = chatbot(workdir, "remind", "preview", "--offset", "soon")
    assert bad.returncode == 2
    assert "--offset: 'soon' is not a duration like 60m, 1h or 7d" in bad.stderr


def test_remind_preview_reads_as_posted_at_its_offset(workdir):  # noqa: F811
    # A day before the meeting, the one-hour reminder is previewed as posted an hour before.
    result = chatbot(workdir, "--now", "2018-03-20T17:00Z", "remind", "preview",
                     "--offset", "1h")
    assert result.returncode == 0, result.stderr
    assert "Reminder: JupyterHub and BinderHub Team Meeting in an hour" in result.stdout


def test_ics_feed_has_rule_exceptions_and_zone(workdir):  # noqa: F811
    (workdir / "schedules" / "binder-team.toml").write_text(
        (workdir / "schedules" / "binder-team.toml").read_text().replace(
            "[channels]",
            'skip = ["2018-08-15"]\n[moved]\n"2018-12-19" = "2018-12-12T18:00"\n\n[channels]'))
    result = chatbot(workdir, "--now", NOW, "ics")
    assert result.returncode == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout)
    events = list(calendar.walk("VEVENT"))
    master = events[0]
    assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=3WE"
    assert str(master["DTSTART"].dt.tzinfo) == "Europe/Berlin"
    assert master["DTSTART"].dt.isoformat() == "2018-01-17T18:00:00+01:00"
    assert master["EXDATE"].dts[0].dt.isoformat() == "2018-08-15T18:00:00+02:00"
    moved = events[1]
    assert moved["RECURRENCE-ID"].dt.isoformat() == "2018-12-19T18:00:00+01:00"
    assert moved["DTSTART"].dt.isoformat() == "2018-12-12T18:00:00+01:00"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_ics_timezone_covers_the_series_and_ten_years_ahead(workdir):  # noqa: F811
    result = chatbot(workdir, "--now", NOW, "ics")
    assert result.returncode == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout)
    [zone] = calendar.walk("VTIMEZONE")
    summer = [component for component in zone.walk("DAYLIGHT")]
    starts = [c["DTSTART"].dt for c in summer] + [
        when.dt for c in summer for rdate in ([c["RDATE"]] if "RDATE" in c else [])
        for listed in (rdate if isinstance(rdate, list) else [rdate]) for when in listed.dts]
    # From the first meeting (2018) to ten years on, not icalendar's 1970 to 2038.
    assert {s.year for s in starts} == set(range(2018, 2029))
    [event] = calendar.walk("VEVENT")
    assert event["DTSTAMP"].dt.isoformat() == "2018-03-20T12:00:00+00:00"  # written now
