# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network under the transport: an answer read within a deadline and a size limit, and a failed exchange told
apart by its cause (never sent, lost on the way, a name that does not resolve, TLS) from its type, never from its
text alone: that may quote a URL or a proxy's credentials. Plain Python over ``requests``."""

import re
import socket
import ssl
import threading
import time

try:
    import requests
    from requests.packages.urllib3 import exceptions as urllib3_exceptions
except ImportError:  # pragma: no cover - transport.py reports it
    requests = urllib3_exceptions = None

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import body_head

MAX_BODY = 16 * 2 ** 20  # bytes of an answer read at most


def may_have_arrived(exc):
    """False when a failed request certainly never reached the service (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, urllib3_exceptions.NewConnectionError)


def is_network_error(exc):
    """True for a failure of the network or of the other side, worth a retry; False for a request that could not
    be built or sent at all (an invalid header or URL) and for a TLS failure."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.exceptions.RequestException):  # an OSError too, for requests
        return isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                                requests.exceptions.ChunkedEncodingError))
    return isinstance(exc, OSError)


def causes(exc, depth=6):
    """``exc`` and what it wraps, outermost first: requests and urllib3 nest the operating system's error in
    ``args[0]``, ``reason``, ``__cause__`` or ``__context__``."""
    seen, found, pending = set(), [], [exc]
    while pending and len(found) < depth * 4:
        current = pending.pop(0)
        if current is None or id(current) in seen or not isinstance(current, BaseException):
            continue
        seen.add(id(current))
        found.append(current)
        pending.extend([current.args[0] if current.args else None, getattr(current, "reason", None),
                        current.__cause__, current.__context__])
    return found


def unresolvable(exc):
    """True when the host name does not resolve, for good (not the resolver's "try again"): retrying cannot help."""
    for cause in causes(exc):
        if isinstance(cause, socket.gaierror):
            return cause.errno != getattr(socket, "EAI_AGAIN", -3)
    return bool(re.search(r"\[Errno -(2|5)\]|Name or service not known|No address associated", body_head(str(exc))))


def is_transient(exc):
    """True for a network failure that a retry may get past."""
    return is_network_error(exc) and not unresolvable(exc)


def tls_reason(exc):
    """The TLS library's reason for a failed handshake (``WRONG_VERSION_NUMBER``, ``CERTIFICATE_VERIFY_FAILED``, ...),
    or None. A fixed code of the library: no part of a URL or header."""
    for cause in causes(exc):
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None)
            if isinstance(cause, ssl.SSLCertVerificationError):
                return "CERTIFICATE_VERIFY_FAILED"
            return reason if isinstance(reason, str) and re.fullmatch(r"[A-Z0-9_]{1,80}", reason) else None
    return None


# The handshake met an answer that is no TLS at all: a plain-http server on that port.
PLAIN_ANSWER = frozenset(["WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL",
                          "HTTP_REQUEST"])


class AnswerTooLarge(Exception):
    """An answer larger than MAX_BODY: reading stopped."""


def read_body(raw, deadline):
    """The body of a streamed answer, read in pieces so that the deadline and the size limit are checked as it
    arrives."""
    pieces, watchdog = _pieces(raw, deadline)
    chunks, size = [], 0
    try:
        for chunk in pieces:
            size += len(chunk)
            if size > MAX_BODY:
                raise AnswerTooLarge("the answer was larger than %d MiB" % (MAX_BODY // 2 ** 20))
            if time.monotonic() > deadline:
                raise requests.exceptions.ReadTimeout("the answer did not end within the timeout")
            chunks.append(chunk)
        if watchdog is not None and time.monotonic() >= deadline:
            raise requests.exceptions.ReadTimeout("the answer did not end within the timeout")  # shut, not ended
        return b"".join(chunks)
    except requests.exceptions.RequestException:
        raise
    except urllib3_exceptions.ReadTimeoutError:
        raise requests.exceptions.ReadTimeout("no data within the timeout")
    except (urllib3_exceptions.HTTPError, OSError) as exc:
        if watchdog is not None and time.monotonic() >= deadline:
            raise requests.exceptions.ReadTimeout("the answer did not end within the timeout")
        raise requests.exceptions.ConnectionError("%s while reading the answer" % type(exc).__name__)
    finally:
        if watchdog is not None:
            watchdog.cancel()


def _pieces(raw, deadline):
    """The pieces of a streamed answer, and the timer that bounds the wait for them (None where ``read1`` does).

    ``read1`` returns what has arrived. urllib3 1.26 has no ``read1``: there ``read(amount)`` waits for the whole
    amount, and may return nothing before the end (a compressed piece that decodes to nothing yet, such as a long
    gzip header), so its ``stream``, which reads on to the end, gives the pieces, and a timer shuts the connection
    at the deadline (an answer dripping in would otherwise hold the read); it also takes a body that ends before
    its Content-Length for whole unless told not to.
    """
    read1 = getattr(raw, "read1", None)
    if read1:
        pieces = iter(lambda: read1(65536, decode_content=True), b"")
        return pieces, None
    if getattr(raw, "enforce_content_length", True) is not True:
        raw.enforce_content_length = True
    pieces = raw.stream(4096, decode_content=True)
    watchdog = threading.Timer(deadline - time.monotonic(), _shut, [raw])  # cancelled on every way out
    watchdog.start()
    return pieces, watchdog


def _shut(raw):
    """Shut the connection an answer is read from, so that a read waiting on it returns.

    The socket is the connection's, or, for an answer that ends when the connection closes (http.client then lets
    go of the socket), the one under the answer's file.
    """
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        stream = getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(stream, "_sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def errno_text(exc):
    """The operating system's reason of a connection failure (``: [Errno 111] Connection refused``), or nothing.

    Only this part of the exception's text is used: the rest may quote a URL or a proxy's credentials.
    """
    found = re.findall(r"\[Errno -?\d+\] [A-Za-z ,.'-]{1,80}", body_head(str(exc)))
    return ": %s" % found[-1].strip(" .,'") if found else ""
