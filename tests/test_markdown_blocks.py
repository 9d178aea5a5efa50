"""The block structure the notes importer reads (markdown-it tokens)."""

from __future__ import annotations

from pathlib import Path

from chatbot.core.markdown_blocks import Block, read_document, walk

FIXTURES = Path(__file__).parent / "fixtures"


def test_bullets_under_an_agenda_item_are_its_children():
    document = read_document((FIXTURES / "binder-team-meeting-2018-03.md").read_text())
    z2jh = next(b for b in walk(document.blocks) if b.text.startswith("z2jh - support"))
    assert [child.text.split(":")[0] for child in z2jh.children] == [
        "NOTES", "TODO", "TODO", "TODO", "k8 incubator"]
    assert z2jh.children[-1].text == (
        "k8 incubator: [kubespray](https://github.com/kubernetes-incubator/kubespray)")
    assert {child.depth for child in z2jh.children} == {z2jh.depth + 1}
    assert all(child.kind == "item" and not child.children for child in z2jh.children)


def test_front_matter_headings_and_paragraph_lines():
    document = read_document(
        "---\ntitle: March 2018\n---\n\n# Team - *March*  2018 #\n\n"
        "Goal: improve\nRoll call:\n* Tim / WTT\n"
    )
    assert document.front_matter == "title: March 2018"
    assert document.blocks == (
        Block("heading", ("Team - *March*  2018",), level=1),
        Block("line", ("Goal: improve",)),
        Block("line", ("Roll call:",)),
        Block("item", ("Tim / WTT",)),
    )
    assert document.blocks[0].text == "Team - *March* 2018"


def test_an_items_continuation_lines_and_further_paragraphs():
    document = read_document(
        "1.  Decisions needed\n    - the first\n      continued\n"
        "lazily continued\n\n      a second paragraph\n"
    )
    (numbered,) = document.blocks
    assert numbered.ordered and numbered.text == "Decisions needed"
    (first,) = numbered.children
    assert first.lines == ("the first", "continued", "lazily continued")
    assert first.children == (Block("line", ("a second paragraph",)),)


def test_code_quotes_and_html_are_not_read():
    document = read_document(
        "```\n- TODO: in code\n```\n\n    - indented code\n\n> - TODO: quoted\n\n"
        "<div>\n\n- real\n\n</div>\n"
    )
    assert [b.text for b in walk(document.blocks)] == ["<div>", "real", "</div>"]
