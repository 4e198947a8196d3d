"""habit-telegram: habitcore as a Telegram bot that serves many people from one process.

The bot is an adapter: it parses what a person sends, calls habitcore as that person
(``telegram:<user id>``), and renders the result as messages and buttons. Its own loop asks
habitcore for due reminders and ended days and delivers them through one paced sender.
"""
