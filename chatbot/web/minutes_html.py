"""Archived minutes (team-compass markdown) as HTML for the meeting page.

markdown-it-py parses CommonMark with raw HTML switched off, so a `<script>` in the
notes is text, and renders every text and attribute escaped. What this module adds
is the rule for where a link may go, applied to the parsed tokens (so it holds for
inline links, reference links, autolinks, bare URLs and images alike):

- an http(s) address stays a link (`rel="noopener noreferrer"`);
- a relative link (`2018-02-21.md`, the "previous meeting" line) goes wherever
  `link_for` says; None, like any other address (javascript:, data:, mailto:,
  ../../etc/passwd), leaves the link's text without a link;
- an image is never loaded: it becomes a link to the image, by the same rule,
  with its description as the text.

Front matter is dropped and `[ ]` / `[x]` at the start of a list item become
disabled checkboxes. A notes file imported by hand can hold anything, so nothing
in it is trusted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup
from mdit_py_plugins.front_matter import front_matter_plugin

LinkFor = Callable[[str], "str | None"]

_WEB_ADDRESS = re.compile(r"^https?://", re.I)
_TASK_BOX = re.compile(r"^\[([ xX])\]\s+")


def _href(target: str, link_for: LinkFor) -> str | None:
    return target if _WEB_ADDRESS.match(target) else link_for(target)


def _safe_links(children: Sequence[Token], link_for: LinkFor) -> list[Token]:
    """The inline tokens with every link and image passed through the rule above."""
    safe: list[Token] = []
    in_link = dropped = False  # links do not nest, so a close matches the last open
    for token in children:
        if token.type == "link_open":
            href = _href(token.attrGet("href") or "", link_for)
            in_link, dropped = True, href is None
            if dropped:
                continue
            token.attrSet("href", href)
            if _WEB_ADDRESS.match(href):
                token.attrSet("rel", "noopener noreferrer")
        elif token.type == "link_close":
            in_link = False
            if dropped:
                continue
        elif token.type == "image":
            # Inside a link (a badge) the description is enough: no link in a link.
            inner = list(token.children or [])
            src = token.attrGet("src") or ""
            safe += _safe_links(inner if in_link else _as_link(src, inner), link_for)
            continue
        safe.append(token)
    return safe


def _as_link(href: str, inner: list[Token]) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrSet("href", href)
    return [link_open, *inner, Token("link_close", "a", -1)]


def _task_box(inline: Token) -> None:
    """`[x] text` as the first thing in a list item: a checkbox, then the text."""
    first = inline.children[0] if inline.children else None
    if first is None or first.type != "text" or not (box := _TASK_BOX.match(first.content)):
        return
    first.content = first.content[box.end():]
    task = Token("task_box", "input", 0)
    task.meta["done"] = box.group(1) != " "
    inline.children.insert(0, task)


def _rewrite(state: StateCore) -> None:
    link_for: LinkFor = state.env["link_for"]
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        token.children = _safe_links(token.children or [], link_for)
        if index >= 2 and tokens[index - 2].type == "list_item_open":
            _task_box(token)


def _render_task_box(self: RendererHTML, tokens: Sequence[Token], idx: int,
                     options: OptionsDict, env: EnvType) -> str:
    done = tokens[idx].meta["done"]
    return Markup('<input type="checkbox" disabled{} aria-label="{}"> ').format(
        Markup(" checked") if done else Markup(), "done" if done else "open")


def _render_code(self: RendererHTML, tokens: Sequence[Token], idx: int,
                 options: OptionsDict, env: EnvType) -> str:
    # No language class: the page loads no highlighter, and the info string is text.
    return Markup("<pre><code>{}</code></pre>\n").format(tokens[idx].content.rstrip("\n"))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "xhtmlOut": False})
    md.disable(["html_block", "html_inline"]).enable(["linkify"]).use(front_matter_plugin)
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    # Every link is parsed as a link, whatever its address; `_rewrite` decides what
    # stays one. (The default check would leave `[a](javascript:…)` as its source.)
    md.validateLink = lambda url: True
    md.core.ruler.push("safe_links", _rewrite)
    md.add_render_rule("task_box", _render_task_box)
    md.add_render_rule("fence", _render_code)
    md.add_render_rule("code_block", _render_code)
    md.add_render_rule("front_matter", lambda *args: "")
    return md


# linkify-it keeps its last match on the parser, and pages are rendered on the server's
# worker threads: one parser per thread (building one takes under a millisecond).
_PER_THREAD = threading.local()


def minutes_html(markdown: str, link_for: LinkFor) -> Markup:
    """The whole document as HTML (block elements only; no <html> or <body>)."""
    if not hasattr(_PER_THREAD, "parser"):
        _PER_THREAD.parser = _parser()
    return Markup(_PER_THREAD.parser.render(markdown, {"link_for": link_for}))
