"""Logging for the bot, with the token taken out of every line it writes.

telebot builds request URLs as ``{api}/bot{token}/{method}``, and ``requests`` puts that URL into
connection errors, so the secret would reach a log through any traceback. Redacting at the one
formatter every record passes through covers messages, arguments and tracebacks alike.

habit-api tokens that ``/token`` hands out are secrets too, and they travel in message texts:
at DEBUG telebot logs every request's parameters and every answer, and a press on the token's
Revoke button (or a reply to its message) brings the text back in an update. Those are found by
their shape (``hc_`` and the random part) rather than by value, since the bot keeps none of
them, and taken out twice: by a filter on telebot's logger, before any handler sees the record
(a test's ``caplog``, telebot's own stderr handler), and by the formatter, for everything else.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType

from habitcore.tokens import PREFIX

log = logging.getLogger("habitcore_telegram")

# A habit-api token: the prefix and 43 URL-safe characters (any run of 16 or more is taken).
API_TOKEN = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{16,}")
API_TOKEN_SHOWN = "<api token>"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<token>")
    return redact_api_tokens(text)


def redact_api_tokens(text: str) -> str:
    return API_TOKEN.sub(API_TOKEN_SHOWN, text)


class ApiTokenFilter(logging.Filter):
    """Rewrites a record that holds a habit-api token, so no handler ever gets the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format fails later, where it always did
            return True
        if API_TOKEN.search(message):
            record.msg, record.args = redact_api_tokens(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for name in ("exc_text", "stack_info"):
            value = getattr(record, name, None)
            if value:
                setattr(record, name, redact_api_tokens(value))
        return True


def guard_api_tokens() -> None:
    """Put the filter on telebot's logger (once): the one that logs message texts."""
    telebot_log = logging.getLogger("TeleBot")
    if not any(isinstance(f, ApiTokenFilter) for f in telebot_log.filters):
        telebot_log.addFilter(ApiTokenFilter())


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
