"""`/meeting new NAME`: the id a new series gets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.core.series_id import MAX_LENGTH, SERIES_ID, SeriesNameError, series_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Data Team Sync", "data-team-sync"),
        ("  Data   Team -- Sync!! ", "data-team-sync"),
        ("JupyterHub & BinderHub: Team Meeting", "jupyterhub-binderhub-team-meeting"),
        ("team_sync", "team-sync"),
        ("Q3 2027 planning", "q3-2027-planning"),
        ("Réunion d'équipe", "reunion-d-equipe"),
        ("2027", "2027"),
        ("Stand-up 🚀 weekly", "stand-up-weekly"),
    ],
)
def test_name_to_id(name, expected):
    assert series_id(name) == expected


def test_a_taken_id_gets_the_next_free_number():
    assert series_id("Data Team Sync", {"data-team-sync"}) == "data-team-sync-2"
    taken = {"data-team-sync", "data-team-sync-2", "data-team-sync-3"}
    assert series_id("Data Team Sync", taken) == "data-team-sync-4"


def test_a_file_named_in_capitals_takes_the_id_too():
    assert series_id("Data Team Sync", {"Data-Team-Sync"}) == "data-team-sync-2"


@pytest.mark.parametrize("name", ["", "   ", "!!! ---", "会議", "🚀🚀"])
def test_a_name_with_no_letters_or_digits_is_refused_in_one_line(name):
    with pytest.raises(SeriesNameError) as caught:
        series_id(name)
    message = str(caught.value)
    assert "letter" in message and "digit" in message and "\n" not in message


def test_a_long_name_gives_an_id_short_enough_to_type():
    made = series_id("The very long name of a meeting " * 5)
    assert len(made) <= MAX_LENGTH and not made.endswith("-")
    assert made.startswith("the-very-long-name-of-a-meeting-the-very-long")


@given(name=st.text(), taken=st.sets(st.text(alphabet="abc-23", max_size=8), max_size=5))
def test_every_id_made_is_a_valid_id_and_free(name, taken):
    try:
        made = series_id(name, taken)
    except SeriesNameError as refused:
        assert len(str(refused).splitlines()) == 1
        return
    assert SERIES_ID.fullmatch(made)
    assert made not in taken
