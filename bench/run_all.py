"""Run every benchmark in bench/ and write bench/RESULTS.md.

Each script prints its own figures next to the baseline it measured in the same
run, the ratio and the target; this collects them with the machine they ran on.

    make bench        (or: .venv/bin/python bench/run_all.py)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_SECONDS = 30 * 60


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores (shared, noisy), Python {platform.python_version()}")


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    sections, failures = [], 0
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        began = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                timeout=TIMEOUT_SECONDS, cwd=HERE.parent)
        took = time.monotonic() - began
        output = result.stdout.strip() or "(no output)"
        if result.returncode != 0:
            failures += 1
            output += f"\n\nFAILED with exit status {result.returncode}:\n{result.stderr[-2000:]}"
        print(output, flush=True)
        sections.append(f"## {script.name}\n\n({took:.0f} s)\n\n```\n{output}\n```\n")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (HERE / "RESULTS.md").write_text(
        "# Benchmark results\n\n"
        f"Written by `make bench` on {stamp}.\n\nMachine: {machine()}.\n\n"
        "Every figure is printed next to its baseline measured in the same run, the ratio "
        "and the target; see each script's docstring for what it measures.\n\n"
        + "\n".join(sections)
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
