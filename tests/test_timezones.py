from __future__ import annotations

import pytest

from chatbot.core.timezones import UnknownZone, resolve_zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Los Angeles", "America/Los_Angeles"),
        ("  los   angeles ", "America/Los_Angeles"),
        ("kolkata", "Asia/Kolkata"),
        ("utc", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_resolves_names_and_cities(text, zone):
    assert resolve_zone(text) == zone


def test_unknown_zone_suggests_close_ones():
    with pytest.raises(UnknownZone) as caught:
        resolve_zone("los angelos")
    assert "America/Los_Angeles" in caught.value.suggestions
    assert "IANA" in str(caught.value)
