"""Hostile markdown in archived minutes: what the meeting page may show of it.

A notes file imported by hand can hold anything. Whatever its form, a link leads only
to an http(s) address or to a sibling minutes page, nothing is loaded, and every
character typed shows as itself.
"""

from __future__ import annotations

import re

import pytest

from chatbot.web.minutes_html import minutes_html


def sibling(target: str) -> str | None:
    return target[:-3] if re.fullmatch(r"\d{4}-\d\d-\d\d\.md", target) else None


def html(markdown: str) -> str:
    return str(minutes_html(markdown, sibling))


def hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


@pytest.mark.parametrize("markdown", [
    "[click](javascript:alert(1))",
    "[click](JavaScript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\\script:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](file:///etc/passwd)",
    "[click](mailto:someone@example.org)",
    "[click](//evil.example/x)",
    "[click](../../etc/passwd)",
    "[click](/absolute/path)",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "[click]\n\n[click]: data:text/html,x",
])
def test_a_link_to_anything_but_the_web_or_a_sibling_is_its_text(markdown):
    page = html(markdown)
    assert hrefs(page) == []
    assert "click" in page
    assert "javascript" not in page.lower() and "data:" not in page


@pytest.mark.parametrize("markdown", [
    "<javascript:alert(1)>",
    "<data:text/html,x>",
    "<mailto:someone@example.org>",
    "<someone@example.org>",
])
def test_an_autolink_to_anything_but_the_web_is_its_address_as_text(markdown):
    assert html(markdown) == f"<p>{markdown.strip('<>')}</p>\n"


@pytest.mark.parametrize("markdown, href", [
    ("[docs](https://docs.example/a_b)", "https://docs.example/a_b"),
    ("<https://docs.example/a>", "https://docs.example/a"),
    ("see https://docs.example/bare for more", "https://docs.example/bare"),
    ("[docs][ref]\n\n[ref]: http://docs.example/ref", "http://docs.example/ref"),
    ("[docs]\n\n[docs]: <https://docs.example/short>", "https://docs.example/short"),
    ("[previous](2018-02-21.md)", "2018-02-21"),
    ("[previous][p]\n\n[p]: 2018-02-21.md", "2018-02-21"),
])
def test_web_addresses_and_sibling_minutes_stay_links(markdown, href):
    page = html(markdown)
    assert hrefs(page) == [href]
    if href.startswith("http"):
        assert 'rel="noopener noreferrer"' in page


def test_a_reference_definition_is_not_shown():
    page = html("[docs][ref]\n\n[ref]: https://docs.example/ref 'Title'\n")
    assert "[ref]" not in page and "Title" in page  # the title is the link's tooltip


@pytest.mark.parametrize("markdown", [
    "![tracker](https://tracker.example/pixel.gif)",
    "![tracker][t]\n\n[t]: https://tracker.example/pixel.gif",
])
def test_an_image_is_never_loaded_but_linked(markdown):
    page = html(markdown)
    assert "<img" not in page
    assert hrefs(page) == ["https://tracker.example/pixel.gif"]
    assert ">tracker</a>" in page


@pytest.mark.parametrize("markdown", [
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    '![x](x" onerror="alert(1))',
])
def test_an_image_with_a_hostile_source_is_its_description(markdown):
    page = html(markdown)
    assert "<img" not in page and "<svg" not in page and hrefs(page) == []
    assert set(re.findall(r"<(\w+)", page)) == {"p"}


def test_a_badge_inside_a_link_is_its_description():
    page = html("[![build](https://ci.example/badge.svg)](https://ci.example/run)")
    assert hrefs(page) == ["https://ci.example/run"]
    assert "badge.svg" not in page and ">build</a>" in page


@pytest.mark.parametrize("markdown, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<div onclick=alert(1)>\n\nhi\n\n</div>", "&lt;div onclick=alert(1)&gt;"),
    ("text <b onmouseover=alert(1)>bold</b>", "&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;"),
    ("<!-- hidden -->", "&lt;!-- hidden --&gt;"),
    ("- <iframe src=evil.html>", "&lt;iframe src=evil.html&gt;"),
    ("# <style>body{}</style>", "&lt;style&gt;body{}&lt;/style&gt;"),
    ("&lt;script&gt;", "&lt;script&gt;"),
    ("&#60;script&#62;", "&lt;script&gt;"),
])
def test_raw_html_is_shown_as_text(markdown, shown):
    page = html(markdown)
    assert shown in page
    tags = set(re.findall(r"<(\w+)", page))
    assert tags <= {"p", "ul", "li", "h1", "a"}


def test_an_attribute_cannot_be_broken_out_of():
    page = html('[a](https://x.example/"onmouseover="alert(1)) [b](<https://y.example/" x=">)')
    assert '"onmouseover' not in page and '" x=' not in page
    assert all(href.startswith("https://") for href in hrefs(page))


def test_a_code_block_keeps_its_text_and_its_info_string_is_not_markup():
    page = html('```js" onload="alert(1)\n<b>&amp;</b>\n```\n')
    assert page == "<pre><code>&lt;b&gt;&amp;amp;&lt;/b&gt;</code></pre>\n"
