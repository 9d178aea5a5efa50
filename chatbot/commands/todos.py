"""/todo and /todos: action items with owners and numbers that never change."""

from __future__ import annotations

from chatbot.commands import live
from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean, leading_mentions, parse_number, split_word
from chatbot.commands.permissions import require_one_of
from chatbot.core.model import Todo
from chatbot.core.reply import line
from chatbot.core.view import todo_lines
from chatbot.meeting_view import todos_by_owner

USAGE = "Usage: /todo add [@owner …] TEXT, /todo done N, /todo assign N @user, /todo reopen N"


def todo_command(context: Context) -> Reply:
    action, rest = split_word(context.command.args)
    actions = {"add": add, "done": done, "close": done, "assign": assign, "reopen": reopen}
    if action not in actions:
        raise CommandError(f"Unknown /todo action '{action}'. {USAGE}" if action else USAGE)
    return actions[action](context, rest)


def owners_label(context: Context, todo: Todo) -> str:
    names = context.names(todo.owners)
    return ", ".join(names[o] for o in todo.owners) or "nobody"


def add(context: Context, rest: str) -> Reply:
    mentions, text = leading_mentions(clean(rest))
    if not text:
        raise CommandError(f"What needs doing? {USAGE}")
    owners = [context.resolve(m).id for m in mentions] or [context.user.id]
    meeting = context.optional_meeting()
    series, occurrence = (meeting[0].id, meeting[1].key.isoformat()) if meeting else (None, None)
    todo = context.store.todos.add(
        context.scope, text, context.user.id, owners, series, occurrence,
        context.now.isoformat(),
    )
    filed = live.file_under_current_item(context, "todo", todo.text, todo.id, todo.owners)
    return Reply(f"TODO {todo.number} for {owners_label(context, todo)}: {todo.text}{filed}",
                 public=True)


def _todo(context: Context, rest: str, usage: str) -> tuple[Todo, str]:
    word, tail = split_word(rest)
    if not word:
        raise CommandError(f"Which TODO? {usage}")
    try:
        number = parse_number(word, "TODO")
    except ValueError as error:
        raise CommandError(f"{str(error).capitalize()}. {usage}") from None
    todo = context.store.todos.get(context.scope, number)
    if todo is None:
        raise CommandError(f"There is no TODO {number} in this channel. See them with /todos.")
    return todo, tail


def _may_change(context: Context, todo: Todo, verb: str) -> None:
    require_one_of(context, [*todo.owners, todo.creator_id], "its owners and creator",
                   f"{verb} TODO {todo.number}")


def done(context: Context, rest: str) -> Reply:
    todo, _ = _todo(context, rest, "Usage: /todo done N")
    _may_change(context, todo, "close")
    if not todo.is_open:
        return Reply(f"TODO {todo.number} was already done: {todo.text}")
    context.store.todos.set_done(todo.id, context.now.isoformat())
    return Reply(f"{context.user.name} closed TODO {todo.number}: {todo.text}", public=True)


def reopen(context: Context, rest: str) -> Reply:
    todo, _ = _todo(context, rest, "Usage: /todo reopen N")
    _may_change(context, todo, "reopen")
    if todo.is_open:
        return Reply(f"TODO {todo.number} is already open: {todo.text}")
    context.store.todos.set_done(todo.id, None)
    return Reply(f"{context.user.name} reopened TODO {todo.number}: {todo.text}", public=True)


def assign(context: Context, rest: str) -> Reply:
    usage = "Usage: /todo assign N @user"
    todo, tail = _todo(context, rest, usage)
    _may_change(context, todo, "reassign")
    mentions, leftover = leading_mentions(tail)
    if not mentions or leftover:
        raise CommandError(f"Assign TODO {todo.number} to whom? {usage}")
    owners = [context.resolve(m).id for m in mentions]
    context.store.todos.set_owners(todo.id, owners)
    updated = context.store.todos.get(context.scope, todo.number)
    return Reply(
        f"TODO {todo.number} is now for {owners_label(context, updated)}: {todo.text}",
        public=True,
    )


def todos_command(context: Context) -> Reply:
    text = clean(context.command.args)
    mentions, leftover = leading_mentions(text)
    if text.lower() == "mine":
        owner, title = context.user.id, "Your open TODOs"
    elif mentions and not leftover and len(mentions) == 1:
        person = context.resolve(mentions[0])
        owner, title = person.id, f"Open TODOs of {person.name}"
    elif not text:
        owner, title = None, "Open TODOs"
    else:
        raise CommandError("Usage: /todos, /todos mine or /todos @user")
    # In a channel with a meeting, its TODOs: the same list its reminder and page show.
    meeting = context.optional_meeting()
    groups = todos_by_owner(context.store, context.scope, meeting[0].id if meeting else None,
                            owner)
    if not groups:
        return Reply(f"{title}: none. Add one with /todo add [@owner] TEXT.")
    return Reply([line(f"{title}:"), *todo_lines(groups)])
