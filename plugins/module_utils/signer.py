# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK-HMAC-SHA256 request signing for Huawei Cloud APIs.

Pure functions, no I/O and no Ansible imports, so that the signer can be
tested on its own against reference vectors.
"""

import hashlib
import hmac
import time
from urllib.parse import quote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_PAYLOAD_HASH = hashlib.sha256(b"").hexdigest()


def _encode(value):
    """Percent-encode everything but the unreserved characters A-Z a-z 0-9 - _ . ~"""
    return quote(str(value), safe="~")


def canonical_uri(path):
    """The path with each segment encoded and a trailing slash, as the gateway signs it."""
    encoded = "/".join(_encode(segment) for segment in path.split("/"))
    if not encoded.endswith("/"):
        encoded += "/"
    return encoded


def canonical_query(query):
    """``key=value`` pairs sorted as given, then both sides encoded. This is also the query string to send."""
    pairs = sorted((str(key), str(value)) for key, value in (query or []))
    return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in pairs)


def signed_header_names(headers):
    """Lower-cased names of the headers that take part in the signature (no ``_`` in the name)."""
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(method, path, query, headers, body):
    """Build the canonical request string.

    ``path`` is the decoded path (``/v3/tasks/<id>``), ``query`` a list of
    (key, value) pairs, ``headers`` a dict that already holds ``Host`` and
    ``X-Sdk-Date``, ``body`` the exact bytes (or text) sent, or None.
    """
    if body is None:
        body = b""
    elif not isinstance(body, bytes):
        body = body.encode("utf-8")
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    names = signed_header_names(headers)
    header_block = "".join("%s:%s\n" % (name, lowered[name]) for name in names)
    return "\n".join([
        method.upper(),
        canonical_uri(path),
        canonical_query(query),
        header_block,
        ";".join(names),
        hashlib.sha256(body).hexdigest(),
    ])


def string_to_sign(canonical, sdk_date):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, digest)


def signature(secret_key, text):
    return hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def sdk_date(now=None):
    """The ``X-Sdk-Date`` value for a moment (epoch seconds, default now), in UTC."""
    return time.strftime(DATE_FORMAT, time.gmtime(time.time() if now is None else now))


def sign(method, path, query, headers, body, access_key, secret_key):
    """Return a copy of ``headers`` with ``Authorization`` added.

    ``headers`` must hold ``Host`` and ``X-Sdk-Date`` already; every header
    in it whose name has no ``_`` is signed, so add all headers that will be
    sent (``Content-Type``, ``X-Project-Id``, ``X-Security-Token``, ...) first.
    """
    canonical = canonical_request(method, path, query, headers, body)
    sig = signature(secret_key, string_to_sign(canonical, headers["X-Sdk-Date"]))
    signed = dict(headers)
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, ";".join(signed_header_names(headers)), sig)
    return signed
