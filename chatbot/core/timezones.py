"""Turning what people type ("berlin", "Los Angeles", "Asia/Kolkata") into IANA zones.

Only IANA names are stored: a UTC offset goes wrong at the next summer-time change.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.resources
import os
import zoneinfo
from pathlib import Path

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
def _iana() -> tuple[frozenset[str], dict[str, str]]:
    """IANA's current zone names and its old names (links: old name -> zone), from the
    tzdata package, else the system's zic source. Current: a zone of its own, or a
    country's zone in zone.tab (Europe/Oslo, though it shares Europe/Berlin's rules).
    A name in neither (`localtime`, `posixrules`) is no zone, even where zoneinfo can
    open a file of that name."""
    for folder in _tzdata_folders():
        try:
            lines = (folder / "tzdata.zi").read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            continue
        with contextlib.suppress(OSError, ValueError):
            lines += [f"Z {words[2]}" for line in
                      (folder / "zone.tab").read_text(encoding="utf-8").splitlines()
                      if not line.startswith("#") and len(words := line.split()) >= 3]
        zones = frozenset(line.split()[1] for line in lines if line.startswith("Z "))
        links = {words[2]: words[1] for line in lines
                 if line.startswith("L ") and len(words := line.split()) == 3}
        return zones - _NOT_ZONES, {old: zone for old, zone in links.items() if old not in zones}
    # No zic source at all: trust what zoneinfo finds, minus the known non-zones.
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES), {}


_NOT_ZONES = {"localtime", "posixrules", "Factory"}


def _tzdata_folders() -> list:
    folders = []
    with contextlib.suppress(ImportError):
        folders.append(importlib.resources.files("tzdata.zoneinfo"))
    return folders + [Path(folder) for folder in zoneinfo.TZPATH]


def canonical_name(name: str) -> str | None:
    """The name to store for an IANA zone name: links followed (US/Pacific ->
    America/Los_Angeles), UTC's aliases -> UTC; None when `name` is no IANA zone."""
    zones, links = _iana()
    target = links.get(name, name)
    if target not in zones or not is_zone(target):
        return None
    return canonical_zone(target)


@functools.cache
def _zone_names() -> dict[str, str]:
    """Lower-cased lookup key -> canonical IANA name, for old names (links) too."""
    zones, links = _iana()
    names = {
        name.lower(): zone
        for name in sorted(zones | set(links))
        if not name.startswith(_LEGACY_PREFIXES) and (zone := canonical_name(name))
    }
    return names | {"utc": "UTC"}


@functools.cache
def _city_names() -> dict[str, str]:
    """'los angeles' -> America/Los_Angeles; 'calcutta' (an old name) -> Asia/Kolkata.
    Current names win over old ones, then the first in order for rare duplicates."""
    names = _zone_names()
    current = sorted(key for key, zone in names.items() if key == zone.lower())
    old = sorted(key for key, zone in names.items() if key != zone.lower())
    cities: dict[str, str] = {}
    for key in current + old:
        if "/" in key:
            cities.setdefault(key.rsplit("/", 1)[1].replace("_", " "), names[key])
    return cities


def renamed(text: str, zone: str) -> bool:
    """True when `text` is an old IANA name (a link) of `zone`, not the name itself."""
    key = " ".join(text.strip().split()).lower().replace(" ", "_")
    return key in _zone_names() and key != zone.lower()


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


@functools.cache
def zone_info(name: str) -> zoneinfo.ZoneInfo:
    """The zone `name`, read from disk once per process. zoneinfo's own cache holds only
    the eight zones used last: a reminder for a channel whose members live in 300 zones
    read them all from disk again each time (most of its 140 ms, bench/schedules.py)."""
    return zoneinfo.ZoneInfo(name)


@functools.cache
def is_zone(name: str) -> bool:
    try:
        zone_info(name)
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
