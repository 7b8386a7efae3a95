# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AK/SK calls carry the project id; without project_id the client looks the project up by name through IAM, as
the official SDK does (GET /v3/projects?name=...), and uses the one project of exactly that name (the project_name
option, else the region)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import AK, PROJECT_ID, SK

WANTED = "11111111111111111111111111111111"


@pytest.mark.parametrize("project_name, scope", [(None, "cn-north-4"), ("cn-north-4_dev", "cn-north-4_dev")])
def test_only_the_project_of_exactly_that_name_is_used(emulator, project_name, scope):
    names = ["cn-north-1", "cn-north-4", "cn-north-4_dev", "cn-north-9"]  # as an IAM that ignored the filter would
    projects = [{"id": WANTED if name == scope else "%d" % number * 32, "name": name} for number, name in enumerate(names)]
    projects.append({"id": "f" * 32})
    emulator.projects[scope] = WANTED  # the project SMS knows
    emulator.inject(method="GET", path="/v3/projects", raw=json.dumps({"projects": projects}).encode("utf-8"))
    client = sms.SmsClient(emulator.url, auth.Credentials("aksk", access_key=AK, secret_key=SK), iam_url=emulator.url + "/v3",
                           region="cn-north-4", project_name=project_name, max_retries=0)
    client.get_task("t-1")
    lookup, call = emulator.journal
    assert lookup["path"] == "/v3/projects" and lookup["query"] == {"name": scope}
    assert call["path"] == "/v3/tasks/t-1" and call["headers"]["x-project-id"] == WANTED
    assert "x-project-id" not in lookup["headers"]


def test_only_a_request_to_the_sms_endpoint_carries_the_project_id(emulator):
    """SmsClient.request: a request without ``base`` goes to the SMS endpoint and, signed, carries the project id; one
    given a ``base`` (the IAM calls) does not, even when that base is the SMS endpoint's own address."""
    task = emulator.add_task(name="web-01")
    client = sms.SmsClient(emulator.url, auth.Credentials("aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID,
                           max_retries=0)
    answer = client.transport.request("GET", ["v3", "tasks", task["id"]], operation="read SMS task")
    assert answer.status_code == 200 and answer.json()["name"] == "web-01"
    assert emulator.journal[0]["headers"]["x-project-id"] == PROJECT_ID
    client.transport.request("GET", ["v3", "projects"], base=emulator.url, query=[("name", "cn-north-4")], operation="look up")
    assert "x-project-id" not in emulator.journal[1]["headers"]


def test_an_iam_url_that_is_the_sms_endpoint_fails_cleanly_after_one_lookup(emulator):
    """auth_url equal to the SMS endpoint, AK/SK without project_id: the project lookup is an IAM call, signed without
    a project id and sent once, and its failure is an SmsApiError; before, signing it asked for the project id again,
    without end (a RecursionError and no request sent)."""
    client = sms.SmsClient(emulator.url, auth.Credentials("aksk", access_key=AK, secret_key=SK), iam_url=emulator.url,
                           region="cn-north-4", max_retries=0)
    with pytest.raises(errors.SmsApiError):
        client.get_task("t-1")
    assert [(entry["method"], entry["path"], "x-project-id" in entry["headers"]) for entry in emulator.journal] == [
        ("GET", "/projects", False)]


@pytest.mark.parametrize("sms_host, iam_host", [("localhost", "127.0.0.1"), ("127.0.0.1", "localhost")])
def test_the_project_lookup_is_an_iam_call_wherever_iam_is(emulator, sms_host, iam_host):
    """The lookup goes to IAM, signed without a project id (it is what looks the project id up), whatever the two
    addresses are; the SMS call then carries the id found."""
    client = sms.SmsClient("http://%s:%d" % (sms_host, emulator.port), auth.Credentials("aksk", access_key=AK, secret_key=SK),
                           iam_url="http://%s:%d/v3" % (iam_host, emulator.port), region="cn-north-4", max_retries=0)
    assert client.get_task("t-1") is None
    lookup, call = emulator.journal
    assert (lookup["path"], lookup["headers"]["host"]) == ("/v3/projects", "%s:%d" % (iam_host, emulator.port))
    assert "x-project-id" not in lookup["headers"]
    assert (call["path"], call["headers"]["host"], call["headers"]["x-project-id"]) == (
        "/v3/tasks/t-1", "%s:%d" % (sms_host, emulator.port), PROJECT_ID)
