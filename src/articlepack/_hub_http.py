"""Talking to the Hub: the token, its masking in every form, a timeout, and failures in words.

The token is huggingface_hub's own ``get_token()`` (``HF_TOKEN``, else the login) with its
surrounding whitespace stripped: a CRLF ``.env`` file or a pasted CI secret ends in ``\\r`` or
``\\n``, which httpx refuses in a header and then quotes, escaped (``b'Bearer hf_…\\r'``), in its
error message. So masking covers every form a token takes in text (raw, stripped, ``repr``,
bytes-escaped, URL-quoted, JSON-escaped) and anything shaped like a Hugging Face token, in our
messages and in the log records and warnings the clients emit while :func:`talking` is active.

A failure becomes a :class:`~articlepack.errors.HubError` whose ``reason`` names the cause, one
exit code each (:data:`EXIT_CODES`). A network that is down is never worded as the Hub refusing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

from articlepack.errors import ArticlepackError, HubError

#: a HubError's reason -> the exit code of the command (1 is a refusal, 2 unusable input)
EXIT_CODES = {
    "refused": 1,
    "token": 3,
    "permission": 4,
    "repo": 5,
    "server": 6,
    "timeout": 7,
    "unreachable": 8,
    "offline": 8,
}
_TOKEN_SHAPE = re.compile(r"hf_[A-Za-z0-9]{8,}")
_TOKEN_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
_SHORTEST = 8  # shorter "secrets" are not masked: masking "a" would garble every message
_NETWORK = {"ConnectError", "NetworkError", "ProxyError", "RemoteProtocolError", "ReadError"}


def token() -> str | None:
    """The token the clients will send: ``HF_TOKEN``, else the login; whitespace stripped."""
    from huggingface_hub import get_token

    return (get_token() or "").strip() or None


class Mask:
    """Replaces every form of the given secrets, and anything shaped like a token, by ``***``."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms = {form for secret in secrets if secret for form in _forms(secret)}
        self.forms = sorted(forms, key=len, reverse=True)  # a longer form may contain a shorter

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "***")
        return _TOKEN_SHAPE.sub("hf_***", text)


def _forms(secret: str) -> set[str]:
    out = set()
    for text in {secret, secret.strip(), "".join(secret.split())}:
        out |= {
            text,
            repr(text)[1:-1],
            repr(text.encode("utf-8", "backslashreplace"))[2:-1],
            quote(text, safe=""),
            quote_plus(text),
            json.dumps(text)[1:-1],
        }
    return {form for form in out if len(form.strip()) >= _SHORTEST}


def mask() -> Mask:
    """A mask for the token as configured here, in its raw environment forms and as sent."""
    return Mask([*(os.environ.get(name) for name in _TOKEN_VARIABLES), token()])


class _MaskFilter(logging.Filter):
    def __init__(self, masked: Mask) -> None:
        super().__init__()
        self.masked = masked

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.masked(record.getMessage()), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, self.masked(text)
        return True


@contextmanager
def talking(what: str, *, timeout: float | None = None, cached: bool = False) -> Iterator[Mask]:
    """Hub calls inside are bounded by ``timeout`` (seconds), their logs and warnings masked, and
    any exception they raise becomes a masked :class:`HubError` about ``what`` (``org/name``);
    ``cached``: the calls would have answered from the local cache if they could.

    The timeout is set on huggingface_hub's shared HTTP session (its default is none, so a stalled
    Hub would hang ``create_commit`` for ever) and restored afterwards.
    """
    from huggingface_hub import get_session

    masked = mask()
    handlers = {
        *logging.getLogger().handlers,
        *logging.getLogger("huggingface_hub").handlers,
        *logging.getLogger("datasets").handlers,
    }
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    masking = _MaskFilter(masked)
    session = get_session()
    previous = session.timeout
    for handler in handlers:
        handler.addFilter(masking)
    try:
        with warnings.catch_warnings():
            show = warnings.showwarning

            def masked_warning(message: Any, *args: Any, **kwargs: Any) -> None:
                show(masked(str(message)), *args, **kwargs)

            warnings.showwarning = masked_warning
            if timeout is not None:
                session.timeout = timeout
            yield masked
    except ArticlepackError:  # our own refusals, already in words and without the token
        raise
    except Exception as exc:
        raise failure(exc, what, masked, timeout, cached) from None
    finally:
        session.timeout = previous
        for handler in handlers:
            handler.removeFilter(masking)


def failure(
    exc: BaseException, what: str, masked: Mask, timeout: float | None, cached: bool = False
) -> HubError:
    """The HubError that says, without the token, why a Hub call about ``what`` failed."""
    from huggingface_hub import constants
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    hub = constants.ENDPOINT
    for cause in _causes(exc):
        names = {kind.__name__ for kind in type(cause).__mro__}
        if isinstance(cause, OfflineModeIsEnabled):
            cache = ", and the local cache does not hold it: load it once" if cached else ": run"
            return HubError(
                f"HF_HUB_OFFLINE is set, so the Hub was not asked about {what}{cache} with "
                "HF_HUB_OFFLINE unset",
                "offline",
            )
        if isinstance(cause, HfHubHTTPError) and cause.response is not None:
            return _http_failure(cause, what, masked, hub)
        if "TimeoutException" in names or isinstance(cause, TimeoutError):
            within = f" within {timeout:g} s" if timeout is not None else ""
            more = ", or allow more time with --timeout" if timeout is not None else ""
            return HubError(
                f"the Hub at {hub} did not answer{within} about {what} (timed out): "
                f"try again later{more}",
                "timeout",
            )
        if names & _NETWORK or isinstance(cause, ConnectionError):
            return HubError(
                f"could not reach the Hub at {hub} (no connection could be made) about {what}: "
                "check the network, any proxy, and HF_ENDPOINT",
                "unreachable",
            )
    detail = masked(f"{type(exc).__name__}: {exc}")
    return HubError(f"talking to the Hub about {what} failed: {detail}", "refused")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it, outermost first (the clients wrap network errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _http_failure(cause: Any, what: str, masked: Mask, hub: str) -> HubError:
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    status = int(cause.response.status_code)
    said = masked(cause.server_message or cause.response.reason_phrase or "").strip()
    said = f": {said}" if said else ""
    if isinstance(cause, RevisionNotFoundError):
        return HubError(f"the Hub at {hub} has no such revision of {what} ({status})", "repo")
    if status == 404 or isinstance(cause, RepositoryNotFoundError):  # the Hub says 401 for a
        return HubError(  # private repo when no token is sent; the client calls it not found
            f"the Hub at {hub} has no dataset repo {what} ({status}), or it is private and the "
            "token cannot see it: check the repo id and the token",
            "repo",
        )
    if status == 401:
        return HubError(
            f"the Hub at {hub} rejected the token (401 Unauthorized): set HF_TOKEN to a valid "
            "token (or run `hf auth login`)",
            "token",
        )
    if status == 403:
        return HubError(
            f"the token lacks the permission for this on {what} (403 Forbidden{said}): use a "
            "token with write access to the repo or its organisation",
            "permission",
        )
    if status >= 500 or status in (408, 429):
        return HubError(
            f"the Hub at {hub} had a server error ({status}{said}) about {what}: the fault is on "
            "the Hub's side and worth retrying in a few minutes",
            "server",
        )
    if status == 412:  # the commit's parent is no longer the head of the branch
        return HubError(
            f"{what} changed while publishing: someone else pushed ({status}{said})", "refused"
        )
    return HubError(f"the Hub refused the request about {what} ({status}{said})", "refused")
