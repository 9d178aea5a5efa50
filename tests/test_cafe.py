"""The Collaboration Café yearly archive: a meeting's section in the team's shape, and
the year's file changed only by the lines it adds (tested on the real 2024 file)."""

import datetime
import subprocess
from pathlib import Path

import pytest

from chatbot.core.cafe import (
    Answer,
    CafeMeeting,
    CheckIn,
    Note,
    Topic,
    add_section,
    live_agenda,
    render_section,
    yearly_path,
)

FIXTURES = Path(__file__).parent / "fixtures"
REAL_2024 = (FIXTURES / "yearly" / "collab-cafe-2024.md").read_text(encoding="utf-8")
SERIES = "Collaboration Cafe"

DECEMBER = CafeMeeting(
    date=datetime.date(2024, 12, 17),
    check_in=(
        CheckIn("Min", "@minrk", "Simula"),
        CheckIn("Samuel", "sgaist", "Idiap Research Institute", pronouns="he/him",
                place="Martigny"),
        CheckIn("Sarah Gibson", organisation="2i2c"),
    ),
    icebreaker="What are you looking forward to in 2025?",
    answers=(Answer("Min", "JupyterHub 5.3"), Answer("Sarah", "a holiday")),
    celebrations=("Z2JH 4.0.0 is out!",),
    agenda=(
        Topic("JupyterHub images", who="Min", timebox=10, notes=(
            Note("https://github.com/jupyterhub/jupyterhub/issues/4954", kind="link",
                 url="https://github.com/jupyterhub/jupyterhub/issues/4954"),
            Note("build on quay.io"),
            Note("the discussion", kind="link",
                 url="https://discourse.jupyter.org/t/images_(arm)"),
            Note("draft the announcement", kind="todo", owners=("Min", "Erik")),
            Note("publish arm64 images too", kind="decision"),
        )),
        Topic("Integrating jhsingle-native-proxy", who="Simon"),
        Topic("Open floor"),
    ),
)

DECEMBER_SECTION = """\
## 2024-12-17

### Check-in

- Min / @minrk / Simula
- Samuel (he\\/him) / @sgaist / Idiap Research Institute / Martigny
- Sarah Gibson / 2i2c

### Ice-breaker

What are you looking forward to in 2025?

- **Min:** JupyterHub 5.3
- **Sarah:** a holiday

### Celebrations and Shout-Outs

- Z2JH 4.0.0 is out!

### Agenda

- **Min (10m):** JupyterHub images
  - <https://github.com/jupyterhub/jupyterhub/issues/4954>
  - build on quay.io
  - [the discussion](https://discourse.jupyter.org/t/images_%28arm%29)
  - TODO: draft the announcement (Min, Erik)
  - Decision: publish arm64 images too
- **Simon:** Integrating jhsingle-native-proxy
- Open floor
"""


def test_a_meeting_section_has_the_cafe_shape():
    assert render_section(DECEMBER) == DECEMBER_SECTION


def test_a_skipped_meeting_is_one_line():
    skipped = CafeMeeting(datetime.date(2024, 10, 15), held=False, check_in=DECEMBER.check_in)
    assert render_section(skipped) == "## 2024-10-15\n\nNo meeting due to lack of attendees.\n"


def test_the_yearly_file_lives_under_the_series_folder():
    path = yearly_path(Path("docs/meetings"), "collab-cafe", DECEMBER.date)
    assert path == Path("docs/meetings/collab-cafe/2024.md")


def git_diff_numstat(tmp_path: Path, before: str, after: str) -> str:
    (tmp_path / "before.md").write_text(before, encoding="utf-8", newline="")
    (tmp_path / "after.md").write_text(after, encoding="utf-8", newline="")
    result = subprocess.run(
        ["git", "diff", "--no-index", "--numstat", "before.md", "after.md"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    return result.stdout.split("\t")[:2]


def test_the_newest_meeting_goes_on_top_and_every_other_byte_stays(tmp_path):
    after = add_section(REAL_2024, DECEMBER, SERIES)
    title = "# 2024 Collaboration Cafe Notes Archive\n\n"
    assert after == title + DECEMBER_SECTION + "\n" + REAL_2024.removeprefix(title)
    added = DECEMBER_SECTION.count("\n") + 1
    assert git_diff_numstat(tmp_path, REAL_2024, after) == [str(added), "0"]


def test_archiving_again_replaces_the_section_of_the_same_date(tmp_path):
    once = add_section(REAL_2024, DECEMBER, SERIES)
    assert add_section(once, DECEMBER, SERIES) == once
    fewer = CafeMeeting(DECEMBER.date, check_in=DECEMBER.check_in[:1])
    replaced = add_section(once, fewer, SERIES)
    top = replaced.split("## 2024-11-19")[0]
    assert "Samuel (he" not in top and "JupyterHub images" not in top
    assert replaced == add_section(REAL_2024, fewer, SERIES)


def test_replacing_a_real_section_takes_its_own_h2_parts_with_it():
    """2024-11-19 has its own `## Agenda`: it belongs to that meeting, not a new one."""
    skipped = CafeMeeting(datetime.date(2024, 11, 19), held=False)
    after = add_section(REAL_2024, skipped, SERIES)
    top, rest = after.split("## 2024-10-15", 1)
    assert top == (
        "# 2024 Collaboration Cafe Notes Archive\n\n"
        "## 2024-11-19\n\nNo meeting due to lack of attendees.\n\n"
    )
    assert rest == REAL_2024.split("## 2024-10-15", 1)[1]


def test_a_late_archived_meeting_goes_in_date_order(tmp_path):
    october = CafeMeeting(datetime.date(2024, 10, 1), held=False)
    after = add_section(REAL_2024, october, SERIES)
    headings = [line for line in after.splitlines() if line.startswith("## 20")]
    assert headings[:4] == ["## 2024-11-19", "## 2024-10-15", "## 2024-10-01", "## 2024-09-17"]
    assert git_diff_numstat(tmp_path, REAL_2024, after) == ["4", "0"]


def test_a_missing_year_file_is_created_with_a_title():
    january = CafeMeeting(datetime.date(2025, 1, 21), held=False)
    expected = (
        "# 2025 Collaboration Cafe Notes Archive\n\n"
        "## 2025-01-21\n\nNo meeting due to lack of attendees.\n"
    )
    assert add_section(None, january, SERIES) == expected
    assert add_section("", january, SERIES) == expected
    february = CafeMeeting(datetime.date(2025, 2, 18), held=False)
    assert add_section(expected, february, SERIES) == (
        "# 2025 Collaboration Cafe Notes Archive\n\n"
        "## 2025-02-18\n\nNo meeting due to lack of attendees.\n\n"
        "## 2025-01-21\n\nNo meeting due to lack of attendees.\n"
    )


def test_a_heading_in_a_code_block_is_not_a_meeting():
    document = "# Notes\n\n```\n## 2024-01-01\n```\n"
    after = add_section(document, CafeMeeting(datetime.date(2024, 2, 1), held=False), SERIES)
    assert after == document + "\n## 2024-02-01\n\nNo meeting due to lack of attendees.\n"


def test_a_file_with_windows_line_endings_keeps_them():
    document = REAL_2024.replace("\n", "\r\n")
    after = add_section(document, DECEMBER, SERIES)
    assert after.replace("\r\n", "\n") == add_section(REAL_2024, DECEMBER, SERIES)
    assert "\n" not in after.replace("\r\n", "")


@pytest.mark.parametrize("hostile", [
    "## 2024-01-01", "- [x] done", "TODO: fake (Mallory)", "**bold**:", "<script>x</script>",
    "[link](javascript:alert(1))", "line one\n## 2023-01-01", "1. numbered", "a / b / @c",
])
def test_everything_people_typed_is_escaped(hostile):
    meeting = CafeMeeting(
        datetime.date(2024, 12, 17),
        check_in=(CheckIn(hostile, hostile, hostile, hostile, hostile),),
        icebreaker=hostile, answers=(Answer(hostile, hostile),), celebrations=(hostile,),
        agenda=(Topic(hostile, who=hostile, notes=(
            Note(hostile), Note(hostile, kind="link", url=hostile),
            Note(hostile, kind="todo", owners=(hostile,)), Note(hostile, kind="decision"),
        )),),
    )
    section = render_section(meeting)
    after = add_section(REAL_2024, meeting, SERIES)
    # One dated heading added, no other heading, link, HTML, or TODO line from the text.
    assert [line for line in section.splitlines() if line.startswith("## ")] == ["## 2024-12-17"]
    assert "](javascript" not in section and "<script>" not in section
    assert section.count("TODO:") == 1  # the TODO note's own prefix
    assert after.count("\n## 20") == REAL_2024.count("\n## 20") + 1
    check_in = section.splitlines()[4]
    assert check_in.count(" / ") == 3  # name (pronouns), handle, organisation, place


def test_a_live_meeting_s_entries_land_under_their_items_in_the_section():
    """The March 2018 meeting run item by item, archived in the Café shape."""
    from chatbot.core.live_actions import close_vote, record, take_item, take_next, undo, vote
    from chatbot.core.live_meeting import Item, LiveMeeting

    names = {"U1": "Carol", "U2": "Min", "U3": "Tim", "U4": "Erik"}
    start = datetime.datetime(2018, 3, 21, 17, 0, tzinfo=datetime.UTC)
    m = LiveMeeting(
        (Item("1", "discuss", "Open PRs", "U1"),
         Item("2", "discuss", "z2jh - support for k8 deployments", "U2", timebox=10),
         Item("3", "decision", "BinderHub release schedule for 0.1?", "U1")),
        starter="U1", names=names,
    )
    steps = [
        lambda m: take_item(m, "U1", 2, start),
        lambda m: record(m, "U4", "note", "LoadBalancer and PersistentVolume differ", start),
        lambda m: record(m, "U4", "note", "stray", start),
        lambda m: undo(m, "U4", start),
        lambda m: record(m, "U4", "todo", "reach out to CERN about z2jh", start, owners=("U3",)),
        lambda m: record(m, "U3", "link", "https://github.com/kubernetes-incubator/kubespray "
                         "kubespray", start),
        lambda m: take_next(m, "U1", start),
        lambda m: vote(m, "U1", "Cut 0.1 with the next JupyterHub?", start),
        lambda m: vote(m, "U3", "-1", start),
        lambda m: vote(m, "U3", "+1", start),
        lambda m: vote(m, "U2", "+1", start),
        lambda m: close_vote(m, "U1", start),
        lambda m: record(m, "U1", "decision", "Cut 0.1 around JupyterHub 0.9", start),
    ]
    for step in steps:
        m = step(m).meeting
    section = render_section(CafeMeeting(datetime.date(2018, 3, 21), agenda=live_agenda(m)))
    assert section.split("### Agenda\n\n")[1] == """\
- **Carol:** Open PRs
  - carried over
- **Min (10m):** z2jh - support for k8 deployments
  - LoadBalancer and PersistentVolume differ
  - TODO: reach out to CERN about z2jh (Tim)
  - [kubespray](https://github.com/kubernetes-incubator/kubespray)
- **Carol:** BinderHub release schedule for 0.1?
  - Vote: Cut 0.1 with the next JupyterHub?: +1: 2 \\(Tim, Min\\), 0: 0, -1: 0
  - Decision: Cut 0.1 around JupyterHub 0.9
"""
