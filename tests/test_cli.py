"""The `chatbot` command line in subprocesses, as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env

ROOT = Path(__file__).resolve().parent.parent
NOW = "2018-03-20T12:00Z"


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(
        ROOT / "schedules", tmp_path / "schedules", ignore=shutil.ignore_patterns("*.md")
    )
    return tmp_path


def chatbot(workdir: Path, *args: str, stdin: str | None = None,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = cli_env(workdir, **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        cwd=workdir,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def say(workdir: Path, text: str, user: str, tz: str = "UTC") -> subprocess.CompletedProcess:
    return chatbot(workdir, "--now", NOW, "say", "--user", user, "--tz", tz, text)


def test_seed_flow_through_say(workdir):
    assert say(workdir, "/agenda add Kubeflow presentation", "jessica").returncode == 0
    assert say(workdir, "/attend Tim / Wild Tree Tech / @betatim", "betatim").returncode == 0
    todo = say(
        workdir, "/todo add @betatim reach out to CERN about how installing z2jh went", "jessica"
    )
    assert todo.returncode == 0, todo.stdout + todo.stderr
    mine = say(workdir, "/todos mine", "betatim")
    assert "reach out to CERN about how installing z2jh went" in mine.stdout
    meeting = say(workdir, "/meeting", "carol", tz="America/Los_Angeles")
    assert "Wednesday 21 March, 10:00 PDT" in meeting.stdout
    assert "Wednesday 21 March, 17:00 UTC" in meeting.stdout
    roll = say(workdir, "/attendance", "jessica")
    assert "Tim / Wild Tree Tech / @betatim" in roll.stdout


def test_say_exits_1_on_error(workdir):
    result = say(workdir, "/tz Atlantis", "tim")
    assert result.returncode == 1
    assert "Unknown timezone 'Atlantis'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_console_session(workdir):
    typed = "/agenda add Kubeflow presentation\n/as betatim\n/todos mine\n/agenda\n"
    result = chatbot(workdir, "--now", NOW, "run", "--user", "jessica", "--tz", "UTC", stdin=typed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you are jessica in #binder-team" in out
    assert "You are now betatim." in out
    assert "1. Kubeflow presentation (jessica)" in out
    assert out.rstrip().endswith("bye")


def test_schedules_list_json(workdir):
    result = chatbot(
        workdir,
        "--now",
        NOW,
        "schedules",
        "list",
        "--count",
        "3",
        "--tz",
        "America/Los_Angeles",
        "--json",
    )
    rows = json.loads(result.stdout)
    assert [r["start_utc"] for r in rows] == [
        "2018-03-21T17:00:00Z",
        "2018-04-18T16:00:00Z",
        "2018-05-16T16:00:00Z",
    ]
    assert rows[0]["start_local"] == "2018-03-21T10:00-07:00"
    assert rows[0]["meeting"] == "binder-team"


def test_global_options_after_subcommand(workdir):
    result = chatbot(workdir, "schedules", "list", "--now", NOW, "--count", "1", "--json")
    assert json.loads(result.stdout)[0]["start_local"] == "2018-03-21T18:00+01:00"


def test_run_serves_pages_and_meeting_link_shows_the_address(workdir):
    result = chatbot(workdir, "--now", NOW, "run", "--user", "jessica", "--tz", "UTC",
                     stdin="/meeting link\n/meeting\n")
    assert result.returncode == 0, result.stderr
    served = re.search(r"meeting pages served at (http://127\.0\.0\.1:\d+)", result.stderr)
    assert served, result.stderr
    link = re.search(re.escape(served.group(1)) + r"/m/[A-Za-z0-9_-]{24}", result.stdout)
    assert link, result.stdout
    assert f"See it in your time: {link.group(0)}" in result.stdout


def test_run_stops_when_the_web_port_is_taken(workdir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = chatbot(workdir, "run", "--web-port", port, stdin="")
    assert result.returncode == 2
    assert f"cannot serve the meeting pages on 127.0.0.1:{port}" in result.stderr
    assert "--no-web" in result.stderr


def test_public_url_makes_the_links(workdir):
    def say_with(url: str, text: str) -> subprocess.CompletedProcess:
        return chatbot(workdir, "--now", NOW, "say", "--user", "jessica", text,
                       extra_env={"CHATBOT_PUBLIC_URL": url})

    link = say_with("https://meet.example.org/", "/meeting link")
    assert re.search(r"^  https://meet\.example\.org/m/[A-Za-z0-9_-]{24}$", link.stdout, re.M)
    wrong = say_with("meet.example.org", "/meeting")
    assert wrong.returncode == 2
    assert "CHATBOT_PUBLIC_URL 'meet.example.org' must start with https://" in wrong.stderr
