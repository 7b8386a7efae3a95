# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests: any task id is either refused before a request, naming the option, or sent exactly (an id may
hold only letters, digits, '-' and '_', so its percent-encoding is the id itself); any error body maps to a message
with the HTTP status and never raises."""

from __future__ import annotations

import contextlib
import io
import json
import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from ansible_collections.hwcloud.sms.plugins.module_utils.options import task_id_problem
from ansible_collections.hwcloud.sms.plugins.modules import sms_task
from tests.conftest import TOKEN
from tests.emulator.sms_emulator import Emulator
from tests.module_args import patch_module_args

# sms-api.md section 7: a path segment keeps A-Z a-z 0-9 - _ . ~ and percent-encodes every other UTF-8 byte
UNRESERVED = set(string.ascii_letters + string.digits + "-_.~")
# the id rule (docs/modules.md): letters, digits, '-' and '_', 1 to 255 characters
ID_CHARACTERS = string.ascii_letters + string.digits + "-_"
# the three ways task_id_problem() says why an id is refused
PROBLEMS = ("must not be empty", "must be at most 255 characters long", "may hold only letters, digits, '-' and '_', found ",
            "is ")


def valid(task_id):
    """The id rule, written here rather than taken from the code."""
    return 0 < len(task_id) <= 255 and all(char in ID_CHARACTERS for char in task_id)


def encoded(segment):
    """The encoding of a path segment, written from the published rule rather than taken from a library."""
    return "".join(char if char in UNRESERVED else "".join("%%%02X" % byte for byte in char.encode("utf-8"))
                   for char in segment)


task_ids = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("abc-_.~/?#% \t\n\x00\x7f\u00a0\u200b\u00e9\u4e2d\U0001f600"), max_size=20),
    st.uuids().map(str),
    st.just("."), st.just(".."),
    st.text(alphabet=ID_CHARACTERS, min_size=1, max_size=260),  # valid ids, and some too long
    st.lists(st.uuids().map(str), min_size=1, max_size=3).map(lambda ids: str(ids)[:-1]),  # "['a', 'b'" pieces
)


@pytest.fixture(scope="module")
def emulator():
    with Emulator() as emu:
        yield emu


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(task_id=task_ids)
def test_any_id_is_refused_or_sent_exactly(emulator, task_id):
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    emulator.clear_journal()
    problem = task_id_problem(task_id)
    assert (problem is None) == valid(task_id), problem
    if problem:
        assert problem.startswith(PROBLEMS), problem
        return
    assert encoded(task_id) == task_id  # nothing of a valid id needs encoding
    assert client.get_task(task_id) is None
    with pytest.raises(errors.SmsApiError) as raised:  # a 404 to a write raises as every failure does
        client.delete_record(sms.TASKS, task_id)
    assert (raised.value.status, raised.value.error_code, raised.value.uncertain) == (404, "SMS.1801", False)
    expected = "/v3/tasks/" + task_id
    assert [(entry["method"], entry["path"], entry["task_id"]) for entry in emulator.journal] == [
        ("GET", expected, task_id), ("DELETE", expected, task_id)]


def run_module(args):
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    return json.loads(out.getvalue())


refused_ids = task_ids.filter(lambda value: task_id_problem(value) is not None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(task_id=refused_ids, bulk=st.booleans())
def test_a_refused_id_fails_the_module_naming_the_option_and_sends_nothing(emulator, task_id, bulk):
    """Through the module's own main(): the option is named with the problem, and not one request is sent."""
    emulator.clear_journal()
    ids = {"task_ids": ["7a9a9540-ff28-4869-b9e4-855fbe12a0c1", task_id]} if bulk else {"task_id": task_id}
    result = run_module(dict(ids, state="absent", endpoint=emulator.url, auth_token=TOKEN))
    assert result["failed"] is True
    if "\x00" in task_id and result["msg"].startswith("Failed to log to syslog (embedded null character)"):
        pass  # ansible-core 2.16 and 2.17 fail the module themselves, logging its arguments, before it runs
    else:
        option = "task_ids[1]" if bulk else "task_id"
        assert result["msg"] == "%s %s" % (option, task_id_problem(task_id))
        assert result["msg"][len(option) + 1:].startswith(PROBLEMS)
    assert emulator.journal == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=5),
    max_leaves=20)
error_like = st.fixed_dictionaries({}, optional={
    "error_code": json_values, "error_msg": json_values, "error_param": json_values, "details": json_values,
    "encoded_authorization_message": json_values, "request_id": json_values,
    "error": st.one_of(json_values, st.fixed_dictionaries({}, optional={"code": json_values, "message": json_values})),
})
bodies = st.one_of(
    error_like.map(json.dumps), json_values.map(json.dumps), st.text(max_size=3000), st.binary(max_size=3000),
    st.just("x" * 200000),
)


@settings(max_examples=400, deadline=None)
@given(status=st.integers(min_value=300, max_value=599), body=bodies,
       request_id=st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)))
def test_any_error_body_maps_to_a_message_with_the_status(status, body, request_id):
    answer = requests.models.Response()
    answer.status_code = status
    answer._content = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if request_id:
        answer.headers["X-Request-Id"] = request_id
    error = errors.SmsApiError.from_response("delete SMS task t", answer)
    text = error.message()
    assert "HTTP %d" % status in text
    assert text.startswith("Failed to delete SMS task t")
    assert len(text) < 2500
    json.dumps(error.to_dict())  # the result must be serialisable
