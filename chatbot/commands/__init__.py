"""The chat command language: `build_bot()` wires every command to one dispatcher."""

from __future__ import annotations

from pathlib import Path

from chatbot.commands import agenda, live, meeting, people, remind, todos
from chatbot.commands.bot import Bot, Context, help_reply
from chatbot.commands.context import Clock, CommandError, Message, Reply
from chatbot.core.schedule import ScheduleBook
from chatbot.page_links import PageLinks
from chatbot.series_book import SeriesBook
from chatbot.store import Store

__all__ = ["Bot", "Clock", "CommandError", "Context", "Message", "Reply", "build_bot"]


def build_bot(
    store: Store, schedules: ScheduleBook, clock: Clock | None = None,
    archive: Path | None = None, page_base_url: str | None = None,
) -> Bot:
    """`page_base_url`: where the meeting pages are served (links in replies), if anywhere."""
    if not isinstance(schedules, SeriesBook):  # every reader also sees series made in chat
        schedules = SeriesBook(schedules, store)
    bot = Bot(store, schedules, clock, archive, PageLinks(store, page_base_url))
    bot.command("agenda")(agenda.agenda_command)
    bot.command("attend")(people.attend_command)
    bot.command("attendance")(people.attendance_command)
    bot.command("tz")(people.tz_command)
    bot.command("todo")(todos.todo_command)
    bot.command("todos")(todos.todos_command)
    bot.command("meeting")(meeting.meeting_command)
    bot.command("remind")(remind.remind_command)
    for name, handler in live.COMMANDS.items():
        bot.command(name)(handler)
    bot.command("help")(help_reply)
    return bot
