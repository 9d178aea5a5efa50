"""Tests for chatbot.core.recurrence against real IANA zones and a dateutil oracle."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrule as dateutil_rrule
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chatbot.core.recurrence import (
    Occurrence,
    Recurrence,
    RecurrenceError,
    RotateSlot,
    parse_rrule,
)

BERLIN = "Europe/Berlin"
THIRD_WEDNESDAY = "FREQ=MONTHLY;BYDAY=3WE"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def seed_series(**changes) -> Recurrence:
    """The seed meeting: third Wednesday, 18:00 Berlin, first 2018-01-17."""
    return Recurrence(BERLIN, datetime(2018, 1, 17, 18, 0), THIRD_WEDNESDAY, **changes)


def keys(occurrences) -> list[date]:
    return [occurrence.key for occurrence in occurrences]


# ---------------------------------------------------------------- DST rules


@pytest.mark.parametrize(
    ("zone", "wall", "expected_utc", "expected_local"),
    [
        # Spring-forward gap: read with the offset from before the gap.
        (BERLIN, datetime(2018, 3, 25, 2, 30), utc(2018, 3, 25, 1, 30), "03:30+02:00"),
        # Fall-back overlap: the first of the two 02:30s (still CEST).
        (BERLIN, datetime(2018, 10, 28, 2, 30), utc(2018, 10, 28, 0, 30), "02:30+02:00"),
        ("Asia/Kathmandu", datetime(2024, 1, 10, 9, 0), utc(2024, 1, 10, 3, 15), "09:00+05:45"),
        ("Pacific/Chatham", datetime(2024, 1, 10, 9, 0), utc(2024, 1, 9, 19, 15), "09:00+13:45"),
        ("Pacific/Chatham", datetime(2024, 7, 10, 9, 0), utc(2024, 7, 9, 20, 15), "09:00+12:45"),
        # Chatham springs forward 02:45 -> 03:45 on 2024-09-29.
        ("Pacific/Chatham", datetime(2024, 9, 29, 3, 0), utc(2024, 9, 28, 14, 15), "04:00+13:45"),
        ("Australia/Lord_Howe", datetime(2024, 1, 10, 9, 0), utc(2024, 1, 9, 22, 0), "09:00+11:00"),
        (
            "Australia/Lord_Howe",
            datetime(2024, 7, 10, 9, 0),
            utc(2024, 7, 9, 22, 30),
            "09:00+10:30",
        ),
        # Lord Howe's half-hour DST: gap 02:00 -> 02:30 on 2024-10-06 ...
        (
            "Australia/Lord_Howe",
            datetime(2024, 10, 6, 2, 15),
            utc(2024, 10, 5, 15, 45),
            "02:45+11:00",
        ),
        # ... and 01:30-02:00 repeated on 2024-04-07: first instant wins.
        (
            "Australia/Lord_Howe",
            datetime(2024, 4, 7, 1, 45),
            utc(2024, 4, 6, 14, 45),
            "01:45+11:00",
        ),
        ("America/Phoenix", datetime(2024, 1, 10, 9, 0), utc(2024, 1, 10, 16, 0), "09:00-07:00"),
        ("America/Phoenix", datetime(2024, 7, 10, 9, 0), utc(2024, 7, 10, 16, 0), "09:00-07:00"),
    ],
)
def test_one_off_local_time_resolves_like_rfc5545(zone, wall, expected_utc, expected_local):
    occurrence = Recurrence(zone, wall).next_after(wall.replace(tzinfo=UTC) - timedelta(days=2))
    assert occurrence.start_utc == expected_utc
    assert occurrence.start.isoformat(timespec="minutes")[11:] == expected_local
    assert occurrence.key == wall.date()
    assert occurrence.start.tzinfo == ZoneInfo(zone)


def test_daily_series_through_the_gap_and_the_overlap_keeps_wall_time():
    series = Recurrence(BERLIN, datetime(2018, 3, 24, 2, 30), "FREQ=DAILY")
    march = series.upcoming(utc(2018, 3, 23), 3)
    assert [o.start_utc for o in march] == [
        utc(2018, 3, 24, 1, 30),  # CET
        utc(2018, 3, 25, 1, 30),  # does not exist: 03:30 CEST
        utc(2018, 3, 26, 0, 30),  # CEST
    ]
    october = series.upcoming(utc(2018, 10, 27), 3)
    assert [o.start_utc for o in october] == [
        utc(2018, 10, 27, 0, 30),
        utc(2018, 10, 28, 0, 30),  # first of the two 02:30s
        utc(2018, 10, 29, 1, 30),
    ]


def test_a_repeated_wall_time_is_its_first_instant_whatever_fold_it_came_with():
    late = (RotateSlot(time(2, 30, fold=1)),)
    weekly = Recurrence(BERLIN, datetime(2018, 10, 21, 2, 30), "FREQ=WEEKLY", rotate=late)
    assert weekly.occurrence_on(date(2018, 10, 28)).start_utc == utc(2018, 10, 28, 0, 30)
    extra = Recurrence(BERLIN, datetime(2018, 10, 1, 9), "FREQ=MONTHLY;COUNT=1",
                       dates=(datetime(2018, 10, 28, 2, 30, fold=1),))
    assert extra.occurrence_on(date(2018, 10, 28)).start_utc == utc(2018, 10, 28, 0, 30)


@pytest.mark.parametrize(
    ("zone", "expected_wall"),
    [
        ("UTC", datetime(2018, 3, 21, 17, 0)),
        ("America/Los_Angeles", datetime(2018, 3, 21, 10, 0)),
        ("America/New_York", datetime(2018, 3, 21, 13, 0)),
        ("Asia/Kolkata", datetime(2018, 3, 21, 22, 30)),
        ("Australia/Sydney", datetime(2018, 3, 22, 4, 0)),  # Thursday
    ],
)
def test_seed_series_march_2018_in_other_zones(zone, expected_wall):
    occurrence = seed_series().next_after(utc(2018, 3, 1))
    assert occurrence.key == date(2018, 3, 21)
    assert occurrence.index == 2
    assert occurrence.start.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == expected_wall


def test_seed_series_keeps_18_00_berlin_across_dst():
    year = seed_series().between(utc(2018, 1, 1), utc(2019, 1, 1))
    assert keys(year) == [
        date(2018, 1, 17), date(2018, 2, 21), date(2018, 3, 21), date(2018, 4, 18),
        date(2018, 5, 16), date(2018, 6, 20), date(2018, 7, 18), date(2018, 8, 15),
        date(2018, 9, 19), date(2018, 10, 17), date(2018, 11, 21), date(2018, 12, 19),
    ]  # fmt: skip
    assert {o.start.time() for o in year} == {time(18, 0)}
    assert [o.start_utc.hour for o in year] == [17, 17, 17, 16, 16, 16, 16, 16, 16, 16, 17, 17]
    assert [o.index for o in year] == list(range(12))


# ---------------------------------------------------------------- every other week


def test_biweekly_across_iso_week_53_and_dst_keeps_14_day_gaps():
    # 2020 has ISO week 53; Berlin leaves DST on 2020-10-25 and enters it on 2021-03-28.
    series = Recurrence(BERLIN, datetime(2020, 9, 7, 10, 0), "FREQ=WEEKLY;INTERVAL=2")
    found = series.between(utc(2020, 9, 1), utc(2021, 5, 1))
    assert found[0].key == date(2020, 9, 7)
    assert date(2020, 12, 28) in keys(found) and date(2021, 1, 11) in keys(found)
    gaps = {
        (later.key - earlier.key).days for earlier, later in zip(found, found[1:], strict=False)
    }
    assert gaps == {14}
    assert {o.start.time() for o in found} == {time(10, 0)}
    assert {o.start_utc.hour for o in found} == {8, 9}  # UTC moves with DST, the wall time does not


def test_biweekly_started_years_ago_is_still_in_phase():
    series = Recurrence(BERLIN, datetime(2012, 1, 2, 10, 0), "FREQ=WEEKLY;INTERVAL=2")
    for instant in (utc(2020, 12, 25), utc(2021, 1, 3), utc(2026, 6, 30, 12)):
        occurrence = series.next_after(instant)
        elapsed = (occurrence.key - date(2012, 1, 2)).days
        assert elapsed % 14 == 0
        assert occurrence.index == elapsed // 14
        assert occurrence.start_utc > instant
        assert occurrence.start_utc - instant <= timedelta(days=14)


def test_weekly_with_wkst_sunday_groups_weeks_differently():
    # RFC 5545 example: WKST changes which Sunday pairs with which Tuesday.
    start = datetime(1997, 8, 5, 9, 0)
    monday_weeks = Recurrence(
        "America/New_York", start, "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU"
    )
    sunday_weeks = Recurrence(
        "America/New_York", start, "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"
    )
    before = utc(1997, 8, 1)
    assert [k.day for k in keys(monday_weeks.upcoming(before, 10))] == [5, 10, 19, 24]
    assert [k.day for k in keys(sunday_weeks.upcoming(before, 10))] == [5, 17, 19, 31]


# ---------------------------------------------------------------- overrides


def test_skip_removes_an_occurrence_but_keeps_later_indexes():
    series = seed_series(skip=(date(2018, 3, 21),))
    occurrence = series.next_after(utc(2018, 3, 1))
    assert occurrence.key == date(2018, 4, 18)
    assert occurrence.index == 3
    assert series.occurrence_on(date(2018, 3, 21)) is None
    assert series.previous_before(utc(2018, 4, 1)).key == date(2018, 2, 21)


def test_moved_changes_start_but_keeps_key_and_index():
    moved_to = datetime(2018, 3, 22, 9, 30)
    series = seed_series(moved=((date(2018, 3, 21), moved_to),))
    occurrence = series.next_after(utc(2018, 3, 1))
    assert occurrence == Occurrence(date(2018, 3, 21), moved_to.replace(tzinfo=ZoneInfo(BERLIN)), 2)
    assert occurrence.start_utc == utc(2018, 3, 22, 8, 30)
    assert series.occurrence_on(date(2018, 3, 21)) == occurrence
    # At the original time nothing happens any more.
    assert series.previous_before(utc(2018, 3, 21, 20)).key == date(2018, 2, 21)


def test_moved_far_away_is_found_in_order():
    # March's meeting moved after April's: it must come out after April's.
    series = seed_series(moved=((date(2018, 3, 21), datetime(2018, 4, 25, 18, 0)),))
    assert keys(series.upcoming(utc(2018, 3, 1), 3)) == [
        date(2018, 4, 18),
        date(2018, 3, 21),
        date(2018, 5, 16),
    ]
    assert series.previous_before(utc(2018, 4, 26)).key == date(2018, 3, 21)


def test_extra_dates_are_added_with_index_minus_one():
    extra = datetime(2018, 3, 7, 12, 0)
    series = seed_series(dates=(extra,))
    found = series.between(utc(2018, 2, 22), utc(2018, 3, 22))
    assert [(o.key, o.index) for o in found] == [(date(2018, 3, 7), -1), (date(2018, 3, 21), 2)]
    assert found[0].start_utc == utc(2018, 3, 7, 11, 0)
    assert series.occurrence_on(date(2018, 3, 7)).index == -1


def test_rotate_cycles_slots_by_index_in_their_own_zones():
    slots = (RotateSlot(time(18, 0)), RotateSlot(time(9, 0), "America/Los_Angeles"))
    series = seed_series(rotate=slots)
    found = series.upcoming(utc(2018, 1, 1), 4)
    assert [o.index for o in found] == [0, 1, 2, 3]
    assert [o.start.tzinfo.key for o in found] == [
        BERLIN, "America/Los_Angeles", BERLIN, "America/Los_Angeles"
    ]  # fmt: skip
    assert [o.start.time() for o in found] == [time(18), time(9), time(18), time(9)]
    # 2018-02-21 09:00 PST is 17:00 UTC; 2018-04-18 09:00 PDT is 16:00 UTC.
    assert found[1].start_utc == utc(2018, 2, 21, 17, 0)
    assert found[3].start_utc == utc(2018, 4, 18, 16, 0)
    # A skipped occurrence still uses up its slot: rotation stays fair.
    skipped = seed_series(rotate=slots, skip=(date(2018, 2, 21),))
    assert skipped.next_after(utc(2018, 2, 1)).start.tzinfo.key == BERLIN


def test_rotate_from_kathmandu_to_phoenix_and_chatham():
    slots = (
        RotateSlot(time(9, 0)),
        RotateSlot(time(9, 0), "America/Phoenix"),
        RotateSlot(time(9, 0), "Pacific/Chatham"),
    )
    series = Recurrence("Asia/Kathmandu", datetime(2024, 1, 1, 9, 0), "FREQ=WEEKLY", rotate=slots)
    found = series.upcoming(utc(2023, 12, 30), 3)
    assert [o.start_utc for o in found] == [
        utc(2024, 1, 1, 3, 15),  # 09:00 +05:45
        utc(2024, 1, 8, 16, 0),  # 09:00 -07:00
        utc(2024, 1, 14, 19, 15),  # 09:00 +13:45, the day before in UTC
    ]


def test_rotated_starts_are_returned_in_time_order_even_against_key_order():
    # 23:00 in Pago Pago (UTC-11) is the next day in UTC; 01:00 in Kiritimati (UTC+14)
    # is the day before: key D+1 then starts before key D.
    slots = (
        RotateSlot(time(23, 0), "Pacific/Pago_Pago"),
        RotateSlot(time(1, 0), "Pacific/Kiritimati"),
    )
    series = Recurrence("UTC", datetime(2024, 1, 1, 12, 0), "FREQ=DAILY", rotate=slots)
    found = series.upcoming(utc(2024, 1, 1), 4)
    starts = [o.start_utc for o in found]
    assert starts == sorted(starts)
    assert [(o.key, o.start_utc) for o in found] == [
        (date(2024, 1, 2), utc(2024, 1, 1, 11, 0)),
        (date(2024, 1, 1), utc(2024, 1, 2, 10, 0)),
        (date(2024, 1, 4), utc(2024, 1, 3, 11, 0)),
        (date(2024, 1, 3), utc(2024, 1, 4, 10, 0)),
    ]
    assert series.previous_before(utc(2024, 1, 2, 12)).key == date(2024, 1, 1)


def test_rotated_start_a_day_early_in_utc_sorts_before_the_previous_key():
    # 01:00 in Kiritimati (UTC+14) is 11:00 UTC the day before: key D+1 starts
    # an hour before key D's 12:00 UTC slot.
    slots = (RotateSlot(time(12, 0)), RotateSlot(time(1, 0), "Pacific/Kiritimati"))
    series = Recurrence("UTC", datetime(2024, 1, 1, 12, 0), "FREQ=DAILY", rotate=slots)
    assert [(o.key, o.start_utc) for o in series.upcoming(utc(2023, 12, 31), 4)] == [
        (date(2024, 1, 2), utc(2024, 1, 1, 11, 0)),
        (date(2024, 1, 1), utc(2024, 1, 1, 12, 0)),
        (date(2024, 1, 4), utc(2024, 1, 3, 11, 0)),
        (date(2024, 1, 3), utc(2024, 1, 3, 12, 0)),
    ]
    assert series.next_after(utc(2024, 1, 1, 11, 30)).key == date(2024, 1, 1)
    assert series.previous_before(utc(2024, 1, 1, 11, 30)).key == date(2024, 1, 2)


# ---------------------------------------------------------------- limits and one-offs


@pytest.mark.parametrize(
    ("rule", "expected_last"),
    [
        ("FREQ=MONTHLY;BYDAY=3WE;COUNT=3", date(2018, 3, 21)),
        ("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20180321T170000Z", date(2018, 3, 21)),  # inclusive
        ("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20180321T165959Z", date(2018, 2, 21)),
        ("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20180321T180000", date(2018, 3, 21)),  # local wall time
        ("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20180321", date(2018, 3, 21)),  # whole local day
        ("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20180320", date(2018, 2, 21)),
    ],
)
def test_count_and_until_end_the_series(rule, expected_last):
    series = Recurrence(BERLIN, datetime(2018, 1, 17, 18, 0), rule)
    everything = series.between(utc(2017, 1, 1), utc(2030, 1, 1))
    assert everything[-1].key == expected_last
    assert series.next_after(everything[-1].start_utc) is None
    assert series.previous_before(utc(2029, 1, 1)).key == expected_last
    assert series.occurrence_on(date(2018, 4, 18)) is None


def test_count_far_in_the_past_is_found_without_scanning_forever():
    series = Recurrence(
        BERLIN, datetime(2000, 1, 3, 9, 0), "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=700"
    )
    last = series.previous_before(utc(2090, 1, 1))
    assert last.index == 699
    assert series.next_after(utc(2001, 1, 1)).index < 700
    assert series.next_after(last.start_utc) is None
    assert not series._schedule._walked  # the end was counted, not walked to


@pytest.mark.parametrize(
    "rule",
    [
        # bench/schedules.py's rules, then two whose count per period varies (walked once).
        THIRD_WEDNESDAY, "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=MONTHLY;BYDAY=5WE", "FREQ=MONTHLY;BYMONTHDAY=31",
    ],
)  # fmt: skip
def test_series_fifty_years_old_agrees_with_dateutil_walk(rule):
    # Re-anchored near the query, the index must still count from 1976: rotation shows it.
    slots = (RotateSlot(time(18, 0)), RotateSlot(time(9, 0), "America/Los_Angeles"))
    series = Recurrence(BERLIN, datetime(1976, 11, 30, 18, 0), rule, rotate=slots)
    instant = utc(2026, 11, 26, 12)
    expected = list(oracle_occurrences(series, datetime(2027, 6, 1)))
    after = min(item for item in expected if item[0] > instant)
    before = max(item for item in expected if item[0] <= instant)
    found_next, found_previous = series.next_after(instant), series.previous_before(instant)
    assert (found_next.start_utc, found_next.key, found_next.index) == after
    assert (found_previous.start_utc, found_previous.key, found_previous.index) == before
    assert series.occurrence_on(after[1]).index == after[2]


def test_one_off_meeting():
    series = Recurrence("America/New_York", datetime(2024, 11, 3, 1, 30))  # repeated hour
    occurrence = series.next_after(utc(2024, 1, 1))
    assert occurrence.index == 0
    assert occurrence.start_utc == utc(2024, 11, 3, 5, 30)  # EDT, the first 01:30
    assert series.next_after(occurrence.start_utc) is None
    assert series.next_after(occurrence.start_utc, inclusive=True) == occurrence
    assert series.previous_before(utc(2030, 1, 1)) == occurrence
    assert series.previous_before(utc(2024, 11, 3, 5, 29)) is None
    assert series.upcoming(utc(2024, 1, 1), 5) == [occurrence]


def test_start_not_matching_the_rule_only_anchors_it():
    series = Recurrence(BERLIN, datetime(2018, 1, 1, 18, 0), THIRD_WEDNESDAY)
    assert series.next_after(utc(2017, 12, 1)).key == date(2018, 1, 17)
    assert series.next_after(utc(2017, 12, 1)).index == 0


def test_previous_before_supports_meeting_in_progress():
    series = seed_series()
    during = utc(2018, 3, 21, 17, 30)
    assert series.previous_before(during).key == date(2018, 3, 21)
    assert series.previous_before(utc(2018, 3, 21, 17, 0)).key == date(2018, 3, 21)  # inclusive
    assert series.next_after(during).key == date(2018, 4, 18)
    assert series.previous_before(utc(2018, 1, 17, 16, 59)) is None


def test_next_after_is_exclusive_unless_asked():
    series = seed_series()
    at_start = utc(2018, 3, 21, 17, 0)
    assert series.next_after(at_start).key == date(2018, 4, 18)
    assert series.next_after(at_start, inclusive=True).key == date(2018, 3, 21)


def test_between_is_half_open():
    series = seed_series()
    march, april = utc(2018, 3, 21, 17, 0), utc(2018, 4, 18, 16, 0)
    assert keys(series.between(march, april)) == [date(2018, 3, 21)]


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        seed_series().next_after(datetime(2018, 3, 1))


# ---------------------------------------------------------------- rule shapes


@pytest.mark.parametrize(
    ("rule", "start", "after", "expected"),
    [
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", datetime(2024, 1, 31, 16),
         utc(2024, 2, 1), [date(2024, 2, 29), date(2024, 3, 29), date(2024, 4, 30)]),
        ("FREQ=MONTHLY;BYDAY=-1FR", datetime(2024, 1, 26, 16), utc(2024, 2, 1),
         [date(2024, 2, 23), date(2024, 3, 29), date(2024, 4, 26)]),
        ("FREQ=MONTHLY;BYDAY=5WE", datetime(2024, 1, 31, 16), utc(2024, 2, 1),
         [date(2024, 5, 29), date(2024, 7, 31), date(2024, 10, 30)]),
        ("FREQ=MONTHLY;BYMONTHDAY=31", datetime(2024, 1, 31, 16), utc(2024, 2, 1),
         [date(2024, 3, 31), date(2024, 5, 31), date(2024, 7, 31)]),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", datetime(2024, 1, 31, 16), utc(2024, 2, 1),
         [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]),
        ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", datetime(2020, 11, 26, 12), utc(2023, 1, 1),
         [date(2023, 11, 23), date(2024, 11, 28), date(2025, 11, 27)]),
        ("FREQ=YEARLY", datetime(2020, 2, 29, 12), utc(2020, 3, 1),
         [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]),
        ("FREQ=DAILY;INTERVAL=3;BYDAY=MO", datetime(2024, 1, 1, 8), utc(2024, 1, 2),
         [date(2024, 1, 22), date(2024, 2, 12), date(2024, 3, 4)]),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=1,2,3;BYMONTHDAY=1", datetime(2024, 1, 1, 8),
         utc(2024, 1, 2), [date(2024, 3, 1), date(2025, 1, 1), date(2025, 3, 1)]),
        ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=15", datetime(2024, 1, 1, 8), utc(2023, 12, 1),
         [date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22)]),
    ],
)  # fmt: skip
def test_rule_shapes(rule, start, after, expected):
    series = Recurrence(BERLIN, start, rule)
    assert keys(series.upcoming(after, 3)) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # Without BYMONTH a position counts within the year ...
        ("FREQ=YEARLY;BYDAY=20MO", [date(2025, 5, 19), date(2026, 5, 18)]),
        ("FREQ=YEARLY;BYDAY=1MO", [date(2025, 1, 6), date(2026, 1, 5)]),
        # ... with BYMONTH, within each month.
        ("FREQ=YEARLY;BYMONTH=1,2;BYDAY=1MO", [date(2025, 1, 6), date(2025, 2, 3)]),
    ],
)
def test_yearly_positions_count_in_year_or_month(rule, expected):
    series = Recurrence(BERLIN, datetime(2024, 12, 1, 9), rule)
    assert keys(series.upcoming(utc(2024, 12, 1), 2)) == expected


def test_daily_weekday_rule_index_counts_weekdays_only():
    series = Recurrence(BERLIN, datetime(2024, 1, 3, 9), "FREQ=DAILY;BYDAY=MO,WE")
    # Wed 3, Mon 8, Wed 10, Mon 15, ... ten years on the index still counts 2 a week.
    assert series.next_after(utc(2024, 1, 9)).index == 2
    later = series.next_after(utc(2034, 1, 1))
    assert later.key == date(2034, 1, 2)
    assert later.index == 2 * ((later.key - date(2024, 1, 1)).days // 7) - 1


def test_byhour_overrides_the_start_time():
    series = Recurrence(
        BERLIN, datetime(2024, 1, 1, 8), "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=15"
    )
    occurrence = series.next_after(utc(2023, 12, 1))
    assert occurrence.start.time() == time(7, 15)
    assert occurrence.key == date(2024, 1, 8)  # 07:15 on the start day is before the start


def test_common_rules_count_their_index_without_walking():
    for rule in (
        THIRD_WEDNESDAY,
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
    ):
        series = Recurrence(BERLIN, datetime(2010, 1, 5, 9), rule)
        series.next_after(utc(2030, 1, 1))
        schedule = series._schedule
        assert schedule._cycle_prefix is not None, rule
        assert not schedule._walked, rule  # no walk from the start


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"timezone": "Europe/Berlinn"}, "timezone", "unknown time zone 'Europe/Berlinn'"),
        ({"timezone": "../etc/passwd"}, "timezone", "unknown time zone"),
        ({"rrule": "FREQ=MONTLY;BYDAY=3WE"}, "rrule", "unknown FREQ 'MONTLY'"),
        ({"rrule": "BYDAY=3WE"}, "rrule", "FREQ is required"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=3XX"}, "rrule", "'XX' is not a weekday"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=0WE"}, "rrule", "out of range"),
        ({"rrule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "rrule", "BYMONTHDAY value 32 is out of range"),
        ({"rrule": "FREQ=MONTHLY;INTERVAL=0"}, "rrule", "INTERVAL value 0 is out of range"),
        ({"rrule": "FREQ=MONTHLY;INTERVAL=two"}, "rrule", "INTERVAL value 'TWO' is not an integer"),
        ({"rrule": "FREQ=MONTHLY;COUNT=3;UNTIL=20190101"}, "rrule", "COUNT and UNTIL"),
        ({"rrule": "FREQ=MONTHLY;UNTIL=20190231"}, "rrule", "not a real date"),
        ({"rrule": "FREQ=MONTHLY;FOO=1"}, "rrule", "unknown part 'FOO'"),
        ({"rrule": "FREQ=MONTHLY;FREQ=WEEKLY"}, "rrule", "FREQ is given twice"),
        ({"rrule": "FREQ=MONTHLY;BYDAY"}, "rrule", "malformed part"),
        ({"rrule": "FREQ=HOURLY"}, "rrule", "keyed by date"),
        ({"rrule": "FREQ=DAILY;BYHOUR=9,17"}, "rrule", "one value only"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=1MO"}, "rrule", "needs FREQ=MONTHLY or YEARLY"),
        ({"rrule": "FREQ=WEEKLY;BYMONTHDAY=1"}, "rrule", "BYMONTHDAY cannot be used"),
        ({"rrule": "FREQ=MONTHLY;BYSETPOS=1"}, "rrule", "BYSETPOS needs another"),
        ({"rrule": "FREQ=YEARLY;BYWEEKNO=20"}, "rrule", "BYWEEKNO is not supported"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule", "produces no occurrence"),
        ({"start": datetime(2018, 1, 17, 18, tzinfo=UTC)}, "start", "must be naive"),
        ({"skip": (datetime(2018, 3, 21, 18),)}, "skip", "expected a date"),
        ({"moved": ((date(2018, 3, 22), datetime(2018, 3, 23, 18)),)}, "moved",
         "not an occurrence"),
        ({"moved": ((date(2018, 3, 21), datetime(2018, 3, 23, 18)),), "skip": (date(2018, 3, 21),)},
         "moved", "both skipped and moved"),
        ({"dates": (datetime(2018, 3, 21, 9),)}, "dates", "already has an occurrence"),
        ({"rotate": (RotateSlot(time(9), "Mars/Olympus"),)}, "rotate", "unknown time zone"),
        ({"rotate": (RotateSlot(time(9, tzinfo=UTC)),)}, "rotate", "must be naive"),
    ],
)  # fmt: skip
def test_validate_reports_field_and_reason(changes, field, fragment):
    fields = {"timezone": BERLIN, "start": datetime(2018, 1, 17, 18), "rrule": THIRD_WEDNESDAY}
    with pytest.raises(RecurrenceError) as caught:
        Recurrence(**{**fields, **changes}).validate()
    assert caught.value.field == field
    assert fragment in caught.value.message
    assert str(caught.value) == f"{field}: {caught.value.message}"


def test_validate_accepts_a_full_series():
    seed_series(
        dates=(datetime(2018, 3, 7, 12),),
        skip=(date(2018, 4, 18),),
        moved=((date(2018, 5, 16), datetime(2018, 5, 17, 18)),),
        rotate=(RotateSlot(time(18)), RotateSlot(time(9), "America/Los_Angeles")),
    ).validate()
    Recurrence("UTC", datetime(2024, 1, 1, 9)).validate()


def test_parse_rrule_reads_all_parts():
    parts = parse_rrule(
        "RRULE:freq=yearly;interval=2;bymonth=3,1;byday=-1su,2MO;wkst=su;until=20300101T000000Z"
    )
    assert parts.freq == "YEARLY"
    assert parts.interval == 2
    assert parts.bymonth == (1, 3)
    assert parts.byday == ((0, 2), (6, -1))
    assert parts.wkst == 6
    assert parts.until == utc(2030, 1, 1)


def test_lists_and_dict_inputs_are_stored_as_tuples():
    series = Recurrence(
        BERLIN, datetime(2018, 1, 17, 18), THIRD_WEDNESDAY,
        skip=[date(2018, 2, 21)], moved={date(2018, 3, 21): datetime(2018, 3, 22, 18)},
    )  # fmt: skip
    assert series.skip == (date(2018, 2, 21),)
    assert series.moved == ((date(2018, 3, 21), datetime(2018, 3, 22, 18)),)
    hash(series)


# ---------------------------------------------------------------- property test against dateutil

ZONES = [
    "Europe/Berlin", "America/Los_Angeles", "America/Phoenix", "Asia/Kathmandu",
    "Pacific/Chatham", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kolkata", "UTC",
]  # fmt: skip
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw) -> str:
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if draw(st.booleans()):
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    day_shape = draw(st.sampled_from(["none", "weekdays", "nth", "monthday"]))
    if day_shape == "weekdays":
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=5, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    elif day_shape == "nth" and freq in ("MONTHLY", "YEARLY"):
        in_month = freq == "MONTHLY" or any(p.startswith("BYMONTH=") for p in parts)
        limit = 5 if in_month else 53
        specs = draw(st.lists(
            st.tuples(st.integers(1, limit), st.booleans(), st.sampled_from(WEEKDAYS)),
            min_size=1, max_size=3,
        ))  # fmt: skip
        parts.append("BYDAY=" + ",".join(f"{'-' if neg else ''}{n}{day}" for n, neg, day in specs))
    elif day_shape == "monthday" and freq != "WEEKLY":
        highest = 28 if any(p.startswith("BYMONTH=") for p in parts) else 31
        days = draw(st.lists(st.integers(1, highest), min_size=1, max_size=3, unique=True))
        signs = draw(st.lists(st.booleans(), min_size=len(days), max_size=len(days)))
        parts.append(
            "BYMONTHDAY=" + ",".join(str(-d if s else d) for d, s in zip(days, signs, strict=True))
        )
    if len(parts) > 1 and parts[-1].startswith("BY") and draw(st.booleans()):
        positions = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True))
        sign = "-" if draw(st.booleans()) else ""
        parts.append("BYSETPOS=" + ",".join(f"{sign}{p}" for p in positions))
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(WEEKDAYS))}")
    limit = draw(st.sampled_from(["none", "none", "count", "until"]))
    if limit == "count":
        parts.append(f"COUNT={draw(st.integers(1, 400))}")
    elif limit == "until":
        until = draw(st.datetimes(datetime(2001, 1, 1), datetime(2040, 1, 1)))
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}")  # floating: dateutil's naive form
    return ";".join(parts)


def oracle_occurrences(series: Recurrence, horizon: datetime):
    """Brute force: walk dateutil from the start, pin each local time with fold=0."""
    zone = ZoneInfo(series.timezone)
    for index, wall in enumerate(rrulestr(series.rrule, dtstart=series.start)):
        if wall > horizon:
            return
        if wall.date() in series.skip:
            continue
        if series.rotate:
            slot = series.rotate[index % len(series.rotate)]
            slot_zone = ZoneInfo(slot.zone) if slot.zone else zone
            wall = datetime.combine(wall.date(), slot.time)
        else:
            slot_zone = zone
        start_utc = wall.replace(tzinfo=slot_zone, fold=0).astimezone(UTC)
        yield (start_utc, wall.date(), index)


def rule_has_occurrences(series: Recurrence) -> bool:
    try:
        series.validate()
    except RecurrenceError:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=rules(),
    zone=st.sampled_from(ZONES),
    start=st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)),
    age=st.timedeltas(timedelta(days=-400), timedelta(days=12 * 365)),
    rotate_zones=st.lists(st.sampled_from([None, *ZONES]), max_size=3),
    rotate_minutes=st.integers(0, 24 * 60 - 1),
    skip_every=st.sampled_from([0, 2, 3]),
)
def test_next_and_previous_agree_with_dateutil_walk(
    rule, zone, start, age, rotate_zones, rotate_minutes, skip_every
):
    start = start.replace(microsecond=0)
    rotate = tuple(
        RotateSlot(time((rotate_minutes + 397 * i) % 1440 // 60, rotate_minutes % 60), slot_zone)
        for i, slot_zone in enumerate(rotate_zones)
    )
    plain = Recurrence(zone, start, rule)
    assume(rule_has_occurrences(plain))
    instant = (start + age).replace(tzinfo=UTC)
    horizon = start + age + timedelta(days=5 * 366 if "YEARLY" in rule else 400)
    # Skip some occurrences near the instant so skipping is exercised too.
    nearby = [key for _, key, _ in oracle_occurrences(plain, horizon) if abs(
        (key - instant.date()).days) < 60]  # fmt: skip
    skip = tuple(nearby[::skip_every]) if skip_every else ()
    series = Recurrence(zone, start, rule, skip=skip, rotate=rotate)

    expected = list(oracle_occurrences(series, horizon))
    after = min((item for item in expected if item[0] > instant), default=None)
    before = max((item for item in expected if item[0] <= instant), default=None)

    found_next = series.next_after(instant)
    if after is None:
        # The series ended, or its next occurrence lies past the oracle's horizon.
        beyond_horizon = horizon.replace(tzinfo=UTC) - timedelta(days=3)
        assert found_next is None or found_next.start_utc > beyond_horizon
    else:
        assert (found_next.start_utc, found_next.key, found_next.index) == after
    found_previous = series.previous_before(instant)
    if before is None:
        assert found_previous is None
    else:
        assert (found_previous.start_utc, found_previous.key, found_previous.index) == before


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=rules(),
    zone=st.sampled_from(ZONES),
    start=st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)),
    ages=st.lists(st.timedeltas(timedelta(days=-40), timedelta(days=3 * 366)), min_size=2,
                  max_size=8),
)
def test_questions_in_any_order_agree_with_dateutil_walk(rule, zone, start, ages):
    # One series asked again and again, as chat does: periods kept by one question are
    # read back by the next, beside periods worked out afresh.
    start = start.replace(microsecond=0)
    series = Recurrence(zone, start, rule)
    assume(rule_has_occurrences(series))
    horizon = start + max(ages) + timedelta(days=5 * 366 if "YEARLY" in rule else 400)
    expected = list(oracle_occurrences(series, horizon))
    for age in ages:
        instant = (start + age).replace(tzinfo=UTC)
        after = min((item for item in expected if item[0] > instant), default=None)
        before = max((item for item in expected if item[0] <= instant), default=None)
        found_next, found_previous = series.next_after(instant), series.previous_before(instant)
        if after is not None:
            assert (found_next.start_utc, found_next.key, found_next.index) == after
        if before is None:
            assert found_previous is None
        else:
            assert (found_previous.start_utc, found_previous.key, found_previous.index) == before


@pytest.mark.parametrize(
    "rule",
    [
        THIRD_WEDNESDAY, "FREQ=WEEKLY;INTERVAL=2;WKST=SU", "FREQ=DAILY",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=YEARLY",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=7", "FREQ=MONTHLY;BYMONTHDAY=31",
    ],
)  # fmt: skip
def test_a_re_anchored_rule_is_the_rule_dateutil_builds_there(rule):
    # Re-anchoring copies the first rule and replaces its DTSTART: the installed
    # dateutil must keep nothing else from DTSTART once every BY part is pinned.
    schedule = Recurrence(BERLIN, datetime(2019, 5, 31, 9, 30), rule)._schedule
    anchor = datetime(2031, 2, 1)
    copied = schedule._rule(anchor)
    built = dateutil_rrule(schedule.first_rule._freq, dtstart=anchor, **schedule.pinned)
    state = {name: value for name, value in vars(copied).items() if name != "_cache_lock"}
    assert state == {name: value for name, value in vars(built).items() if name != "_cache_lock"}
    assert list(islice(copied, 30)) == list(islice(built, 30))
