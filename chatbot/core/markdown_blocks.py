"""The block structure of a markdown document, read with markdown-it-py (CommonMark).

What the notes importer reads: the front matter, the headings, the paragraphs line
by line, and the list items, each with what is nested under it (its further
paragraphs and its sub-items), so an agenda item's notes, links and TODOs can be
read as its children. Inline markdown stays as it was written (`**Min:** update`,
`\\[escaped\\]`); reading it is the importer's job. Quotes, code and raw HTML say
nothing about a meeting and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).use(front_matter_plugin)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "line" (of a paragraph) | "item" | "rule"
    lines: tuple[str, ...] = ()  # as written, stripped; an item's first paragraph
    level: int = 0  # a heading's level
    depth: int = 0  # an item's list nesting: 0 for a list that is not inside another
    ordered: bool = False  # an item of a numbered list
    children: tuple[Block, ...] = ()  # what is nested under an item

    @property
    def text(self) -> str:
        """The lines joined, every run of whitespace one space."""
        return " ".join(" ".join(self.lines).split())


@dataclass(frozen=True)
class Document:
    front_matter: str  # the text between the `---` lines, '' if none
    blocks: tuple[Block, ...]


def _inline_lines(node: SyntaxTreeNode) -> tuple[str, ...]:
    """The source lines of a paragraph or heading."""
    inline = node.children[0] if node.children else None
    if inline is None:
        return ()
    return tuple(line.strip() for line in inline.content.split("\n"))


def _item(node: SyntaxTreeNode, depth: int, ordered: bool) -> Block:
    parts = list(node.children)
    lines = _inline_lines(parts.pop(0)) if parts and parts[0].type == "paragraph" else ()
    return Block("item", lines, depth=depth, ordered=ordered,
                 children=tuple(_blocks(parts, depth + 1)))


def _blocks(nodes: Iterable[SyntaxTreeNode], depth: int) -> Iterator[Block]:
    for node in nodes:
        if node.type == "heading":
            yield Block("heading", _inline_lines(node), level=int(node.tag[1:]))
        elif node.type == "paragraph":
            yield from (Block("line", (line,)) for line in _inline_lines(node) if line)
        elif node.type in ("bullet_list", "ordered_list"):
            ordered = node.type == "ordered_list"
            yield from (_item(item, depth, ordered) for item in node.children)
        elif node.type == "hr":
            yield Block("rule")


def read_document(markdown: str) -> Document:
    tree = SyntaxTreeNode(_MARKDOWN.parse(markdown))
    front_matter = next((n.content for n in tree.children if n.type == "front_matter"), "")
    return Document(front_matter, tuple(_blocks(tree.children, 0)))


def walk(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block in document order: an item, then what is nested under it."""
    for block in blocks:
        yield block
        yield from walk(block.children)
