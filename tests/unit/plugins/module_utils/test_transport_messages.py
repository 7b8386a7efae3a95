# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the client tells a user when a call fails for a reason the answer alone does not say: a clock too far
from the gateway's for signatures, an answer too large to read, a site that may have been guessed wrong; and
that a token IAM issues during the run is masked wherever the service quotes it back.

The limits are the documented ones (sms-api.md section 5: signatures refused beyond 15 minutes of clock skew;
docs/connection.md "Errors, retries": at most 16 MiB of an answer read; the ``site`` option: a 401 or 403 on the first SMS
request, or a 404 from the API gateway, names the guess), written here rather than imported.
"""

from __future__ import annotations

import email.utils
import json
import re
import time

import pytest
import requests

from ansible_collections.hwcloud.sms.plugins.module_utils.auth import Credentials
from ansible_collections.hwcloud.sms.plugins.module_utils.client import TASKS, SmsClient
from ansible_collections.hwcloud.sms.plugins.module_utils.endpoints import iam_endpoint, sms_endpoint
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError, clock_hint, redactor
from ansible_collections.hwcloud.sms.plugins.module_utils.network import may_have_arrived
from tests.conftest import AK, DOMAIN, PASSWORD, PROJECT_ID, SK, TOKEN, USER
from tests.emulator.sms_emulator import Emulator

NOW = 1_800_000_000.0  # a fixed moment for the clock hints
MIB = 1024 * 1024


def gateway_date(offset_seconds):
    """The gateway's Date header when its clock is ``offset_seconds`` behind this machine's."""
    return email.utils.formatdate(NOW - offset_seconds, usegmt=True)


# ---- the clock -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0, 60, -60, 14 * 60 + 59, -(14 * 60 + 59), 15 * 60, -15 * 60])
def test_a_clock_within_15_minutes_of_the_gateway_gets_no_hint(offset):
    assert clock_hint(gateway_date(offset), now=NOW) is None


@pytest.mark.parametrize("offset, text", [
    (15 * 60 + 1, "15 minutes ahead of"),
    (16 * 60, "16 minutes ahead of"),
    (-(16 * 60), "16 minutes behind"),
    (-(15 * 60 + 1), "15 minutes behind"),
    (5 * 3600, "300 minutes ahead of"),
    (-(2 * 86400), "2880 minutes behind"),
])
def test_a_clock_more_than_15_minutes_off_is_named_with_the_fix(offset, text):
    assert clock_hint(gateway_date(offset), now=NOW) == (
        "This machine's clock is %s the gateway's, and signed requests are refused beyond 15 minutes: check the "
        "system clock (NTP)" % text)


@pytest.mark.parametrize("header", [None, "", "yesterday", "Mon, 99 Foo 2026 25:61:00 GMT"])
def test_no_usable_date_no_hint(header):
    assert clock_hint(header, now=NOW) is None


def test_a_signature_refused_for_the_clock_says_so():
    """The emulator's clock runs 20 minutes ahead: it refuses the signature, and the failure says why."""
    with Emulator(clock_skew=20 * 60) as emu:
        client = SmsClient(emu.url, Credentials("aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID,
                           max_retries=0)
        with pytest.raises(SmsApiError) as caught:
            client.get_task("t-1")
    message = caught.value.message()
    assert "(HTTP 401" in message
    assert re.search(r"This machine's clock is (19|20) minutes behind the gateway's, and signed requests are refused "
                     r"beyond 15 minutes: check the system clock \(NTP\)$", message), message


def test_a_token_refused_gets_no_clock_hint():
    """Only signatures depend on the clock: a refused token says nothing about it, however far the clocks are."""
    with Emulator(clock_skew=20 * 60) as emu:
        client = SmsClient(emu.url, Credentials("token", auth_token="not-a-valid-token"), max_retries=0)
        with pytest.raises(SmsApiError) as caught:
            client.get_task("t-1")
    assert "(HTTP 401" in caught.value.message()
    assert "clock" not in caught.value.message()


# ---- the size of an answer -----------------------------------------------------------------------------------

def padded_task(task_id, size):
    """A task body of exactly ``size`` bytes (JSON padded with spaces)."""
    body = json.dumps({"id": task_id, "name": "big", "state": "MIGRATE_SUCCESS"}).encode("utf-8")
    return body + b" " * (size - len(body))


def test_an_answer_of_16_mib_is_read(emulator):
    client = SmsClient(emulator.url, Credentials("token", auth_token=TOKEN), max_retries=0)
    emulator.inject(method="GET", path="/v3/tasks/t-1", raw=padded_task("t-1", 16 * MIB))
    assert client.get_task("t-1")["name"] == "big"


def test_an_answer_larger_than_16_mib_is_not_read_to_its_end(emulator):
    client = SmsClient(emulator.url, Credentials("token", auth_token=TOKEN), max_retries=0)
    emulator.inject(method="GET", path="/v3/tasks/t-1", raw=padded_task("t-1", 16 * MIB + 1))
    with pytest.raises(SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: the answer was larger than 16 MiB from "
                                      "127.0.0.1:%d: stopped reading" % emulator.port)
    assert caught.value.status is None


def test_an_answer_that_arrives_a_byte_at_a_time_is_given_up_after_the_timeout(emulator):
    """docs/connection.md: every answer is read within timeout seconds as a whole, not per read."""
    client = SmsClient(emulator.url, Credentials("token", auth_token=TOKEN), timeout=1, max_retries=0)
    emulator.inject(method="GET", path="/v3/tasks/t-1", drip=0.2, body={"id": "t-1", "name": "slow", "padding": "x" * 40})
    started = time.monotonic()
    error = failure(lambda: client.get_task("t-1"))
    assert time.monotonic() - started < 3  # the whole body would take about 14 seconds
    assert error.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds (ReadTimeout); "
                               "raise timeout if the service is slow" % emulator.port)


# ---- the site guess ------------------------------------------------------------------------------------------

NOTE = "The SMS endpoint was chosen for a guessed site"


def noted_client(emu, credentials=None, **kwargs):
    return SmsClient(emu.url, credentials or Credentials("token", auth_token=TOKEN), max_retries=0, site_note=NOTE,
                     sleep=lambda seconds: None, **kwargs)


def failure(call):
    with pytest.raises(SmsApiError) as caught:
        call()
    return caught.value


def test_a_401_on_the_first_sms_request_names_the_guess(emulator):
    client = noted_client(emulator, Credentials("token", auth_token="a-token-of-the-other-site"))
    error = failure(lambda: client.get_task("t-1"))
    assert error.status == 401
    assert error.message().endswith("). " + NOTE)


def test_a_403_on_the_first_sms_request_names_the_guess(emulator):
    emulator.inject_forbidden(method="GET", path="/v3/tasks")
    error = failure(noted_client(emulator).list_tasks)
    assert error.status == 403
    assert error.message().endswith("). " + NOTE)


def test_once_sms_answered_the_site_is_right_and_a_403_says_nothing_of_it(emulator):
    client = noted_client(emulator)
    assert client.list_tasks() == []
    emulator.inject_forbidden(method="GET", path="/v3/tasks")
    error = failure(client.list_tasks)
    assert error.status == 403
    assert NOTE not in error.message()


def test_a_gateway_404_names_the_gateway_and_the_guess(emulator):
    emulator.inject(method="GET", path="/v3/tasks", status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist", "request_id": None})
    error = failure(noted_client(emulator).list_tasks)
    assert "This 404 came from the API gateway or a proxy at 127.0.0.1:%d, not from SMS" % emulator.port in error.message()
    assert error.message().endswith(". " + NOTE)


@pytest.mark.parametrize("status, body", [
    (404, {"error_code": "SMS.1801", "error_msg": "The task does not exist."}),  # SMS speaks: the site is right
    (500, {"error_code": "SMS.2007", "error_msg": "Backend exception"}),
    (400, {"error_code": "SMS.2015", "error_msg": "The task is in progress."}),
])
def test_other_failures_say_nothing_of_the_site(emulator, status, body):
    emulator.inject(method="GET", path="/v3/tasks", status=status, body=body)
    error = failure(noted_client(emulator).list_tasks)
    assert error.status == status
    assert NOTE not in error.message()
    assert "API gateway" not in error.message()


def test_a_401_from_iam_says_nothing_of_the_sms_site(emulator):
    """The password is wrong: IAM answers, and the SMS endpoint's site has nothing to do with it."""
    client = noted_client(emulator, Credentials("password", user_name=USER, password="wrong-password", domain_name=DOMAIN),
                          iam_url=emulator.url + "/v3", region="cn-north-4")
    error = failure(lambda: client.get_task("t-1"))
    assert error.status == 401
    assert NOTE not in error.message()


def test_aksk_401_on_the_first_request_names_the_guess_and_not_the_clock(emulator):
    client = noted_client(emulator, Credentials("aksk", access_key=AK, secret_key="a-secret-key-of-the-other-site"),
                          project_id=PROJECT_ID)
    error = failure(lambda: client.get_task("t-1"))
    assert error.status == 401
    assert error.message().endswith("). " + NOTE)
    assert "clock" not in error.message()


# ---- secrets obtained during the run -------------------------------------------------------------------------

def test_a_token_iam_issues_after_an_earlier_failure_is_masked_where_the_service_quotes_it(emulator):
    """The first error of the run comes before any token exists; the token IAM issues afterwards must still be
    masked when an SMS error quotes it, and the client reports it as a secret to its caller."""
    reported = []
    client = SmsClient(emulator.url, Credentials("password", user_name=USER, password=PASSWORD, domain_name=DOMAIN),
                       iam_url=emulator.url + "/v3", region="cn-north-4", max_retries=0, on_secret=reported.append)
    task = emulator.add_task(name="web-01")
    emulator.inject(method="POST", path="/v3/auth/tokens", status=500,
                    body={"error_code": "IAM.0001", "error_msg": "internal error for user %s" % USER})
    first = failure(lambda: client.get_task(task["id"]))
    assert first.status == 500
    assert client.get_task(task["id"])["name"] == "web-01"
    issued = sorted(emulator.tokens - {TOKEN})
    assert len(issued) == 1 and reported == issued
    emulator.inject(method="GET", path="/v3/tasks/" + task["id"], status=400,
                    body={"error_code": "SMS.0401", "error_msg": "token %s is not allowed here" % issued[0]})
    error = failure(lambda: client.get_task(task["id"]))
    assert "SMS.0401 token ******** is not allowed here (HTTP 400" in error.message()
    assert issued[0] not in error.message()
    assert issued[0] not in json.dumps(error.to_dict())


# ---- answers that cannot be trusted --------------------------------------------------------------------------

def token_client(emu):
    return SmsClient(emu.url, Credentials("token", auth_token=TOKEN), max_retries=0, sleep=lambda seconds: None)


@pytest.mark.parametrize("asked, described", [("t-1", "t-2"), ("t-2", "t-1"), ("t-1", "T-1"), ("t-1", "t-1 ")])
def test_an_answer_about_another_task_is_refused(emulator, asked, described):
    emulator.inject(method="GET", path="/v3/tasks/" + asked, raw=json.dumps({"id": described, "name": "other"}).encode("utf-8"))
    error = failure(lambda: token_client(emulator).get_task(asked))
    assert error.message().startswith("Failed to read SMS task %s: the answer describes task %r, not the one asked "
                                      "for (HTTP 200" % (asked, described))


@pytest.mark.parametrize("page", [
    {"count": "1", "tasks": [{"id": "t-1"}]},
    {"tasks": [{"id": "t-1"}]},
    {"count": 1, "tasks": [{"name": "no id"}]},
    {"count": 1, "tasks": ["t-1"]},
    {"count": 1, "tasks": {"id": "t-1"}},
])
def test_a_list_answer_that_is_not_a_page_is_refused(emulator, page):
    emulator.inject(method="GET", path="/v3/tasks", raw=json.dumps(page).encode("utf-8"))
    error = failure(token_client(emulator).list_tasks)
    assert error.message().startswith("Failed to list SMS tasks: the answer is not a page of tasks: ")
    assert error.status == 200


def test_a_source_list_answer_that_is_not_a_page_is_refused(emulator):
    emulator.inject(method="GET", path="/v3/sources", raw=json.dumps({"count": 1, "source_servers": [{"name": "no id"}]}).encode("utf-8"))
    error = failure(token_client(emulator).list_sources)
    assert error.message().startswith("Failed to list SMS source servers: the answer is not a page of source servers: ")


def shifting_pages(emu, times):
    """``times`` listings whose second page counts one task more than the first: the list changes under the reader."""
    first = {"count": 250, "tasks": [{"id": "t-%03d" % number} for number in range(200)]}
    second = {"count": 251, "tasks": [{"id": "t-%03d" % number} for number in range(200, 251)]}
    for _listing in range(times):
        emu.inject(method="GET", path="/v3/tasks", raw=json.dumps(first).encode("utf-8"))
        emu.inject(method="GET", path="/v3/tasks", raw=json.dumps(second).encode("utf-8"))


@pytest.mark.parametrize("read", [
    lambda client: client.list_tasks(),
    lambda client: client.list_records(TASKS),
], ids=["list_tasks", "list_records"])
def test_a_list_that_keeps_changing_is_never_returned_half_read(emulator, read):
    """docs/connection.md "Errors, retries": a listing whose pages shift is read again from the start, four times in
    all, before the run fails saying the list kept changing."""
    shifting_pages(emulator, 10)
    error = failure(lambda: read(token_client(emulator)))
    assert error.message() == "Failed to list SMS tasks: the task list kept changing while it was read (4 attempts)"
    # every attempt read both pages, and found them changed
    assert len(emulator.requests(method="GET", path_prefix="/v3/tasks")) == 2 * 4


def test_a_list_that_keeps_changing_pauses_between_attempts_and_not_after_the_last(emulator):
    shifting_pages(emulator, 10)
    pauses = []
    client = SmsClient(emulator.url, Credentials("token", auth_token=TOKEN), max_retries=0, sleep=pauses.append)
    failure(client.list_tasks)
    assert len(pauses) == 4 - 1 and all(pause > 0 for pause in pauses)


def test_a_source_list_that_keeps_changing_is_never_returned_half_read(emulator):
    first = {"count": 250, "source_servers": [{"id": "s-%03d" % number} for number in range(200)]}
    second = {"count": 251, "source_servers": [{"id": "s-%03d" % number} for number in range(200, 251)]}
    for _listing in range(10):
        emulator.inject(method="GET", path="/v3/sources", raw=json.dumps(first).encode("utf-8"))
        emulator.inject(method="GET", path="/v3/sources", raw=json.dumps(second).encode("utf-8"))
    error = failure(token_client(emulator).list_sources)
    assert re.match(r"Failed to list SMS source servers: the source server list kept changing while it was read "
                    r"\(\d+ attempts\)$", error.message()), error.message()


def test_a_list_that_changed_once_is_read_again_to_its_end(emulator):
    shifting_pages(emulator, 1)
    for number in range(3):
        emulator.add_task(name="t-%d" % number)
    assert [task["name"] for task in token_client(emulator).list_tasks()] == ["t-0", "t-1", "t-2"]


def test_a_list_whose_pages_never_end_is_stopped_after_the_pages_its_count_implies(emulator):
    """docs/connection.md: at most the pages the first count implies with pages half full, plus two: 1,000 tasks, 12 pages."""
    emulator.inject(method="GET", path="/v3/tasks", endless_count=1000, endless_page=50, times=10000)
    error = failure(token_client(emulator).list_tasks)
    assert error.message() == ("Failed to list SMS tasks: the list did not end after 12 pages although its first page "
                               "counted 1000 tasks (at most 500 pages are read): stopped reading")


# ---- what the requests carry ---------------------------------------------------------------------------------

def test_temporary_credentials_send_their_security_token_and_sign_it(emulator):
    client = SmsClient(emulator.url, Credentials("aksk", access_key=AK, secret_key=SK, security_token="st-0123456789"),
                       project_id=PROJECT_ID, max_retries=0)
    assert client.list_tasks() == []
    (entry,) = emulator.journal
    assert entry["status"] == 200
    assert entry["headers"]["x-security-token"] == "st-0123456789"
    signed = re.search(r"SignedHeaders=([^,]+)", entry["headers"]["authorization"]).group(1).split(";")
    assert "x-security-token" in signed and "x-project-id" in signed


def test_credentials_whose_kind_was_read_from_a_file_authenticate_as_that_kind(emulator):
    """A kind built at run time (here parsed from JSON, as a caller reading a configuration would) is a kind like any
    other: a token is sent as X-Auth-Token, and nothing is asked of IAM."""
    kind = json.loads('{"kind": "token"}')["kind"]
    client = SmsClient(emulator.url, Credentials(kind, auth_token=TOKEN), max_retries=0)
    assert client.list_tasks() == []
    assert [(entry["path"], entry["headers"].get("x-auth-token")) for entry in emulator.journal] == [("/v3/tasks", TOKEN)]


def test_without_a_security_token_none_is_sent(emulator):
    client = SmsClient(emulator.url, Credentials("aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID, max_retries=0)
    assert client.list_tasks() == []
    assert "x-security-token" not in emulator.journal[0]["headers"]


SKIP_LOOKUP = "AK/SK requests name their project: set project_id (env HW_PROJECT_ID) to the project's id, and no IAM lookup is made"


def aksk_by_name(emu, project_name):
    return SmsClient(emu.url, Credentials("aksk", access_key=AK, secret_key=SK), iam_url=emu.url + "/v3", region="cn-north-4",
                     project_name=project_name, max_retries=0)


def test_a_project_name_iam_does_not_know_asks_for_project_id(emulator):
    error = failure(aksk_by_name(emulator, "nowhere-1").list_tasks)
    assert error.message() == ("Failed to look up the IAM project named nowhere-1: IAM knows 0 projects of that name. "
                               + SKIP_LOOKUP)
    assert [entry["path"] for entry in emulator.journal] == ["/v3/projects"]


def test_a_project_name_iam_knows_twice_asks_for_project_id(emulator):
    twice = {"projects": [{"id": PROJECT_ID, "name": "cn-north-4"}, {"id": "f" * 32, "name": "cn-north-4"}]}
    emulator.inject(method="GET", path="/v3/projects", raw=json.dumps(twice).encode("utf-8"))
    error = failure(aksk_by_name(emulator, None).list_tasks)
    assert error.message() == ("Failed to look up the IAM project named cn-north-4: IAM knows 2 projects of that name. "
                               + SKIP_LOOKUP)


@pytest.mark.parametrize("status", [403, 500])
def test_a_failed_project_lookup_suggests_project_id(emulator, status):
    """The lookup itself refused (IAM permissions of the key) or failing: the message says how to do without it."""
    emulator.inject(method="GET", path="/v3/projects", status=status, times=10,
                    body={"error_code": "IAM.0003", "error_msg": "Forbidden."})
    error = failure(aksk_by_name(emulator, None).list_tasks)
    assert error.message().startswith("Failed to look up the IAM project named cn-north-4: IAM.0003 Forbidden. (HTTP %d" % status)
    assert error.message().endswith(". " + SKIP_LOOKUP)
    assert error.status == status and error.error_code == "IAM.0003"


@pytest.mark.parametrize("given, scope", [
    (dict(project_id=PROJECT_ID), {"project": {"id": PROJECT_ID}}),
    (dict(project_name="ap-southeast-3"), {"project": {"name": "ap-southeast-3"}}),
    (dict(), {"project": {"name": "cn-north-4"}}),  # the region names the project by default
])
def test_the_password_token_is_scoped_to_the_project(emulator, given, scope):
    client = SmsClient(emulator.url, Credentials("password", user_name=USER, password=PASSWORD, domain_name=DOMAIN),
                       iam_url=emulator.url + "/v3", region="cn-north-4", max_retries=0, **given)
    assert client.list_tasks() == []
    (token_request,) = emulator.requests(method="POST", path_prefix="/v3/auth/tokens")
    assert token_request["body"]["auth"]["scope"] == scope
    assert [entry["status"] for entry in emulator.journal] == [201, 200]


@pytest.mark.parametrize("page", [{"count": 1}, {"count": 1, "tasks": None}, {"count": 1, "tasks": []}])
def test_a_page_without_the_tasks_its_count_promises_is_not_the_end_of_the_list(emulator, page):
    """Only SMS's own 404 says a task is absent: a 200 page that counts a task but shows none must not read as an
    empty list (which would make a task named by name "already absent")."""
    emulator.add_task(name="web-01")
    emulator.inject(method="GET", path="/v3/tasks", raw=json.dumps(page).encode("utf-8"), times=10)
    error = failure(lambda: token_client(emulator).list_tasks(name="web-01"))
    assert "list SMS tasks" in str(error)
    assert "not a page of tasks" in str(error) or "kept changing" in str(error)


def test_an_empty_list_may_leave_its_items_out(emulator):
    emulator.inject(method="GET", path="/v3/tasks", raw=b'{"count": 0}')
    assert token_client(emulator).list_tasks() == []


@pytest.mark.parametrize("secrets", [["abc", "xy", ""], ["xy", "", "abc"], [None, "abc"]])
def test_secrets_of_three_characters_and_more_are_masked_shorter_ones_would_mask_everything(secrets):
    redact = redactor(secrets)
    assert redact("token abc, key xy") == "token ********, key xy"


@pytest.mark.parametrize("secrets", [["sk-0123456789", "sk-0123456789-and-more"], ["sk-0123456789-and-more", "sk-0123456789"]])
def test_a_secret_that_contains_another_is_masked_whole(secrets):
    """docs/connection.md: texts taken from an answer are masked, each secret whole: a security token that begins with the
    secret key must not come back as the mask followed by the rest of the token."""
    redact = redactor(secrets)
    assert redact("token sk-0123456789-and-more, key sk-0123456789.") == "token ********, key ********."


@pytest.mark.parametrize("form", [
    'pa"ss&<word>',  # as it is
    "pa&quot;ss&amp;&lt;word&gt;",  # HTML-escaped, quotes too (an attribute value)
    'pa"ss&amp;&lt;word&gt;',  # HTML-escaped text, where quotes stay as they are
    'pa\\"ss&<word>',  # JSON-escaped
    "pa%22ss%26%3Cword%3E",  # URL-encoded
], ids=["as-is", "html-attribute", "html-text", "json", "url"])
def test_a_secret_with_quotes_and_markup_is_masked_in_every_form_it_comes_back_in(form):
    """docs/connection.md: texts taken from an answer are masked, also the HTML-escaped, JSON-escaped and URL-encoded forms."""
    assert redactor(['pa"ss&<word>'])("<p>password %s refused</p>" % form) == "<p>password ******** refused</p>"


def test_a_request_that_never_connected_cannot_have_arrived():
    """A DELETE whose connection was never made cannot have deleted anything: a 404 on its retry is not "deleted"."""
    assert may_have_arrived(requests.exceptions.ConnectTimeout("connect timed out")) is False
    assert may_have_arrived(requests.exceptions.ReadTimeout("read timed out")) is True


def test_a_refused_host_is_quoted_in_its_first_100_characters():
    """A hostile region or cloud may be long: the message quotes the first 100 characters of the host it refused."""
    with pytest.raises(ValueError) as caught:
        sms_endpoint("cn-north-4", cloud="a" * 300)
    host = "sms.cn-north-4." + "a" * 300
    assert "the host '%s': check region and cloud" % host[:100] in str(caught.value)


@pytest.mark.parametrize("build", [
    lambda: sms_endpoint("cn-north-4", cloud="myhuaweicloud.com\n"),
    lambda: iam_endpoint("cn-north-4", cloud="myhuaweicloud.com\n"),
    lambda: iam_endpoint("xx-test-1", cloud="example.com\n"),
], ids=["sms", "regional-iam", "global-iam"])
def test_a_host_with_a_trailing_line_break_is_refused(build):
    """A line break after the domain suffix would end up in the URL the credentials are sent to: refused."""
    with pytest.raises(ValueError) as caught:
        build()
    assert "check region and cloud" in str(caught.value)


# ---- what an error answer says -------------------------------------------------------------------------------

@pytest.mark.parametrize("status, raw, detail", [
    # sms-api.md section 5: a body that is not JSON (a gateway's or proxy's page) is quoted as its raw text
    pytest.param(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>",
                 "the answer was not an SMS error body: 500 Internal Server Error", id="html-page"),
    pytest.param(502, b"Bad Gateway", "the answer was not an SMS error body: Bad Gateway", id="plain-text"),
    pytest.param(500, b"Internal error. " * 12 + b"12345678", "the answer was not an SMS error body: " + "Internal error. " * 12 + "12345678",
                 id="text-of-200-characters"),
    # one character more than 200: the excerpt is the first 200 characters, then "..."
    pytest.param(500, b"Internal error. " * 12 + b"123456789", "the answer was not an SMS error body: " + "Internal error. " * 12 + "12345678...",
                 id="text-of-201-characters"),
    # docs/connection.md: the excerpt is taken out of at most the first 4,096 characters: markup that fills them
    # leaves nothing to quote, whatever follows
    pytest.param(502, b"<" + b"a" * 4094 + b">" + b"Bad Gateway", "the answer was not an SMS error body: (empty body)",
                 id="markup-filling-the-first-4096-characters"),
    pytest.param(502, b"<" + b"a" * 4093 + b">" + b"Bad Gateway", "the answer was not an SMS error body: B",
                 id="markup-then-text-in-the-first-4096-characters"),
    pytest.param(500, b"", "the answer was not an SMS error body: (empty body)", id="empty"),
    pytest.param(503, b" \r\n ", "the answer was not an SMS error body: (empty body)", id="blank"),
    # docs/connection.md "Errors, retries": the message names the service's error_code and error_msg, each also when alone
    pytest.param(400, b'{"error_code": "SMS.2015"}', "SMS.2015", id="code-alone"),
    pytest.param(400, b'{"error_msg": "The task is in progress."}', "The task is in progress.", id="message-alone"),
    # the official SDK looks for the pair in nested objects at any depth
    pytest.param(400, b'{"result": {"error": {"code": "SMS.2015", "message": "The task is in progress."}}}',
                 "SMS.2015 The task is in progress.", id="pair-nested-twice"),
])
def test_an_error_answer_is_described_by_what_it_carries(emulator, status, raw, detail):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, raw=raw)
    error = failure(lambda: token_client(emulator).get_task("t-1"))
    assert error.status == status
    assert error.message().startswith("Failed to read SMS task t-1: %s (HTTP %d, request id " % (detail, status)), error.message()


def test_a_token_quoted_json_escaped_in_an_answer_is_masked_whole(emulator):
    """docs/connection.md: texts taken from an answer are masked, also in the JSON-escaped form of each secret."""
    token = 'tok"en\\0123456789'
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=400,
                    raw=b'{"detail": "the token tok\\"en\\\\0123456789 is refused"}')
    client = SmsClient(emulator.url, Credentials("token", auth_token=token), max_retries=0)
    error = failure(lambda: client.get_task("t-1"))
    assert error.message().startswith('Failed to read SMS task t-1: the answer was not an SMS error body: {"detail": '
                                      '"the token ******** is refused"} (HTTP 400'), error.message()


def test_an_error_built_from_an_answer_quotes_a_body_without_error_fields_unless_told_not_to(emulator):
    """sms-api.md section 5: a body that is not JSON is kept as its raw text; ``quote_body=False`` (for IAM, whose
    errors may echo the password) keeps it out of the message."""
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=502, raw=b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                    times=2)
    answer = requests.get(emulator.url + "/v3/tasks/t-1", timeout=10)
    assert SmsApiError.from_response("read SMS task t-1", answer).message().startswith(
        "Failed to read SMS task t-1: the answer was not an SMS error body: 502 Bad Gateway (HTTP 502, request id ")
    answer = requests.get(emulator.url + "/v3/tasks/t-1", timeout=10)
    assert SmsApiError.from_response("read SMS task t-1", answer, quote_body=False).message().startswith(
        "Failed to read SMS task t-1: the answer was not an SMS error body: (body not shown) (HTTP 502, request id ")


def test_a_long_error_message_and_request_id_are_named_whole(emulator):
    """docs/connection.md "Errors, retries": the message names the service's error_code and error_msg and the request id."""
    code, text, request_id = "SMS." + "7" * 96, "The task is in progress. " * 40, "r" * 100
    assert (len(code), len(text), len(request_id)) == (100, 1000, 100)
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=400, body={"error_code": code, "error_msg": text})
    error = failure(lambda: token_client(emulator).get_task("t-1"))
    assert error.message().startswith("Failed to read SMS task t-1: %s %s (HTTP 400, request id " % (code, text))
    error = SmsApiError("read SMS task t-1", status=400, request_id=request_id, error_code=code, error_msg=text)
    assert error.message() == "Failed to read SMS task t-1: %s %s (HTTP 400, request id %s)" % (code, text, request_id)
    # one character more: the message cuts each, "..." after the first 1,000 (100 for the request id)
    error = SmsApiError("read SMS task t-1", status=400, request_id=request_id + "s", error_code=code, error_msg=text + "!")
    assert error.message() == "Failed to read SMS task t-1: %s %s... (HTTP 400, request id %s...)" % (code, text, request_id)
    assert (error.error_msg, error.request_id) == (text + "!", request_id + "s")  # the error fields keep them whole
