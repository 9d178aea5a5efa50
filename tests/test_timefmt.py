"""The one time formatter: what every chat reply, reminder, page and minutes file shows."""

from __future__ import annotations

import datetime as dt

import pytest

from chatbot.core.timefmt import (
    abbreviation,
    clock_time,
    how_far,
    in_zone,
    long_date,
    long_datetime,
    month_year,
    utc_stamp,
    weekday,
)

INSTANT = dt.datetime(2018, 3, 21, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("zone, chat, minutes", [
    ("America/Los_Angeles", "10:00 PDT", "10:00 PDT"),
    ("UTC", "17:00 UTC", "17:00 UTC"),
    ("Asia/Dubai", "21:00 +04", "21:00 UTC+04"),
    ("Asia/Kathmandu", "22:45 +0545", "22:45 UTC+05:45"),
    ("America/St_Johns", "14:30 NDT", "14:30 NDT"),
])
def test_a_zone_without_an_abbreviation_is_named_by_its_offset(zone, chat, minutes):
    local = in_zone(INSTANT, zone)
    assert clock_time(local) == chat
    assert clock_time(local, spell_offset=True) == minutes
    assert abbreviation(local) == chat.split()[1]


def test_days_and_months_are_english_words():
    local = in_zone(INSTANT, "Asia/Tokyo")  # already Thursday there
    assert (weekday(local), weekday(local, short=True)) == ("Thursday", "Thu")
    assert month_year(local) == "March 2018"
    assert long_date(dt.date(2018, 3, 21)) == "Wednesday 21 March 2018"


def test_the_year_is_left_out_only_within_the_same_year():
    same_year, next_year = INSTANT + dt.timedelta(days=30), INSTANT + dt.timedelta(days=300)
    assert long_datetime(INSTANT, "Europe/Berlin", same_year) == "Wednesday 21 March, 18:00 CET"
    assert long_datetime(INSTANT, "Europe/Berlin", next_year) == (
        "Wednesday 21 March 2018, 18:00 CET")
    # New Year's Eve in UTC is already the new year in Auckland: the year there counts.
    now = dt.datetime(2018, 12, 31, 12, 0, tzinfo=dt.UTC)
    meeting = in_zone(now + dt.timedelta(hours=1), "Pacific/Auckland")
    assert long_date(meeting, now) == "Tuesday 1 January"


def test_utc_stamp():
    assert utc_stamp(in_zone(INSTANT, "Asia/Kathmandu")) == "2018-03-21T17:00:00Z"


@pytest.mark.parametrize("ahead, said", [
    (dt.timedelta(minutes=28), "in 28 minutes"),
    (dt.timedelta(hours=12), "in 12 hours"),
    (dt.timedelta(days=1), "in a day"),
    (dt.timedelta(days=13), "in 13 days"),  # not "in a week"
    (dt.timedelta(days=17), "in 17 days"),  # not "in a month": the meeting is this month
    (-dt.timedelta(days=20), "20 days ago"),
    (dt.timedelta(days=60), "in 2 months"),
])
def test_how_far_counts_days_up_to_six_weeks(ahead, said):
    assert how_far(INSTANT + ahead, INSTANT) == said
