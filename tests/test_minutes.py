import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.core.minutes import (
    MinutesInput,
    TodoEntry,
    collapse_whitespace,
    escape_markdown,
    render_minutes,
)
from chatbot.core.model import Attendance
from chatbot.core.notes_import import parse_notes, split_owners, unescape_markdown
from chatbot.core.view import AgendaEntry
from chatbot.web.minutes_html import minutes_html

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime.datetime(2018, 3, 21, 18, 0, tzinfo=BERLIN)
SPECIAL = set("\\`*_[]()<>#|~$")

HOSTILE = [
    "# Heading",
    "## TODOs",
    "- list item",
    "+ plus item",
    "* star item",
    "1. ordered",
    "2) ordered",
    "> quote",
    "```python\nimport os\n```",
    "`code`",
    "[link](https://evil.example)",
    "![image](https://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a | b | c",
    "line one\nline two\r\n## Injected heading",
    "split\u2028line\u0085here",
    "nul\x00byte\x1b[31m",
    "    indented code",
    "---",
    "===",
    "~~strike~~ and $x^2$",
    "**bold** _em_ __strong__",
    "trailing backslash \\",
    "TODO: fake action (Mallory)",
    "- [ ] TODO #9: fake (Mallory)",
    "[^1]: footnote",
    "name / affiliation / @github",
    "&lt;b&gt; entity",
]


def item(section: str, text: str, author: str = "", done: bool = True) -> AgendaEntry:
    return AgendaEntry(0, section, text, author, done)


def person(name: str, affiliation: str = "", github: str = "") -> Attendance:
    return Attendance(name.lower(), name, affiliation, github)


def meeting(**changes) -> MinutesInput:
    base = dict(
        series_name="JupyterHub and BinderHub Team Meeting",
        start=START,
        member_zones=("Europe/Berlin", "America/Los_Angeles", "Australia/Sydney"),
        video="https://calpoly.zoom.us/my/jupyter",
        attendees=(
            person("Tim", "Wild Tree Tech", "betatim"),
            person("Jessica", "", "@jzf2101"),
            person("Carol"),
        ),
        regrets=(person("Min", "Simula", "minrk"),),
        agenda=(
            item("discuss", "Release pulses", author="Erik"),
            item("discuss", "Black for repo2docker", done=False),
            item("decision", "BinderHub 0.1 release schedule", done=False),
            item("update", "repo2docker 0.7.0 is out"),
            item("news", "Four JupyterCon submissions"),
            item("thanks", "Thanks to Kirstie for issue templates"),
        ),
        decisions=("Cut a 0.1 release with JupyterHub 0.9",),
        todos=(
            TodoEntry(1, "reach out to CERN", ("Tim",), is_new=False),
            TodoEntry(4, "create a team-compass issue", ("Tim",), is_new=True),
            TodoEntry(2, "write blog post", ("Jessica", "Chris H"), is_new=True),
            TodoEntry(3, "add a license", (), is_new=True),
            TodoEntry(5, "archive the notes", ("Tim",), is_new=False, done=True),
        ),
    )
    base.update(changes)
    return MinutesInput(**base)


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def assert_escaped(text: str) -> None:
    """Every markdown special character is preceded by a backslash."""
    index = 0
    while index < len(text):
        if text[index] == "\\":
            assert index + 1 < len(text), f"dangling backslash in {text!r}"
            index += 2
            continue
        assert text[index] not in SPECIAL, f"{text[index]!r} unescaped in {text!r}"
        index += 1


# --------------------------------------------------------------------------
# escape_markdown


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_is_one_safe_line(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert escaped == escaped.strip()
    assert_escaped(escaped)
    assert not escaped.startswith(("-", "+", "=", ">", "#", "*", "`", "<", "|", "    "))
    assert not re.match(r"\d+[.)]", escaped)


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_is_reversible(text):
    assert unescape_markdown(escape_markdown(text)) == collapse_whitespace(text)


def test_escape_examples():
    assert escape_markdown("# Heading") == r"\# Heading"
    assert escape_markdown("- item") == r"\- item"
    assert escape_markdown("1. first") == r"1\. first"
    assert escape_markdown("<b>x</b>") == r"\<b\>x\</b\>"
    assert escape_markdown("[a](b)") == r"\[a\]\(b\)"
    assert escape_markdown("a\n\n# b") == r"a \# b"
    assert escape_markdown("TODO: x") == r"TODO\: x"
    assert escape_markdown("Thanks everyone! R&D, 50% - ok") == "Thanks everyone! R&D, 50% - ok"
    assert escape_markdown("") == ""


def test_collapse_whitespace():
    assert collapse_whitespace(" a\t b\n\nc\u2028d\x00e ") == "a b c d e"


# --------------------------------------------------------------------------
# The document


def test_header():
    text = render_minutes(meeting(notes_url="https://hackmd.io/abc", previous_notes="2018-02.md"))
    lines = lines_of(text)
    assert lines[:3] == ["---", "title: March 2018", "---"]
    assert "# JupyterHub and BinderHub Team Meeting - March 2018" in lines
    assert "- **Date:** Wednesday 21 March 2018, 18:00 CET (17:00 UTC)" in lines
    assert "- **Video conference link:** <https://calpoly.zoom.us/my/jupyter>" in lines
    assert "- **Meeting notes:** <https://hackmd.io/abc>" in lines
    assert "- **Previous meeting's notes:** [2018-02.md](2018-02.md)" in lines


def test_member_zones_sorted_by_offset_with_weekday_when_different():
    zones = ("Australia/Sydney", "Asia/Dubai", "Europe/Berlin", "America/Los_Angeles",
             "Asia/Kolkata", "Europe/Berlin")
    lines = lines_of(render_minutes(meeting(member_zones=zones)))
    start = lines.index("- **Time in members' zones:**")
    assert lines[start + 1:start + 6] == [
        "  - 10:00 PDT (America/Los\\_Angeles)",
        "  - 18:00 CET (Europe/Berlin)",
        "  - 21:00 UTC+04 (Asia/Dubai)",
        "  - 22:30 IST (Asia/Kolkata)",
        "  - Thursday 04:00 AEDT (Australia/Sydney)",
    ]
    assert lines[start + 6] == "- **Video conference link:** <https://calpoly.zoom.us/my/jupyter>"


def test_weekday_shown_for_previous_day_and_utc_start():
    start = datetime.datetime(2021, 3, 18, 5, 0, tzinfo=ZoneInfo("UTC"))
    lines = lines_of(render_minutes(meeting(start=start, member_zones=("America/Los_Angeles",))))
    assert "- **Date:** Thursday 18 March 2021, 05:00 UTC" in lines
    assert "  - Wednesday 22:00 PDT (America/Los\\_Angeles)" in lines


def test_no_zone_list_video_or_previous_link_when_empty():
    text = render_minutes(meeting(member_zones=(), video=""))
    assert "members' zones" not in text
    assert "Video" not in text and "Previous" not in text


PERMALINK = ("https://team.slack.com/archives/C0MEETING/p1521655200000100"
             "?thread_ts=1521655200.000100&cid=C0MEETING")


def test_an_address_in_an_item_or_todo_links_to_itself_and_reads_back() -> None:
    # What the Slack shortcuts record: the message's text, then its permalink.
    said = f"Kubeflow demo ({PERMALINK})"
    todo = TodoEntry(4, said, ("Bob",), is_new=True)
    text = render_minutes(meeting(agenda=(item("discuss", said, "Bob"),), todos=(todo,)))
    assert f"- **Bob:** Kubeflow demo \\(<{PERMALINK}>\\) _(discussed)_" in text
    assert f"- [ ] TODO #4: Kubeflow demo \\(<{PERMALINK}>\\) (Bob)" in text
    page = str(minutes_html(text, lambda _target: None))
    assert page.count(f'href="{PERMALINK.replace("&", "&amp;")}"') == 2
    [read] = parse_notes(text).agenda
    assert read.text == f"**Bob:** {said}"


def test_odd_links_are_escaped():
    text = render_minutes(meeting(
        video="zoom <id> 123", previous_notes="../2018/Feb notes (draft).md"
    ))
    assert r"- **Video conference link:** zoom \<id\> 123" in text
    assert (
        r"[../2018/Feb notes \(draft\).md](../2018/Feb%20notes%20%28draft%29.md)" in text
    )


def test_roll_call_and_regrets():
    lines = lines_of(render_minutes(meeting()))
    start = lines.index("## Roll call")
    assert lines[start:start + 9] == [
        "## Roll call",
        "",
        "- Tim / Wild Tree Tech / @betatim",
        "- Jessica / @jzf2101",
        "- Carol",
        "",
        "Regrets:",
        "",
        "- Min / Simula / @minrk",
    ]


def test_empty_roll_call():
    text = render_minutes(meeting(attendees=(), regrets=()))
    assert "## Roll call\n\nNo one signed in.\n" in text
    assert "Regrets" not in text
    assert parse_notes(text).attendees == ()


def test_sections_in_order_with_status_marks():
    text = render_minutes(meeting())
    headings = [line for line in lines_of(text) if line.startswith("#")]
    assert headings == [
        "# JupyterHub and BinderHub Team Meeting - March 2018",
        "## Roll call",
        "## Help or discussion needed",
        "## Decisions needed",
        "## Quick updates",
        "## Decisions",
        "## TODOs",
        "### Jessica, Chris H",
        "### Tim",
        "### Unassigned",
        "## News and reports",
        "## Thanks and celebrations",
    ]
    assert "- **Erik:** Release pulses _(discussed)_" in text
    assert "- Black for repo2docker _(carried over)_" in text
    assert "- BinderHub 0.1 release schedule _(carried over)_" in text
    # Before the meeting ends, what is not done yet is still open.
    assert "- BinderHub 0.1 release schedule _(open)_" in render_minutes(meeting(ended=False))
    assert "## Decisions\n\n- Cut a 0.1 release with JupyterHub 0.9\n" in text


def test_empty_sections_are_left_out():
    text = render_minutes(meeting(agenda=(), decisions=(), todos=()))
    assert "## Decisions" not in text and "## TODOs" not in text
    assert "Help or discussion" not in text and "Thanks and" not in text


def test_todos_grouped_by_owner_new_and_still_open():
    text = render_minutes(meeting())
    assert (
        "### Tim\n\n"
        "New:\n\n"
        "- [ ] TODO #4: create a team-compass issue (Tim)\n\n"
        "Still open from earlier meetings:\n\n"
        "- [ ] TODO #1: reach out to CERN (Tim)\n\n"
        "Done since the last meeting:\n\n"
        "- [x] TODO #5: archive the notes (Tim)\n"
    ) in text
    assert (
        "### Jessica, Chris H\n\nNew:\n\n- [ ] TODO #2: write blog post (Jessica, Chris H)\n"
    ) in text
    assert "### Unassigned\n\nNew:\n\n- [ ] TODO #3: add a license\n" in text


def test_github_handle_heading():
    todos = (TodoEntry(1, "review PR", ("@betatim",), is_new=True),)
    assert "### @betatim\n" in render_minutes(meeting(todos=todos))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"start": datetime.datetime(2018, 3, 21, 18)}, "timezone-aware"),
        ({"member_zones": ("Mars/Olympus_Mons",)}, "unknown time zone"),
        ({"member_zones": ("../etc/passwd",)}, "unknown time zone"),
        ({"agenda": (item("misc", "x"),)}, "unknown agenda section"),
    ],
)
def test_invalid_input(changes, message):
    with pytest.raises(ValueError, match=message):
        render_minutes(meeting(**changes))


def test_render_is_pure_and_deterministic():
    value = meeting()
    assert render_minutes(value) == render_minutes(value)
    assert render_minutes(value).endswith("\n") and not render_minutes(value).endswith("\n\n")


# --------------------------------------------------------------------------
# Hostile text cannot break the structure


def hostile_meeting() -> MinutesInput:
    return meeting(
        series_name="## Evil\n# series",
        video="javascript:alert(1)",
        notes_url="https://ok.example/a b",
        previous_notes="<script>.md",
        attendees=tuple(
            person(text, HOSTILE[-1 - i], HOSTILE[i]) for i, text in enumerate(HOSTILE)
        ) + (person("@name", "@home"), person("Ev/il | x", "a / b", "@@tim")),
        regrets=tuple(person(text) for text in HOSTILE),
        agenda=tuple(
            item(section, text, author=text)
            for section in ("discuss", "decision", "update", "news", "thanks")
            for text in HOSTILE
        ),
        decisions=tuple(HOSTILE),
        todos=tuple(
            TodoEntry(i, text, (HOSTILE[-1 - i],), is_new=i % 2 == 0)
            for i, text in enumerate(HOSTILE)
        )
        + (
            TodoEntry(99, "", (), is_new=True),
            TodoEntry(100, "x", ("tim", "(Tim)"), is_new=False),
        ),
    )


def test_hostile_text_keeps_the_structure():
    text = render_minutes(hostile_meeting())
    plain = render_minutes(meeting())
    allowed_starts = ("- ", "  - ", "### ", "---", "title: ")
    labels = {
        "", "Regrets:", "New:", "Still open from earlier meetings:",
        "Done since the last meeting:", "No one signed in.",
    }
    for line in lines_of(text):
        assert line.startswith(allowed_starts) or line in labels or line.startswith(
            ("# ", "## ")
        ), line
    headings = [line for line in lines_of(text) if line.startswith("## ")]
    assert headings == [line for line in lines_of(plain) if line.startswith("## ")]
    assert lines_of(text)[4] == r"# \#\# Evil \# series - March 2018"
    assert lines_of(text).count("---") == 2
    for hostile in HOSTILE:
        assert escape_markdown(hostile) in text
    # No raw HTML; the only autolinks are http(s) addresses people wrote, whole.
    assert re.search(r"(?<!\\)<(?!https?://[^\s<>]*>)", text) is None
    assert r"\[link\]\(<https://evil.example>\)" in text
    assert "- **Video conference link:** javascript:alert\\(1\\)" in text
    assert "- **Meeting notes:** https://ok.example/a b" in text


def test_hostile_round_trip_attendees_and_todos():
    value = hostile_meeting()
    notes = parse_notes(render_minutes(value))
    expected_people = [
        (
            collapse_whitespace(a.name),
            collapse_whitespace(a.affiliation),
            collapse_whitespace(a.github).lstrip("@"),
        )
        for a in value.attendees
    ]
    assert [(a.name, a.affiliation, a.github) for a in notes.attendees] == expected_people
    open_todos = sorted(
        (
            collapse_whitespace(t.text) or "(no description)",
            ", ".join(map(collapse_whitespace, t.owners)) or None,
        )
        for t in value.todos
        if not t.done
    )
    found = sorted((t.text, t.owner) for t in notes.todos)
    assert found == open_todos
    assert [item.section for item in notes.agenda].count("discuss") == len(HOSTILE)


# --------------------------------------------------------------------------
# Round trips


def test_round_trip_of_synthetic_meeting():
    value = meeting()
    notes = parse_notes(render_minutes(value))
    assert notes.date == datetime.date(2018, 3, 21)
    assert notes.title == "March 2018"
    assert [(a.name, a.affiliation, a.github) for a in notes.attendees] == [
        ("Tim", "Wild Tree Tech", "betatim"), ("Jessica", "", "jzf2101"), ("Carol", "", "")
    ]
    assert sorted((t.text, split_owners(t.owner)) for t in notes.todos) == sorted(
        (t.text, t.owners) for t in value.todos if not t.done
    )
    assert sorted((i.section, i.text) for i in notes.agenda) == sorted(
        (e.section, f"**{e.author}:** {e.text}" if e.author else e.text) for e in value.agenda
    )


def minutes_from(notes) -> MinutesInput:
    day = notes.date or datetime.date(2021, 1, 14)
    return MinutesInput(
        series_name=notes.title or "Team meeting",
        start=datetime.datetime.combine(day, datetime.time(17), tzinfo=ZoneInfo("UTC")),
        member_zones=("Europe/Berlin", "America/Los_Angeles"),
        attendees=tuple(person(a.name, a.affiliation, a.github) for a in notes.attendees),
        agenda=tuple(item(entry.section, entry.text) for entry in notes.agenda),
        todos=tuple(
            TodoEntry(number, todo.text, split_owners(todo.owner), is_new=number % 2 == 0)
            for number, todo in enumerate(notes.todos, start=1)
        ),
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.md")), ids=lambda p: p.name)
def test_round_trip_of_fixture(path):
    original = parse_notes(path.read_text(encoding="utf-8"), filename=path.name)
    again = parse_notes(render_minutes(minutes_from(original)))
    assert again.attendees == original.attendees
    assert sorted(again.todos, key=repr) == sorted(original.todos, key=repr)
    # (minutes_from files nothing under the items: test_import checks their notes)
    assert sorted((i.section, i.text) for i in again.agenda) == sorted(
        (i.section, i.text) for i in original.agenda)
    if original.date:
        assert again.date == original.date
