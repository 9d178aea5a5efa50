"""Running the meeting item by item from chat, on a real SQLite file: what is stored,
what the channel is told, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from chatbot.commands import build_bot
from chatbot.commands.live import captured_command
from chatbot.core.model import Scope
from chatbot.core.schedule import ScheduleBook
from chatbot.store import Store

SCOPE = Scope("console", "console", "binder-team")
MARCH = dt.datetime(2018, 3, 21, 17, 2, tzinfo=dt.UTC)  # the seed's meeting, just begun
OCCURRENCE = "2018-03-21"


@pytest.fixture
def meeting(chat):
    """The seed's March meeting started by jessica, with two agenda items."""
    chat.ok("/agenda add Kubeflow presentation", user="jessica")
    chat.ok("/agenda add decision: 10m BinderHub release schedule", user="min")
    chat.set_now(MARCH)
    chat.ok("/meeting start", user="jessica")
    return chat


def entries(chat):
    return [(e.number, e.kind, e.item is not None, e.author, e.text, e.undone)
            for e in chat.store.live_entries.entries(SCOPE, "binder-team", OCCURRENCE)]


def test_notes_and_links_outside_a_meeting_say_how_to_start_one(chat):
    for command in ("/note we should talk about CI", "/link https://example.org"):
        reply = chat.error(command)
        assert reply == ("No meeting is in progress here: start one with /meeting start, or "
                         "add this to the next meeting's agenda with /agenda add TEXT.")
    assert chat.store.counts()["live_entries"] == 0


def test_stepping_through_the_agenda_files_each_entry_under_its_item(meeting):
    assert meeting.ok("/agenda next") == (
        "Entry 1: taking up item 1, “Kubeflow presentation”, brought by jessica.")
    assert meeting.ok("/note NOTES: CERN is interested", user="betatim") == (
        "Entry 2: Note filed under item 1, “Kubeflow presentation”.")
    meeting.ok("/link https://github.com/kubernetes-sigs/kubespray kubespray", user="min")
    todo = meeting.ok("/todo add @betatim reach out to CERN", user="min")
    assert todo == ("TODO 1 for betatim: reach out to CERN Entry 4: TODO filed under item 1, "
                    "“Kubeflow presentation”.")
    taken = meeting.ok("/agenda take 2")
    assert taken == ("Entry 5: taking up item 2, “BinderHub release schedule”, brought by min, "
                     "timebox 10m. Item 1 is marked discussed.")
    decision = meeting.ok("/decision release monthly", user="min")
    assert decision.endswith("Entry 6: Decision filed under item 2, “BinderHub release schedule”.")
    assert entries(meeting) == [
        (1, "take", True, "jessica", "", False),
        (2, "note", True, "betatim", "NOTES: CERN is interested", False),
        (3, "link", True, "min", "https://github.com/kubernetes-sigs/kubespray kubespray", False),
        (4, "todo", True, "min", "reach out to CERN", False),
        (5, "take", True, "jessica", "", False),
        (6, "decision", True, "min", "release monthly", False),
    ]
    # Taken up is discussed: /meeting end carries neither item over.
    assert "carried over" not in meeting.ok("/meeting end").lower()


def test_the_meeting_survives_a_restart_of_the_bot(meeting, tmp_path):
    meeting.ok("/agenda next")
    meeting.ok("/note before the restart", user="min")
    meeting.store.close()
    store = Store(meeting.db_path)
    bot = build_bot(store, ScheduleBook(meeting.schedules_dir, check_interval=0),
                    meeting.clock, meeting.archive)
    meeting.store, meeting.bot = store, bot
    assert meeting.ok("/undo", user="min") == "Removed entry 2, min's note “before the restart”."
    assert meeting.ok("/note after", user="min") == (
        "Entry 3: Note filed under item 1, “Kubeflow presentation”.")


def test_a_topic_not_on_the_agenda_is_added_and_taken_up(meeting):
    assert meeting.ok("/topic CI is red 5m") == (
        "Entry 1: taking up item 2, “CI is red”, brought by jessica, timebox 5m.")
    assert meeting.ok("/agenda take Docs sprint") == (
        "Entry 2: taking up item 3, “Docs sprint”, brought by jessica. "
        "Item 2 is marked discussed.")


def test_agenda_commands_number_items_as_agenda_shows_them_after_a_new_topic(meeting):
    meeting.ok("/topic CI is red")  # item 2 now; the release schedule moves to 3
    added = meeting.ok("/agenda add decision: Docs sprint", user="min")
    assert added.splitlines()[0] == "min added agenda item 4 (Decisions needed): Docs sprint"
    shown = meeting.ok("/agenda")
    assert "3. BinderHub release schedule (min)" in shown
    assert "4. Docs sprint (min)" in shown
    assert meeting.ok("/agenda done 3") == "Agenda item 3 is done: BinderHub release schedule"
    assert meeting.ok("/agenda move 4 3", user="min") == "Moved agenda item 4 to 3: Docs sprint"
    assert "3. Docs sprint (min)" in meeting.ok("/agenda")
    before = meeting.snapshot()
    assert meeting.error("/agenda remove 2", user="min") == (
        "Agenda item 2, “CI is red”, is a topic this meeting took up, not an item on the "
        "agenda: /undo 1 takes it back.")
    assert meeting.snapshot() == before
    assert meeting.ok("/agenda remove 4", user="min") == (
        "min removed agenda item 4: BinderHub release schedule")
    assert meeting.ok("/agenda take 3").startswith("Entry 2: taking up item 3, “Docs sprint”")


def test_a_link_must_be_http_and_bad_input_stores_nothing(meeting):
    meeting.ok("/agenda next")
    before = meeting.snapshot()
    assert "starts with http:// or https://" in meeting.error("/link javascript:alert(1)")
    assert "is not an entry number" in meeting.error("/undo last")
    assert "What should it say?" in meeting.error("/note")
    assert "There is no item 9" in meeting.error("/agenda take 9")
    assert meeting.snapshot() == before


def test_undo_removes_only_your_own_last_entry_and_says_what(meeting):
    meeting.ok("/agenda next")
    meeting.ok("/note keep me", user="min")
    meeting.ok("/note a stray note", user="min")
    meeting.ok("/note betatim's", user="betatim")
    assert meeting.ok("/undo", user="min") == "Removed entry 3, min's note “a stray note”."
    assert [(n, undone) for n, kind, _, _, _, undone in entries(meeting)] == [
        (1, False), (2, False), (3, True), (4, False)]
    assert meeting.error("/undo", user="tim") == "You have nothing to undo in this meeting."


def test_a_timebox_run_out_gets_one_note(meeting):
    meeting.ok("/agenda take 2")  # its timebox: 10m from /agenda add
    meeting.set_now(MARCH + dt.timedelta(minutes=11))
    first = meeting.ok("/note still talking", user="min")
    assert first.splitlines()[1] == "Item 2 has reached its 10m timebox."
    assert len(meeting.ok("/note and more", user="min").splitlines()) == 1


def test_agenda_add_records_a_timebox(chat):
    added = chat.ok("/agenda add decision: 15m Release schedule", user="min")
    assert added.splitlines()[0] == (
        "min added agenda item 1 (Decisions needed): Release schedule (15m)")
    (item,) = chat.store.agenda.items(SCOPE, "binder-team", OCCURRENCE)
    assert (item.text, item.timebox) == ("Release schedule", 15)


# --------------------------------------------------------------------------
# Chairs: refused and unchanged, then allowed after /chair


REFUSED_TO_NON_CHAIRS = [
    ("/agenda next", "Only a chair can take up an item; the chairs are jessica."),
    ("/vote close", "Only a chair can close a vote; the chairs are jessica."),
    ("/undo 2", "Only a chair can undo someone else's entry; the chairs are jessica."),
]


@pytest.mark.parametrize(("command", "refusal"), REFUSED_TO_NON_CHAIRS)
def test_non_chairs_are_refused_and_nothing_changes_until_they_are_chairs(
        meeting, command, refusal):
    meeting.ok("/agenda take 2")
    meeting.ok("/note betatim's note", user="betatim")
    meeting.ok("/vote Release on Fridays?")
    before = meeting.snapshot()
    assert meeting.error(command, user="min") == refusal
    assert meeting.snapshot() == before
    assert meeting.ok("/chair @min") == "The chairs are now jessica, min."
    meeting.ok(command, user="min")


def test_chairs_change_and_the_last_one_stays(meeting):
    meeting.ok("/chair @min @betatim")
    assert meeting.ok("/unchair @betatim", user="min") == (
        "betatim is no longer a chair; the chairs are jessica, min.")
    assert "Only a chair can add chairs" in meeting.error("/chair @tim", user="betatim")


# --------------------------------------------------------------------------
# Votes


def test_a_vote_with_a_changed_vote_is_counted_once(meeting):
    meeting.ok("/agenda take 2")
    assert meeting.ok("/vote Monthly releases? [yes, no]") == (
        "Entry 2: vote “Monthly releases?”: /vote yes or /vote no.")
    meeting.ok("/vote yes", user="min")
    meeting.ok("/vote no", user="betatim")
    assert meeting.ok("/vote YES", user="betatim") == (
        "betatim votes yes (was no). Vote “Monthly releases?” so far: yes: 2, no: 0.")
    assert meeting.ok("/vote") == "Vote “Monthly releases?” so far: yes: 2, no: 0."
    assert meeting.ok("/vote close") == (
        "Vote “Monthly releases?” closed: yes: 2 (min, betatim), no: 0.")
    assert "No vote is open" in meeting.error("/vote +1", user="min")
    meeting.ok("/vote Weekly releases?")
    # A vote cast on an old vote's message (a reaction, a button) is refused, not moved.
    assert meeting.error("/vote #2 yes", user="min") == (
        "Vote 2 is closed; /vote shows the open one.")
    assert meeting.ok("/vote #3 +1", user="min").startswith("min votes +1.")


def test_a_withdrawn_vote_no_longer_counts_in_the_count_or_the_result(meeting):
    meeting.ok("/agenda take 2")
    meeting.ok("/vote Monthly releases? [yes, no]")
    assert meeting.error("/vote withdraw", user="min") == (
        "You have not voted in “Monthly releases?”.")
    meeting.ok("/vote yes", user="min")
    meeting.ok("/vote no", user="betatim")
    assert meeting.ok("/vote withdraw", user="min") == (
        "min withdraws their vote (yes). Vote “Monthly releases?” so far: yes: 0, no: 1.")
    assert meeting.ok("/vote close") == (
        "Vote “Monthly releases?” closed: yes: 0, no: 1 (betatim).")
    assert "No vote is open, so there is no ballot to withdraw." == meeting.error(
        "/vote withdraw", user="betatim")


def test_undoing_a_todo_or_decision_takes_it_off_every_list(meeting):
    meeting.ok("/agenda take 2")
    meeting.ok("/todo add @betatim keep this", user="min")
    meeting.ok("/todo add @betatim a mistake", user="min")
    meeting.ok("/decision a wrong decision")
    assert meeting.ok("/undo") == "Removed entry 4, jessica's decision “a wrong decision”."
    assert meeting.ok("/undo", user="min") == (
        "Removed entry 3, min's TODO “a mistake” (betatim).")
    todos = meeting.ok("/todos")
    assert "keep this" in todos and "a mistake" not in todos
    summary = meeting.ok("/meeting end")
    assert "wrong decision" not in summary and "a mistake" not in summary
    assert [(kind, text, undone) for _, kind, _, _, text, undone in entries(meeting)][2:] == [
        ("todo", "a mistake", True), ("decision", "a wrong decision", True)]


def test_minutes_keep_what_people_typed_escaped_and_mark_items_never_taken_up(meeting):
    meeting.ok("/agenda next")
    meeting.ok("/note <img src=x> **bold** - TODO: not a todo", user="min")
    meeting.ok("/link https://example.org/a_(b) [click](javascript:alert(1))", user="min")
    meeting.ok("/vote Which? [*a*, b]")
    meeting.ok("/vote *a*", user="min")
    meeting.ok("/meeting end")
    text = (meeting.archive / "binder-team" / f"{OCCURRENCE}.md").read_text()
    assert text.splitlines()[text.splitlines().index("## Help or discussion needed") + 2:][:4] == [
        "- **jessica:** Kubeflow presentation _(discussed)_",
        "  - \\<img src=x\\> \\*\\*bold\\*\\* - TODO\\: not a todo",
        "  - [\\[click\\]\\(javascript:alert\\(1\\)\\)](https://example.org/a_%28b%29)",
        "  - Vote: Which? Result: \\*a\\*: 1 (min), b: 0 (not closed)",
    ]
    assert "- **min:** BinderHub release schedule _(carried over)_" in text


CAPTURES = [
    ("/note", "what was said", "/note what was said"),
    ("/decision", "  ship it ", "/decision ship it"),
    ("/todo add @tim", "reach out to CERN", "/todo add @tim reach out to CERN"),
    ("/todo add", "reach out", "/todo add reach out"),
    ("/note extra words", "what was said", None),  # a note of its own
    ("/note @tim", "what was said", None),
    ("/todos", "what was said", None),
    ("/note", "   ", None),
]


@pytest.mark.parametrize(("command", "said", "captured"), CAPTURES)
def test_a_reply_with_a_capture_command_records_the_message_it_answers(command, said, captured):
    assert captured_command(command, said) == captured
