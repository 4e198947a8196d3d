"""What went wrong with a Bot API call, sorted by what the bot does about it.

Telegram's answers are classified once here, so the sender, the poller and the handlers agree:
wait as told (429), give up on a person who blocked the bot (403), ignore the harmless 400s an
edit or a late button answer produce, and retry with backoff whatever looks like the server or
the network being down.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import requests
from telebot.apihelper import ApiHTTPException, ApiInvalidJSONException, ApiTelegramException


class Kind(enum.Enum):
    RETRY_AFTER = "retry after"  # 429: wait as long as Telegram says, then send again
    BLOCKED = "blocked"  # 403: the person blocked the bot or left Telegram
    HARMLESS = "harmless"  # 400 "message is not modified", "query is too old"
    TRANSIENT = "transient"  # 5xx, timeouts, connection refused: back off and retry
    REFUSED = "refused"  # any other 4xx: this call will never work, drop it


@dataclass(frozen=True)
class Fault:
    kind: Kind
    description: str  # what to log; built from Telegram's answer, never from a URL
    retry_after: float = 0.0
    everyone: bool = False  # the server is out of reach: every call would fail alike


_HARMLESS = ("message is not modified", "query is too old", "query id is invalid")


def classify(error: BaseException) -> Fault:
    if isinstance(error, ApiTelegramException):
        code = int(error.error_code)
        description = str(error.description)
        text = f"{error.function_name}: {code} {description}"
        if code == 429:
            parameters = error.result_json.get("parameters") or {}
            wait = parameters.get("retry_after", 5)
            return Fault(Kind.RETRY_AFTER, text, float(wait) if wait else 5.0)
        if code == 403:
            return Fault(Kind.BLOCKED, text)
        if code == 400 and any(h in description.lower() for h in _HARMLESS):
            return Fault(Kind.HARMLESS, text)
        if code >= 500:
            return Fault(Kind.TRANSIENT, text)
        if code == 409:  # another getUpdates in flight (a second instance, or one just stopped)
            return Fault(Kind.TRANSIENT, text)
        return Fault(Kind.REFUSED, text)
    if isinstance(error, ApiHTTPException | ApiInvalidJSONException):
        status = getattr(error.result, "status_code", 0)
        text = f"{error.function_name}: HTTP {status}"
        if status and 400 <= status < 500 and status != 429:
            return Fault(Kind.REFUSED, text)
        return Fault(Kind.TRANSIENT, text)
    if isinstance(error, requests.Timeout):
        return Fault(Kind.TRANSIENT, "the Bot API did not answer in time")
    if isinstance(error, requests.ConnectionError):
        return Fault(Kind.TRANSIENT, "could not connect to the Bot API", everyone=True)
    if isinstance(error, requests.RequestException):
        return Fault(Kind.TRANSIENT, f"request failed ({type(error).__name__})")
    return Fault(Kind.REFUSED, f"{type(error).__name__}")


def backoff(attempt: int, cap: float = 60.0) -> float:
    """1, 2, 4 … seconds, at most ``cap``: a minute-long outage costs a handful of calls."""
    return float(min(cap, 2 ** max(0, attempt - 1)))
