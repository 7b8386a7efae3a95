# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors of the collection, and how an error answer is read.

:class:`SmsApiError` is any failure of a call to SMS or IAM, whatever its cause; :class:`SmsFailure` is the
module's failure, raised with the result known so far and turned into ``fail_json`` once (common.py). The rest
reads an answer's error fields the way the official SDK does, and keeps secrets out of every text taken from it.
Plain Python, no Ansible imports.
"""

import email.utils
import html
import json
import re
import time
from urllib.parse import quote, quote_plus

EXCERPT_LENGTH = 200
EXCERPT_SOURCE = 4096  # characters of a body looked at for an excerpt
MASK = "********"
CLOCK_TOLERANCE = 15 * 60
# Fields of an SMS record that hold a secret (sms-api.md section 11): never quoted, whatever the answer around them.
SECRET_FIELDS = ("target_password",)
SECRET_FIELD_VALUE = re.compile(r'("(?:%s)"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|[^,}\s]*)' % "|".join(SECRET_FIELDS))


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
                detail = " ".join(short(part) for part in (self.error_code, self.error_msg) if part)
            elif self.excerpt:
                detail = "%s: %s" % (self.reason or "the answer was not an SMS error body", self.excerpt)
            else:
                detail = self.reason
            if detail:
                text += ": %s" % detail
            text += " (HTTP %s" % self.status
            if self.request_id:
                text += ", request id %s" % short(self.request_id, 100)
            if self.retries:
                text += ", after %d retries" % self.retries
            text += ")"
        if self.hint:
            text += ". %s" % self.hint
        return text

    def to_dict(self):
        return {field: getattr(self, field) for field in self.FIELDS}

    def hinted(self, hint):
        """The same error with ``hint`` after its own: a new error, since an error's text never changes."""
        return SmsApiError(self.operation, reason=self.reason, excerpt=self.excerpt, retries=self.retries,
                           hint=". ".join(part for part in (self.hint, hint) if part), uncertain=self.uncertain,
                           **self.to_dict())

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
        body = redacted(json_or_none(response), redact)
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
            excerpt = body_excerpt(redact(body_head(response.text))) if quote_body else "(body not shown)"
        return cls(operation, status=response.status_code, request_id=request_id, excerpt=excerpt,
                   retries=retries, hint=hint, uncertain=uncertain, **fields)


def with_hint(error, hint=None):
    """The error's message, and the caller's ``hint`` after it."""
    return "%s. %s" % (error.message(), hint) if hint else error.message()


class SmsFailure(Exception):
    """The module fails: raised in module_utils with the result known so far, turned into ``fail_json`` once, by
    SmsModule.run. ``cause`` is the SmsApiError behind it, if any."""

    def __init__(self, msg, cause=None, **result):
        super().__init__(msg)
        self.msg = msg
        self.cause = cause
        self.result = result


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
            return None, "%s: %s" % (key, short(json.dumps(value), EXCERPT_LENGTH))
    return None


def json_or_none(response):
    """The JSON body, or None when there is none: not JSON, not UTF-8, or nested too deep to parse."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def body_head(text):
    """The start of a body, short enough for any further cleaning to take no time."""
    return (text or "")[:EXCERPT_SOURCE]


def redacted(value, redact):
    """``value`` (a parsed body) with ``redact`` applied to every string in it, and the value of every field that
    holds a secret (SECRET_FIELDS) masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redacted(item, redact) for item in value]
    if isinstance(value, dict):
        return {key: MASK if key in SECRET_FIELDS else redacted(item, redact) for key, item in value.items()}
    return value


def without_secret_fields(text):
    """``text`` (a body as it came) with the value of every field that holds a secret masked, a value cut off at the
    end of the text too: an answer quoted in a message may be a record (a template's ``target_password``)."""
    return SECRET_FIELD_VALUE.sub(lambda match: match.group(1) + '"' + MASK + '"', text)


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


def short(value, limit=1000):
    """``value`` as text, cut to ``limit`` characters for a message (the error fields keep it whole)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def body_excerpt(text):
    """A short, single-line excerpt of a body that is not JSON (for example a gateway's HTML page)."""
    text = re.sub(r"<[^<>]*>", " ", without_secret_fields(body_head(text)))
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
