"""Hostile input through the real parser, dispatcher and store.

It feeds generated command strings (10,000 by default, to keep `make test` quick;
`CHATBOT_FUZZ_COMMANDS=100000 make test` for the full run): no exception escapes, every
reply is an answer or a clear one-line error, and the database stays consistent.
"""

from __future__ import annotations

import os

from conftest import Chat
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

FUZZ_COMMANDS = int(os.environ.get("CHATBOT_FUZZ_COMMANDS", "10000"))
PER_EXAMPLE = 50

COMMAND_WORDS = [
    "/agenda", "/agenda add", "/agenda add decision:", "/agenda remove", "/agenda done",
    "/agenda move", "/attend", "/attend regrets", "/attendance", "/todo add", "/todo done",
    "/todo assign", "/todo reopen", "/todos", "/todos mine", "/tz", "/meeting",
    "/meeting start", "/meeting end", "/meeting ics", "/decision", "/remind me", "/help",
    "/agenda --meeting", "!agenda add", "/", "", "/todo", "/agendas",
]
HOSTILE = [
    "'; DROP TABLE todos; --", "\" OR 1=1 --", "<@U123|tim>", "<@>", "<!channel>", "<!here>",
    "<https://evil.example|click>", "*bold* _it_ ~s~ `code` ```block```", "# heading",
    "[link](javascript:alert(1))", "<script>alert(1)</script>", "&amp; &lt;", "@", "@@",
    "99999999999999999999999999", "-1", "0", "1e308", "NaN", "\x00", "\x1b[31m", "\u202e",
    "\r\n- [ ] TODO: injected (Mallory)", "| a | b |", "name / aff / @x", "Europe/Berlin",
    "los angeles", "%s%s%n", "{0}", "\\", "..", "🎉" * 3, "Ǆ" * 10, " " * 5,
]

text_piece = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=5),
)
command = st.builds(
    lambda word, pieces: " ".join([word, *pieces]),
    st.sampled_from(COMMAND_WORDS),
    st.lists(text_piece, max_size=4),
)
users = st.sampled_from(["jessica", "betatim", "minrk", "<@U1>", "ünï", "x" * 60])


def check_consistent(chat: Chat) -> None:
    db = chat.store.db
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # A TODO is never stored without its owners (no half-applied /todo add).
    orphans = db.execute(
        "SELECT count(*) FROM todos t WHERE NOT EXISTS"
        " (SELECT 1 FROM todo_owners o WHERE o.todo_id = t.id)").fetchone()[0]
    assert orphans == 0
    numbers = db.execute(
        "SELECT workspace, channel, number, count(*) FROM todos"
        " GROUP BY 1, 2, 3 HAVING count(*) > 1").fetchall()
    assert numbers == []


def test_hostile_commands(tmp_path_factory):
    chat = Chat(tmp_path_factory.mktemp("fuzz"))
    chat.set_now(chat.clock.now().replace(day=21, hour=17, minute=5))  # meeting time
    seen = {"count": 0}

    # No shrinking: each assertion names the offending command, and shrinking batches
    # of 50 commands against a growing database takes minutes.
    @settings(max_examples=max(1, FUZZ_COMMANDS // PER_EXAMPLE), deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(st.lists(st.tuples(command, users), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def feed(batch):
        for text, user in batch:
            reply = chat.say(text, user=user)
            seen["count"] += 1
            assert reply.text.strip(), f"empty reply to {text!r}"
            assert "something went wrong" not in reply.text, f"crash on {text!r}"
            if not reply.ok:
                assert "\n" not in reply.text, f"multi-line error for {text!r}"
        check_consistent(chat)

    feed()
    assert seen["count"] >= FUZZ_COMMANDS
