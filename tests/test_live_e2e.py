"""The March 2018 meeting run item by item through the console, as a user runs it
(`chatbot run`, then `chatbot say` for the end), and the archived minutes line by line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_meeting_e2e import DURING, chatbot

MEETING = """\
/as betatim
/agenda add z2jh - support for k8 deployments
/as minrk
/agenda add decision: 10m do we want to commit to a BinderHub release schedule for 0.1?
/as jessica
/meeting start
/attend Jessica / Jupyter / @jzf2101
/agenda next
/note NOTES: deploying k8s on baremetal vs. cloud: "LoadBalancer" and "PersistentVolume"
/todo add create issue: which parts of the jhub deployment depend on which k8s components
/todo add reach out to the Orsay people about what they've done to set this up
/todo add @betatim reach out to CERN about how installing z2jh went
/as betatim
/note a stray note, typed in the wrong window
/link https://github.com/kubernetes-incubator/kubespray k8 incubator: kubespray
/undo 6
/as minrk
/agenda next
/as jessica
/agenda next
/vote Commit to a release schedule for 0.1?
/vote +1
/as betatim
/vote -1
/vote +1
/as minrk
/vote 0
/as jessica
/vote close
/decision Cut a 0.1 release around the next release of JupyterHub; BinderHub is still alpha
"""

Z2JH = [
    "- **betatim:** z2jh - support for k8 deployments _(discussed)_",
    "  - NOTES: deploying k8s on baremetal vs. cloud: \"LoadBalancer\" and "
    "\"PersistentVolume\"",
    "  - [k8 incubator: kubespray](https://github.com/kubernetes-incubator/kubespray)",
    "  - TODO: create issue: which parts of the jhub deployment depend on which k8s "
    "components (jessica)",
    "  - TODO: reach out to the Orsay people about what they've done to set this up (jessica)",
    "  - TODO: reach out to CERN about how installing z2jh went (betatim)",
]
DECISION = [
    "- **minrk:** do we want to commit to a BinderHub release schedule for 0.1? _(discussed)_",
    "  - Decision: Cut a 0.1 release around the next release of JupyterHub; BinderHub is "
    "still alpha",
    "  - Vote: Commit to a release schedule for 0.1? Result: +1: 2 (jessica, betatim), "
    "0: 1 (minrk), -1: 0",
]


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(Path(__file__).resolve().parent.parent / "schedules", tmp_path / "schedules",
                    ignore=shutil.ignore_patterns("*.md"))
    return tmp_path


def test_the_march_meeting_item_by_item(workdir):
    ran = chatbot(workdir, "--now", DURING, "run", "--user", "jessica", stdin=MEETING)
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout
    assert "Removed entry 6, betatim's note “a stray note, typed in the wrong window”." in out
    assert "Only a chair can take up an item; the chairs are jessica." in out  # minrk
    assert "betatim votes +1 (was -1)." in out
    ended = chatbot(workdir, "--now", DURING, "say", "--user", "jessica", "/meeting end")
    assert ended.returncode == 0, ended.stderr

    lines = (workdir / "notes" / "binder-team" / "2018-03-21.md").read_text().splitlines()
    start = lines.index("## Roll call")
    assert lines[start:start + 5] == [
        "## Roll call", "", "- Jessica / Jupyter / @jzf2101", "", "Chairs: jessica"]
    discuss = lines.index("## Help or discussion needed")
    assert lines[discuss + 2:discuss + 2 + len(Z2JH) + 1] == [*Z2JH, ""]
    decide = lines.index("## Decisions needed")
    assert lines[decide + 2:decide + 2 + len(DECISION) + 1] == [*DECISION, ""]
    assert not any("stray" in line for line in lines)
