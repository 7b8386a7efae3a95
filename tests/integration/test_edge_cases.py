# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edge cases: lost answers, odd 404s, more retry paths, diffs of the quieter rows, unsafe ids."""

from __future__ import annotations

import pytest

from tests.integration.harness import DOMAIN, PASSWORD, REGION, TOKEN, USER, sms_task, token_defaults

UNAVAILABLE = {"error_code": "APIGW.0201", "error_msg": "Backend unavailable"}


def sent(emu):
    return emu.sent("method", "status")


@pytest.mark.parametrize("fault", [{"reset": True}, {"status": 504, "body": {"error_code": "APIGW.0204",
                                                                             "error_msg": "Backend timeout"}}])
def test_delete_carried_out_but_answer_lost_counts_as_deleted(emulator, playbook, fault):
    task = emulator.add_task(name="lost-answer")
    emulator.inject(method="DELETE", processed=True, **fault)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], defaults=token_defaults(emulator),
                   diff=True)
    result = run.result()
    assert run.status() == "changed", result
    assert result["msg"].endswith("deleted")
    assert result["diff"]["after"]["state"] == "absent"
    # the retry's 404 may have another meaning: the task is read again, and SMS's own 404 says it is gone
    assert sent(emulator) == [("GET", 200), ("DELETE", fault.get("status")), ("DELETE", 404), ("GET", 404)]
    assert task["id"] not in emulator.tasks


@pytest.mark.parametrize("body,html", [('<html><body>Not Found</body></html>', True), ("", False), (None, False),
                                       ({"error_code": "APIGW.0103", "error_msg": "The backend does not exist"}, False),
                                       ({"error_msg": "Not Found"}, False), ({"message": "no Route matched"}, False)])
def test_404_that_sms_did_not_send_is_a_failure_not_absent(emulator, playbook, body, html):
    """A proxy's page, an empty body, a gateway code or JSON without an error code proves nothing: the task exists."""
    task = emulator.add_task(name="still-here")
    emulator.inject(method="GET", status=404, body=body, html=html)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result
    assert result["changed"] is False and "absent" not in result["msg"]
    assert "not from SMS" in result["msg"] and "check endpoint, site and proxy" in result["msg"]
    assert result["error"]["status"] == 404
    assert emulator.methods() == ["GET"]  # nothing deleted on a gateway's word
    assert task["id"] in emulator.tasks


def test_404_no_such_api_is_a_failure_not_absent(emulator, playbook):
    run = playbook([sms_task(task_id="t-1", state="absent", endpoint=emulator.url + "/wrong-prefix")],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "APIGW.0101" in result["msg"] and "check endpoint, site and proxy" in result["msg"]


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_on_delete_are_retried(emulator, playbook, status):
    task = emulator.add_task()
    emulator.inject(method="DELETE", status=status, body=UNAVAILABLE)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()
    assert sent(emulator) == [("GET", 200), ("DELETE", status), ("DELETE", 200)]


def test_retry_after_on_503_is_honoured(emulator, playbook):
    emulator.inject(method="GET", status=503, body=UNAVAILABLE, headers={"Retry-After": "2"})
    run = playbook([sms_task(task_id="t-1", state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "ok", run.result()
    first, second = emulator.journal
    assert second["time"] - first["time"] >= 2.0


def test_throttled_stop_action_is_retried(emulator, playbook):
    task = emulator.add_task(state="RUNNING", source_state="replicate", connected=True)
    emulator.inject_throttle(method="POST", retry_after="1")
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True, wait=False)],
                   defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()
    posts = emulator.requests(method="POST")
    assert [entry["status"] for entry in posts] == [429, 200]
    assert task["id"] not in emulator.tasks


def test_max_retries_from_the_environment(emulator, playbook):
    emulator.inject(method="GET", status=503, body=UNAVAILABLE, times=10)
    run = playbook([sms_task(task_id="t-1", state="absent")],
                   env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN, "HW_MAX_RETRIES": "1"})
    assert run.status() == "failed"
    assert "after 1 retries" in run.result()["msg"]
    assert len(emulator.journal) == 2


def test_rejected_token_is_not_retried(emulator, playbook):
    run = playbook([sms_task(task_id="t-1", state="absent", auth_token="expired-token")],
                   defaults={"endpoint": emulator.url, "max_retries": 5})
    assert run.status() == "failed"
    assert "HTTP 401" in run.result()["msg"]
    assert sent(emulator) == [("GET", 401)]


def test_expired_password_token_is_renewed_once(emulator, playbook):
    task = emulator.add_task()
    emulator.inject(method="DELETE", status=401, body={"error_code": "APIGW.0301", "error_msg": "token expired",
                                                       "request_id": None})
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": REGION,
                             "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN})
    assert run.status() == "changed", run.result()
    assert emulator.sent("method", "path", "status") == [
        ("POST", "/v3/auth/tokens", 201), ("GET", "/v3/tasks/" + task["id"], 200),
        ("DELETE", "/v3/tasks/" + task["id"], 401), ("POST", "/v3/auth/tokens", 201),
        ("DELETE", "/v3/tasks/" + task["id"], 200)]


def test_deleting_task_without_wait_and_quiet_diffs(emulator, playbook):
    deleting = emulator.add_task(name="going", state="DELETING", deleting_polls=5)
    named = emulator.add_task(name="by-name")
    run = playbook([
        sms_task(task_id=deleting["id"], state="absent", wait=False),
        sms_task(task_id="t-missing", state="absent"),
        sms_task(name="by-name", state="absent", wait=False),
    ], defaults=token_defaults(emulator), diff=True)
    going, missing, by_name = (run.result(index) for index in range(3))
    assert run.status(0) == "ok" and going["diff"]["before"] == going["diff"]["after"]
    assert going["diff"]["before"]["state"] == "DELETING"
    absent = {"id": "t-missing", "state": "absent"}
    assert run.status(1) == "ok" and missing["diff"] == {"before": absent, "after": absent}
    assert run.status(2) == "changed" and by_name["diff"]["before"]["id"] == named["id"]
    assert by_name["diff"]["after"] == {"id": named["id"], "state": "absent"}
    assert [entry["method"] for entry in emulator.journal if entry["task_id"] == deleting["id"]] == ["GET"]


def test_force_times_out_while_waiting_to_become_deletable(emulator, playbook):
    task = emulator.add_task(state="RUNNING", source_state="replicate", connected=True, stop_polls=100)
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True, wait_timeout=2)],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["changed"] is True  # the stop was accepted
    assert "timed out waiting to stop: its stop was accepted" in result["msg"] and "source server state stopping" in result["msg"]
    assert result["msg"].endswith("Run the task again once it has stopped, or raise wait_timeout")
    assert "DELETE" not in emulator.methods()


def test_failure_after_the_delete_reports_changed(emulator, playbook):
    task = emulator.add_task()
    emulator.inject(method="GET", status=500, body={"error_code": "SMS.2007", "error_msg": "Backend exception"},
                    after=1)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["changed"] is True
    assert "SMS.2007" in result["msg"]


def test_dot_ids_and_missing_ca_path_fail_before_any_request(emulator, playbook):
    run = playbook([
        sms_task(task_id=".", state="absent"),
        sms_task(task_id="..", state="absent"),
        sms_task(task_id="t-1", state="absent", ca_path="/nonexistent/ca.pem"),
    ], defaults=token_defaults(emulator))
    assert run.result(0)["msg"] == "task_id may hold only letters, digits, '-' and '_', found '.'"
    assert run.result(1)["msg"] == "task_id may hold only letters, digits, '-' and '_', found '.'"
    assert run.result(2)["msg"].startswith("ca_path /nonexistent/ca.pem")
    assert emulator.journal == []


def test_a_read_that_answers_for_another_task_stops_the_run(emulator, playbook):
    other = emulator.add_task(name="other")
    emulator.inject(method="GET", status=200, body=dict(other))
    run = playbook([sms_task(task_id="t-asked", state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "failed"
    assert "not the one asked for" in run.result()["msg"]
    assert "DELETE" not in emulator.methods()
    assert other["id"] in emulator.tasks
