"""`minutes = "report" | "cafe" | "template.md.j2"`: the shape /meeting end archives."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.core.model import Scope
from chatbot.core.schedule import load_schedules
from chatbot.web.page import minutes_markdown_of
from tests.conftest import cli_env

ROOT = Path(__file__).resolve().parent.parent
# jupyterhub/team-compass, docs/meetings/collab-cafe/2024.md
CAFE_2024 = ROOT / "tests" / "data" / "collab-cafe-2024.md"
DECEMBER = dt.datetime(2024, 12, 17, 16, 5, tzinfo=dt.UTC)  # the third Tuesday, begun
CAFE = """\
name = "Collaboration Cafe"
timezone = "UTC"
start = "2024-01-16T16:00"
rrule = "FREQ=MONTHLY;BYDAY=3TU"
minutes = "{minutes}"

[channels]
console = "collab-cafe"
"""


def cafe_series(chat, minutes: str = "cafe") -> None:
    (chat.schedules_dir / "collab-cafe.toml").write_text(CAFE.format(minutes=minutes))


def run_december(chat) -> None:
    def say(text: str, user: str = "min") -> str:
        return chat.ok(text, user=user, channel="collab-cafe")

    chat.set_now(DECEMBER - dt.timedelta(days=2))
    say("/agenda add 10m Adopting JupyterHealth into JupyterHub")
    say("/agenda add thanks: Z2JH 4.1.0 is out!", user="erik")
    chat.set_now(DECEMBER)
    say("/meeting start")
    say("/attend Min / Simula / @minrk")
    say("/attend Erik / 2i2c / @consideRatio", user="erik")
    say("/agenda next")
    say("/link https://github.com/jupyterhealth")
    say("/note Proposal to bring it under Jupyter governance", user="erik")
    say("/meeting end")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_cafe_meeting_goes_on_top_of_the_years_file_and_nothing_else_changes(chat):
    cafe_series(chat)
    folder = chat.archive / "collab-cafe"
    folder.mkdir(parents=True)
    shutil.copy(CAFE_2024, folder / "2024.md")
    git = ["git", "-C", str(chat.archive)]
    subprocess.run(["git", "init", "-q", str(chat.archive)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
                    "-qm", "the team's file"], check=True)

    run_december(chat)

    # /meeting end committed it: the commit's diff.
    diff = subprocess.run([*git, "diff", "HEAD~1", "HEAD", "--unified=0"],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    changed = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(line.startswith("+") for line in changed)  # only added lines
    assert [line for line in diff if line.startswith("@@")] == ["@@ -2,0 +3,17 @@"]
    text = (folder / "2024.md").read_text().splitlines()
    assert text[:22] == [
        "# 2024 Collaboration Cafe Notes Archive",
        "",
        "## 2024-12-17",
        "",
        "### Check-in",
        "",
        "- Min / @minrk / Simula",
        "- Erik / @consideRatio / 2i2c",
        "",
        "### Celebrations and Shout-Outs",
        "",
        "- Z2JH 4.1.0 is out!",
        "",
        "### Agenda",
        "",
        "- **min (10m):** Adopting JupyterHealth into JupyterHub",
        "  - <https://github.com/jupyterhealth>",
        "  - Proposal to bring it under Jupyter governance",
        "",
        "## 2024-11-19",
        "",
        "### Check-in",
    ]


def test_the_icebreaker_question_and_answers_fill_the_cafe_section(chat):
    cafe_series(chat)

    def say(text: str, user: str = "min", ok: bool = True) -> str:
        return (chat.ok if ok else chat.error)(text, user=user, channel="collab-cafe")

    chat.set_now(DECEMBER)
    say("/meeting start")
    assert say("/icebreaker", user="erik") == (
        "No ice-breaker question yet: /icebreaker QUESTION (chairs), then /icebreaker "
        "ANSWER (anyone).")
    before = chat.snapshot()
    assert say("/icebreaker What are you reading?", user="erik", ok=False) == (
        "Only a chair can ask the ice-breaker question; the chairs are min.")
    assert chat.snapshot() == before
    assert say("/icebreaker What *tea* are you drinking?") == (
        "Entry 1: ice-breaker question “What *tea* are you drinking?”; answer with "
        "/icebreaker ANSWER.")
    assert say("/icebreaker Rooibos", user="erik") == "Entry 2: erik's ice-breaker answer."
    say("/icebreaker Coffee, sorry")
    say("/icebreaker oops", user="erik")
    assert say("/undo", user="erik") == "Removed entry 4, erik's answer “oops”."
    assert say("/icebreaker", user="erik") == (
        "Ice-breaker: “What *tea* are you drinking?” (2 answers); answer with "
        "/icebreaker ANSWER.")
    say("/meeting end")
    text = (chat.archive / "collab-cafe" / "2024.md").read_text()
    assert text.endswith("## 2024-12-17\n\n### Ice-breaker\n\n"
                         "What \\*tea\\* are you drinking?\n\n"
                         "- **erik:** Rooibos\n- **min:** Coffee, sorry\n")  # nothing else


def test_a_cafe_nobody_came_to_is_the_months_one_line_in_the_years_file(chat):
    cafe_series(chat)
    folder = chat.archive / "collab-cafe"
    folder.mkdir(parents=True)
    shutil.copy(CAFE_2024, folder / "2024.md")
    chat.set_now(DECEMBER)
    chat.ok("/meeting start", user="min", channel="collab-cafe")
    chat.ok("/meeting end", user="min", channel="collab-cafe")
    text = (folder / "2024.md").read_text()
    assert text == CAFE_2024.read_text().replace(
        "\n\n## 2024-11-19", "\n\n## 2024-12-17\n\nNo meeting due to lack of attendees.\n"
        "\n## 2024-11-19", 1)


def test_a_template_of_the_teams_own_gets_the_read_model(chat):
    cafe_series(chat, minutes="ours.md.j2")
    (chat.schedules_dir / "ours.md.j2").write_text(
        "# {{ meeting.series.name | md }} on {{ meeting.occurrence.key }}\n"
        "{% for item in meeting.agenda %}"
        "- {{ item.text | md }}{% for entry in item.filed %} / {{ entry.text | md }}"
        "{% endfor %}\n{% endfor %}"
    )
    run_december(chat)
    assert (chat.archive / "collab-cafe" / "2024-12-17.md").read_text() == (
        "# Collaboration Cafe on 2024-12-17\n"
        "- Adopting JupyterHealth into JupyterHub / https://github.com/jupyterhealth"
        " / Proposal to bring it under Jupyter governance\n"
        "- Z2JH 4.1.0 is out!\n"
    )


def test_the_minutes_key_says_what_to_write_instead(tmp_path):
    (tmp_path / "cafe.toml").write_text(CAFE.format(minutes="caffe"))
    (tmp_path / "ours.toml").write_text(CAFE.format(minutes="missing.j2"))
    _, problems = load_schedules(tmp_path)
    messages = sorted(f"{p.path.name}: {p.field}: {p.message}" for p in problems)
    assert messages == [
        "cafe.toml: minutes: 'caffe' is neither \"report\", \"cafe\" nor the path of a Jinja2 "
        "template (ending in .j2), like minutes = \"cafe\"",
        f"ours.toml: minutes: no template at {tmp_path.resolve() / 'missing.j2'}",
    ]


def test_chatbot_minutes_prints_a_cafe_meeting_as_its_section_of_the_years_file(chat):
    cafe_series(chat)
    run_december(chat)
    chat.store.db.conn.close()
    printed = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "minutes", "--channel", "collab-cafe",
         "--date", "2024-12-17", "--now", "2024-12-18T12:00Z"],
        capture_output=True, text=True, env=cli_env(chat.db_path.parent), check=True).stdout
    archived = (chat.archive / "collab-cafe" / "2024.md").read_text()
    assert printed.startswith("## 2024-12-17\n\n### Check-in\n\n- Min / @minrk / Simula\n")
    assert "\n" + printed in archived  # the section as the archive holds it, not a report
    assert "Attendees" not in printed


def test_the_page_of_a_cafe_meeting_shows_its_own_section_of_the_years_file(chat):
    cafe_series(chat)
    folder = chat.archive / "collab-cafe"
    folder.mkdir(parents=True)
    shutil.copy(CAFE_2024, folder / "2024.md")
    run_december(chat)
    series = chat.bot.schedules.get("collab-cafe")
    scope = Scope("console", "console", "collab-cafe")
    shown = minutes_markdown_of(chat.bot, series, scope, DECEMBER.date(), DECEMBER)
    assert shown.startswith("## 2024-12-17\n\n### Check-in\n")
    assert "## 2024-11-19" not in shown and "Notes Archive" not in shown
