"""Logging for the bot, with the token taken out of every line it writes.

telebot builds request URLs as ``{api}/bot{token}/{method}``, and ``requests`` puts that URL into
connection errors, so the secret would reach a log through any traceback. Redacting at the one
formatter every record passes through covers messages, arguments and tracebacks alike.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

log = logging.getLogger("habitcore_telegram")


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<token>")
    return text


def token_secrets(token: str) -> list[str]:
    """The token, and its secret half on its own (a URL may split or quote around the colon)."""
    secret = token.partition(":")[2]
    return [token, token.replace(":", "%3A"), secret] if secret else [token]


def configure(level: str, token: str) -> None:
    """Send every logger, telebot's included, through one redacting handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(token_secrets(token)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # telebot installs its own stderr handler, which would print around the redaction.
    telebot_log = logging.getLogger("TeleBot")
    for old in list(telebot_log.handlers):
        telebot_log.removeHandler(old)
    telebot_log.propagate = True
    telebot_log.setLevel(level)
    if level != "DEBUG":
        logging.getLogger("urllib3").setLevel(logging.WARNING)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        error = args.exc_value or args.exc_type()
        log.error(
            "thread %s stopped on an error",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, error, args.exc_traceback),
        )

    def main_hook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        log.critical("the bot stopped on an error", exc_info=(kind, error, trace))

    threading.excepthook = thread_hook
    sys.excepthook = main_hook
