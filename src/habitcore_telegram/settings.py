"""What the bot needs to run, from flags, the environment or a ``.env`` file, checked up front.

Every check happens here, before anything starts, so a wrong value is one sentence and exit 2
rather than a thread failing later. No message repeats a value: a token pasted into the wrong
setting would be shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from habitcore_telegram.workers import MAX_WORKERS

DEFAULT_API_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_PORT = 8443
HEALTH_PATH = "/healthz"  # answered on the webhook's listener too, so no webhook may take it
# The only ports Telegram delivers webhooks to (https://core.telegram.org/bots/api#setwebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)

# As @BotFather hands them out: the bot's numeric id, a colon, and a 35-character secret.
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,64}$")
# setWebhook's secret_token: 1 to 256 characters, A-Z a-z 0-9 _ and - only.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(Exception):
    """A setting the bot cannot start with; the message never repeats the token."""


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates (``url``), and where this process listens behind the proxy."""

    url: str
    secret_token: str
    listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT

    @property
    def path(self) -> str:
        """The path the updates arrive at, as the server sees it (decoded)."""
        return unquote(urlsplit(self.url).path) or "/"

    def __repr__(self) -> str:  # the secret token is a password: never in a log or traceback
        return (
            f"Webhook(url='<set>', secret_token='<hidden>', listen={self.listen!r}, "
            f"port={self.port!r})"
        )


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = DEFAULT_API_URL
    database_url: str | None = None
    log_level: str = "INFO"
    webhook: Webhook | None = None  # None: long polling
    workers: int | None = None  # update workers; None: HABITCORE_TELEGRAM_WORKERS, else 8

    @property
    def api_host(self) -> str:
        """The API address without any user name or password in it, for logs."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"

    def __repr__(self) -> str:  # a settings object in a traceback must not carry the secret
        return (
            f"Settings(token='<hidden>', api_url={self.api_host!r}, "
            f"database_url={'<set>' if self.database_url else None}, log_level={self.log_level!r}, "
            f"webhook={self.webhook!r}, workers={self.workers!r})"
        )


def check(
    token: str | None,
    api_url: str | None,
    database_url: str | None,
    log_level: str | None,
    *,
    webhook_url: str | None = None,
    secret_token: str | None = None,
    listen: str | None = None,
    port: str | int | None = None,
    workers: str | int | None = None,
) -> Settings:
    cleaned = (token or "").strip()
    if not cleaned:
        raise SettingsError(
            "No bot token: pass --token or set HABITCORE_TELEGRAM_TOKEN (in the environment or "
            "a .env file). @BotFather gives you one."
        )
    if not _TOKEN.match(cleaned):
        raise SettingsError(
            "The bot token is malformed: it looks like 123456789:AAE…, digits, a colon and a "
            "35-character secret, exactly as @BotFather gave it."
        )
    url = (api_url or DEFAULT_API_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # The value is not repeated: a token pasted into the wrong setting would be shown.
        raise SettingsError(
            f"--api-url must be an http(s) address such as {DEFAULT_API_URL} "
            "(a self-hosted Bot API server's address, without /bot…)."
        )
    level = (log_level or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"--log-level is one of {', '.join(LOG_LEVELS)}.")
    database = (database_url or "").strip() or None
    if database is not None:
        from habitcore import StoreError, check_database

        try:
            check_database(database)  # an in-memory or misplaced database would lose everything
        except StoreError as error:
            raise SettingsError(str(error)) from None
    return Settings(
        cleaned,
        url,
        database,
        level,
        webhook=check_webhook(webhook_url, secret_token, listen, port),
        workers=check_workers(workers),
    )


def check_webhook(
    url: str | None, secret_token: str | None, listen: str | None, port: str | int | None
) -> Webhook | None:
    """The webhook settings, or None (long polling) without a URL; the listener's are checked
    either way, so a typo shows before the day it is switched on."""
    address = (listen or DEFAULT_LISTEN).strip()
    if not address or any(c.isspace() or c in "/[]" for c in address):
        raise SettingsError("--listen is an address such as 127.0.0.1 or 0.0.0.0.")
    number = _whole(port, DEFAULT_PORT)
    if number is None or not 1 <= number <= 65535:
        raise SettingsError("--port is a whole number from 1 to 65535.")
    webhook = (url or "").strip()
    secret = (secret_token or "").strip()
    if not webhook:
        return None
    try:
        parts = urlsplit(webhook)
        public_port = parts.port
    except ValueError:
        parts, public_port = None, -1
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise SettingsError(
            "--webhook-url must be an https address such as https://bot.example.org/telegram "
            "(Telegram posts updates only over HTTPS; the proxy in front of the bot ends TLS)."
        )
    if public_port is not None and public_port not in WEBHOOK_PORTS:
        raise SettingsError(
            "--webhook-url may only use port 443, 80, 88 or 8443: Telegram posts to no other."
        )
    path = unquote(parts.path) or "/"
    if path == HEALTH_PATH or "{" in path or "}" in path:
        raise SettingsError(f"--webhook-url's path may be neither {HEALTH_PATH} nor hold braces.")
    if not secret:
        raise SettingsError(
            "A webhook needs a secret token: pass --secret-token or set "
            "HABITCORE_TELEGRAM_SECRET_TOKEN (`openssl rand -hex 32` makes a good one)."
        )
    if not _SECRET.match(secret):
        raise SettingsError(
            "--secret-token is 1 to 256 characters, letters A-Z a-z, digits, _ and - only."
        )
    return Webhook(webhook, secret, address, number)


def check_workers(workers: str | int | None) -> int | None:
    """The update workers the flag (or HABITCORE_TELEGRAM_WORKERS, through it) asks for."""
    if workers is None or not str(workers).strip():
        return None
    number = _whole(workers, None)
    if number is None or not 1 <= number <= MAX_WORKERS:
        raise SettingsError(f"--workers is a whole number from 1 to {MAX_WORKERS}.")
    return number


def _whole(value: str | int | None, default: int | None) -> int | None:
    """A whole number from a flag or a variable; ``default`` when not given, None if malformed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None
