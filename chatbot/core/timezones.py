"""Turning what people type ("berlin", "Los Angeles", "Asia/Kolkata") into IANA zones.

Only IANA names are stored: a UTC offset goes wrong at the next summer-time change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import importlib.resources
import os
import zoneinfo

# Zone names that exist for backwards compatibility only and would confuse suggestions.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "posix/", "right/")


class UnknownZone(ValueError):
    """Raised with close suggestions when text names no zone."""

    def __init__(self, text: str, suggestions: list[str]):
        self.text = text
        self.suggestions = suggestions
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown timezone '{text}'.{hint} Use an IANA name like Europe/Berlin "
            "or a city like 'los angeles'."
        )


@functools.cache
def _zone_names() -> dict[str, str]:
    """Lower-cased lookup key -> canonical IANA name."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if not name.startswith(_LEGACY_PREFIXES)
    }
    return {name.lower(): name for name in names} | {"utc": "UTC"}


@functools.cache
def _city_names() -> dict[str, str]:
    """'los angeles' -> America/Los_Angeles; the first zone wins for rare duplicates."""
    cities: dict[str, str] = {}
    for name in sorted(_zone_names().values()):
        if "/" not in name:
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        cities.setdefault(city, name)
    return cities


def resolve_zone(text: str) -> str:
    """Return the IANA name meant by `text`, or raise UnknownZone with suggestions."""
    key = " ".join(text.strip().split()).lower()
    if not key:
        raise UnknownZone(text, [])
    zones = _zone_names()
    if key in zones:
        return zones[key]
    underscored = key.replace(" ", "_")
    if underscored in zones:
        return zones[underscored]
    cities = _city_names()
    if key in cities:
        return cities[key]
    raise UnknownZone(text, suggest_zones(key))


def suggest_zones(key: str, limit: int = 3) -> list[str]:
    cities = _city_names()
    close_cities = difflib.get_close_matches(key, list(cities), n=limit, cutoff=0.6)
    suggestions = [cities[city] for city in close_cities]
    close_names = difflib.get_close_matches(key, list(_zone_names()), n=limit, cutoff=0.6)
    for name in close_names:
        canonical = _zone_names()[name]
        if canonical not in suggestions:
            suggestions.append(canonical)
    return suggestions[:limit]


def is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Names of UTC itself: shown once, as "UTC", beside the UTC line every reminder has.
UTC_ALIASES = frozenset({
    "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu",
    "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "GMT", "GMT0",
})


def canonical_zone(name: str) -> str:
    return "UTC" if name in UTC_ALIASES else name


def canonical_name(name: str) -> str | None:
    """The name to show for an IANA zone name: links followed (US/Pacific ->
    America/Los_Angeles), UTC's aliases -> UTC; None when `name` is no zone here."""
    if not is_zone(name):
        return None
    links, kept = _links(), _country_zones()
    while name in links and name not in kept:
        name = links[name]
    return canonical_zone(name)


def _tz_file(name: str) -> str:
    """A file of the tz database: the system's copy (what zoneinfo reads), else tzdata's."""
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                return file.read()
        except OSError:
            continue
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


@functools.cache
def _links() -> dict[str, str]:
    """Backward-compatible name -> the zone it links to (tzdata.zi's `L TARGET NAME` lines)."""
    lines = (line.split() for line in _tz_file("tzdata.zi").splitlines())
    return {words[2]: words[1] for words in lines if len(words) == 3 and words[0] == "L"}


@functools.cache
def _country_zones() -> frozenset[str]:
    """zone.tab's names stay as they are even where a release links them to a zone that
    keeps the same time (Europe/Amsterdam to Europe/Brussels): they are what people know."""
    lines = (line.split("\t") for line in _tz_file("zone.tab").splitlines())
    return frozenset(words[2] for words in lines if len(words) >= 3 and words[0][:1] != "#")


def local_zone_name() -> str:
    """The machine's IANA zone, from TZ or /etc/localtime, falling back to UTC."""
    candidate = os.environ.get("TZ", "").lstrip(":")
    if candidate and is_zone(candidate):
        return canonical_zone(candidate)
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            name = target.split(marker, 1)[1]
            if is_zone(name):
                return canonical_zone(name)
    except OSError:
        pass
    return "UTC"


def utc_offset(zone: str, instant: dt.datetime) -> dt.timedelta:
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta(0)
