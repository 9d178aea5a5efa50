"""bench/slack_latency.py keeps working: a short run, every request answered in time."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import slack_latency  # noqa: E402


def test_bench_runs_both_apps_and_reports_the_ratios(capsys) -> None:
    results = slack_latency.run(count=150, slow_post=1.0)
    assert set(results) == {"bare sequential", "bare 8 clients", "bot sequential",
                            "bot 8 clients", "bot 8 clients, posts +1 s"}
    assert all(r.failures == 0 and len(r.latencies) == 150 for r in results.values())
    slack_latency.report(results)
    printed = capsys.readouterr().out
    assert "bot / bare, sequential  median" in printed
    assert "failed requests: 0" in printed
