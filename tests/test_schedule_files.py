"""The documented schedule examples are valid and mean what the docs say."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from chatbot.core.schedule import parse_series

README = Path(__file__).resolve().parent.parent / "schedules" / "README.md"
EXAMPLES = re.findall(r"```toml\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_examples_are_valid(example):
    series, problems = parse_series(Path("example.toml"), tomllib.loads(example))
    assert problems == []
    assert series is not None


def test_skip_moved_and_rotate_as_documented():
    seed, _ = parse_series(Path("binder-team.toml"), tomllib.loads(EXAMPLES[0]))
    after = dt.datetime(2018, 7, 1, tzinfo=dt.UTC)
    keys = [o.key.isoformat() for o in seed.recurrence.upcoming(after, 6)]
    assert "2018-08-15" not in keys
    december = seed.recurrence.occurrence_on(dt.date(2018, 12, 19))
    assert december.start.isoformat() == "2018-12-12T18:00:00+01:00"
    standup, _ = parse_series(Path("standup.toml"), tomllib.loads(EXAMPLES[1]))
    starts = [o.start for o in standup.recurrence.upcoming(dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
                                                            3)]
    assert [(s.strftime("%H:%M"), str(s.tzinfo)) for s in starts] == [
        ("16:00", "UTC"), ("09:00", "Asia/Tokyo"), ("09:00", "America/Los_Angeles")]
    assert [s.date().isoformat() for s in starts] == ["2021-01-04", "2021-01-18", "2021-02-01"]
