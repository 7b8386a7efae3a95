# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client for the Huawei Cloud SMS v3 API and the IAM calls it needs.

Plain Python over ``requests``, no Ansible imports. Every failure, whatever
its cause (an HTTP error answer, a body that is not JSON, a connection or TLS
failure), is raised as one exception type, :class:`SmsApiError`.
"""

import email.utils
import html
import json
import math
import random
import re
import socket
import threading
import time
from urllib.parse import quote, quote_plus, urlsplit

try:
    import requests
    from requests.packages.urllib3 import exceptions as urllib3_exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    requests = urllib3_exceptions = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.hwcloud.sms.plugins.module_utils import signer

USER_AGENT = "hwcloud.sms-ansible-collection"
LIST_PAGE_SIZE = 200
BATCH_SIZE = 50
LIST_ATTEMPTS = 4
# A listing reads at most the pages its first count implies with pages half full, plus a margin; never more
# than MAX_LIST_PAGES. A list whose pages never end (a broken or hostile endpoint) is stopped there.
LIST_PAGE_MARGIN = 2
MAX_LIST_PAGES = 500  # 100,000 tasks: no listing reads more
RETRY_STATUSES = frozenset([429, 502, 503, 504])
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 120.0
EXCERPT_LENGTH = 200
EXCERPT_SOURCE = 4096  # characters of a body looked at for an excerpt
MASK = "********"
MAX_BODY = 16 * 2 ** 20  # bytes of an answer read at most
CLOCK_TOLERANCE = 15 * 60

# Endpoints of the SMS service: one per site, not per region. Two regions have an endpoint of their own.
SITE_REGIONS = {"china": "cn-north-4", "international": "ap-southeast-3"}
OWN_SMS_HOSTS = {"my-kualalumpur-1": "sms.my-kualalumpur-1", "ru-moscow-1": "sms-api.ru-moscow-1"}
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
DEFAULT_CLOUD = "myhuaweicloud.com"
EU_CLOUD = "myhuaweicloud.eu"


class Kind:
    """What tells the two kinds of SMS record apart in the API: their path segment and list key, and their names."""

    def __init__(self, noun, word, segment, list_key):
        self.noun = noun  # "SMS task": in messages
        self.word = word  # "task"
        self.segment = segment  # /v3/<segment>, /v3/<segment>/{id}, /v3/<segment>/delete
        self.list_key = list_key  # the list page's key of the items

    def __repr__(self):
        return "Kind(%r)" % self.word


TASKS = Kind("SMS task", "task", "tasks", "tasks")
SOURCES = Kind("SMS source server", "source server", "sources", "source_servers")

# The regions whose IAM endpoint the official SDK knows (iam.<region>.<cloud>); any other uses the global iam.<cloud>.
IAM_REGIONS = frozenset([
    "af-south-1", "ae-ad-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "cn-east-2",
    "cn-east-3", "cn-east-4", "cn-east-5", "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-12",
    "cn-south-1", "cn-south-2", "cn-southwest-2", "eu-west-0", "eu-west-101", "la-north-2", "la-south-2",
    "me-east-1", "my-kualalumpur-1", "na-mexico-1", "ru-moscow-1", "sa-brazil-1", "tr-west-1",
])


def domain_suffix(region, cloud=DEFAULT_CLOUD):
    """The domain suffix of every endpoint: ``cloud``, except that the eu-west-1* regions use myhuaweicloud.eu."""
    if cloud == DEFAULT_CLOUD and region.startswith("eu-west-1"):
        return EU_CLOUD
    return cloud


def guess_site(region):
    """The site an account working in ``region`` most likely belongs to: only a guess (see the ``site`` option)."""
    return "china" if region.startswith("cn-") else "international"


def sms_endpoint(region, cloud=DEFAULT_CLOUD, site=None):
    """The SMS endpoint for an account of ``site`` (guessed from the region when None) working in ``region``."""
    host = OWN_SMS_HOSTS.get(region) or "sms.%s" % SITE_REGIONS[site or guess_site(region)]
    return https_url("%s.%s" % (host, domain_suffix(region, cloud)))


def iam_endpoint(region, cloud=DEFAULT_CLOUD):
    """The IAM endpoint (including ``/v3``) for ``region``: regional where the official SDK knows one, else global."""
    suffix = domain_suffix(region, cloud)
    if region in IAM_REGIONS:
        return https_url("iam.%s.%s" % (region, suffix)) + "/v3"
    return https_url("iam.%s" % suffix) + "/v3"


def https_url(host):
    """``https://<host>``, after checking that it names exactly that host (ValueError otherwise): a region or
    domain suffix must never be able to point a request, and its credentials, at another host."""
    url = "https://%s" % host
    split = urlsplit(url)
    if not HOST_PATTERN.match(host) or split.hostname != host.lower() or split.port or split.path:
        raise ValueError("refused to build an endpoint for the host %r: check region and cloud" % host[:100])
    return url


class SmsApiError(Exception):
    """Any failure of a call to SMS or IAM.

    ``status`` is None when no HTTP answer arrived. The service's own fields
    are kept exactly as sent, so that a person (or Huawei support) can act
    on them. The error is complete once built: its text never changes, and
    context known only to the caller is added where the failure is reported.
    """

    FIELDS = ("status", "request_id", "error_code", "error_msg", "error_param", "details",
              "encoded_authorization_message")

    def __init__(self, operation, reason=None, status=None, request_id=None, error_code=None, error_msg=None,
                 error_param=None, details=None, encoded_authorization_message=None, excerpt=None, retries=0,
                 hint=None, uncertain=False):
        self.operation = operation
        # True when the request may have been carried out although it failed (an answer lost on the way, a server
        # error, a success status with an error body): the caller must read the record before concluding.
        self.uncertain = uncertain
        self.reason = reason
        self.status = status
        self.request_id = request_id
        self.error_code = error_code
        self.error_msg = error_msg
        self.error_param = error_param
        self.details = details
        self.encoded_authorization_message = encoded_authorization_message
        self.excerpt = excerpt
        self.retries = retries
        self.hint = hint
        self._text = self._compose()
        super().__init__(self._text)

    def message(self):
        return self._text

    def _compose(self):
        text = "Failed to %s" % self.operation
        if self.status is None:
            text = "%s: %s" % (text, self.reason)
            if self.retries:
                text += " (after %d retries)" % self.retries
        else:
            if self.error_code or self.error_msg:
                detail = " ".join(_short(part) for part in (self.error_code, self.error_msg) if part)
            elif self.excerpt:
                detail = "%s: %s" % (self.reason or "the answer was not an SMS error body", self.excerpt)
            else:
                detail = self.reason
            if detail:
                text += ": %s" % detail
            text += " (HTTP %s" % self.status
            if self.request_id:
                text += ", request id %s" % _short(self.request_id, 100)
            if self.retries:
                text += ", after %d retries" % self.retries
            text += ")"
        if self.hint:
            text += ". %s" % self.hint
        return text

    def to_dict(self):
        return {field: getattr(self, field) for field in self.FIELDS}

    def is_absence(self):
        """True when this is SMS itself answering 404 about the record: a code ``SMS.<digits>``, exactly.

        A gateway code (``APIGW.0101`` no such API, ``APIGW.0103`` no such backend), another service's code, a
        proxy's page, an empty body or JSON without an error code is no proof that anything is gone. On a write
        even SMS's own 404 may have another meaning (``SMS.2252``): the caller reads the record again.
        """
        return self.status == 404 and is_service_code(self.error_code)

    @classmethod
    def from_response(cls, operation, response, retries=0, hint=None, redact=None, quote_body=True, uncertain=False):
        """The error an answer describes. ``redact`` masks secrets in every text taken from the answer, before
        anything is cut or cleaned; ``quote_body=False`` keeps a body without error fields out of the message."""
        redact = redact or (lambda text: text)
        body = _redacted(_json_or_none(response), redact)
        fields = {}
        if isinstance(body, dict):
            code, msg = error_fields(body)
            fields = {
                "error_code": code,
                "error_msg": msg,
                "error_param": body.get("error_param"),
                "details": body.get("details"),
                "encoded_authorization_message": body.get("encoded_authorization_message"),
            }
        request_id = response.headers.get("X-Request-Id")
        if not request_id and isinstance(body, dict):
            request_id = body.get("request_id")
        excerpt = None
        if not fields.get("error_code") and not fields.get("error_msg"):
            excerpt = _excerpt(redact(_head(response.text))) if quote_body else "(body not shown)"
        return cls(operation, status=response.status_code, request_id=request_id, excerpt=excerpt,
                   retries=retries, hint=hint, uncertain=uncertain, **fields)


# The key pairs an error body may use, in the order the official SDK tries them.
ERROR_KEYS = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))
ERROR_NESTING = 2
SMS_CODE = re.compile(r"SMS\.[0-9]+")


def error_fields(body, depth=0):
    """(code, message) of an error body, read as the official SDK reads it: ``error_code``/``error_msg``,
    ``errorCode``/``errorMsg``, ``code``/``message``, else the first nested object that has one of them
    (``{"error": {"code": .., "message": ..}}``). (None, None) when there is none."""
    if not isinstance(body, dict):
        return None, None
    for code_key, msg_key in ERROR_KEYS:
        if body.get(code_key) not in (None, "") or body.get(msg_key) not in (None, ""):
            return body.get(code_key), body.get(msg_key)
    if depth < ERROR_NESTING:
        for value in body.values():
            found = error_fields(value, depth + 1)
            if found != (None, None):
                return found
    return None, None


def is_service_code(code):
    """True for an error code of SMS itself: ``SMS.`` followed by digits, exactly (``SMS.1801``).

    Anything else is not SMS's word: the API gateway's codes (``APIGW.0101``, ``APIG.0103``, in any case or with
    spaces), other services' codes (``CBC.0150``, ``Common.0404``), ``NOT_FOUND``, or no code at all."""
    return isinstance(code, str) and SMS_CODE.fullmatch(code) is not None


def answer_failure(body):
    """``(code, message)`` when the JSON body of a success answer reports a failure: an error code or message (as
    error_fields() finds them), or a non-empty list under a key that speaks of failures or errors; else None."""
    if not isinstance(body, dict):
        return None
    code, msg = error_fields(body)
    if code not in (None, "") or msg not in (None, ""):
        return code, msg
    for key, value in body.items():
        if isinstance(value, list) and value and re.search("fail|error", str(key), re.IGNORECASE):
            return None, "%s: %s" % (key, _short(json.dumps(value), EXCERPT_LENGTH))
    return None


def _json_or_none(response):
    """The JSON body, or None when there is none: not JSON, not UTF-8, or nested too deep to parse."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def _head(text):
    """The start of a body, short enough for any further cleaning to take no time."""
    return (text or "")[:EXCERPT_SOURCE]


def _redacted(value, redact):
    """``value`` (a parsed body) with ``redact`` applied to every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item, redact) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item, redact) for key, item in value.items()}
    return value


def redactor(secrets):
    """A function that replaces each of ``secrets``, also as it may come back HTML-escaped, JSON-escaped,
    URL-encoded or with its whitespace collapsed, by ``********`` (as Ansible masks them)."""
    variants = set()
    for secret in secrets:
        if not secret or len(secret) < 3:
            continue
        variants.update([secret, html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1],
                         quote(secret, safe=""), quote_plus(secret), " ".join(secret.split())])
    ordered = sorted((variant for variant in variants if variant), key=len, reverse=True)

    def redact(text):
        for variant in ordered:
            if variant in text:
                text = text.replace(variant, MASK)
        return text
    return redact


def _short(value, limit=1000):
    """``value`` as text, cut to ``limit`` characters for a message (the error fields keep it whole)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _excerpt(text):
    """A short, single-line excerpt of a body that is not JSON (for example a gateway's HTML page)."""
    text = re.sub(r"<[^<>]*>", " ", _head(text))
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH] + "..."
    return text


def clock_hint(date_header, now=None):
    """A hint when this machine's clock is too far from the gateway's for AK/SK signatures (15 minutes), else None."""
    try:
        gateway = email.utils.mktime_tz(email.utils.parsedate_tz(date_header))
    except (TypeError, ValueError, OverflowError):
        return None
    offset = (time.time() if now is None else now) - gateway
    if abs(offset) <= CLOCK_TOLERANCE:
        return None
    return ("This machine's clock is %d minutes %s the gateway's, and signed requests are refused beyond %d minutes: "
            "check the system clock (NTP)" % (abs(offset) // 60, "ahead of" if offset > 0 else "behind",
                                              CLOCK_TOLERANCE // 60))


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


class Credentials:
    """One way to authenticate: ``token``, ``aksk`` or ``password``."""

    def __init__(self, kind, auth_token=None, access_key=None, secret_key=None, security_token=None,
                 user_name=None, password=None, domain_name=None):
        self.kind = kind
        self.auth_token = auth_token
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name

    def __repr__(self):
        return "Credentials(kind=%r)" % self.kind


class SmsClient:
    """A small SMS v3 client: the calls the collection needs, with retries and signing."""

    def __init__(self, endpoint, credentials, iam_url=None, region=None, project_id=None, project_name=None,
                 timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None, site_note=None,
                 clock=time.monotonic):
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials
        self.iam_url = iam_url.rstrip("/") if iam_url else None
        self.region = region
        self.project_id = project_id
        self.project_name = project_name
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock  # what the waits of a removal measure time by (a test gives a fake clock with its sleep)
        self.session = requests.Session()
        # Passed with every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        if verify is False:
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        self._token = credentials.auth_token if credentials.kind == "token" else None
        self._reauthenticated = False
        self._sms_answered = False  # has any SMS call succeeded in this run (the site is then right)
        self._redactor = (None, None)
        self.site_note = site_note
        # told about every secret the client obtains (the IAM token), so the caller can mask it in any output
        self.on_secret = on_secret or (lambda value: None)

    # ---- SMS operations -------------------------------------------------

    def get_task(self, task_id):
        """The task, or None when SMS answers that it does not exist (a 404 of its own, not a gateway's)."""
        return self.get_record(TASKS, task_id)

    def get_source(self, source_id):
        """The source server, or None when SMS answers that it does not exist (a 404 of its own)."""
        return self.get_record(SOURCES, source_id)

    def list_tasks(self, **filters):
        return self.list_records(TASKS, **filters)

    def list_sources(self, **filters):
        return self.list_records(SOURCES, **filters)

    def get_record(self, kind, record_id):
        """The record, or None when SMS answers that it does not exist (a 404 of its own, not a gateway's)."""
        operation = "read %s %s" % (kind.noun, record_id)
        response = self.request("GET", ["v3", kind.segment, record_id], operation=operation, missing_ok=True)
        if response is None:
            return None
        record = self._json(response, operation)
        if record.get("id") != record_id:
            raise SmsApiError(operation, reason="the answer describes %s %r, not the one asked for" % (kind.word, record.get("id")),
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        return record

    def list_records(self, kind, **filters):
        """Every record of ``kind`` matching ``filters`` (service-side filters), following pages to the end.

        Pages are read by record offset, so a record created or deleted between two pages would shift the
        rest and a record could be missed or seen twice. When the total count changes between pages, or an id
        comes twice, the listing starts over (a few times, then :class:`SmsApiError`).
        """
        for attempt in range(LIST_ATTEMPTS):
            records = self._list_once(kind, filters)
            if records is not None:
                return records
            if attempt + 1 < LIST_ATTEMPTS:  # no pause after the last attempt: nothing follows it
                self.sleep(retry_delay(attempt))
        raise SmsApiError("list %ss" % kind.noun, reason="the %s list kept changing while it was read (%d attempts)"
                          % (kind.word, LIST_ATTEMPTS))

    def _list_once(self, kind, filters):
        """One pass over the pages; None when the list changed under the reader."""
        records = []
        for items, _count, steady in self.record_pages(kind, **filters):
            if not steady:
                return None
            records.extend(items)
        return records

    def record_pages(self, kind, **filters):
        """The pages of the list of ``kind``, in order, as ``(items, count, steady)``; the caller may stop at any page.

        Pages are read by record offset, so a record created or deleted between two pages shifts the rest: ``steady``
        turns false for good once the count changed or an id came twice. At most the pages the first page's count
        implies (with pages half full) plus LIST_PAGE_MARGIN are read, and never more than MAX_LIST_PAGES: a list
        whose pages never end is stopped with an error.
        """
        query = [(key, value) for key, value in filters.items() if value is not None]
        offset, pages, first_count, budget, seen, steady = 0, 0, None, 0, set(), True
        while True:
            items, count = self._page(kind, query, offset)
            if first_count is None:
                first_count = count
                budget = min(-(-count // (LIST_PAGE_SIZE // 2)) + LIST_PAGE_MARGIN, MAX_LIST_PAGES)
            ids = [item["id"] for item in items]
            # an empty page before the count is reached is not the end of the list: the list shifted or lies
            steady = steady and count == first_count and not seen.intersection(ids) and (bool(items) or offset >= count)
            seen.update(ids)
            pages += 1
            if pages > budget:
                raise SmsApiError("list %ss" % kind.noun, reason="the list did not end after %d pages although its first "
                                  "page counted %d %ss (at most %d pages are read): stopped reading"
                                  % (pages - 1, first_count, kind.word, MAX_LIST_PAGES))
            yield items, count, steady
            offset += len(items)
            if not items or offset >= count:
                return

    def _page(self, kind, query, offset):
        operation = "list %ss" % kind.noun
        response = self.request("GET", ["v3", kind.segment], query=query + [("limit", LIST_PAGE_SIZE), ("offset", offset)],
                                operation=operation)
        page = self._json(response, operation)
        items, count = page.get(kind.list_key), page.get("count")
        if items is None and count == 0:
            items = []  # an empty list may leave its items out
        if not isinstance(items, list) or not all(isinstance(item, dict) and item.get("id") for item in items) \
                or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise SmsApiError(operation, reason="the answer is not a page of %ss" % kind.word, status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"),
                              excerpt=_excerpt(self.redact(_head(response.text))))
        return items, count

    def delete_record(self, kind, record_id):
        """Delete one record. Every failure raises, a 404 too: a 404 to a write may have another meaning than
        "no such record" (``SMS.2252``), so the caller reads the record again. ``uncertain`` on the error says
        whether the deletion may have happened all the same."""
        self.request("DELETE", ["v3", kind.segment, record_id], operation="delete %s %s" % (kind.noun, record_id))

    def delete_records(self, kind, record_ids):
        """Delete up to ``BATCH_SIZE`` records in one call. A success carries no result per id (the service may skip
        ids these credentials cannot see), and a failure may come after some ids were deleted."""
        self.request("POST", ["v3", kind.segment, "delete"], body={"ids": list(record_ids)},
                     operation="delete %d %ss in one batch" % (len(record_ids), kind.noun))

    def task_action(self, task_id, operation_name):
        """Run an action (``stop``, ``start``, ...) on a task."""
        self.request("POST", ["v3", "tasks", task_id, "action"], body={"operation": operation_name},
                     operation="%s SMS task %s" % (operation_name, task_id))

    # ---- transport --------------------------------------------------------

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
                             can_reauthenticate=self._can_reauthenticate())
            if step == DONE:
                self._sms_answered = self._sms_answered or request.sms_call
                if request.write:
                    self._check_write_answer(request, response, attempt)
                return response
            if step == ABSENT:
                return None
            if step == REAUTHENTICATE:
                self._reauthenticated = True
                self._token = None
                continue
            if step == FAIL:
                raise self._failure(request, response, exc, attempt, quote_body, unclear)
            unclear = unclear or (may_have_arrived(exc) if exc is not None else status in (502, 504))
            self.sleep(retry_delay(attempt, response.headers.get("Retry-After") if response is not None else None))
            attempt += 1

    def _check_write_answer(self, request, response, attempt):
        """A success status whose body reports a failure is a failure, and one whose fate is unknown."""
        failure = answer_failure(_json_or_none(response))
        if failure is not None:
            code, msg = failure
            raise SmsApiError(request.operation, reason="the answer has a success status but reports a failure",
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"),
                              error_code=_redacted(code, self.redact), error_msg=_redacted(msg, self.redact),
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
            headers = self._authenticate(headers, request.method, request.path, request.query, request.data,
                                         sms_call=request.sms_call)
        try:
            return self._send(request.method, request.url, request.data, headers), None
        except (requests.exceptions.RequestException, OSError, AnswerTooLarge) as exc:
            return None, exc

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
            response._content = _read_body(response.raw, deadline)  # pylint: disable=protected-access
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
        secrets = tuple(self.secrets())
        if self._redactor[0] != secrets:  # built again only when a secret was added (the IAM token)
            self._redactor = (secrets, redactor(secrets))
        return self._redactor[1](text)

    def secrets(self):
        creds = self.credentials
        return [value for value in (creds.auth_token, creds.secret_key, creds.security_token, creds.password,
                                    self._token) if value]

    def _failure_hint(self, response, split, sms_call):
        """What may have caused a failed answer, when the answer alone does not say it: None or a sentence."""
        status = response.status_code
        hints = []
        if status == 404:
            code, _msg = error_fields(_json_or_none(response))
            if not is_service_code(code):
                hints.append("This 404 came from the API gateway or a proxy at %s, not from SMS, so it says nothing "
                             "about whether the resource exists: check endpoint, site and proxy settings" % split.netloc)
        if status == 401 and self.credentials.kind == "aksk":
            hints.append(clock_hint(response.headers.get("Date")))
        if sms_call and self.site_note and (status in (401, 403) and not self._sms_answered or
                                            status == 404 and hints):
            hints.append(self.site_note)
        return ". ".join(hint for hint in hints if hint) or None

    def _json(self, response, operation):
        body = _json_or_none(response)
        if not isinstance(body, dict):
            raise SmsApiError(operation, reason="the answer is not a JSON object", status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"),
                              excerpt=_excerpt(self.redact(_head(response.text))))
        return body

    def _describe_exception(self, exc, split):
        """What went wrong, from the exception's type: its text may quote headers, URLs or proxy credentials."""
        if isinstance(exc, AnswerTooLarge):
            return "%s from %s: stopped reading" % (exc.args[0], split.netloc)
        if isinstance(exc, requests.exceptions.SSLError):
            return ("TLS certificate verification failed for %s (%s). Point ca_path at the CA bundle that signed "
                    "the endpoint's certificate, or set validate_certs to false for a test endpoint"
                    % (split.netloc, type(exc).__name__))
        if isinstance(exc, requests.exceptions.Timeout):
            return "no answer from %s within %s seconds (%s); raise timeout if the service is slow" % (
                split.netloc, self.timeout, type(exc).__name__)
        if not is_network_error(exc):
            return "the request to %s could not be sent (%s); no request was made" % (split.netloc, type(exc).__name__)
        return "could not connect to %s (%s%s)" % (split.netloc, type(exc).__name__, _errno_text(exc))

    def _can_reauthenticate(self):
        return self.credentials.kind == "password" and not self._reauthenticated and self._token is not None

    @staticmethod
    def _plain_headers(split):
        return {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Host": split.netloc}

    def _authenticate(self, headers, method, path, query, data, sms_call):
        """Add the token, or sign the request with the AK/SK (SMS calls carry the project id)."""
        if self.credentials.kind == "aksk":
            if sms_call:
                headers["X-Project-Id"] = self._project_id()
            if self.credentials.security_token:
                headers["X-Security-Token"] = self.credentials.security_token
            headers["X-Sdk-Date"] = signer.sdk_date()
            return signer.sign(method, path, query, headers, data, self.credentials.access_key,
                               self.credentials.secret_key)
        headers["X-Auth-Token"] = self._auth_token()
        return headers

    # ---- IAM ----------------------------------------------------------------

    def _scope_name(self):
        return self.project_name or self.region

    def _project_id(self):
        """The project id for AK/SK calls: given, or looked up by name through IAM as the official SDK does."""
        if self.project_id:
            return self.project_id
        name = self._scope_name()
        operation = "look up the IAM project named %s" % name
        response = self.request("GET", ["projects"], query=[("name", name)], operation=operation,
                                base=self.iam_url)
        projects = [p for p in (self._json(response, operation).get("projects") or []) if p.get("name") == name]
        if len(projects) != 1:
            raise SmsApiError(operation, reason="IAM knows %d projects of that name; set project_id" % len(projects))
        self.project_id = projects[0]["id"]
        return self.project_id

    def _auth_token(self):
        if self._token is None:
            self._token = self._issue_token()
        return self._token

    def _issue_token(self):
        """Exchange the user name and password for a project-scoped IAM token (one per module run)."""
        creds = self.credentials
        if self.project_id:
            project = {"id": self.project_id}
        else:
            project = {"name": self._scope_name()}
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": creds.user_name, "password": creds.password, "domain": {"name": creds.domain_name}}}},
            "scope": {"project": project}}}
        operation = "obtain an IAM token for user %s" % creds.user_name
        response = self.request("POST", ["auth", "tokens"], body=body, operation=operation, base=self.iam_url,
                                idempotent=True, authenticate=False, quote_body=False)
        token = response.headers.get("X-Subject-Token")
        if token:
            self.on_secret(token)
        if not token:
            raise SmsApiError(operation, reason="IAM answered without an X-Subject-Token header",
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        return token


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
        return RETRY if idempotent and is_network_error(exc) and attempt < max_retries else FAIL
    if 200 <= status < 300:
        return DONE
    if status == 401 and can_reauthenticate:
        return REAUTHENTICATE
    if absent:
        return ABSENT
    if (status == 429 or (idempotent and status in RETRY_STATUSES)) and attempt < max_retries:
        return RETRY
    return FAIL


class AnswerTooLarge(Exception):
    """An answer larger than MAX_BODY: reading stopped."""


def _read_body(raw, deadline):
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


def _errno_text(exc):
    """The operating system's reason of a connection failure (``: [Errno 111] Connection refused``), or nothing.

    Only this part of the exception's text is used: the rest may quote a URL or a proxy's credentials.
    """
    found = re.findall(r"\[Errno -?\d+\] [A-Za-z ,.'-]{1,80}", _head(str(exc)))
    return ": %s" % found[-1].strip(" .,'") if found else ""
