# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending a request: the URL built from checked path segments, authentication added to every attempt, the answer
read within a deadline and a size limit, and the decision after each attempt (done, retry, fail) with its pause.

Plain Python over ``requests``, no Ansible imports. Every failure, whatever its cause (an HTTP error answer, a body
that is not JSON, a connection or TLS failure), is raised as :class:`SmsApiError`.
"""

import email.utils
import json
import math
import random
import time
from urllib.parse import quote, urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.hwcloud.sms.plugins.module_utils import signer
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import (
    SmsApiError,
    answer_failure,
    body_excerpt,
    body_head,
    clock_hint,
    error_fields,
    is_service_code,
    json_or_none,
    redacted,
    redactor,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.network import (
    PLAIN_ANSWER,
    AnswerTooLarge,
    errno_text,
    is_network_error,
    is_transient,
    may_have_arrived,
    read_body,
    tls_reason,
    unresolvable,
)

USER_AGENT = "hwcloud.sms-ansible-collection"
RETRY_STATUSES = frozenset([429, 502, 503, 504])
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 120.0


def quote_segment(value):
    return quote(value, safe="~")


def unsafe_segment(value):
    """True for a path segment that could make the request reach another resource than the one named."""
    return value in ("", ".", "..") or "/" in value


def retry_delay(attempt, retry_after=None):
    """Seconds to wait before retry number ``attempt`` (0-based).

    ``Retry-After`` (seconds or an HTTP date) wins when the service sent it;
    otherwise exponential backoff with jitter.
    """
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                parsed = email.utils.parsedate_tz(retry_after)
                seconds = email.utils.mktime_tz(parsed) - time.time() if parsed else None
            except (ValueError, OverflowError, TypeError):
                seconds = None
        if seconds is not None and math.isfinite(seconds):
            return min(max(seconds, 0.0), RETRY_AFTER_CAP)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class Transport:
    """Sends the requests of one module run to SMS (and IAM), with retries; ``auth`` signs every attempt."""

    def __init__(self, endpoint, auth, timeout=30, max_retries=5, verify=True, sleep=time.sleep, site_note=None):
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.session = requests.Session()
        # Passed with every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        if verify is False:
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        self._sms_answered = False  # has any SMS call succeeded in this run (the site is then right)
        self._redactor = (None, None)
        self.site_note = site_note
        self.log = RequestLog(self.redact)

    def request(self, method, segments, query=None, body=None, operation="call SMS", missing_ok=False,
                base=None, idempotent=None, authenticate=True, quote_body=True):
        """Send one API request with retries; return the response, or None for SMS's own 404 when ``missing_ok``.

        A failure raises :class:`SmsApiError`; for a write, its ``uncertain`` says whether the request may have
        been carried out all the same (an attempt whose answer was lost, a server error, a success status whose
        body reports a failure).

        ``segments`` are the decoded path segments; each is percent-encoded
        into the URL. GET and DELETE are retried on throttling, gateway
        errors and network failures; other methods only on throttling
        (the request was then not processed), unless ``idempotent`` says
        a repeat is harmless. ``quote_body=False`` keeps the body of a failed
        answer out of the error (an IAM error may echo the password).
        """
        request = self._prepare(method, segments, query, body, base, operation, idempotent)
        attempt, unclear = 0, False
        while True:
            response, exc = self._attempt(request, authenticate)
            status = response.status_code if response is not None else None
            absent = missing_ok and status == 404 and self._error(operation, response).is_absence()
            step = next_step(request.idempotent, attempt, self.max_retries, status=status, exc=exc, absent=absent,
                             can_reauthenticate=self.auth.can_reauthenticate())
            if step == DONE:
                self._sms_answered = self._sms_answered or request.sms_call
                if request.write:
                    self._check_write_answer(request, response, attempt)
                return response
            if step == ABSENT:
                return None
            if step == REAUTHENTICATE:
                self.auth.forget_token()
                continue
            if step == FAIL:
                raise self._failure(request, response, exc, attempt, quote_body, unclear)
            unclear = unclear or (may_have_arrived(exc) if exc is not None else status in (502, 504))
            self.sleep(retry_delay(attempt, response.headers.get("Retry-After") if response is not None else None))
            attempt += 1

    def _check_write_answer(self, request, response, attempt):
        """A success status whose body reports a failure is a failure, and one whose fate is unknown."""
        failure = answer_failure(json_or_none(response))
        if failure is not None:
            code, msg = failure
            raise SmsApiError(request.operation, reason="the answer has a success status but reports a failure",
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"),
                              error_code=redacted(code, self.redact), error_msg=redacted(msg, self.redact),
                              retries=attempt, uncertain=True)

    def _prepare(self, method, segments, query, body, base, operation, idempotent):
        """The request as it will be sent: URL, the path and query to sign, the body bytes."""
        if any(unsafe_segment(segment) for segment in segments):
            raise SmsApiError(operation, reason="refused to send a request whose path segments %r could reach another "
                              "resource" % (segments,))
        sms_call = base is None  # the IAM calls name their base; only SMS calls carry the project id
        base = base or self.endpoint
        split = urlsplit(base)
        query_string = signer.canonical_query(query)
        url = "%s://%s%s/%s%s" % (split.scheme, split.netloc, quote(split.path.rstrip("/"), safe="/~"),
                                  "/".join(quote_segment(segment) for segment in segments),
                                  "?" + query_string if query_string else "")
        return Prepared(method=method, url=url, split=split, path=split.path.rstrip("/") + "/" + "/".join(segments),
                        query=query, data=json.dumps(body).encode("utf-8") if body is not None else None,
                        operation=operation, sms_call=sms_call, write=sms_call and method != "GET",
                        idempotent=method in ("GET", "DELETE") if idempotent is None else idempotent)

    def _attempt(self, request, authenticate):
        """One try: ``(response, None)``, or ``(None, exception)`` when no complete answer arrived."""
        headers = self._plain_headers(request.split)
        if authenticate:
            headers = self.auth.sign(self, request, headers)
        started = time.monotonic()
        try:
            response = self._send(request.method, request.url, request.data, headers)
        except (requests.exceptions.RequestException, OSError, AnswerTooLarge) as exc:
            self.log.add(request, time.monotonic() - started, failure=type(exc).__name__)
            return None, exc
        self.log.add(request, time.monotonic() - started, status=response.status_code,
                     request_id=response.headers.get("X-Request-Id"))
        return response, None

    def _failure(self, request, response, exc, attempt, quote_body, unclear=False):
        """The error to raise when the request failed for good; for a write, whether it may have been carried out
        (an earlier attempt's answer was lost, this one's too, or the service failed with a server error)."""
        if exc is not None:
            arrived = isinstance(exc, AnswerTooLarge) or (is_network_error(exc) and may_have_arrived(exc))
            uncertain = request.write and (unclear or arrived)
            return SmsApiError(request.operation, reason=self._describe_exception(exc, request.split), retries=attempt,
                               uncertain=uncertain)
        uncertain = request.write and (unclear or response.status_code >= 500)
        return self._error(request.operation, response, retries=attempt, quote_body=quote_body,
                           hint=self._failure_hint(response, request.split, request.sms_call), uncertain=uncertain)

    def _send(self, method, url, data, headers):
        """One HTTP exchange, the whole answer read within ``timeout`` seconds and at most MAX_BODY bytes.

        ``timeout`` bounds the connection and each wait for data; the deadline bounds the whole answer, so an
        endpoint that sends one byte at a time cannot hold the run.
        """
        deadline = time.monotonic() + self.timeout
        response = self.session.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                        verify=self.verify, allow_redirects=False, stream=True)
        try:
            response._content = read_body(response.raw, deadline)  # pylint: disable=protected-access
        except BaseException:
            response.close()
            raise
        response.raw.release_conn()
        return response

    def _error(self, operation, response, retries=0, hint=None, quote_body=True, uncertain=False):
        return SmsApiError.from_response(operation, response, retries=retries, hint=hint, redact=self.redact,
                                         quote_body=quote_body, uncertain=uncertain)

    def redact(self, text):
        """``text`` with every secret this client knows masked (also escaped or encoded forms of it)."""
        secrets = tuple(self.auth.secrets())
        if self._redactor[0] != secrets:  # built again only when a secret was added (the IAM token)
            self._redactor = (secrets, redactor(secrets))
        return self._redactor[1](text)

    def _failure_hint(self, response, split, sms_call):
        """What may have caused a failed answer, when the answer alone does not say it: None or a sentence."""
        status = response.status_code
        hints = []
        if status == 404:
            code, _msg = error_fields(json_or_none(response))
            if not is_service_code(code):
                hints.append("This 404 came from the API gateway or a proxy at %s, not from SMS, so it says nothing "
                             "about whether the resource exists: check endpoint, site and proxy settings" % split.netloc)
        if status == 401 and self.auth.kind == "aksk":
            hints.append(clock_hint(response.headers.get("Date")))
        if sms_call and self.site_note and (status in (401, 403) and not self._sms_answered or
                                            status == 404 and hints):
            hints.append(self.site_note)
        return ". ".join(hint for hint in hints if hint) or None

    def json(self, response, operation):
        """The answer's JSON object; SmsApiError when the body is anything else."""
        body = json_or_none(response)
        if not isinstance(body, dict):
            raise SmsApiError(operation, reason="the answer is not a JSON object", status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"),
                              excerpt=body_excerpt(self.redact(body_head(response.text))))
        return body

    def _describe_exception(self, exc, split):
        """What went wrong, from the exception's type: its text may quote headers, URLs or proxy credentials."""
        if isinstance(exc, AnswerTooLarge):
            return "%s from %s: stopped reading" % (exc.args[0], split.netloc)
        if isinstance(exc, requests.exceptions.SSLError):
            return self._describe_tls(exc, split)
        if isinstance(exc, requests.exceptions.Timeout):
            return "no answer from %s within %s seconds (%s); raise timeout if the service is slow" % (
                split.netloc, self.timeout, type(exc).__name__)
        if not is_network_error(exc):
            return "the request to %s could not be sent (%s); no request was made" % (split.netloc, type(exc).__name__)
        if unresolvable(exc):
            return ("the host name %s does not resolve (%s%s): check endpoint, region and cloud, or this machine's DNS "
                    "settings; not retried" % (split.hostname, type(exc).__name__, errno_text(exc)))
        return "could not connect to %s (%s%s)" % (split.netloc, type(exc).__name__, errno_text(exc))

    @staticmethod
    def _describe_tls(exc, split):
        """A failed TLS handshake, by its cause: no TLS at all on that port, a certificate, or another reason."""
        reason = tls_reason(exc)
        if reason in PLAIN_ANSWER:
            return ("%s does not speak https: the TLS handshake was answered in plain text (%s). Check the scheme and "
                    "port of the URL; a plain-http endpoint is given as http://" % (split.netloc, reason))
        if reason == "CERTIFICATE_VERIFY_FAILED":
            return ("TLS certificate verification failed for %s (%s). Point ca_path at the CA bundle that signed "
                    "the endpoint's certificate, or set validate_certs to false for a test endpoint"
                    % (split.netloc, type(exc).__name__))
        return "the TLS handshake with %s failed (%s%s)" % (
            split.netloc, type(exc).__name__, ": %s" % reason if reason else "")

    @staticmethod
    def _plain_headers(split):
        return {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Host": split.netloc}


class RequestLog:
    """What this run sent, for the result: how many requests, and one line each (method, path and query, status or
    failure, duration, request id). Never a header or a body; every line masked like any text of the run."""

    def __init__(self, redact):
        self.redact = redact
        self.lines = []

    def add(self, request, seconds, status=None, request_id=None, failure=None):
        target = request.path + ("?" + signer.canonical_query(request.query) if request.query else "")
        line = "%s %s -> %s in %.3f s" % (request.method, target, status or failure, seconds)
        if request_id:
            line += ", request id %s" % request_id[:100]
        self.lines.append(self.redact(line))


class Prepared:
    """A request ready to be sent (and signed again for every attempt)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


# What to do after one attempt, as next_step() decides it.
DONE, ABSENT, REAUTHENTICATE, RETRY, FAIL = "done", "absent", "reauthenticate", "retry", "fail"


def next_step(idempotent, attempt, max_retries, status=None, exc=None, absent=False, can_reauthenticate=False):
    """The decision after one attempt, from what happened alone: a pure function.

    An answer in 2xx is done; SMS's own 404 (``absent``) ends a read or deletion that allows it; a 401 gets one
    new IAM token where that is possible. Throttling (429) is retried for any request; gateway errors (502, 503,
    504) and network failures only for a request that may be repeated (``idempotent``); at most ``max_retries``
    times. Everything else fails.
    """
    if exc is not None:
        return RETRY if idempotent and is_transient(exc) and attempt < max_retries else FAIL
    if 200 <= status < 300:
        return DONE
    if status == 401 and can_reauthenticate:
        return REAUTHENTICATE
    if absent:
        return ABSENT
    if (status == 429 or (idempotent and status in RETRY_STATUSES)) and attempt < max_retries:
        return RETRY
    return FAIL
