"""Archived minutes (team-compass markdown) as HTML for the meeting page.

A small renderer for what minutes and meeting notes contain: front matter (dropped),
headings, nested lists with task boxes, paragraphs, quotes, fenced code, rules,
bold, italics, code spans, links and bare URLs. Anything else shows as the text it is.

Safety is by construction: every piece of the input goes through `escape`, the only
tags are the ones written here, and a link goes only to an http(s) or mailto address
or, for a relative link (`2018-02-21.md`, the "previous meeting" line), wherever
`link_for` says (None: the link text is shown without a link). A notes file
imported by hand can hold anything, so nothing in it is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

LinkFor = Callable[[str], "str | None"]

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_TASK = re.compile(r"^\[([ xX])\]\s+(.*)$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^ {0,3}>\s?(.*)$")

# Inline syntax, tried in this order at each position (leftmost match wins).
_INLINE = re.compile(
    r"(?P<escape>\\[!-/:-@\[-`{-~])"
    r"|(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|<(?P<autolink>(?:https?://|mailto:)[^\s<>]+)>"
    r"|\[(?P<link_text>(?:\\.|[^\]\\])*)\]\((?P<link_target>[^()\s]*)\)"
    r"|(?P<bare>https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"*_])"
    r"|\*\*(?P<strong>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w\\])__(?P<strong2>\S(?:.*?\S)?)__(?!\w)"
    r"|(?<![\w\\*])\*(?P<em>[^\s*](?:.*?[^\s\\*])?)\*(?!\*)"
    r"|(?<![\w\\])_(?P<em2>\S(?:.*?[^\s\\])?)_(?!\w)"
)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _link(href: str, inner: Markup) -> Markup:
    external = href.startswith(_SAFE_SCHEMES)
    rel = ' rel="noopener noreferrer"' if external else ""
    return Markup('<a href="{}"{}>{}</a>').format(href, Markup(rel), inner)


def inline(text: str, link_for: LinkFor) -> Markup:
    """One line (or paragraph) of markdown text as HTML."""
    out = Markup()
    position = 0
    for match in _INLINE.finditer(text):
        out += escape(text[position:match.start()])
        position = match.end()
        if match.group("escape") is not None:
            out += escape(match.group("escape")[1])
        elif match.group("code") is not None:
            out += Markup("<code>{}</code>").format(match.group("code_text").strip())
        elif match.group("autolink") is not None:
            out += _link(match.group("autolink"), escape(match.group("autolink")))
        elif match.group("link_target") is not None:
            target = _unescape(match.group("link_target"))
            label = inline(match.group("link_text"), link_for)
            href = target if target.startswith(_SAFE_SCHEMES) else link_for(target)
            out += _link(href, label) if href else label
        elif match.group("bare") is not None:
            url = _unescape(match.group("bare"))
            out += _link(url, escape(url))
        elif (strong := match.group("strong") or match.group("strong2")) is not None:
            out += Markup("<strong>{}</strong>").format(inline(strong, link_for))
        else:
            emphasis = match.group("em") or match.group("em2")
            out += Markup("<em>{}</em>").format(inline(emphasis, link_for))
    return out + escape(text[position:])


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                return lines[number + 1:]
    return lines


class _Writer:
    """Open paragraphs and lists, closed in the right order as blocks change."""

    def __init__(self, link_for: LinkFor):
        self.link_for = link_for
        self.html: list[Markup] = []
        self.paragraph: list[str] = []
        self.quote: list[str] = []
        self.lists: list[tuple[int, str]] = []  # (indentation, "ul" or "ol") of open lists

    def flush_text(self) -> None:
        if self.paragraph:
            self.html.append(Markup("<p>{}</p>\n").format(
                inline(" ".join(self.paragraph), self.link_for)))
            self.paragraph = []
        if self.quote:
            self.html.append(Markup("<blockquote><p>{}</p></blockquote>\n").format(
                inline(" ".join(self.quote), self.link_for)))
            self.quote = []

    def close_lists(self, down_to: int = -1) -> None:
        while self.lists and self.lists[-1][0] > down_to:
            _, tag = self.lists.pop()
            self.html.append(Markup(f"</li></{tag}>\n"))

    def close_all(self) -> None:
        self.flush_text()
        self.close_lists()

    def item(self, indent: int, marker: str, text: str) -> None:
        self.flush_text()
        tag = "ol" if marker[0].isdigit() else "ul"
        self.close_lists(down_to=indent)
        if self.lists and self.lists[-1][0] == indent and self.lists[-1][1] == tag:
            self.html.append(Markup("</li>\n"))
        else:
            if self.lists and self.lists[-1][0] == indent:
                self.close_lists(down_to=indent - 1)  # same level, other kind of list
            self.lists.append((indent, tag))
            self.html.append(Markup(f"\n<{tag}>\n" if self.lists[:-1] else f"<{tag}>\n"))
        task = _TASK.match(text)
        if task:
            done = task.group(1) != " "
            box = Markup('<input type="checkbox" disabled{} aria-label="{}"> ').format(
                Markup(" checked") if done else Markup(), "done" if done else "open")
            self.html.append(Markup("<li>") + box + inline(task.group(2), self.link_for))
        else:
            self.html.append(Markup("<li>") + inline(text, self.link_for))

    def continue_item(self, text: str) -> None:
        self.html.append(Markup(" ") + inline(text, self.link_for))


def minutes_html(markdown: str, link_for: LinkFor) -> Markup:
    """The whole document as HTML (block elements only; no <html> or <body>)."""
    writer = _Writer(link_for)
    lines = _without_front_matter(markdown.splitlines())
    index = 0
    after_blank = False
    while index < len(lines):
        line = lines[index].expandtabs(4)
        index += 1
        if not line.strip():
            writer.flush_text()
            after_blank = True
            continue
        if fence := _FENCE.match(line):
            writer.close_all()
            code = []
            while index < len(lines) and not lines[index].strip().startswith(fence.group(1)):
                code.append(lines[index])
                index += 1
            index += 1  # the closing fence
            writer.html.append(Markup("<pre><code>{}</code></pre>\n").format("\n".join(code)))
        elif heading := _HEADING.match(line):
            writer.close_all()
            level = len(heading.group(1))
            writer.html.append(Markup(f"<h{level}>{{}}</h{level}>\n").format(
                inline(heading.group(2), link_for)))
        elif _RULE.match(line):
            writer.close_all()
            writer.html.append(Markup("<hr>\n"))
        elif item := _ITEM.match(line):
            writer.item(len(item.group(1)), item.group(2), item.group(3))
        elif writer.lists and (line.startswith(" ") or not after_blank):
            writer.continue_item(line.strip())
        elif quote := _QUOTE.match(line):
            writer.close_lists()
            if writer.paragraph:
                writer.flush_text()
            writer.quote.append(quote.group(1))
        else:
            writer.close_lists()
            if writer.quote:
                writer.flush_text()
            writer.paragraph.append(line.strip())
        after_blank = False
    writer.close_all()
    return Markup("").join(writer.html)
