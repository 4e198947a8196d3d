"""How telebot's requests travel: parameters in the body, not the URL.

telebot puts every parameter of a call into the query string, even for POST. A checklist of
long names in Cyrillic or emoji then makes a request line of tens of kilobytes, which servers
refuse (HTTP 414) and the person never sees. The Bot API takes the same parameters as a form
body, so this sender, installed as telebot's request sender, puts them there.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

_local = threading.local()


def _session() -> requests.Session:
    # One session per thread: a session is not thread-safe, and keeping it keeps connections.
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        _local.session = session
    return session


def send(
    method: str,
    url: str,
    params: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    timeout: Any = None,
    proxies: Any = None,
) -> requests.Response:
    if method.lower() == "get" and not files:
        return _session().get(url, params=params, timeout=timeout, proxies=proxies)
    return _session().post(url, data=params, files=files, timeout=timeout, proxies=proxies)


class TooLarge(Exception):
    """A download went past its limit."""


def fetch(url: str, limit: int, timeout: float = 30.0) -> bytes:
    """GET ``url`` within ``timeout`` seconds per read, refusing more than ``limit`` bytes.

    telebot's own download has no timeout, and the update thread waits for it.
    """
    with _session().get(url, timeout=timeout, stream=True) as response:
        response.raise_for_status()
        received = bytearray()
        for chunk in response.iter_content(64 * 1024):
            received += chunk
            if len(received) > limit:
                raise TooLarge(url)
        return bytes(received)
