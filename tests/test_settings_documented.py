"""`.env.example` documents every setting the bot reads: a setting added without a line
there is one nobody can find."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTING = re.compile(r"\b((?:CHATBOT|SLACK|MATRIX)_[A-Z][A-Z0-9_]*)\b")


def test_every_setting_read_by_the_bot_is_in_env_example():
    read = {name for path in (ROOT / "chatbot").rglob("*.py")
            for name in SETTING.findall(path.read_text())}
    documented = set(re.findall(r"^#? ?((?:CHATBOT|SLACK|MATRIX)_[A-Z0-9_]+)=",
                                (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert len(read) >= 15  # the pattern still finds what the code reads
    assert read - documented == set()
