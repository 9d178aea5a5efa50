"""A meeting run item by item, on the March 2018 report's agenda: what the replies say,
what ends up under which item, and who may do what."""

import dataclasses
import datetime

import pytest

from chatbot.core.live_actions import (
    add_chairs,
    check_timebox,
    close_vote,
    record,
    remove_chair,
    show_vote,
    take_item,
    take_next,
    take_topic,
    undo,
    vote,
)
from chatbot.core.live_meeting import Item, LiveMeeting
from chatbot.core.live_words import LiveMeetingError

START = datetime.datetime(2018, 3, 21, 17, 0, tzinfo=datetime.UTC)
CAROL, MIN, TIM, ERIK, JESSICA = "U1", "U2", "U3", "U4", "U5"
NAMES = {CAROL: "Carol", MIN: "Min", TIM: "Tim", ERIK: "Erik", JESSICA: "Jessica"}
Z2JH = "z2jh - support for k8 deployments"
RELEASE = "do we want to commit to a BinderHub release schedule for 0.1?"


def at(minutes: int) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def meeting() -> LiveMeeting:
    agenda = (
        Item("11", "discuss", "Open PRs", CAROL),
        Item("12", "discuss", Z2JH, MIN, timebox=10),
        Item("13", "decision", RELEASE, CAROL),
    )
    return LiveMeeting(agenda, starter=CAROL, admins=frozenset({MIN}), names=NAMES)


def statuses(meeting: LiveMeeting) -> list[tuple[int, str, str]]:
    return [(v.number, v.item.text, v.status) for v in meeting.items]


def filed(meeting: LiveMeeting, number: int) -> list[tuple[int | None, str, str]]:
    view = meeting.items[number - 1]
    return [(e.number, e.kind, e.text) for e in view.entries]


def test_taking_up_items_says_what_is_taken_up_and_marks_the_previous_discussed(meeting):
    first = take_item(meeting, CAROL, 2, at(0))
    assert first.message == (
        f"Entry 1: taking up item 2, “{Z2JH}”, brought by Min, timebox 10m."
    )
    second = take_next(first.meeting, CAROL, at(12))
    assert second.message == (
        f"Entry 2: taking up item 3, “{RELEASE}”, brought by Carol. Item 2 is marked discussed."
    )
    assert statuses(second.meeting) == [
        (1, "Open PRs", "not taken up"), (2, Z2JH, "discussed"), (3, RELEASE, "current"),
    ]
    # The item skipped on the way comes next, then nothing is left.
    third = take_next(second.meeting, MIN, at(20))
    assert "taking up item 1, “Open PRs”" in third.message
    with pytest.raises(LiveMeetingError, match="Every item has been taken up"):
        take_next(third.meeting, MIN, at(21))


def test_a_timebox_given_when_taking_up_wins_over_the_agenda_s(meeting):
    outcome = take_item(meeting, CAROL, 2, at(0), timebox=5)
    assert outcome.message.endswith("timebox 5m.")


def test_a_new_topic_goes_under_help_or_discussion_needed(meeting):
    started = take_item(meeting, CAROL, 1, at(0)).meeting
    outcome = take_topic(started, MIN, "Kubeflow  involvement", at(5))
    assert outcome.message == (
        "Entry 2: taking up item 3, “Kubeflow involvement”, brought by Min. "
        "Item 1 is marked discussed."
    )
    after = outcome.meeting
    assert [(v.number, v.item.section, v.item.text) for v in after.items] == [
        (1, "discuss", "Open PRs"), (2, "discuss", Z2JH),
        (3, "discuss", "Kubeflow involvement"), (4, "decision", RELEASE),
    ]
    noted = record(after, TIM, "note", "15 minute presentation on Friday", at(6))
    assert noted.message == (
        "Entry 3: Note filed under item 3, “Kubeflow involvement”."
    )


def test_a_non_chair_cannot_take_up_items_until_made_a_chair(meeting):
    with pytest.raises(LiveMeetingError) as refusal:
        take_item(meeting, TIM, 2, at(0))
    assert str(refusal.value) == "Only a chair can take up an item; the chairs are Carol, Min."
    with pytest.raises(LiveMeetingError, match="the chairs are Carol, Min"):
        take_topic(meeting, TIM, "Something else", at(0))
    chaired = add_chairs(meeting, CAROL, (TIM,), at(1))
    assert chaired.message == "The chairs are now Carol, Min, Tim."
    assert "taking up item 2" in take_item(chaired.meeting, TIM, 2, at(2)).message


def test_take_refuses_an_item_number_the_agenda_does_not_have(meeting):
    with pytest.raises(LiveMeetingError) as refusal:
        take_item(meeting, CAROL, 7, at(0))
    assert str(refusal.value) == (
        "There is no item 7 (the agenda has items 1–3); "
        "use /agenda take TOPIC for a topic that is not on it."
    )


def run_z2jh(meeting: LiveMeeting):
    """The report's z2jh item: a NOTES line, three TODOs, the kubespray link."""
    outcomes = []
    steps = [
        lambda m: take_item(m, CAROL, 2, at(0)),
        lambda m: record(m, JESSICA, "note", "two biggest differentiators: LoadBalancer "
                         "and PersistentVolume", at(1)),
        lambda m: record(m, JESSICA, "todo", "create issue on which parts depend on k8s",
                         at(2)),
        lambda m: record(m, ERIK, "note", "stray, wrong item", at(3)),
        lambda m: record(m, JESSICA, "todo", "reach out to the Orsay people", at(4)),
        lambda m: record(m, JESSICA, "todo", "reach out to CERN about z2jh", at(5),
                         owners=(TIM,)),
        lambda m: record(m, TIM, "link", "https://github.com/kubernetes-incubator/kubespray "
                         "kubespray", at(6)),
    ]
    for step in steps:
        outcomes.append(step(outcomes[-1].meeting if outcomes else meeting))
    return outcomes


def test_entries_are_numbered_in_the_meeting_and_filed_under_the_current_item(meeting):
    outcomes = run_z2jh(meeting)
    assert outcomes[5].message == f"Entry 6: TODO filed under item 2, “{Z2JH}”."
    after = outcomes[-1].meeting
    assert filed(after, 2) == [
        (2, "note", "two biggest differentiators: LoadBalancer and PersistentVolume"),
        (3, "todo", "create issue on which parts depend on k8s"),
        (4, "note", "stray, wrong item"),
        (5, "todo", "reach out to the Orsay people"),
        (6, "todo", "reach out to CERN about z2jh"),
        (7, "link", "https://github.com/kubernetes-incubator/kubespray kubespray"),
    ]
    cern = after.items[1].entries[4]
    assert (cern.author, cern.owners) == (JESSICA, (TIM,))
    assert filed(after, 1) == [] and filed(after, 3) == []


def test_notes_before_any_item_is_taken_up_belong_to_the_meeting(meeting):
    outcome = record(meeting, TIM, "note", "Welcome!", at(0))
    assert outcome.message == "Entry 1: Note filed under the meeting (no item taken up yet)."
    assert [e.text for e in outcome.meeting.unfiled] == ["Welcome!"]


def test_a_link_must_be_http(meeting):
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "example.org"):
        with pytest.raises(LiveMeetingError, match="starts with http:// or https://"):
            record(meeting, TIM, "link", bad, at(0))
    assert meeting.entries == ()


def test_undo_removes_the_author_s_own_last_entry_and_says_what(meeting):
    after = run_z2jh(meeting)[-1].meeting
    outcome = undo(after, ERIK, at(7))
    assert outcome.message == "Removed entry 4, Erik's note “stray, wrong item”."
    assert [e.number for e in outcome.meeting.items[1].entries] == [2, 3, 5, 6, 7]
    # The row stays, flagged: nothing typed is lost.
    (row,) = outcome.changed
    assert (row.number, row.undone, row.text) == (4, True, "stray, wrong item")
    with pytest.raises(LiveMeetingError, match="You have nothing to undo"):
        undo(outcome.meeting, ERIK, at(8))


def test_only_a_chair_undoes_someone_else_s_entry(meeting):
    after = run_z2jh(meeting)[-1].meeting
    with pytest.raises(LiveMeetingError) as refusal:
        undo(after, TIM, at(7), number=4)
    assert str(refusal.value) == (
        "Only a chair can undo someone else's entry; the chairs are Carol, Min."
    )
    # Your own entry by number is fine.
    assert undo(after, TIM, at(7), number=7).message == (
        "Removed entry 7, Tim's link https://github.com/kubernetes-incubator/kubespray."
    )
    chaired = add_chairs(after, MIN, (TIM,), at(8)).meeting
    assert undo(chaired, TIM, at(9), number=4).message == (
        "Removed entry 4, Erik's note “stray, wrong item”."
    )


def test_undo_names_entries_that_are_not_there(meeting):
    after = run_z2jh(meeting)[-1].meeting
    with pytest.raises(LiveMeetingError, match=r"no entry 9 \(this meeting has entries 1–7\)"):
        undo(after, CAROL, at(7), number=9)
    undone = undo(after, CAROL, at(7), number=4).meeting
    with pytest.raises(LiveMeetingError, match="Entry 4 was already undone"):
        undo(undone, CAROL, at(8), number=4)


def test_undoing_a_take_goes_back_to_the_item_before(meeting):
    first = take_item(meeting, CAROL, 2, at(0)).meeting
    wrong = take_item(first, CAROL, 1, at(1)).meeting
    outcome = undo(wrong, CAROL, at(2))
    assert outcome.message == (
        "Removed entry 2, Carol taking up item 1, “Open PRs”; now on item 2, “z2jh - support "
        "for k8 deployments”."
    )
    assert statuses(outcome.meeting)[:2] == [
        (1, "Open PRs", "not taken up"), (2, Z2JH, "current"),
    ]


def test_a_new_topic_with_entries_is_not_undone_before_them(meeting):
    topic = take_topic(meeting, CAROL, "Kubeflow", at(0)).meeting
    noted = record(topic, TIM, "note", "influence direction", at(1)).meeting
    with pytest.raises(LiveMeetingError) as refusal:
        undo(noted, CAROL, at(2), number=1)
    assert str(refusal.value) == (
        "Entry 2 is filed under “Kubeflow”: undo them first (/undo N), then entry 1."
    )
    emptied = undo(noted, TIM, at(3)).meeting
    gone = undo(emptied, CAROL, at(4), number=1)
    assert gone.message == (
        "Removed entry 1, Carol taking up item 3, “Kubeflow”; no item is taken up now."
    )
    assert [v.item.text for v in gone.meeting.items] == ["Open PRs", Z2JH, RELEASE]


def test_chairs_are_removed_by_chairs_but_admins_and_the_last_chair_stay(meeting):
    with pytest.raises(LiveMeetingError, match="Min is an admin of this meeting series"):
        remove_chair(meeting, CAROL, MIN, at(0))
    with pytest.raises(LiveMeetingError, match="Tim is not a chair; the chairs are Carol, Min"):
        remove_chair(meeting, CAROL, TIM, at(0))
    with pytest.raises(LiveMeetingError, match="Only a chair can add chairs"):
        add_chairs(meeting, TIM, (TIM,), at(0))
    with pytest.raises(LiveMeetingError, match="Erik is already a chair"):
        add_chairs(add_chairs(meeting, CAROL, (ERIK,), at(0)).meeting, CAROL, (ERIK,), at(1))
    alone = LiveMeeting(meeting.agenda, starter=CAROL, names=NAMES)
    with pytest.raises(LiveMeetingError, match="Carol is the only chair"):
        remove_chair(alone, CAROL, CAROL, at(0))
    outcome = remove_chair(meeting, MIN, CAROL, at(0))
    assert outcome.message == "Carol is no longer a chair; the chairs are Min."
    with pytest.raises(LiveMeetingError, match="Only a chair can take up an item"):
        take_item(outcome.meeting, CAROL, 1, at(1))


def test_a_vote_counts_changed_ballots_once_and_records_who_chose_what(meeting):
    on_item = take_item(meeting, CAROL, 3, at(0)).meeting
    opened = vote(on_item, CAROL, "Cut a 0.1 release with the next JupyterHub?", at(1))
    assert opened.message == (
        "Entry 2: vote “Cut a 0.1 release with the next JupyterHub?”: "
        "/vote +1 or /vote 0 or /vote -1."
    )
    m = opened.meeting
    m = vote(m, TIM, "+1", at(2)).meeting
    m = vote(m, ERIK, "-1", at(2)).meeting
    changed = vote(m, ERIK, "+1", at(3))
    assert changed.message == (
        "Erik votes +1 (was -1). Vote “Cut a 0.1 release with the next JupyterHub?” so far: "
        "+1: 2, 0: 0, -1: 0."
    )
    m = vote(changed.meeting, MIN, "0", at(3)).meeting
    with pytest.raises(LiveMeetingError, match="Only a chair can close a vote; the chairs"):
        close_vote(m, TIM, at(4))
    closed = close_vote(m, MIN, at(4))
    assert closed.message == (
        "Vote “Cut a 0.1 release with the next JupyterHub?” closed: "
        "+1: 2 (Tim, Erik), 0: 1 (Min), -1: 0."
    )
    (view,) = closed.meeting.votes
    assert view.closed and view.entry.item == "13"
    assert [e.kind for e in closed.meeting.items[2].entries] == ["vote"]
    assert show_vote(closed.meeting).startswith("No vote is open")


def test_one_vote_at_a_time_with_choices_in_brackets(meeting):
    opened = vote(meeting, MIN, "Who facilitates? [roster, volunteers]", at(0))
    assert opened.message == (
        "Entry 1: vote “Who facilitates?”: /vote roster or /vote volunteers."
    )
    with pytest.raises(LiveMeetingError) as refusal:
        vote(opened.meeting, CAROL, "Another question?", at(1))
    assert str(refusal.value) == (
        "The vote “Who facilitates?” is open: vote one of roster, volunteers, "
        "or a chair closes it with /vote close."
    )
    cast = vote(opened.meeting, TIM, "Volunteers", at(1))
    assert cast.message.startswith("Tim votes volunteers.")
    assert show_vote(cast.meeting) == "Vote “Who facilitates?” so far: roster: 0, volunteers: 1."


def test_a_non_chair_cannot_open_a_vote(meeting):
    with pytest.raises(LiveMeetingError, match="Only a chair can open a vote"):
        vote(meeting, TIM, "Release?", at(0))


def test_a_ballot_without_an_open_vote_opens_nothing(meeting):
    closed = close_vote(vote(meeting, CAROL, "Release?", at(0)).meeting, CAROL, at(1)).meeting
    for who in (TIM, CAROL):
        with pytest.raises(LiveMeetingError) as refusal:
            vote(closed, who, "+1", at(2))
        assert str(refusal.value) == (
            "No vote is open; a chair opens one with /vote QUESTION [choice, choice, ...]."
        )


def test_undoing_a_vote_removes_its_ballots(meeting):
    m = vote(meeting, CAROL, "Release?", at(0)).meeting
    m = vote(m, TIM, "+1", at(1)).meeting
    outcome = undo(m, CAROL, at(2))
    assert outcome.message == "Removed entry 1, Carol's vote “Release?”, and its 1 ballot."
    assert outcome.meeting.votes == () and outcome.meeting.open_vote is None
    # A new vote starts from nothing.
    fresh = vote(outcome.meeting, CAROL, "Release now?", at(3)).meeting
    assert show_vote(fresh) == "Vote “Release now?” so far: +1: 0, 0: 0, -1: 0."


def test_the_timebox_note_comes_once_when_the_time_is_up(meeting):
    m = take_item(meeting, CAROL, 2, at(0)).meeting  # 10m from the agenda
    assert check_timebox(m, at(9)) is None
    note = check_timebox(m, at(10))
    assert note is not None and note.message == "Item 2 has reached its 10m timebox."
    assert check_timebox(note.meeting, at(15)) is None
    # A new item with its own timebox gets its own note; one without gets none.
    m = take_item(note.meeting, CAROL, 1, at(16), timebox=5).meeting
    assert check_timebox(m, at(21)).message == "Item 1 has reached its 5m timebox."
    assert check_timebox(take_item(m, CAROL, 3, at(22)).meeting, at(90)) is None


def test_the_rows_alone_rebuild_the_meeting(meeting):
    """What a store would keep: every changed row, by seq. Reading them back gives the
    same meeting, undone entries and all."""
    rows: dict[int, object] = {}
    m = meeting
    actions = [
        lambda m: take_item(m, CAROL, 2, at(0)),
        lambda m: record(m, ERIK, "note", "stray", at(1)),
        lambda m: vote(m, CAROL, "Release?", at(2)),
        lambda m: vote(m, TIM, "+1", at(3)),
        lambda m: undo(m, ERIK, at(4)),
        lambda m: close_vote(m, CAROL, at(5)),
        lambda m: add_chairs(m, CAROL, (TIM,), at(6)),
        lambda m: take_topic(m, TIM, "Kubeflow", at(7)),
    ]
    for action in actions:
        outcome = action(m)
        rows.update({row.seq: row for row in outcome.changed})
        m = outcome.meeting
    rebuilt = dataclasses.replace(meeting, entries=tuple(rows[k] for k in sorted(rows)))
    assert rebuilt.entries == m.entries
    assert rebuilt.items == m.items and rebuilt.chairs == m.chairs
    assert rebuilt.votes == m.votes
