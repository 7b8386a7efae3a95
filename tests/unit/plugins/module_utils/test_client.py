# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client alone, against the emulator: paging, signing of awkward queries, re-authentication, error mapping."""

from __future__ import annotations

import email.utils
import gzip
import json
import socket
import threading
import time

import pytest
import requests
import urllib3

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, endpoints, errors, transport
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import AK, PROJECT_ID, SK, TOKEN
from tests.emulator.sms_emulator import Emulator


def aksk_client(emu, **kwargs):
    credentials = auth.Credentials("aksk", access_key=AK, secret_key=SK)
    return sms.SmsClient(emu.url, credentials, iam_url=emu.url + "/v3", project_id=PROJECT_ID, **kwargs)


def response(status, body, headers=None):
    """A real ``requests.Response`` carrying ``body`` (bytes, text, or JSON-able)."""
    answer = requests.models.Response()
    answer.status_code = status
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    answer._content = body.encode("utf-8") if isinstance(body, str) else body
    answer.headers.update(headers or {})
    return answer


def test_list_follows_pages_to_the_end(emulator):
    for number in range(450):
        emulator.add_task(name="task-%03d" % number)
    tasks = aksk_client(emulator).list_tasks()
    assert [task["name"] for task in tasks] == ["task-%03d" % number for number in range(450)]
    pages = emulator.requests(method="GET", path_prefix="/v3/tasks")
    assert [(entry["query"]["limit"], entry["query"]["offset"]) for entry in pages] == [("200", "0"), ("200", "200"),
                                                                                        ("200", "400")]


def test_signed_query_with_reserved_characters_is_accepted(emulator):
    emulator.add_task(name="my task/1 ü&=")
    tasks = aksk_client(emulator).list_tasks(name="my task/1 ü&=")
    assert [task["name"] for task in tasks] == ["my task/1 ü&="]
    assert emulator.journal[0]["status"] == 200
    assert emulator.journal[0]["raw_query"].startswith("limit=200&name=my%20task%2F1%20%C3%BC%26%3D&offset=0")


def test_password_token_is_renewed_once_after_a_401(emulator):
    credentials = auth.Credentials("password", user_name="sms-operator", password="Pa55w0rd-example!",
                                  domain_name="example-domain")
    client = sms.SmsClient(emulator.url, credentials, iam_url=emulator.url + "/v3", region="cn-north-4")
    assert client.get_task("missing") is None
    emulator.tokens.clear()  # the token expires
    assert client.get_task("missing") is None
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [
        ("POST", 201), ("GET", 404), ("GET", 401), ("POST", 201), ("GET", 404)]
    emulator.tokens.clear()
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("missing")
    assert caught.value.status == 401
    assert len(emulator.journal) == 6


@pytest.mark.parametrize("segments", [["v3", "tasks", "."], ["v3", "tasks", ".."], ["v3", "tasks", "a/../../sources/x"],
                                      ["v3", "tasks", ""]])
def test_unsafe_path_segments_are_never_sent(emulator, segments):
    with pytest.raises(errors.SmsApiError) as caught:
        aksk_client(emulator).transport.request("DELETE", segments, operation="delete")
    assert "could reach another resource" in str(caught.value)
    assert emulator.journal == []


def test_iam_token_is_reported_as_a_secret(emulator):
    secrets = []
    credentials = auth.Credentials("password", user_name="sms-operator", password="Pa55w0rd-example!",
                                  domain_name="example-domain")
    client = sms.SmsClient(emulator.url, credentials, iam_url=emulator.url + "/v3", region="cn-north-4",
                           on_secret=secrets.append)
    client.get_task("missing")
    assert secrets == [emulator.journal[1]["headers"]["x-auth-token"]]


def test_delete_of_a_missing_task_raises_sms_own_404(emulator):
    """A 404 to a write may mean something else than "no such record" (SMS.2252): delete_record raises it as every
    failure, and the caller reads the record again. Nothing was carried out, so the error is not uncertain."""
    with pytest.raises(errors.SmsApiError) as raised:
        aksk_client(emulator).delete_record(sms.TASKS, "missing")
    error = raised.value
    assert (error.status, error.error_code, error.uncertain, error.is_absence()) == (404, "SMS.1801", False, True)
    assert error.message().startswith("Failed to delete SMS task missing: SMS.1801 ")


def test_delete_of_a_task_returns_none_and_deletes_it(emulator):
    task = emulator.add_task()
    assert aksk_client(emulator).delete_record(sms.TASKS, task["id"]) is None
    assert task["id"] not in emulator.tasks
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.journal] == [
        ("DELETE", "/v3/tasks/" + task["id"], 200)]


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


def test_retry_after_wins_over_backoff():
    assert transport.retry_delay(0, "3") == 3.0
    assert transport.retry_delay(4, "0") == 0.0
    assert transport.retry_delay(0, "100000") == 120.0  # the documented cap of Retry-After
    assert transport.retry_delay(0, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: at once
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= transport.retry_delay(0, future) <= 30


@pytest.mark.parametrize("odd", ["nan", "inf", "-inf", "soon", "Wed, 21 Oct 99999 07:28:00 GMT", "-5"])
def test_odd_retry_after_falls_back_to_backoff(odd):
    delay = transport.retry_delay(1, odd)
    assert delay == 0.0 if odd == "-5" else 1.0 <= delay <= 2.0


# The documented pauses (the max_retries option): before retry N (from 1), between half and all of 2^(N-1)
# seconds, at most 20 seconds. Written here from the documentation, not computed from the code's constants.
DOCUMENTED_PAUSES = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0), (10.0, 20.0), (10.0, 20.0)]


@pytest.mark.parametrize("attempt, bounds", list(enumerate(DOCUMENTED_PAUSES)))
def test_backoff_grows_exponentially_with_jitter(attempt, bounds):
    delays = {transport.retry_delay(attempt) for sample in range(200)}
    assert all(bounds[0] <= delay <= bounds[1] for delay in delays)
    assert len(delays) > 190  # jittered, not a fixed schedule
    # spread over the whole range: 200 uniform draws all miss its top (or bottom) tenth once in 10^9 runs
    spread = bounds[1] - bounds[0]
    assert max(delays) > bounds[1] - spread / 10 and min(delays) < bounds[0] + spread / 10


@pytest.mark.parametrize("region, site, endpoint", [
    ("cn-north-4", None, "https://sms.cn-north-4.myhuaweicloud.com"),
    ("cn-east-3", None, "https://sms.cn-north-4.myhuaweicloud.com"),
    ("ap-southeast-3", None, "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("ap-southeast-1", None, "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("my-kualalumpur-1", None, "https://sms.my-kualalumpur-1.myhuaweicloud.com"),
    ("ru-moscow-1", None, "https://sms-api.ru-moscow-1.myhuaweicloud.com"),
    # the site is the account's: an international account in a China region, a China account abroad
    ("cn-north-4", "international", "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("ap-southeast-1", "china", "https://sms.cn-north-4.myhuaweicloud.com"),
    ("my-kualalumpur-1", "china", "https://sms.my-kualalumpur-1.myhuaweicloud.com"),
    ("eu-west-101", None, "https://sms.ap-southeast-3.myhuaweicloud.eu"),
])
def test_sms_endpoint_by_region_and_site(region, site, endpoint):
    assert endpoints.sms_endpoint(region, site=site) == endpoint


@pytest.mark.parametrize("region, cloud, endpoint", [
    ("cn-north-4", endpoints.DEFAULT_CLOUD, "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    ("eu-west-101", endpoints.DEFAULT_CLOUD, "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    ("ap-southeast-3", "example.com", "https://iam.ap-southeast-3.example.com/v3"),
    # regions the official SDK's IAM table lacks use the global endpoint, as the SDK does
    ("xx-test-1", endpoints.DEFAULT_CLOUD, "https://iam.myhuaweicloud.com/v3"),
    ("eu-west-102", endpoints.DEFAULT_CLOUD, "https://iam.myhuaweicloud.eu/v3"),
])
def test_iam_endpoint(region, cloud, endpoint):
    assert endpoints.iam_endpoint(region, cloud) == endpoint


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


def test_listing_restarts_when_pages_shift(emulator):
    """Tasks deleted between two pages would shift the second page: the listing starts over instead."""
    bystanders = [emulator.add_task(name="other-%d" % number)["id"] for number in range(10)]
    wanted = [emulator.add_task(name="task-%03d" % number)["id"] for number in range(250)]
    emulator.inject(method="GET", path="/v3/tasks", after=1, delay=0.5)

    def delete_between_pages():
        deadline = time.time() + 10
        while len(emulator.journal) < 2 and time.time() < deadline:
            time.sleep(0.01)
        with emulator.lock:
            for task_id in bystanders[:5]:
                del emulator.tasks[task_id]

    worker = threading.Thread(target=delete_between_pages)
    worker.start()
    tasks = aksk_client(emulator, sleep=lambda seconds: None).list_tasks()
    worker.join()
    assert [task["id"] for task in tasks] == bystanders[5:] + wanted
    offsets = [entry["query"]["offset"] for entry in emulator.requests(method="GET")]
    assert offsets == ["0", "200", "0", "200"]


def test_a_request_that_cannot_be_built_is_not_retried_nor_quoted(emulator):
    """A header the HTTP library refuses (a token with a line break, if it ever got past the module's checks)."""
    pauses = []
    token = "secret-token-with-a-break\n"
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=token), max_retries=5,
                           sleep=pauses.append)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert "could not be sent (InvalidHeader)" in caught.value.message()
    assert "secret-token" not in caught.value.message()
    assert pauses == [] and emulator.journal == []


def test_redaction_covers_the_forms_a_secret_comes_back_in():
    redact = errors.redactor(["correct  horse&<battery>"])
    for form in ("correct  horse&<battery>", "correct horse&<battery>", "correct  horse&amp;&lt;battery&gt;",
                 "correct%20%20horse%26%3Cbattery%3E", "correct++horse%26%3Cbattery%3E"):
        assert redact("before %s after" % form) == "before ******** after", form


def test_next_step_by_default_neither_absent_nor_reauthenticates():
    assert transport.next_step(True, 0, 2, status=404) == transport.FAIL
    assert transport.next_step(True, 0, 2, status=401) == transport.FAIL


@pytest.mark.parametrize("idempotent, attempt, status, exc, absent, reauth, step", [
    (True, 0, 200, None, False, False, transport.DONE),
    (False, 0, 204, None, False, False, transport.DONE),
    (True, 0, 404, None, True, False, transport.ABSENT),
    (True, 0, 404, None, False, False, transport.FAIL),           # a gateway's 404: not absent, not retried
    (True, 0, 401, None, False, True, transport.REAUTHENTICATE),
    (True, 0, 401, None, False, False, transport.FAIL),           # never the same credentials again
    (False, 0, 429, None, False, False, transport.RETRY),         # throttled: not processed, any method
    (False, 0, 503, None, False, False, transport.FAIL),          # a POST may have been processed
    (True, 0, 503, None, False, False, transport.RETRY),
    (True, 2, 503, None, False, False, transport.FAIL),           # max_retries 2 reached
    (True, 1, 500, None, False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.ConnectionError("reset"), False, False, transport.RETRY),
    (True, 0, None, requests.exceptions.ReadTimeout("slow"), False, False, transport.RETRY),
    (False, 0, None, requests.exceptions.ReadTimeout("slow"), False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.InvalidHeader("bad"), False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.SSLError("cert"), False, False, transport.FAIL),
    (True, 0, 299, None, False, False, transport.DONE),
    (True, 0, 300, None, False, False, transport.FAIL),           # 3xx is not a success (redirects are not followed)
    (True, 3, 503, None, False, False, transport.FAIL),           # beyond max_retries: never more retries
    (False, 3, 429, None, False, False, transport.FAIL),
    (True, 0, 199, None, False, False, transport.FAIL),           # not 2xx
    (True, 1, None, requests.exceptions.ConnectionError("reset"), False, False, transport.RETRY),
    (True, 2, None, requests.exceptions.ConnectionError("reset"), False, False, transport.FAIL),  # max_retries 2 reached
    (True, 3, None, requests.exceptions.ConnectionError("reset"), False, False, transport.FAIL),
    (True, 0, 400, None, False, True, transport.FAIL),            # a new token only after a 401
    (True, 0, 403, None, False, True, transport.FAIL),
])
def test_next_step_is_a_pure_decision(idempotent, attempt, status, exc, absent, reauth, step):
    assert transport.next_step(idempotent, attempt, 2, status=status, exc=exc, absent=absent,
                         can_reauthenticate=reauth) == step


@pytest.mark.parametrize("count, pages", [(100, 3), (250, 5), (301, 6)])
def test_a_list_whose_pages_never_end_names_the_pages_read(emulator, count, pages):
    """docs/connection.md: a listing stops after the pages its first count implies with pages half full (100 of 200), plus two."""
    emulator.inject(method="GET", path="/v3/tasks", endless_count=count, endless_page=10, times=100)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.list_tasks()
    assert caught.value.message() == ("Failed to list SMS tasks: the list did not end after %d pages although its first "
                                      "page counted %d tasks (at most 500 pages are read): stopped reading" % (pages, count))


@pytest.mark.parametrize("count, page, pages", [(75, 25, 3), (250, 50, 5)])
def test_a_list_is_read_to_its_end_within_the_pages_its_count_implies(emulator, count, page, pages):
    """docs/connection.md: the pages the first count implies with pages half full, plus two, are all read: 75 tasks in 3 pages
    of 25, 250 tasks in 5 pages of 50."""
    emulator.inject(method="GET", path="/v3/tasks", endless_count=count, endless_page=page, times=pages)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    assert len(client.list_tasks()) == count
    assert [entry["query"]["offset"] for entry in emulator.journal] == [str(page * number) for number in range(pages)]


def test_aksk_credentials_read_from_configuration_sign_the_request(emulator):
    """The kind of credentials may come from parsed configuration (a string built at run time, not a literal)."""
    config = json.loads(json.dumps({"kind": "aksk", "access_key": AK, "secret_key": SK}))
    task = emulator.add_task(name="signed")
    client = sms.SmsClient(emulator.url, auth.Credentials(**config), iam_url=emulator.url + "/v3", project_id=PROJECT_ID,
                           max_retries=0)
    assert client.get_task(task["id"])["name"] == "signed"
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.journal] == [
        ("GET", "/v3/tasks/" + task["id"], 200)]
    headers = emulator.journal[0]["headers"]
    assert headers["authorization"].startswith("SDK-HMAC-SHA256 Access=%s," % AK)
    assert headers["x-project-id"] == PROJECT_ID and "x-auth-token" not in headers


def configured(**fields):
    """Credentials as a caller reads them from configuration: every string built at run time, none a literal."""
    return auth.Credentials(**json.loads(json.dumps(fields)))


def test_password_credentials_read_from_configuration_renew_the_token_once(emulator):
    credentials = configured(kind="password", user_name="sms-operator", password="Pa55w0rd-example!",
                             domain_name="example-domain")
    client = sms.SmsClient(emulator.url, credentials, iam_url=emulator.url + "/v3", region="cn-north-4", max_retries=0)
    assert client.get_task("missing") is None
    emulator.tokens.clear()  # the token expires
    assert client.get_task("missing") is None
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [
        ("POST", 201), ("GET", 404), ("GET", 401), ("POST", 201), ("GET", 404)]


def test_aksk_credentials_read_from_configuration_get_the_clock_hint():
    """sms-api.md section 5: signatures are refused beyond 15 minutes of clock skew; the emulator runs 20 ahead."""
    with Emulator(clock_skew=20 * 60) as emu:
        client = sms.SmsClient(emu.url, configured(kind="aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID,
                               max_retries=0)
        with pytest.raises(errors.SmsApiError) as caught:
            client.get_task("t-1")
    assert "(HTTP 401" in caught.value.message()
    assert caught.value.message().endswith(" minutes behind the gateway's, and signed requests are refused beyond 15 "
                                           "minutes: check the system clock (NTP)")


def test_a_refused_connection_names_the_operating_system_reason():
    """The reason of a connection failure is the operating system's (Linux: errno 111 for a port nobody listens on)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
        port = closed.getsockname()[1]
        client = sms.SmsClient("http://127.0.0.1:%d" % port, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
        with pytest.raises(errors.SmsApiError) as caught:
            client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to 127.0.0.1:%d "
                                      "(ConnectionError: [Errno 111] Connection refused)" % port)


class FailingTransport(requests.adapters.BaseAdapter):
    """A transport whose every exchange fails with ``error`` (as a proxy or the network would make it fail)."""

    def __init__(self, error):
        super().__init__()
        self.error = error

    def send(self, request, **kwargs):
        raise self.error

    def close(self):
        pass


def test_of_several_operating_system_errors_the_innermost_cause_is_named():
    """urllib3 prints the cause of an error after it, nested: the operating system's reason is the last one quoted."""
    error = requests.exceptions.ProxyError(
        "HTTPSConnectionPool(host='sms.cn-north-4.myhuaweicloud.com', port=443): Max retries exceeded with url: "
        "/v3/tasks/t-1 (Caused by ProxyError('Unable to connect to proxy: [Errno 110] Connection timed out', "
        "NewConnectionError('HTTPConnection(host=proxy.example, port=3128): Failed to establish a new connection: "
        "[Errno 113] No route to host')))")
    client = sms.SmsClient("https://sms.cn-north-4.myhuaweicloud.com", auth.Credentials("token", auth_token=TOKEN),
                           max_retries=0)
    client.transport.session.mount("https://", FailingTransport(error))
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to sms.cn-north-4.myhuaweicloud.com "
                                      "(ProxyError: [Errno 113] No route to host)")


@pytest.mark.parametrize("older_urllib3", [False, True])
def test_a_gzip_encoded_answer_is_decoded_with_any_urllib3(emulator, monkeypatch, older_urllib3):
    """requests asks for gzip (Accept-Encoding); a gateway that compresses its answer is read all the same, also
    through a response without ``read1``, as urllib3 1.26 gives it."""
    body = json.dumps({"id": "t-1", "name": "compressed", "state": "READY", "padding": "x" * 20000}).encode("utf-8")
    emulator.inject(method="GET", path="/v3/tasks/t-1", raw=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    if older_urllib3:
        monkeypatch.setattr(urllib3.response.HTTPResponse, "read1", None, raising=False)
    assert client.get_task("t-1")["name"] == "compressed"


def test_a_list_whose_first_page_counts_more_than_any_float_still_stops_after_500_pages(emulator):
    """docs/connection.md: a listing never reads more than 500 pages, whatever count the first page states (JSON numbers have
    no limit: this one has 401 digits)."""
    count = 10 ** 400
    emulator.inject(method="GET", path="/v3/tasks", endless_count=count, endless_page=1, times=1000)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.list_tasks()
    assert caught.value.message() == ("Failed to list SMS tasks: the list did not end after 500 pages although its first "
                                      "page counted %d tasks (at most 500 pages are read): stopped reading" % count)
    assert len(emulator.journal) == 501
