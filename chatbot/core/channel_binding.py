"""A schedule's `[channels]` entry, which on Slack may name the workspace too.

One bot installed in many Slack workspaces needs to know whose channel `C0456` is, to post
its reminders with that workspace's token: `slack = "T0123/C0456"` says so. A bare channel
id is the channel of the workspace the bot serves (one workspace, or no workspace known).

    split_binding("slack", "T0123/C0456") == ("T0123", "C0456")
    split_binding("slack", "C0456") == (None, "C0456")
    split_binding("gitter", "jupyterhub/binder") == (None, "jupyterhub/binder")
"""

# Platforms whose bindings may carry a workspace: a Gitter room's name has a slash of its own.
WORKSPACE_QUALIFIED = frozenset({"slack"})


def split_binding(platform: str, binding: str) -> tuple[str | None, str]:
    """(the workspace the binding names, or None; the channel)."""
    if platform in WORKSPACE_QUALIFIED and "/" in binding:
        workspace, _, channel = binding.partition("/")
        return workspace or None, channel
    return None, binding
