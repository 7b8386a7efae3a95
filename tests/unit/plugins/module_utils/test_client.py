# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client alone, against the emulator: paging, signing of awkward queries, re-authentication, error mapping."""

from __future__ import annotations

import gzip
import json
import threading
import time

import pytest
import urllib3

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import AK, PROJECT_ID, SK, TOKEN
from tests.emulator.sms_emulator import Emulator


def aksk_client(emu, **kwargs):
    credentials = auth.Credentials("aksk", access_key=AK, secret_key=SK)
    return sms.SmsClient(emu.url, credentials, iam_url=emu.url + "/v3", project_id=PROJECT_ID, **kwargs)


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


# The documented pauses (the max_retries option): before retry N (from 1), between half and all of 2^(N-1)
# seconds, at most 20 seconds. Written here from the documentation, not computed from the code's constants.


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
