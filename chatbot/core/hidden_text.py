"""Characters that change what text looks like without being seen, taken out of what
people type before it is stored or echoed.

`jes\\u200bsica` must not pass for `jessica`, nor U+202E turn a line around. Some
invisible characters do a job, though: ZWJ and ZWNJ shape letters in Arabic, Persian and
Indic scripts and join emoji (woman, ZWJ, laptop: one emoji); bidi marks (LRM, RLM) order
right-to-left text. Those are kept where they do that job. Names get no bidi marks at all.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ, ZWJ = "\u200c", "\u200d"
BIDI_MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM: order right-to-left text
_BIDI_MARK = re.compile(f"[{BIDI_MARKS}]")
_ALWAYS_HIDDEN = re.compile(
    "[\u0080-\u009f"  # C1 controls
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\u00ad\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"  # zero-width, invisible
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: blank-looking letters
    "\U0001d173-\U0001d17a]"  # musical formatting
)
# A subdivision flag (🏴 + tag letters + cancel tag) is the only use of tag characters.
_TAGS = re.compile("[\U000e0000-\U000e007f]")
_TAG_FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")

# Scripts whose letters ZWJ/ZWNJ shape (Unicode blocks): Arabic to Sinhala (Arabic,
# Syriac, Thaana, NKo, Indic), Tibetan, Myanmar, Khmer, Mongolian, Arabic presentation forms.
_JOINING_BLOCKS = (
    (0x0600, 0x0DFF), (0x0F00, 0x109F), (0x1780, 0x18AF), (0xA8E0, 0xA8FF),
    (0xFB50, 0xFDFF), (0xFE70, 0xFEFF),
)


def visible_text(text: str) -> str:
    """Free text: hidden characters out, joiners and bidi marks kept where they work."""
    if text.isascii():  # every character this drops is outside ASCII: nothing to do
        return text
    return _drop_misplaced_joiners(_drop_bidi_marks_unless_rtl(_drop_always_hidden(text)))


def visible_name(text: str) -> str:
    """A name or handle, which people tell apart by eye: no bidi marks either."""
    if text.isascii():
        return text
    without_marks = _BIDI_MARK.sub("", _drop_always_hidden(text))
    return _drop_misplaced_joiners(without_marks)


def _drop_always_hidden(text: str) -> str:
    text = _ALWAYS_HIDDEN.sub("", text)
    if not _TAGS.search(text):
        return text
    flags = _TAG_FLAG.findall(text)
    parts = [_TAGS.sub("", part) for part in _TAG_FLAG.split(text)]
    return "".join(part + flag for part, flag in zip(parts, [*flags, ""], strict=True))


def _drop_bidi_marks_unless_rtl(text: str) -> str:
    # Most text has no mark: then there is nothing to look up, character by character.
    if not _BIDI_MARK.search(text) or any(
            unicodedata.bidirectional(char) in ("R", "AL") for char in text):
        return text
    return _BIDI_MARK.sub("", text)


def _drop_misplaced_joiners(text: str) -> str:
    if ZWJ not in text and ZWNJ not in text:
        return text
    kept = []
    for index, char in enumerate(text):
        if char in (ZWJ, ZWNJ):
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if not (_joins_letters(before, after) or (char == ZWJ and _joins_emoji(before, after))):
                continue
        kept.append(char)
    return "".join(kept)


def _joins_letters(before: str, after: str) -> bool:
    """Between two letters or marks of a script that ZWJ/ZWNJ shape."""
    return bool(before and after) and all(
        unicodedata.category(char)[0] in "LM"
        and any(low <= ord(char) <= high for low, high in _JOINING_BLOCKS)
        for char in (before, after)
    )


def _joins_emoji(before: str, after: str) -> bool:
    """An emoji ZWJ sequence: a symbol (or its presentation selector or skin tone) before,
    a symbol after."""
    return bool(before and after) and (
        unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"
    ) and unicodedata.category(after) == "So"
