"""The new command words of a live meeting, read: what each form means, and the one
line a mistake gets."""

import pytest

from chatbot.core.live_words import (
    AgendaAddition,
    Link,
    LiveMeetingError,
    TakeTarget,
    VoteQuestion,
    VoteWords,
    match_choice,
    parse_agenda_add,
    parse_link,
    parse_take,
    parse_timebox,
    parse_undo,
    parse_vote,
    parse_vote_question,
)

ALIASES = {"discuss": "discuss", "help": "discuss", "decision": "decision", "news": "news"}


@pytest.mark.parametrize(("word", "minutes"), [
    ("10m", 10), ("15min", 15), ("5mins", 5), ("20minutes", 20), ("1h", 60), ("2HR", 120),
    ("10", None), ("m", None), ("0m", None), ("ten", None), ("10 m", None), ("1000m", None),
])
def test_timeboxes(word, minutes):
    assert parse_timebox(word) == minutes


@pytest.mark.parametrize(("text", "expected"), [
    ("Adopting JupyterHealth", AgendaAddition("discuss", "Adopting JupyterHealth", None)),
    ("10m Adopting JupyterHealth", AgendaAddition("discuss", "Adopting JupyterHealth", 10)),
    ("decision: 5min Release 0.1?", AgendaAddition("decision", "Release 0.1?", 5)),
    ("15m news: JupyterCon talks", AgendaAddition("news", "JupyterCon talks", 15)),
    ("News:   Podcast  interview", AgendaAddition("news", "Podcast interview", None)),
    # Only a leading word is a timebox, and only a known section takes a colon.
    ("Ask about 10m users", AgendaAddition("discuss", "Ask about 10m users", None)),
    ("z2jh: 10m docs", AgendaAddition("discuss", "z2jh: 10m docs", None)),
])
def test_agenda_add_reads_section_and_timebox(text, expected):
    assert parse_agenda_add(text, ALIASES, "discuss") == expected


@pytest.mark.parametrize("text", ["", "10m", "decision:", "decision: 10m"])
def test_agenda_add_without_text_says_what_to_type(text):
    with pytest.raises(LiveMeetingError, match=r"Use /agenda add \[section:\] \[10m\] TEXT"):
        parse_agenda_add(text, ALIASES, "discuss")


@pytest.mark.parametrize(("text", "expected"), [
    ("3", TakeTarget(3, "", None)),
    ("#3 10m", TakeTarget(3, "", 10)),
    ("10m 3", TakeTarget(3, "", 10)),
    ("CI is red", TakeTarget(None, "CI is red", None)),
    ("CI is red 5m", TakeTarget(None, "CI is red", 5)),
    ("3 things to fix", TakeTarget(None, "3 things to fix", None)),
])
def test_take_reads_a_number_or_a_topic(text, expected):
    assert parse_take(text) == expected


def test_take_without_a_target_says_what_to_type():
    with pytest.raises(LiveMeetingError, match=r"Use /agenda take N \[10m\]"):
        parse_take("10m")


@pytest.mark.parametrize(("text", "expected"), [
    ("", VoteWords("show")), ("close", VoteWords("close")), ("CLOSE", VoteWords("close")),
    ("+1", VoteWords("say", "+1")), ("Release  now?", VoteWords("say", "Release now?")),
])
def test_vote_forms(text, expected):
    assert parse_vote(text) == expected


def test_vote_questions_with_and_without_choices():
    assert parse_vote_question("Release?") == VoteQuestion("Release?", ("+1", "0", "-1"))
    assert parse_vote_question("Who facilitates? [roster, volunteers , ]") == VoteQuestion(
        "Who facilitates?", ("roster", "volunteers")
    )
    for bad in ("Pick [one]", "Pick [a, A]", "[a, b]"):
        with pytest.raises(LiveMeetingError):
            parse_vote_question(bad)


def test_choices_match_in_any_case_and_default_spellings():
    assert match_choice("1", ("+1", "0", "-1")) == "+1"
    assert match_choice("-0", ("+1", "0", "-1")) == "0"
    assert match_choice("yes", ("+1", "0", "-1")) is None
    assert match_choice("ROSTER", ("roster", "volunteers")) == "roster"
    assert match_choice("+1", ("roster", "volunteers")) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("https://github.com/kubernetes-incubator/kubespray",
     Link("https://github.com/kubernetes-incubator/kubespray", "")),
    ("<http://example.org/a_b> the  spec", Link("http://example.org/a_b", "the spec")),
])
def test_links(text, expected):
    assert parse_link(text) == expected


@pytest.mark.parametrize("text", [
    "", "javascript:alert(1)", "ftp://example.org", "example.org", "https://", "http://[::1",
])
def test_links_that_are_not_http_are_refused_with_the_form(text):
    with pytest.raises(LiveMeetingError) as refusal:
        parse_link(text)
    assert str(refusal.value) == (
        "A link starts with http:// or https://: use /link https://example.org [TEXT]."
    )


def test_undo_forms():
    assert parse_undo("") is None
    assert parse_undo(" #12 ") == 12
    with pytest.raises(LiveMeetingError, match="'twelve' is not an entry number"):
        parse_undo("twelve")
