# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an error answer: the fields the official SDK reads, in every shape, which codes are SMS's own, and
secrets masked in every form they come back in."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.hwcloud.sms.plugins.module_utils import errors


def response(status, body, headers=None):
    """A real ``requests.Response`` carrying ``body`` (bytes, text, or JSON-able)."""
    answer = requests.models.Response()
    answer.status_code = status
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    answer._content = body.encode("utf-8") if isinstance(body, str) else body
    answer.headers.update(headers or {})
    return answer


def test_error_from_sms_body():
    body = {"error_code": "SMS.9004", "error_msg": "denied", "encoded_authorization_message": "enc",
            "error_param": ["p"], "details": [{"error_code": "SMS.9004", "error_msg": "d"}]}
    error = errors.SmsApiError.from_response("delete SMS task t1", response(403, body, {"X-Request-Id": "rid-1"}))
    assert error.to_dict() == dict(body, status=403, request_id="rid-1")
    assert str(error) == "Failed to delete SMS task t1: SMS.9004 denied (HTTP 403, request id rid-1)"


def test_error_from_gateway_body_takes_its_request_id():
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "request_id": "rid-2"}
    error = errors.SmsApiError.from_response("read SMS task t1", response(401, body))
    assert error.request_id == "rid-2"
    assert "APIGW.0301" in str(error) and "request id rid-2" in str(error)


def test_error_from_nested_error_object():
    error = errors.SmsApiError.from_response("obtain an IAM token", response(401, {"error": {"code": 401, "message": "bad"}}))
    assert (error.error_code, error.error_msg) == (401, "bad")


@pytest.mark.parametrize("body", [b"", b"<html><body><h1>502 Bad Gateway</h1></body></html>", "x" * 5000, b"\xff\xfe",
                                  "[1, 2]", "null", '"text"'])
def test_error_from_odd_bodies_never_raises_and_names_the_status(body):
    error = errors.SmsApiError.from_response("read SMS task t1", response(502, body))
    text = error.message()
    assert "HTTP 502" in text
    assert len(text) < 400
    assert "<" not in text


@pytest.mark.parametrize("body, pair", [
    ({"error_code": "SMS.1801", "error_msg": "gone"}, ("SMS.1801", "gone")),
    ({"errorCode": "SMS.1801", "errorMsg": "gone"}, ("SMS.1801", "gone")),
    ({"code": "SMS.1801", "message": "gone"}, ("SMS.1801", "gone")),
    ({"error": {"code": "SMS.1801", "message": "gone"}}, ("SMS.1801", "gone")),
    ({"error": {"code": 401, "message": "wrong", "title": "Unauthorized"}}, (401, "wrong")),
    ({"error_code": "APIGW.0101", "error_msg": "no API", "request_id": "r"}, ("APIGW.0101", "no API")),
    ({"message": "Not Found"}, (None, "Not Found")),
    ({"status": 404, "path": "/v3/tasks/x"}, (None, None)),
    ({"a": {"b": {"c": {"error_code": "deep"}}}}, (None, None)),  # nested deeper than an SDK body ever is
])
def test_error_fields_in_every_shape_the_sdk_reads(body, pair):
    assert errors.error_fields(body) == pair


@pytest.mark.parametrize("code, own", [("SMS.1801", True), ("SMS.2252", True), ("APIGW.0101", False),
                                       ("APIGW.0103", False), ("APIG.0101", False), (None, False), ("", False),
                                       (404, False), ("CBC.0150", False), ("Common.0404", False), ("NOT_FOUND", False),
                                       ("sms.1801", False), ("SMS.", False), ("SMS.1801 ", False), (" SMS.1801", False),
                                       ("SMS.18a1", False), ("SMS.1801.1", False), ("XSMS.1801", False)])
def test_only_the_service_own_codes_mean_absent(code, own):
    assert errors.SmsApiError("read", status=404, error_code=code).is_absence() is own
    assert errors.SmsApiError("read", status=400, error_code=code).is_absence() is False


def test_an_error_reads_the_same_on_every_path():
    error = errors.SmsApiError("delete SMS task t", status=400, error_code="SMS.2015", error_msg="busy", hint="Stop it")
    assert str(error) == error.message() == "Failed to delete SMS task t: SMS.2015 busy (HTTP 400). Stop it"


def test_redaction_covers_the_forms_a_secret_comes_back_in():
    redact = errors.redactor(["correct  horse&<battery>"])
    for form in ("correct  horse&<battery>", "correct horse&<battery>", "correct  horse&amp;&lt;battery&gt;",
                 "correct%20%20horse%26%3Cbattery%3E", "correct++horse%26%3Cbattery%3E"):
        assert redact("before %s after" % form) == "before ******** after", form
