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


def loads(bot_ms: float, bare_ms: float, failures: int = 0) -> dict[str, slack_latency.Load]:
    def load(ms: float, failed: int = 0) -> slack_latency.Load:
        return slack_latency.Load([ms / 1000] * 100, failed, elapsed=0.01)

    return {"bare sequential": load(bare_ms), "bot sequential": load(bot_ms),
            "bare 8 clients": load(bare_ms), "bot 8 clients": load(bot_ms, failures),
            "bot 8 clients, posts +1 s": load(bot_ms)}


def test_the_report_holds_each_figure_against_its_target(capsys) -> None:
    assert slack_latency.report(loads(bot_ms=0.5, bare_ms=0.4)) == []
    assert slack_latency.report(loads(bot_ms=0.7, bare_ms=0.4)) == ["median sequential"]
    assert slack_latency.report(loads(bot_ms=1.3, bare_ms=0.4, failures=2)) == [
        "median sequential", "median 8 clients", "failed requests"]
    assert "median 1.75x (target <= 1.6)" in capsys.readouterr().out
