# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client for the Huawei Cloud SMS v3 API and the IAM calls it needs.

Plain Python over ``requests``, no Ansible imports. Every failure, whatever
its cause (an HTTP error answer, a body that is not JSON, a connection or TLS
failure), is raised as one exception type, :class:`SmsApiError`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import math
import random
import re
import time

try:
    from urllib.parse import quote, urlsplit
except ImportError:  # pragma: no cover
    from urllib import quote  # type: ignore
    from urlparse import urlsplit  # type: ignore

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.hwcloud.sms.plugins.module_utils import signer

USER_AGENT = "hwcloud.sms-ansible-collection"
LIST_PAGE_SIZE = 200
BATCH_SIZE = 50
LIST_ATTEMPTS = 4
RETRY_STATUSES = frozenset([429, 502, 503, 504])
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 120.0
EXCERPT_LENGTH = 200
CLOCK_TOLERANCE = 15 * 60

# Endpoints of the SMS service, one per site rather than per region.
SMS_HOSTS = {
    "cn-north-4": "sms.cn-north-4",
    "ap-southeast-3": "sms.ap-southeast-3",
    "my-kualalumpur-1": "sms.my-kualalumpur-1",
    "ru-moscow-1": "sms-api.ru-moscow-1",
}
CHINA_SITE_REGION = "cn-north-4"
INTERNATIONAL_SITE_REGION = "ap-southeast-3"
DEFAULT_CLOUD = "myhuaweicloud.com"


def sms_endpoint(region, cloud=DEFAULT_CLOUD):
    """The SMS endpoint that serves ``region``."""
    if region not in SMS_HOSTS:
        region = CHINA_SITE_REGION if region.startswith("cn-") else INTERNATIONAL_SITE_REGION
    return "https://%s.%s" % (SMS_HOSTS[region], cloud)


def iam_endpoint(region, cloud=DEFAULT_CLOUD):
    """The IAM endpoint (including ``/v3``) for ``region``."""
    if region == "eu-west-101" and cloud == DEFAULT_CLOUD:
        cloud = "myhuaweicloud.eu"
    return "https://iam.%s.%s/v3" % (region, cloud)


class SmsApiError(Exception):
    """Any failure of a call to SMS or IAM.

    ``status`` is None when no HTTP answer arrived. The service's own fields
    are kept exactly as sent, so that a person (or Huawei support) can act
    on them.
    """

    FIELDS = ("status", "request_id", "error_code", "error_msg", "error_param", "details",
              "encoded_authorization_message")

    def __init__(self, operation, reason=None, status=None, request_id=None, error_code=None, error_msg=None,
                 error_param=None, details=None, encoded_authorization_message=None, excerpt=None, retries=0):
        self.operation = operation
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
        self.hint = None
        super(SmsApiError, self).__init__(self.message())

    def message(self):
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
        return dict((field, getattr(self, field)) for field in self.FIELDS)

    @classmethod
    def from_response(cls, operation, response, retries=0):
        body = _json_or_none(response)
        fields = {}
        if isinstance(body, dict):
            nested = body.get("error") if isinstance(body.get("error"), dict) else {}
            fields = {
                "error_code": body.get("error_code", nested.get("code")),
                "error_msg": body.get("error_msg", nested.get("message")),
                "error_param": body.get("error_param"),
                "details": body.get("details"),
                "encoded_authorization_message": body.get("encoded_authorization_message"),
            }
        request_id = response.headers.get("X-Request-Id")
        if not request_id and isinstance(body, dict):
            request_id = body.get("request_id")
        excerpt = None
        if not fields.get("error_code") and not fields.get("error_msg"):
            excerpt = _excerpt(response.text)
        return cls(operation, status=response.status_code, request_id=request_id, excerpt=excerpt,
                   retries=retries, **fields)


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _short(value, limit=1000):
    """``value`` as text, cut to ``limit`` characters for a message (the error fields keep it whole)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _error_code(response):
    body = _json_or_none(response)
    return body.get("error_code") if isinstance(body, dict) else None


def _excerpt(text):
    """A short, single-line excerpt of a body that is not JSON (for example a gateway's HTML page)."""
    text = re.sub(r"<[^>]*>", " ", text or "")
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
                 timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None):
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials
        self.iam_url = iam_url.rstrip("/") if iam_url else None
        self.region = region
        self.project_id = project_id
        self.project_name = project_name
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.session = requests.Session()
        # Passed with every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        if verify is False:
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        self._token = credentials.auth_token if credentials.kind == "token" else None
        self._reauthenticated = False
        self.last_attempt_unclear = False
        # told about every secret the client obtains (the IAM token), so the caller can mask it in any output
        self.on_secret = on_secret or (lambda value: None)

    # ---- SMS operations -------------------------------------------------

    def get_task(self, task_id):
        """The task, or None when the service answers 404."""
        operation = "read SMS task %s" % task_id
        response = self.request("GET", ["v3", "tasks", task_id], operation=operation, missing_ok=True)
        if response is None:
            return None
        task = self._json(response, operation)
        if task.get("id") != task_id:
            raise SmsApiError(operation, reason="the answer describes task %r, not the one asked for" % task.get("id"),
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        return task

    def list_tasks(self, unstable_ok=False, **filters):
        """Every task matching ``filters`` (service-side filters), following pages to the end.

        Pages are read by record offset, so a task created or deleted between two pages would shift the
        rest and a task could be missed or seen twice. When the total count changes between pages, or an id
        comes twice, the listing starts over (a few times, then :class:`SmsApiError`, or None with
        ``unstable_ok``).
        """
        for attempt in range(LIST_ATTEMPTS):
            tasks = self._list_once(filters)
            if tasks is not None:
                return tasks
            self.sleep(retry_delay(attempt))
        if unstable_ok:
            return None
        raise SmsApiError("list SMS tasks", reason="the task list kept changing while it was read (%d attempts)"
                          % LIST_ATTEMPTS)

    def _list_once(self, filters):
        """One pass over the pages; None when the list changed under the reader."""
        tasks, seen, first_count = [], set(), None
        query = [(key, value) for key, value in filters.items() if value is not None]
        operation = "list SMS tasks"
        while True:
            page_query = query + [("limit", LIST_PAGE_SIZE), ("offset", len(tasks))]
            response = self.request("GET", ["v3", "tasks"], query=page_query, operation=operation)
            page = self._json(response, operation)
            items, count = page.get("tasks") or [], page.get("count")
            if not isinstance(items, list) or not all(isinstance(item, dict) and item.get("id") for item in items) \
                    or not isinstance(count, int):
                raise SmsApiError(operation, reason="the answer is not a page of tasks", status=response.status_code,
                                  request_id=response.headers.get("X-Request-Id"), excerpt=_excerpt(response.text))
            first_count = count if first_count is None else first_count
            ids = [item["id"] for item in items]
            if count != first_count or seen.intersection(ids):
                return None
            seen.update(ids)
            tasks.extend(items)
            if not items or len(tasks) >= count:
                return tasks

    def delete_task(self, task_id):
        """Delete one task. Returns False when the service says it does not exist (404).

        A 404 that answers a retry, after an attempt whose fate is unknown
        (connection lost, gateway timeout), means that attempt deleted the
        task: that counts as deleted.
        """
        response = self.request("DELETE", ["v3", "tasks", task_id], operation="delete SMS task %s" % task_id,
                                missing_ok=True)
        return response is not None or self.last_attempt_unclear

    def delete_tasks(self, task_ids):
        """Delete up to ``BATCH_SIZE`` tasks in one call. The service refuses the whole batch or none of it."""
        self.request("POST", ["v3", "tasks", "delete"], body={"ids": list(task_ids)},
                     operation="delete %d SMS tasks in one batch" % len(task_ids))

    def task_action(self, task_id, operation_name):
        """Run an action (``stop``, ``start``, ...) on a task."""
        self.request("POST", ["v3", "tasks", task_id, "action"], body={"operation": operation_name},
                     operation="%s SMS task %s" % (operation_name, task_id))

    # ---- transport --------------------------------------------------------

    def request(self, method, segments, query=None, body=None, operation="call SMS", missing_ok=False,
                base=None, idempotent=None, authenticate=True):
        """Send one API request with retries; return the response, or None for a 404 when ``missing_ok``.

        ``segments`` are the decoded path segments; each is percent-encoded
        into the URL. GET and DELETE are retried on throttling, gateway
        errors and connection failures; other methods only on throttling
        (the request was then not processed), unless ``idempotent`` says
        a repeat is harmless.
        """
        if any(unsafe_segment(segment) for segment in segments):
            raise SmsApiError(operation, reason="refused to send a request whose path segments %r could reach another "
                              "resource" % (segments,))
        if idempotent is None:
            idempotent = method in ("GET", "DELETE")
        base = base or self.endpoint
        split = urlsplit(base)
        path = split.path.rstrip("/") + "/" + "/".join(segments)
        query_string = signer.canonical_query(query)
        url = "%s://%s%s/%s%s" % (split.scheme, split.netloc, quote(split.path.rstrip("/"), safe="/~"),
                                  "/".join(quote_segment(segment) for segment in segments),
                                  "?" + query_string if query_string else "")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        attempt = 0
        self.last_attempt_unclear = False
        while True:
            headers = self._plain_headers(split)
            if authenticate:
                headers = self._authenticate(headers, method, path, query, data, sms_call=base == self.endpoint)
            try:
                response = self.session.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                                verify=self.verify, allow_redirects=False)
            except (requests.exceptions.RequestException, OSError) as exc:
                error = SmsApiError(operation, reason=self._describe_exception(exc, split), retries=attempt)
                retryable = idempotent and isinstance(exc, requests.exceptions.RequestException) and \
                    not isinstance(exc, requests.exceptions.SSLError)
                if retryable and attempt < self.max_retries:
                    # a request that may have reached the service before the connection failed
                    self.last_attempt_unclear = not isinstance(exc, requests.exceptions.ConnectTimeout) and \
                        "NewConnectionError" not in repr(exc)
                    self.sleep(retry_delay(attempt))
                    attempt += 1
                    continue
                raise error
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 404 and missing_ok:
                if _error_code(response) == "APIGW.0101":
                    error = SmsApiError.from_response(operation, response, retries=attempt)
                    error.hint = "The gateway knows no such API: check endpoint and region"
                    raise error
                return None
            if status == 401 and self.credentials.kind == "aksk":
                error = SmsApiError.from_response(operation, response, retries=attempt)
                error.hint = clock_hint(response.headers.get("Date"))
                raise error
            if status == 401 and self._can_reauthenticate():
                self._reauthenticated = True
                self._token = None
                continue
            retryable = status == 429 or (idempotent and status in RETRY_STATUSES)
            if retryable and attempt < self.max_retries:
                self.last_attempt_unclear = status in (502, 504)
                self.sleep(retry_delay(attempt, response.headers.get("Retry-After")))
                attempt += 1
                continue
            raise SmsApiError.from_response(operation, response, retries=attempt)

    def _json(self, response, operation):
        body = _json_or_none(response)
        if not isinstance(body, dict):
            raise SmsApiError(operation, reason="the answer is not a JSON object", status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"), excerpt=_excerpt(response.text))
        return body

    def _describe_exception(self, exc, split):
        if isinstance(exc, requests.exceptions.SSLError):
            return ("TLS certificate verification failed for %s (%s). Point ca_path at the CA bundle that signed "
                    "the endpoint's certificate, or set validate_certs to false for a test endpoint"
                    % (split.netloc, type(exc).__name__))
        if isinstance(exc, requests.exceptions.Timeout):
            return "no answer from %s within %s seconds (%s); raise timeout if the service is slow" % (
                split.netloc, self.timeout, type(exc).__name__)
        return "could not connect to %s (%s: %s)" % (split.netloc, type(exc).__name__, _first_line(exc))

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
                                idempotent=True, authenticate=False)
        token = response.headers.get("X-Subject-Token")
        if token:
            self.on_secret(token)
        if not token:
            raise SmsApiError(operation, reason="IAM answered without an X-Subject-Token header",
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        return token


def _first_line(exc):
    """The innermost reason of a connection failure (``[Errno 111] Connection refused``), briefly."""
    text = str(exc)
    found = re.findall(r"(\[Errno [^\]]+\][^'\")]*|Connection (?:reset|aborted|refused)[^'\")]*|RemoteDisconnected[^'\")]*)", text)
    text = found[-1] if found else text
    lines = text.strip().splitlines()
    return lines[0][:300].strip(" .,") if lines else ""
