"""What the bot needs to run, from flags, the environment or a ``.env`` file, checked up front."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# As @BotFather hands them out: the bot's numeric id, a colon, and a 35-character secret.
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,64}$")


class SettingsError(Exception):
    """A setting the bot cannot start with; the message never repeats the token."""


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = DEFAULT_API_URL
    database_url: str | None = None
    log_level: str = "INFO"

    @property
    def api_host(self) -> str:
        """The API address without any user name or password in it, for logs."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"

    def __repr__(self) -> str:  # a settings object in a traceback must not carry the secret
        return (
            f"Settings(token='<hidden>', api_url={self.api_host!r}, "
            f"database_url={'<set>' if self.database_url else None}, log_level={self.log_level!r})"
        )


def check(
    token: str | None, api_url: str | None, database_url: str | None, log_level: str | None
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
    return Settings(cleaned, url, database, level)
