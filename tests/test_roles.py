"""Facilitator and note-taker rotation: who the team sees named for the next meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chatbot.core.roles import Meeting, MeetingRoles, Volunteer, assign_roles, role_holders

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


def volunteer(user: str, zone: str, order: int) -> Volunteer:
    return Volunteer(user, zone, JOINED + timedelta(hours=order))


# ana in Berlin, ben in Los Angeles, chen in Tokyo, joined in that order.
ANA = volunteer("ana", "Europe/Berlin", 0)
BEN = volunteer("ben", "America/Los_Angeles", 1)
CHEN = volunteer("chen", "Asia/Tokyo", 2)
TEAM = [CHEN, ANA, BEN]  # given in any order: the join times set the line


def meeting(day: date, hour_utc: int) -> Meeting:
    return Meeting(day, datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC))


# A rotating slot, in December (no summer time anywhere involved):
# 17:00 UTC = 18:00 Berlin, 09:00 Los Angeles, 02:00 Tokyo (night for chen)
# 00:00 UTC = 01:00 Berlin (night for ana), 16:00 Los Angeles, 09:00 Tokyo
EVENING = [meeting(date(2026, 12, d), 17) for d in (2, 9, 16, 23)]
ROTATING = [
    meeting(date(2026, 12, 2), 17),
    meeting(date(2026, 12, 10), 0),
    meeting(date(2026, 12, 16), 17),
    meeting(date(2026, 12, 24), 0),
]


def test_three_volunteers_one_sends_regrets_one_would_be_at_night():
    regrets = {date(2026, 12, 2): {"ana"}}
    holders = role_holders(TEAM, ROTATING, regrets=regrets)
    assert holders == [
        "ben",   # ana sent regrets, chen would be up at 02:00 while ben has daytime
        "chen",  # ana, first in line, would be up at 01:00; chen has 09:00
        "ana",   # ana, passed over twice, is still first in line
        "ben",
    ]


def test_in_turns_by_join_order_when_nothing_is_in_the_way():
    daytime_for_all = [meeting(date(2026, 12, d), 14) for d in range(1, 8)]
    team = [ANA, volunteer("ben", "Europe/London", 1), volunteer("chen", "Africa/Lagos", 2)]
    assert role_holders(team, daytime_for_all) == ["ana", "ben", "chen"] * 2 + ["ana"]


def test_a_night_meeting_still_goes_to_the_first_in_line_when_it_is_night_for_all():
    at_3am_berlin = [meeting(date(2026, 12, 2), 2)]
    team = [ANA, volunteer("ben", "Europe/Paris", 1), volunteer("chen", "Europe/Rome", 2)]
    assert role_holders(team, at_3am_berlin) == ["ana"]


def test_regrets_from_everyone_leave_the_role_open_and_the_line_as_it_was():
    everyone = {date(2026, 12, 2): {"ana", "ben", "chen"}}
    assert role_holders(TEAM, EVENING[:2], regrets=everyone) == [None, "ana"]


def test_a_swap_hands_one_meeting_to_someone_and_the_one_swapped_out_is_next():
    swaps = {date(2026, 12, 2): "dave"}  # not a volunteer at all
    assert role_holders(TEAM, EVENING, swaps=swaps) == ["dave", "ana", "ben", "ana"]


def test_a_swap_to_a_volunteer_counts_as_their_turn():
    swaps = {date(2026, 12, 2): "ben"}
    assert role_holders(TEAM, EVENING, swaps=swaps) == ["ben", "ana", "ben", "ana"]


def test_history_sets_the_line_and_a_newcomer_joins_at_the_back():
    daytime_for_all = [meeting(date(2026, 12, d), 14) for d in range(1, 5)]
    team = [ANA, volunteer("ben", "Europe/London", 1), volunteer("chen", "Africa/Lagos", 2)]
    history = [
        (datetime(2026, 11, 1, 14, tzinfo=UTC), "ana"),
        (datetime(2026, 11, 8, 14, tzinfo=UTC), "ben"),
        (datetime(2026, 11, 9, 14, tzinfo=UTC), "someone-who-left"),
    ]
    dan = Volunteer("dan", "Europe/Madrid", datetime(2026, 11, 10, tzinfo=UTC))
    assert role_holders([*team, dan], daytime_for_all, history=history) == [
        "chen", "ana", "ben", "dan"]


def test_leaving_and_volunteering_again_goes_to_the_back_of_the_line():
    daytime_for_all = [meeting(date(2026, 12, d), 14) for d in range(1, 4)]
    ben_again = Volunteer("ben", "Europe/London", datetime(2026, 11, 20, tzinfo=UTC))
    team = [ANA, ben_again, volunteer("chen", "Africa/Lagos", 2)]
    history = [(datetime(2026, 11, 1, 14, tzinfo=UTC), "ana")]
    assert role_holders(team, daytime_for_all, history=history) == ["chen", "ana", "ben"]


def test_the_note_taker_is_not_the_facilitator_while_someone_else_is_free():
    roles = assign_roles(TEAM, TEAM, EVENING, regrets={date(2026, 12, 9): {"ben"}})
    assert roles == [
        MeetingRoles(date(2026, 12, 2), "ana", "ben"),
        MeetingRoles(date(2026, 12, 9), "ana", "ana"),  # ben away, chen at 02:00
        MeetingRoles(date(2026, 12, 16), "ben", "ana"),
        MeetingRoles(date(2026, 12, 23), "ana", "ben"),
    ]
    for held in roles:
        assert held.facilitator is not None and held.notetaker is not None


def test_roles_for_the_next_four_meetings_with_swaps_and_history_per_role():
    history = {"facilitator": [(datetime(2026, 11, 18, 17, tzinfo=UTC), "ana")],
               "notes": [(datetime(2026, 11, 18, 17, tzinfo=UTC), "ben")]}
    swaps = {"notes": {date(2026, 12, 16): "erin"}}
    roles = assign_roles([ANA, BEN], [ANA, BEN, CHEN], EVENING, history=history, swaps=swaps)
    assert [(r.facilitator, r.notetaker) for r in roles] == [
        ("ben", "ana"),
        ("ana", "ben"),
        ("ben", "erin"),
        ("ana", "ben"),
    ]
