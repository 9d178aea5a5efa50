"""`/meeting set when TEXT`: every form is checked by the meetings it gives.

The expected meetings are found here by walking the calendar day by day, without RRULEs,
and compared with the next meetings the series' Recurrence produces from what was read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatbot.core.recurrence import Recurrence
from chatbot.core.when import WhenError, read_when

SUNDAY_29_NOV_2026 = date(2026, 11, 29)
MON, TUE, WED, THU, FRI = range(5)


def days_matching(first: date, wanted, count: int = 8) -> list[date]:
    found, day = [], first
    while len(found) < count:
        if wanted(day):
            found.append(day)
        day += timedelta(days=1)
    return found


def nth_in_month(day: date) -> int:
    return (day.day - 1) // 7 + 1


def is_last_in_month(day: date) -> bool:
    return (day + timedelta(days=7)).month != day.month


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def meetings_of(text: str, today: date = SUNDAY_29_NOV_2026, count: int = 8):
    """What a user sees: the next meetings' local start times, in the meeting's zone."""
    when = read_when(text, today=today)
    zone = when.zone or "UTC"
    series = Recurrence(timezone=zone, start=when.start, rrule=when.rrule)
    series.validate()
    since = datetime.combine(today, time(0), tzinfo=ZoneInfo(zone))
    return [o.start for o in series.upcoming(since - timedelta(days=400), count)], zone


def local(days: list[date], at: time, zone: str) -> list[datetime]:
    return [datetime.combine(day, at, tzinfo=ZoneInfo(zone)) for day in days]


@pytest.mark.parametrize(
    ("text", "wanted", "at"),
    [
        ("every 3rd wednesday at 18:00",
         lambda d: d.weekday() == WED and nth_in_month(d) == 3, time(18)),
        ("every first monday at 10:00",
         lambda d: d.weekday() == MON and nth_in_month(d) == 1, time(10)),
        ("every second tuesday at 10:00",
         lambda d: d.weekday() == TUE and nth_in_month(d) == 2, time(10)),
        ("every 2nd tuesday at 10:00",
         lambda d: d.weekday() == TUE and nth_in_month(d) == 2, time(10)),
        ("every third thursday at 07:15",
         lambda d: d.weekday() == THU and nth_in_month(d) == 3, time(7, 15)),
        ("every fourth friday at 12:00",
         lambda d: d.weekday() == FRI and nth_in_month(d) == 4, time(12)),
        ("every 4th friday at 12:00",
         lambda d: d.weekday() == FRI and nth_in_month(d) == 4, time(12)),
        ("every 1st wednesday at 12:00",
         lambda d: d.weekday() == WED and nth_in_month(d) == 1, time(12)),
        ("every last friday at 16:30",
         lambda d: d.weekday() == FRI and is_last_in_month(d), time(16, 30)),
        ("every last friday of the month at 16:30",
         lambda d: d.weekday() == FRI and is_last_in_month(d), time(16, 30)),
        ("every monday and thursday at 09:30", lambda d: d.weekday() in (MON, THU), time(9, 30)),
        ("Every Monday, Wednesday and Friday at 9:05",
         lambda d: d.weekday() in (MON, WED, FRI), time(9, 5)),
        ("every tuesday at 14:00", lambda d: d.weekday() == TUE, time(14)),
        ("weekdays at 09:30", lambda d: d.weekday() < 5, time(9, 30)),
        ("every weekday at 09:30", lambda d: d.weekday() < 5, time(9, 30)),
        ("every day at 08:00", lambda d: True, time(8)),
        ("daily at 08:00", lambda d: True, time(8)),
        ("every wed at 18:00", lambda d: d.weekday() == WED, time(18)),
        ("every thursdays at 18:00", lambda d: d.weekday() == THU, time(18)),
        ("every month on the 1st at 17:00", lambda d: d.day == 1, time(17)),
        ("every month on the 15th at 17:00", lambda d: d.day == 15, time(17)),
        ("RRULE:FREQ=MONTHLY;BYDAY=3WE at 18:00",
         lambda d: d.weekday() == WED and nth_in_month(d) == 3, time(18)),
        ("FREQ=WEEKLY;BYDAY=TU,TH at 08:00", lambda d: d.weekday() in (TUE, THU), time(8)),
    ],
)
def test_each_form_gives_the_meetings_it_says(text, wanted, at):
    shown, zone = meetings_of(text)
    assert shown == local(days_matching(SUNDAY_29_NOV_2026, wanted), at, zone)


def test_every_other_monday_counts_from_the_first_monday_meant():
    first = first_on_or_after(SUNDAY_29_NOV_2026, MON)
    shown, zone = meetings_of("every other monday at 16:00")
    expected = days_matching(first, lambda d: d.weekday() == MON and (d - first).days % 14 == 0)
    assert shown == local(expected, time(16), zone)


def test_every_other_monday_starting_a_wednesday_begins_the_monday_after():
    start = date(2027, 1, 6)  # a Wednesday
    first = first_on_or_after(start, MON)
    shown, zone = meetings_of("every other monday at 16:00 starting 2027-01-06")
    expected = days_matching(first, lambda d: d.weekday() == MON and (d - first).days % 14 == 0)
    assert shown == local(expected, time(16), zone)
    assert expected[0] == date(2027, 1, 11)


def test_one_off_meeting_happens_once_at_its_date():
    when = read_when("on 2026-12-03 at 11:00", today=SUNDAY_29_NOV_2026)
    assert when.rrule is None
    shown, zone = meetings_of("on 2026-12-03 at 11:00")
    assert shown == local([date(2026, 12, 3)], time(11), zone)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("every 3rd wednesday at 18:00 Europe/Berlin", "Europe/Berlin"),
        ("every 3rd wednesday at 18:00 berlin", "Europe/Berlin"),
        ("every 3rd wednesday at 18:00 los angeles", "America/Los_Angeles"),
        ("every 3rd wednesday at 18:00 US/Pacific", "America/Los_Angeles"),
        ("every 3rd wednesday at 18:00", None),
    ],
)
def test_a_zone_after_the_time_is_the_meetings_zone(text, zone):
    assert read_when(text, today=SUNDAY_29_NOV_2026).zone == zone


def test_meetings_keep_their_wall_time_across_summer_time_in_their_zone():
    shown, zone = meetings_of("every 3rd wednesday at 18:00 Europe/Berlin", count=12)
    wanted = days_matching(SUNDAY_29_NOV_2026,
                           lambda d: d.weekday() == WED and nth_in_month(d) == 3, 12)
    assert shown == local(wanted, time(18), "Europe/Berlin")
    utc_hours = {meeting.astimezone(UTC).hour for meeting in shown}
    assert utc_hours == {16, 17}  # summer and winter time


@pytest.mark.parametrize(
    "text",
    [
        "every monday and thursday at 09:30 starting 2027-03-01",
        "every monday and thursday starting 2027-03-01 at 09:30",
    ],
)
def test_starting_sets_the_first_day_wherever_it_is_written(text):
    shown, zone = meetings_of(text)
    expected = days_matching(date(2027, 3, 1), lambda d: d.weekday() in (MON, THU))
    assert shown == local(expected, time(9, 30), zone)


def test_starting_and_a_zone_together():
    when = read_when("every 3rd wednesday at 18:00 berlin starting 2027-02-01",
                     today=SUNDAY_29_NOV_2026)
    assert (when.start, when.zone) == (datetime(2027, 2, 17, 18, 0), "Europe/Berlin")


def test_today_counts_when_it_matches():
    monday = date(2026, 11, 30)
    assert read_when("every monday at 09:00", today=monday).start == datetime(2026, 11, 30, 9)


@pytest.mark.parametrize(
    "text",
    [
        "sometime next week",
        "every 3rd wednesday",  # no time
        "every 5th wednesday at 18:00",
        "every funday at 18:00",
        "every monday and someday at 18:00",
        "",
    ],
)
def test_unreadable_text_gets_one_line_with_the_accepted_forms(text):
    with pytest.raises(WhenError) as caught:
        read_when(text, today=SUNDAY_29_NOV_2026)
    message = str(caught.value)
    assert "\n" not in message
    for form in ("every 3rd wednesday at 18:00", "every other monday at 16:00",
                 "weekdays at 09:30", "on 2026-12-03 at 11:00", "RRULE:"):
        assert form in message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("every monday at 24:00", "09:30"),
        ("every monday at 10:00 atlantis", "IANA"),
        ("every monday at 10:00 los angelos", "America/Los_Angeles"),
        ("on 2026-02-30 at 10:00", "2026-12-03"),
        ("every monday at 10:00 starting 2026-13-01", "2026-12-03"),
        ("every month on the 32nd at 10:00", "1 to 31"),
        ("RRULE:FREQ=HOURLY at 10:00", "FREQ=HOURLY"),
        ("RRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20270101 at 10:00", "COUNT and UNTIL"),
        ("RRULE:FREQ=WEEKLY;UNTIL=20260101 at 10:00", "no meeting on or after 2026-11-29"),
        ("on 2026-12-03 at 11:00 starting 2026-12-01", "one-off"),
        ("on 2026-11-28 at 11:00", "2026-11-28 has passed"),
    ],
)
def test_bad_parts_are_named_in_one_line(text, says):
    with pytest.raises(WhenError) as caught:
        read_when(text, today=SUNDAY_29_NOV_2026)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
