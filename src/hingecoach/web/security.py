"""Who may talk to the server: a token when it listens beyond this machine, and a Host/Origin
check always (a web page elsewhere must not reach a server on 127.0.0.1 through DNS rebinding).
Pure functions so each rule is tested on its own."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

TOKEN_COOKIE = "hinge_token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: Shortest token accepted: 16 characters of URL-safe text is ~96 bits when random.
MIN_TOKEN_CHARS = 16


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(host_header: str | None) -> str:
    """The host part of a Host header (no port), lower case; '' when missing."""
    if not host_header:
        return ""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str | None, token_required: bool) -> bool:
    """Without a token only loopback names are served (blocks DNS rebinding); with a token any
    Host is fine, since the token is what protects the server then."""
    return token_required or host_name(host_header) in LOCAL_HOSTS


def origin_allowed(origin: str | None, host_header: str | None) -> bool:
    """A WebSocket or form post must come from a page of this server (browsers always send
    Origin on WebSocket handshakes; tools that send none are allowed)."""
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == (host_header or "").strip().lower()


def presented_token(query: Mapping[str, str], headers: Mapping[str, str], cookies: Mapping[str, str]) -> str | None:
    """The token a request carries: ?token=, Authorization: Bearer, or the cookie."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return query.get("token") or cookies.get(TOKEN_COOKIE)


def token_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; no token configured means no check."""
    if expected is None:
        return True
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def check_serve_options(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a strong token (raises HingeInputError)."""
    from hingecoach.errors import HingeInputError

    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise HingeInputError(f"The token is too short ({len(token)} characters).",
                              f"Use at least {MIN_TOKEN_CHARS} random characters, or omit --token to get one.")
    if not is_loopback(host) and token is None:
        raise HingeInputError(f"Listening on {host} would expose the app to your network without protection.",
                              "Add --token TOKEN (or --token auto) or keep the default --host 127.0.0.1.")
