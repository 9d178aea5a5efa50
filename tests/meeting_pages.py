"""Two teams' meetings, filled in through chat commands, for the web page tests.

The seed meeting (binder-team, console channel binder-team) held its February meeting
(minutes archived) and has an agenda and TODOs for 21 March; a public stand-up in
channel standup has its own. Nothing of one may ever show on the other's page.
"""

from __future__ import annotations

import datetime as dt

from conftest import SEED_NOW, Chat

FEBRUARY = dt.datetime(2018, 2, 21, 17, 0, tzinfo=dt.UTC)  # 18:00 CET, the third Wednesday
HOSTILE = "<script>window.pwned = 1</script> [click](javascript:alert(1))"

STANDUP = """\
name = "Infrastructure stand-up"
timezone = "UTC"
start = "2018-01-01T16:00"
rrule = "FREQ=WEEKLY;BYDAY=MO,TH"
duration = "15m"
public = true
video = "https://meet.example.org/standup"

[channels]
console = "standup"
"""
STANDUP_ONLY = ("standup-only agenda: rotate the on-call", "standup-only TODO: renew the cert")


def seed_two_teams(chat: Chat) -> None:
    (chat.schedules_dir / "standup.toml").write_text(STANDUP)

    # February's meeting, held and ended: its minutes are archived.
    chat.set_now(FEBRUARY + dt.timedelta(minutes=2))
    chat.ok(f"/agenda add {HOSTILE}", user="jessica", tz="Europe/Berlin")
    chat.ok("/meeting start", user="jessica", tz="Europe/Berlin")
    chat.ok("/attend Jessica / Jupyter / @jzf2101", user="jessica", tz="Europe/Berlin")
    chat.ok("/decision Ship BinderHub 0.1 in March", user="jessica", tz="Europe/Berlin")
    chat.ok("/agenda done 1", user="jessica", tz="Europe/Berlin")
    chat.set_now(FEBRUARY + dt.timedelta(minutes=55))
    chat.ok("/meeting end", user="jessica", tz="Europe/Berlin")

    # The day before March's meeting: members in three more zones, an agenda, TODOs.
    chat.set_now(SEED_NOW)
    chat.ok("/tz America/Los_Angeles", user="carol", tz=None)
    chat.ok("/tz Asia/Kolkata", user="yuvi", tz=None)
    chat.ok("/tz Australia/Sydney", user="sam", tz=None)
    chat.ok("/agenda add Kubeflow presentation", user="jessica", tz="Europe/Berlin")
    chat.ok("/agenda add decision: release schedule for BinderHub 0.1", user="carol", tz=None)
    chat.ok("/todo add @betatim reach out to CERN about how installing z2jh went",
            user="jessica", tz="Europe/Berlin")
    chat.ok("/todo add @carol write the 0.1 release notes", user="jessica", tz="Europe/Berlin")

    chat.ok(f"/agenda add {STANDUP_ONLY[0]}", user="ops", channel="standup")
    chat.ok(f"/todo add {STANDUP_ONLY[1]}", user="ops", channel="standup")
