import datetime
from pathlib import Path

import pytest

from chatbot.core.notes_import import (
    ImportedAgendaItem,
    ImportedAttendee,
    ImportedTodo,
    parse_date,
    parse_notes,
    section_key,
    split_owners,
    unescape_markdown,
)

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str):
    return parse_notes((FIXTURES / name).read_text(encoding="utf-8"), filename=name)


# Every attendee and TODO below was listed by hand from the fixture files.
EXPECTED = {
    "binder-team-meeting-2018-03.md": {
        "date": datetime.date(2018, 3, 21),
        "title": "March 2018",
        "attendees": [
            ("Tim", "Wild Tree Tech", "betatim"),
            ("Carol", "Project Jupyter (Cal Poly)", "willingc"),
            ("Min", "Simula", "minrk"),
            ("Jessica", "Jupyter", "jzf2101"),
            ("Erik", "IT-Gymnasiet Uppsala", "consideRatio"),
            ("Chris H", "UC Berkeley", "choldgraf"),
        ],
        "todos": [
            (
                "create issue to discuss which parts of the jhub deployment depend on "
                "which components of kubernetes - create documentation on this.",
                None,
            ),
            (
                "reach out to the Orsay people about what they've done to set this up "
                "and what problems they found",
                None,
            ),
            ("reach out to CERN about how installing z2jh went", "Tim"),
            ("Jessica will follow up", "Jessica"),
        ],
    },
    "2018-12-20.md": {
        "date": datetime.date(2018, 12, 20),
        "title": "JupyterHub and BinderHub Team Meeting - December",
        "attendees": [
            ("Tim", "Wild Tree Tech", "betatim"),
            ("Min", "Simula", "minrk"),
            ("Erik", "Sandvik CODE", "consideRatio"),
            ("Zach", "Cal Poly", "Zsailer"),
            ("Carol", "Project Jupyter", "willingc"),
            ("James", "UW-Madison", "jrbourbeau"),
            ("Joe", "NCAR", "jhamman"),
            ("Brian", "Cal Poly", "ellisonbg"),
            ("Kacper", "Whole Tale", "xarthisius"),
            ("Yuvi", "Berkeley?", "yuvipanda"),
            ("Lindsey", "Berkeley", "lheagy"),
            ("Craig", "Whole Tale", "craig-willis"),
            ("Jessica", "", "jzf2101"),
            ("Murali", "Capital One", ""),
            ("Chris H", "BIDS", "choldgraf"),
        ],
        "todos": [
            (
                "Open an issue to discuss providing either 1. instructions in the issue "
                "template for what kinds of issues should go here, 2. a bot that jumps "
                "in on new issues and posts a friendly message about what kinds of "
                "issues are appropriate.",
                None,
            ),
            (
                "Find a use-case to motivate extensibility on repo2docker and put "
                "together a prototype to test out different approaches.",
                None,
            ),
            (
                "let's find some use-cases that we can use to get a good idea what are "
                "requirements and trade-offs",
                None,
            ),
            (
                "Write up the current design / structure of the proxying that we use "
                "for RStudio support. Maybe a little blog post + feed that into the "
                "docs afterward.",
                None,
            ),
            (
                "create team-compass issue to talk about this and have a more organised "
                "discussion at the next team meeting",
                None,
            ),
            ("We should invite them to this meeting!", None),
            (
                "we should help them speak at (non-jupyter-specific) conferences about "
                "their work",
                None,
            ),
            (
                "create a use-case and flesh it out to find out where this should be at home",
                None,
            ),
        ],
    },
    "2019-05-16.md": {
        "date": datetime.date(2019, 5, 16),
        "title": "JupyterHub and BinderHub Team Meeting - May",
        "attendees": [
            ("Min", "Simula", "minrk"),
            ("Chico Venancio", "BMCG KK", "chicocvenancio"),
            ("Chris Holdgraf", "Jupyter@Berkeley", "choldgraf"),
            ("Erik Sundell", "Sandvik", "consideratio"),
            ("Sarah Gibson", "Alan Turing Institute", "sgibson91"),
            ("Georgiana Dolocan", "Simula", "GeorgianaElena"),
            ("Joe Hamman", "NCAR", "jhamman"),
            ("James Colliander", "PIMS", "colliand"),
            ("Ian Allison", "PIMS", "ianabc"),
            ("Lindsey Heagy", "UC Berkeley", "lheagy"),
        ],
        "todos": [
            (
                "Chris H opens an issue about Black documentation and usage in "
                "jupyterhub ([now here](https://github.com/jupyterhub/team-compass/issues/155))",
                "Chris H",
            ),
            (
                "issue on team compass repo "
                "([now here](https://github.com/jupyterhub/team-compass/issues/156))",
                None,
            ),
        ],
    },
    "2020-05-21.md": {
        "date": datetime.date(2020, 5, 21),
        "title": "JupyterHub and BinderHub Team Meeting - May",
        "attendees": [
            ("Sarah", "Turing", "sgibson91"),
            ("Simon", "OME, University of Dundee", "manics"),
            ("Tim", "Binder", "betatim"),
            ("Erik", "Sundell open source", "consideRatio"),
            ("Dan Lester", "Ideonate", "danlester"),
            ("Richard Darst", "Aalto University", "rkdarst"),
            ("Chico Venancio", "BMC Group K. K.", "chicocvenancio"),
            ("Wayne Decatur", "Upstate Medical", "fomightez"),
            ("Chris Holdgraf", "UC Berkeley", "choldgraf"),
            ("Min RK", "Simula", "minrk"),
            ("Arnim", "GESIS", "arnim"),
        ],
        "todos": [
            ("Can we add a license before moving", None),
            ("make an issue to track this", None),
            (
                "do we get both organizational and repo-based templates at the same "
                "time? We want to know.",
                None,
            ),
            ("add a minimum lead time to the template", None),
        ],
    },
    "2021-03-18.md": {
        "date": datetime.date(2021, 3, 18),
        "title": "JupyterHub and BinderHub Team Meeting",
        "attendees": [
            ("Sarah Gibson", "The Alan Turing Institute", "sgibson91"),
            ("Romain Primet", "Inria", "rprimet"),
            ("Eric Charles", "Datalayer, Quansight", "echarles"),
            ("Min", "Simula", "minrk"),
            ("Simon", "University of Dundee", "manics"),
            ("Rollin", "NERSC", "rcthomas"),
            ("Ryan C. Cooper", "UConn", "cooperrc"),
            ("Erik Sundell", "Sundell open source", "consideratio"),
            ("Wayne Decatur", "Upstate Medical University", "fomightez"),
            ("Chris Holdgraf", "2i2c", "choldgraf"),
            ("Jeremy Tuloup", "QuantStack", "jtpio"),
            ("Yuvi Panda", "2i2c", "choldgraf"),  # sic: the notes say so
            ("Steven Silvester", "Apple", "blink1073"),
            ("A. T. Darian", "Two Sigma", "afshin"),
            ("Adrien Delsalle", "QuantStack", "adriendelsalle"),
        ],
        "todos": [
            ("connect Sarah w/ Jupyter Book folks about a proposal", "Chris"),
            (
                'think about a role that could be "glue" between JupyterHub and other '
                "communities",
                "Chris",
            ),
        ],
    },
    "monthly-meeting-template.md": {
        "date": None,
        "title": "JupyterHub and BinderHub Team Meeting - <Month>",
        "attendees": [],
        "todos": [],
    },
    "collab-cafe-facilitator-checklist.md": {
        "date": None,
        "title": "Facilitator Checklist for Collaboration Cafés",
        "attendees": [],
        "todos": [],
    },
}


def test_every_fixture_has_expectations():
    assert sorted(p.name for p in FIXTURES.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_attendees(name):
    notes = load(name)
    assert notes.attendees == tuple(
        ImportedAttendee(*fields) for fields in EXPECTED[name]["attendees"]
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_todos(name):
    notes = load(name)
    assert notes.todos == tuple(ImportedTodo(*todo) for todo in EXPECTED[name]["todos"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_date_and_title(name):
    notes = load(name)
    assert notes.date == EXPECTED[name]["date"]
    assert notes.title == EXPECTED[name]["title"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_placeholders_are_skipped(name):
    notes = load(name)
    names = [a.name.lower() for a in notes.attendees]
    assert "name" not in names and "your name" not in names
    for item in notes.agenda:
        assert not item.text.lower().startswith(("add item here", "add agenda item here"))
        assert item.text.lower() != "name: update or pass"
    assert all(todo.text.lower() != "name" for todo in notes.todos)


def test_template_yields_nothing():
    notes = load("monthly-meeting-template.md")
    assert notes.attendees == notes.todos == notes.agenda == ()


def _sections(notes):
    counts = {}
    for item in notes.agenda:
        counts[item.section] = counts.get(item.section, 0) + 1
    return counts


def test_agenda_of_2018_03_numbered_sections():
    notes = load("binder-team-meeting-2018-03.md")
    # "Open issues" is a label over two items (repo2docker's release, z2jh), not one.
    assert _sections(notes) == {"discuss": 7, "decision": 1, "news": 11, "thanks": 1}
    assert notes.agenda[0] == ImportedAgendaItem("discuss", "Open PRs")
    assert ("decision", "do we want to commit to a BinderHub release schedule for 0.1?") in [
        (item.section, item.text) for item in notes.agenda]
    assert notes.agenda[-1].section == "thanks"
    assert notes.agenda[-1].text.startswith("Two big milestones")


def test_the_bullets_under_an_item_are_its_notes_links_and_todos():
    notes = load("binder-team-meeting-2018-03.md")
    (z2jh,) = [item for item in notes.agenda if item.text.startswith("z2jh")]
    assert [(e.kind, e.text[:40], e.title, e.owner) for e in z2jh.entries] == [
        ("note", "NOTES: two biggest differentiators deplo", "", None),
        ("todo", "create issue to discuss which parts of t", "", None),
        ("todo", "reach out to the Orsay people about what", "", None),
        ("todo", "reach out to CERN about how installing z", "", "Tim"),
        ("link", "https://github.com/kubernetes-incubator/", "k8 incubator: kubespray", None),
    ]
    (decision,) = [item for item in notes.agenda if item.section == "decision"]
    assert [e.text[:25] for e in decision.entries] == ["Potentially treat \"releas"]


def test_agenda_of_2018_12_joins_continuation_lines():
    notes = load("2018-12-20.md")
    assert _sections(notes) == {"discuss": 16, "news": 3}
    texts = [item.text for item in notes.agenda]
    assert any(
        text.startswith("repo2docker extensibility.") and text.endswith("Latex etc.")
        for text in texts
    )
    assert "" not in texts


def test_agenda_of_2019_05_skips_placeholders_in_both_agenda_sections():
    notes = load("2019-05-16.md")
    assert _sections(notes) == {"update": 5, "news": 8, "discuss": 3}
    assert notes.agenda[0] == ImportedAgendaItem(
        "update", "Min: update (Georgiana working on Traefik)"
    )


def test_agenda_of_2020_05_and_2021_03():
    assert _sections(load("2020-05-21.md")) == {"update": 4, "news": 2, "discuss": 7}
    notes = load("2021-03-18.md")
    assert _sections(notes) == {"update": 3, "news": 2, "discuss": 6}
    last = notes.agenda[-1]
    assert (last.section, last.text) == (
        "discuss", "**Adrien:** Tests with `microk8s` for development")
    assert [e.text for e in last.entries] == [
        "using `Ansible`", "felt easier to use than `minikube`, but still need further "
        "testing to confirm", "Question: have k3s been compared also?"]


def test_to_json():
    data = load("binder-team-meeting-2018-03.md").to_json()
    assert data["date"] == "2018-03-21"
    assert data["title"] == "March 2018"
    assert data["attendees"][0] == {
        "name": "Tim", "affiliation": "Wild Tree Tech", "github": "betatim"
    }
    assert {"text": "Jessica will follow up", "owner": "Jessica"} in data["todos"]
    assert data["agenda"][0] == {"section": "discuss", "text": "Open PRs", "entries": []}
    assert {"kind": "link", "text": "https://github.com/kubernetes-incubator/kubespray",
            "title": "k8 incubator: kubespray", "owner": None} in data["agenda"][2]["entries"]
    assert load("monthly-meeting-template.md").to_json()["date"] is None


# --------------------------------------------------------------------------
# Small synthetic notes


def test_pipe_separators_and_dash_bullets():
    notes = parse_notes(
        "Roll call:\n"
        "- your name | affiliation | github\n"
        "- Tim | Wild Tree Tech | @betatim\n"
        "+ Min|Simula|@minrk\n"
    )
    assert notes.attendees == (
        ImportedAttendee("Tim", "Wild Tree Tech", "betatim"),
        ImportedAttendee("Min", "Simula", "minrk"),
    )


def test_roll_call_heading_ends_at_next_paragraph():
    notes = parse_notes(
        "## Roll call\n\n- Tim / WTT / @betatim\n- Carol\n\nRegrets:\n\n- Min / Simula\n"
    )
    assert [a.name for a in notes.attendees] == ["Tim", "Carol"]


def test_slash_lists_outside_roll_call_are_not_attendees():
    notes = parse_notes("## Quick updates\n\n- Tim / WTT / @betatim\n")
    assert notes.attendees == ()
    assert notes.agenda == (ImportedAgendaItem("update", "Tim / WTT / @betatim"),)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("- TODO: write docs (Tim)", ImportedTodo("write docs", "Tim")),
        ("- TODO: write docs [Tim]", ImportedTodo("write docs", "Tim")),
        ("* **TODO**: write docs (Craig/Kacper)", ImportedTodo("write docs", "Craig/Kacper")),
        ("- **TODO:** write docs", ImportedTodo("write docs", None)),
        ("- **Sarah:** TODO: book a room", ImportedTodo("book a room", "Sarah")),
        ("- Sarah: TODO: book a room", ImportedTodo("book a room", "Sarah")),
        ("- TODO: fix it (e.g. later)", ImportedTodo("fix it (e.g. later)", None)),
        ("- TODO: fix it (5 min)", ImportedTodo("fix it (5 min)", None)),
        ("- TODO: ask (@betatim)", ImportedTodo("ask", "@betatim")),
        ("- [ ] update the docs (Tim)", ImportedTodo("update the docs", "Tim")),
        ("- [ ] TODO #4: update the docs (tim)", ImportedTodo("update the docs", "tim")),
        (
            "- Jessica will follow up with MILA",
            ImportedTodo("Jessica will follow up with MILA", "Jessica"),
        ),
        ("TODO: a plain paragraph line", ImportedTodo("a plain paragraph line", None)),
    ],
)
def test_todo_forms(line, expected):
    assert parse_notes(line + "\n").todos == (expected,)


@pytest.mark.parametrize(
    "line",
    [
        "- [x] TODO: already done (Tim)",
        "- [ ] name",
        "- [ ] ",
        "- TODO:",
        "- Chico will be working on BinderHub",
        "- the todo list is long",
        "- TODO\\: escaped, so not an action item",
    ],
)
def test_not_todos(line):
    assert parse_notes(line + "\n").todos == ()


def test_speaking_queue_checkboxes_are_not_todos():
    notes = parse_notes("## Speaking queue\n\n- [ ] Tim\n- [ ] Sarah Gibson\n- [ ] \n")
    assert notes.todos == ()


def test_owner_from_subject_needs_roll_call_name():
    text = (
        "Roll call:\n* Chris Holdgraf / Berkeley / @choldgraf\n\n"
        "## Agenda items\n\n* Black\n    * TODO: Chris H opens an issue\n"
        "    * TODO: Check updates before release\n"
    )
    assert parse_notes(text).todos == (
        ImportedTodo("Chris H opens an issue", "Chris H"),
        ImportedTodo("Check updates before release", None),
    )


# --------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    "value, expected",
    [
        ("21 Mar 2018, 6pm CET", datetime.date(2018, 3, 21)),
        ("Thursday, 16th May 2019 at 5pm UTC", datetime.date(2019, 5, 16)),
        ("20 December 2018 at 6pm Zurich time", datetime.date(2018, 12, 20)),
        ("2020-05-21 at 5pm UTC", datetime.date(2020, 5, 21)),
        ("Thursday 18th March 2021", datetime.date(2021, 3, 18)),
        ("March 21, 2018", datetime.date(2018, 3, 21)),
        ("1st Sept 2022", datetime.date(2022, 9, 1)),
        ("31 February 2020", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_date_sources_in_order_of_preference():
    front = "---\ntitle: March 2018\ndate: 2018-03-22\n---\n"
    assert parse_notes(front + "- Date: 21 Mar 2018\n").date == datetime.date(2018, 3, 21)
    assert parse_notes(front, "2018-03-23.md").date == datetime.date(2018, 3, 22)
    assert parse_notes("# Meeting\n", "notes/2018-12-20.md").date == datetime.date(2018, 12, 20)
    assert parse_notes("---\ntitle: March 2018\n---\n").date == datetime.date(2018, 3, 1)
    assert parse_notes("# x\n", "binder-team-meeting-2018-03.md").date == datetime.date(2018, 3, 1)
    assert parse_notes("- **Date:**\n", "template.md").date is None


def test_title_prefers_front_matter_then_first_heading():
    assert parse_notes("---\ntitle: 'May 2019'\n---\n# Team - May\n").title == "May 2019"
    assert parse_notes("intro\n# First\n# Second\n").title == "First"
    assert parse_notes("no heading\n").title is None


# --------------------------------------------------------------------------
# Helpers


@pytest.mark.parametrize(
    "heading, key",
    [
        ("Help or discussion needed; Agenda Items for Monthly Meeting", "discuss"),
        ("Agenda items", "discuss"),
        ("Decisions needed", "decision"),
        ("Quick updates", "update"),
        ("Reports and celebrations", "news"),
        ("Team News and Informational items", "news"),
        ("News and reports", "news"),
        ("Thanks, Things to Celebrate, and anything else", "thanks"),
        ("Thanks and celebrations", "thanks"),
        ("Decisions", None),
        ("Roll call", None),
        ("Speaking queue", None),
        ("TODOs", None),
    ],
)
def test_section_key(heading, key):
    assert section_key(heading) == key


def test_split_owners_and_unescape():
    assert split_owners("Tim, Jessica") == ("Tim", "Jessica")
    assert split_owners("Craig/Kacper") == ("Craig", "Kacper")
    assert split_owners("Georgiana and Sarah") == ("Georgiana", "Sarah")
    assert split_owners(None) == ()
    assert unescape_markdown(r"\# a \[b\]\(c\) \\ d\e") == r"# a [b](c) \ d\e"


def test_code_blocks_and_quotes_hold_no_todos():
    notes = parse_notes(
        "## Agenda items\n\n```\n- TODO: an example in a code block (Tim)\n```\n\n"
        "> - TODO: a quoted mail (Min)\n\n- real item\n"
    )
    assert notes.todos == ()
    assert notes.agenda == (ImportedAgendaItem("discuss", "real item"),)


def test_roll_call_line_under_a_list_item_starts_the_roll_call():
    notes = parse_notes(
        "- Date: 21 Mar 2018\n- Video: https://zoom.example\nRoll call:\n"
        "- Tim / WTT / @betatim\n- Min / Simula / @minrk\n"
    )
    assert [a.name for a in notes.attendees] == ["Tim", "Min"]
    assert notes.date == datetime.date(2018, 3, 21)


def test_date_line_is_read_alone_not_with_its_continuation():
    notes = parse_notes("- Meeting Date: 21 Mar 2018, 6pm CET\n[other zones](https://x/2019-01-01)\n")
    assert notes.date == datetime.date(2018, 3, 21)


# --------------------------------------------------------------------------
# Roll calls as the team has written them over the years


def roll_call(*entries: str, heading: str = "## Roll call") -> tuple[ImportedAttendee, ...]:
    return parse_notes(heading + "\n\n" + "".join(f"- {entry}\n" for entry in entries)).attendees


def test_entries_separated_by_bars_as_well_as_slashes():
    assert roll_call("Tim | Wild Tree Tech | @betatim", "Min / Simula / @minrk",
                     "Steve / @stevejpurves / Curvenote | MystMarkdown") == (
        ImportedAttendee("Tim", "Wild Tree Tech", "betatim"),
        ImportedAttendee("Min", "Simula", "minrk"),
        ImportedAttendee("Steve", "Curvenote / MystMarkdown", "stevejpurves"),
    )


def test_a_handle_between_name_and_organisation():
    # The Collaboration Café check-in: "Name / @handle / Organisation".
    assert roll_call("Min / @minrk / Simula", "Blessing / @bl-aire") == (
        ImportedAttendee("Min", "Simula", "minrk"),
        ImportedAttendee("Blessing", "", "bl-aire"),
    )


@pytest.mark.parametrize("entry", [
    "Tim Head (@betatim) / Wild Tree Tech",
    "Tim Head (@betatim) | Wild Tree Tech",
    "[Tim Head](https://github.com/betatim) | Wild Tree Tech",
    "Tim Head / [@betatim](https://github.com/betatim) / Wild Tree Tech",
    "Tim Head / https://github.com/betatim / Wild Tree Tech",
    "Tim Head | <https://github.com/betatim/> | Wild Tree Tech",
])
def test_a_github_handle_in_parentheses_or_as_a_link(entry):
    assert roll_call(entry) == (ImportedAttendee("Tim Head", "Wild Tree Tech", "betatim"),)


def test_a_link_to_a_repository_is_not_a_handle():
    (tim,) = roll_call("Tim / [binder](https://github.com/jupyterhub/binderhub)")
    assert tim.github == ""


@pytest.mark.parametrize("heading", [
    "## Roll call", "### Attendees", "## Participants", "## **Attendees:**", "Attendees:",
    "**Participants:**", "If you are here, sign in below. Roll call:",
])
def test_roll_call_headings_and_intro_lines(heading):
    assert roll_call("Tim / WTT / @betatim", heading=heading) == (
        ImportedAttendee("Tim", "WTT", "betatim"),)


@pytest.mark.parametrize("heading", ["## Attendee survey", "Number of participants: 12"])
def test_other_mentions_of_attendees_start_no_roll_call(heading):
    assert roll_call("Tim / WTT / @betatim", heading=heading) == ()


@pytest.mark.parametrize("placeholder", [
    "_name / institution / GitHub handle_",
    "*name / institution / GitHub handle*",
    "**Name | Institution | @handle**",
    "__your name / affiliation / github__",
    "name / organisation / @github",
    "...",
    "…",
    ". . .",
    "... / ... / ...",
])
def test_placeholder_and_ellipsis_lines_are_skipped(placeholder):
    assert roll_call(placeholder, "Tim / WTT / @betatim") == (
        ImportedAttendee("Tim", "WTT", "betatim"),)


def test_names_shaped_like_these_forms_survive_the_bots_own_minutes():
    from chatbot.core.minutes import MinutesInput, render_minutes
    from chatbot.core.model import Attendance

    people = (
        Attendance("tim", "Tim (@betatim)", "[x](https://github.com/y)"),
        Attendance("name", "_name / institution / GitHub handle_"),
        Attendance("evil", "…", "https://github.com/evil"),
        Attendance("min", "Min", "@minrk", "minrk"),
    )
    start = datetime.datetime(2018, 3, 21, 17, 0, tzinfo=datetime.UTC)
    text = render_minutes(MinutesInput("Team", start, (), attendees=people))
    assert parse_notes(text).attendees == tuple(
        ImportedAttendee(p.name, p.affiliation, p.github) for p in people)
