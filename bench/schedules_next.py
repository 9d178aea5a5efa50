"""Benchmark: next occurrence of 10,000 meeting series aged 0-10 years.

Compares chatbot.core.recurrence (jumps to the period holding "now") with a
naive dateutil walk (``rrule.after`` walks forward from DTSTART), and shows
that the engine's cost does not grow with the age of a series.

    PYTHONPATH=. python bench/schedules_next.py [--series 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from chatbot.core import recurrence
from chatbot.core.recurrence import Recurrence, RotateSlot

ZONES = [
    "Europe/Berlin", "America/Los_Angeles", "America/New_York", "Asia/Kolkata",
    "Australia/Sydney", "Asia/Kathmandu", "America/Phoenix", "Pacific/Chatham",
]  # fmt: skip
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
YEAR = timedelta(days=365.25)


def random_rule(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.4:  # monthly "3rd Wednesday" / "last Friday"
        return f"FREQ=MONTHLY;BYDAY={rng.choice([1, 2, 3, 4, -1])}{rng.choice(WEEKDAYS)}"
    if shape < 0.7:
        return "FREQ=WEEKLY"
    return "FREQ=WEEKLY;INTERVAL=2"


def build_series(count: int, now: datetime, seed: int = 2018) -> list[tuple[float, Recurrence]]:
    """(age in years, series) with ages spread evenly over 0..10 years."""
    rng = random.Random(seed)
    built = []
    for number in range(count):
        age_years = 10 * number / count
        zone = rng.choice(ZONES)
        local_start = (now - age_years * YEAR).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        start = local_start.replace(hour=rng.choice([8, 9, 10, 17, 18]), minute=rng.choice([0, 30]))
        start = start.replace(second=0, microsecond=0)
        rotate = ()
        if rng.random() < 0.25:  # alternate with a slot friendly to another zone
            rotate = (RotateSlot(start.time()), RotateSlot(wall_time(9, 0), rng.choice(ZONES)))
        built.append((age_years, Recurrence(zone, start, random_rule(rng), rotate=rotate)))
    return built


def clear_engine_caches() -> None:
    recurrence._schedule_for.cache_clear()
    recurrence._parse_rrule_cached.cache_clear()


def seconds(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def dateutil_after(rules: list[tuple[object, ZoneInfo]], now: datetime) -> list[datetime | None]:
    """Naive baseline: dateutil walks from DTSTART to the first local time after now."""
    found = []
    for rule, zone in rules:
        wall = rule.after(now.astimezone(zone).replace(tzinfo=None))
        found.append(None if wall is None else wall.replace(tzinfo=zone).astimezone(UTC))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--now", type=datetime.fromisoformat, default=datetime.now(UTC))
    parser.add_argument("--skip-baseline", action="store_true")
    options = parser.parse_args()
    now = options.now if options.now.tzinfo else options.now.replace(tzinfo=UTC)

    def fresh_series() -> list[Recurrence]:
        clear_engine_caches()
        return [series for _, series in build_series(options.series, now)]

    def next_for_all(all_series: list[Recurrence]) -> list:
        return [series.next_after(now) for series in all_series]

    print(f"{options.series} series, ages 0-10 years, now = {now:%Y-%m-%d %H:%M} UTC")
    cold = []
    for _ in range(options.runs):
        all_series = fresh_series()
        cold.append(seconds(lambda: next_for_all(all_series)))  # noqa: B023 - called at once
    warm_series = fresh_series()
    next_for_all(warm_series)
    warm = [seconds(lambda: next_for_all(warm_series)) for _ in range(options.runs)]
    engine_cold, engine_warm = statistics.median(cold), statistics.median(warm)
    print(f"engine, cold (new objects, caches cleared): median {engine_cold:.3f} s")
    print(f"engine, warm (same objects, rules cached):  median {engine_warm:.3f} s")

    print("engine, cold, per age band (median us per series):", end="")
    band_times: dict[int, list[float]] = {}
    for _ in range(options.runs):
        clear_engine_caches()
        bands: dict[int, list[Recurrence]] = {}
        for age, series in build_series(options.series, now):
            bands.setdefault(int(age // 2), []).append(series)
        for band, members in bands.items():
            elapsed = seconds(lambda m=members: next_for_all(m))
            band_times.setdefault(band, []).append(elapsed / len(members) * 1e6)
    for band, samples in sorted(band_times.items()):
        print(f"  {2 * band}-{2 * band + 2}y: {statistics.median(samples):.0f}", end="")
    print()

    if options.skip_baseline:
        return
    plain = [series for series in fresh_series() if not series.rotate]
    rules = [(rrulestr(s.rrule, dtstart=s.start), ZoneInfo(s.timezone)) for s in plain]
    baseline = statistics.median(
        seconds(lambda: dateutil_after(rules, now)) for _ in range(options.runs)
    )
    scale = options.series / len(plain)  # the baseline only runs the series without rotation
    print(
        f"dateutil walk (rrule.after, {len(plain)} series without rotation, scaled to "
        f"{options.series}): median {baseline * scale:.3f} s"
    )
    print(f"ratio dateutil / engine: {baseline * scale / engine_cold:.1f}x cold, "
          f"{baseline * scale / engine_warm:.1f}x warm")  # fmt: skip
    expected = dateutil_after(rules, now)
    got = [None if o is None else o.start_utc for o in next_for_all(plain)]
    mismatches = sum(a != b for a, b in zip(expected, got, strict=True))
    print(f"agreement with dateutil on the {len(plain)} plain series: {mismatches} mismatches")


if __name__ == "__main__":
    main()
