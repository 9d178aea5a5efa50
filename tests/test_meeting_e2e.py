"""A whole meeting through the console adapter, then `chatbot minutes` and `chatbot import`,
each as a user runs them: subprocesses with a real database, archive folder and git."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.store import Store
from tests.conftest import cli_env

FIXTURES = Path(__file__).parent / "fixtures"
DURING = "2018-03-21T17:04Z"  # the seed meeting: 18:00 Europe/Berlin, 17:00 UTC
AFTER = "2018-03-21T19:00Z"

MEETING = """\
/as carol
/tz America/Los_Angeles
/as jessica
/agenda add Kubeflow presentation
/agenda add decision: release schedule for BinderHub 0.1
/meeting start
/attend Jessica / Jupyter / @jzf2101
/as betatim
/attend Tim / Wild Tree Tech / @betatim
/as minrk
/attend regrets
/as jessica
/decision Cut a 0.1 release with JupyterHub 0.9
/todo add @betatim reach out to CERN about how installing z2jh went
/todo add create a team-compass issue for the | pipes | and [links](x)
/agenda done 1
/meeting end
"""

EXPECTED_MINUTES = """\
---
title: March 2018
---

# JupyterHub and BinderHub Team Meeting - March 2018

- **Date:** Wednesday 21 March 2018, 18:00 CET (17:00 UTC)
- **Time in members' zones:**
  - 10:00 PDT (America/Los\\_Angeles)
  - 18:00 CET (Europe/Berlin)
- **Video conference link:** <https://calpoly.zoom.us/my/jupyter>

## Roll call

- Jessica / Jupyter / @jzf2101
- Tim / Wild Tree Tech / @betatim

Regrets:

- minrk

Chairs: jessica

## Help or discussion needed

- **jessica:** Kubeflow presentation _(discussed)_

## Decisions needed

- **jessica:** release schedule for BinderHub 0.1 _(carried over)_

## Decisions

- Cut a 0.1 release with JupyterHub 0.9

## TODOs

### betatim

New:

- [ ] TODO #1: reach out to CERN about how installing z2jh went (betatim)

### jessica

New:

- [ ] TODO #2: create a team-compass issue for the \\| pipes \\| and \\[links\\]\\(x\\) (jessica)
"""


def chatbot(workdir: Path, *args: str, stdin: str | None = None, archive: str = "notes"):
    env = cli_env(workdir, CHATBOT_ARCHIVE=archive)  # relative: inside workdir, the cwd
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args], cwd=workdir, env=env, input=stdin,
        capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "schedules", tmp_path / "schedules",
        ignore=shutil.ignore_patterns("*.md"),
    )
    return tmp_path


def run_meeting(workdir: Path, archive: str = "notes") -> subprocess.CompletedProcess:
    # Carol lives in Los Angeles (/tz): her zone shows in the minutes.
    return chatbot(
        workdir, "--now", DURING, "run", "--user", "jessica", "--tz", "Europe/Berlin",
        stdin=MEETING, archive=archive,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_whole_meeting_through_the_console(workdir):
    archive = workdir / "notes"
    subprocess.run(["git", "init", "-q", str(archive)], check=True)
    result = run_meeting(workdir)
    assert result.returncode == 0, result.stderr
    assert "!" not in "".join(line[:1] for line in result.stdout.splitlines())  # no errors
    summary = result.stdout[result.stdout.index("jessica ended"):].splitlines()
    assert summary[1:8] == [
        "Attendees (2): Jessica, Tim",
        "Regrets: minrk",
        "Decisions (1):",
        "  - Cut a 0.1 release with JupyterHub 0.9",
        "New TODOs by owner:",
        "  betatim",
        "    1. reach out to CERN about how installing z2jh went",
    ]
    assert "Carried over to Wednesday 18 April, 18:00 CEST: 1 agenda item" in summary
    assert any(
        line.startswith("Minutes: notes/binder-team/2018-03-21.md (committed as ")
        for line in summary
    )

    archived = archive / "binder-team" / "2018-03-21.md"
    assert archived.read_text(encoding="utf-8").splitlines() == EXPECTED_MINUTES.splitlines()

    log = subprocess.run(
        ["git", "-C", str(archive), "log", "--format=%s", "--name-only"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert log == [
        "Minutes of JupyterHub and BinderHub Team Meeting, 2018-03-21", "",
        "binder-team/2018-03-21.md",
    ]

    next_agenda = chatbot(workdir, "--now", AFTER, "say", "--user", "carol", "/agenda")
    assert "Agenda of JupyterHub and BinderHub Team Meeting on Wednesday 18 April" in (
        next_agenda.stdout
    )
    assert "1. release schedule for BinderHub 0.1 (jessica) (carried over)" in next_agenda.stdout

    # On demand, the same markdown as the archived file.
    printed = chatbot(workdir, "--now", AFTER, "minutes")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == archived.read_text(encoding="utf-8")


def test_archive_folder_from_the_environment_without_git(workdir):
    result = run_meeting(workdir, archive=str(workdir / "team-compass"))
    assert result.returncode == 0, result.stderr
    archived = workdir / "team-compass" / "binder-team" / "2018-03-21.md"
    assert f"Minutes: {archived}\n" in result.stdout  # no git: nothing to report
    assert archived.read_text(encoding="utf-8") == EXPECTED_MINUTES


def test_minutes_errors(workdir):
    result = chatbot(workdir, "--now", AFTER, "minutes", "--date", "2018-03-22")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: JupyterHub and BinderHub Team Meeting has no meeting on 2018-03-22: "
        "none is scheduled, held or imported."
    ]
    picked = chatbot(workdir, "minutes", "--meeting", "standup")
    assert picked.returncode == 1 and "No meeting 'standup'" in picked.stderr


def test_import_prints_json_and_is_idempotent(workdir):
    files = [str(FIXTURES / "binder-team-meeting-2018-03.md"), str(FIXTURES / "2021-03-18.md")]
    first = chatbot(workdir, "--now", AFTER, "import", "--json", *files)
    assert first.returncode == 0, first.stderr
    found = json.loads(first.stdout)
    assert [(f["date"], f["stored"]) for f in found] == [
        ("2018-03-21", True), ("2021-03-18", True),
    ]
    assert found[0]["attendees"][0] == {
        "name": "Tim", "affiliation": "Wild Tree Tech", "github": "betatim"
    }
    assert {"text": "reach out to CERN about how installing z2jh went", "owner": "Tim"} in (
        found[0]["todos"]
    )
    assert found[0]["agenda"][0] == {"section": "discuss", "text": "Open PRs", "entries": []}
    stored = Store(workdir / "chatbot.db").counts()
    again = chatbot(workdir, "--now", AFTER, "import", "--json", *files)
    assert [f["stored"] for f in json.loads(again.stdout)] == [False, False]
    assert Store(workdir / "chatbot.db").counts() == stored

    minutes = chatbot(workdir, "--now", AFTER, "minutes", "--date", "2018-03-21").stdout
    assert "- Chris H / UC Berkeley / @choldgraf" in minutes.splitlines()
    assert "- [ ] TODO #3: reach out to CERN about how installing z2jh went (Tim)" in minutes


def test_import_plain_output(workdir):
    result = chatbot(workdir, "import", str(FIXTURES / "2019-05-16.md"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("2019-05-16.md: meeting of 2019-05-16 (stored)")
    assert lines[1:3] == ["  Roll call (10):", "    Min / Simula / @minrk"]
    assert "  TODOs (2):" in lines
    assert "  Agenda (16): update 5, news 8, discuss 3" in lines


def test_a_bad_file_imports_nothing(workdir):
    good = str(FIXTURES / "2020-05-21.md")
    result = chatbot(workdir, "import", good, str(workdir / "missing.md"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {workdir / 'missing.md'}: no such file", "nothing imported",
    ]
    assert result.stdout == ""
    assert Store(workdir / "chatbot.db").counts()["todos"] == 0
