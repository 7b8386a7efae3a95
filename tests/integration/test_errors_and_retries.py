# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API failures become actionable messages; retries happen where safe, wait, and stop at max_retries."""

from __future__ import annotations

from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import AK, PROJECT_ID, SK, sms_task, token_defaults


def gaps(entries):
    return [later["time"] - earlier["time"] for earlier, later in zip(entries, entries[1:])]


def test_forbidden_delete_keeps_all_five_fields(emulator, playbook):
    task = emulator.add_task()
    fault = emulator.inject_forbidden(method="DELETE")
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    error = result["error"]
    sent = fault["body"]
    for key in ("error_code", "error_msg", "encoded_authorization_message", "error_param", "details"):
        assert error[key] == sent[key], key
    assert error["status"] == 403
    assert error["request_id"] == emulator.journal[-1]["request_id"]
    assert result["msg"].startswith("Failed to delete SMS task %s: SMS.9004 " % task["id"])
    assert "HTTP 403, request id %s" % error["request_id"] in result["msg"]
    assert result["task"]["id"] == task["id"]
    assert emulator.methods() == ["GET", "DELETE"]


def test_html_gateway_page_fails_cleanly(emulator, playbook):
    emulator.inject(method="GET", status=502, html=True, times=5)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=0)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "HTTP 502" in result["msg"]
    assert "not an SMS error body" in result["msg"]
    assert "<" not in result["msg"].split("body:")[1]
    assert result["error"]["status"] == 502 and result["error"]["error_code"] is None
    assert "Traceback" not in run.stdout + run.stderr
    assert len(emulator.journal) == 1


def test_throttling_is_retried_after_retry_after(emulator, playbook):
    task = emulator.add_task()
    emulator.inject_throttle(times=1, retry_after="2", method="GET")
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()
    sent = emulator.sent("method", "status")
    assert sent == [("GET", 429), ("GET", 200), ("DELETE", 200)]
    assert gaps(emulator.journal)[0] >= 2.0


def test_gateway_errors_are_retried_with_backoff_up_to_max_retries(emulator, playbook):
    emulator.inject(method="GET", status=503, body={"error_code": "APIGW.0201", "error_msg": "Backend unavailable"},
                    times=10)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "HTTP 503" in result["msg"] and "APIGW.0201" in result["msg"]
    assert len(emulator.journal) == 3
    # exponential backoff with jitter: the first wait is 0.5-1 s, the second 1-2 s
    first, second = gaps(emulator.journal)
    assert first >= 0.5 and second >= 1.0


def test_reset_connection_on_delete_is_retried(emulator, playbook):
    task = emulator.add_task()
    emulator.inject(method="DELETE", reset=True)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()
    sent = emulator.sent("method", "status")
    assert sent == [("GET", 200), ("DELETE", None), ("DELETE", 200)]
    assert task["id"] not in emulator.tasks


def test_reset_connections_beyond_max_retries_fail_cleanly(emulator, playbook):
    emulator.inject(method="GET", reset=True, times=5)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=1)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "could not connect" in result["msg"] and "Connection" in result["msg"]
    assert result["error"]["status"] is None
    assert "Traceback" not in run.stdout + run.stderr
    assert len(emulator.journal) == 2


def test_slow_answer_hits_the_timeout(emulator, playbook):
    emulator.inject(method="GET", delay=4)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=0, timeout=1)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "within 1 seconds" in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr


def test_stop_action_is_not_retried_on_a_gateway_error(emulator, playbook):
    task = emulator.add_task(state="RUNNING", source_state="replicate", connected=True)
    emulator.inject(method="POST", status=503, body={"error_code": "APIGW.0201", "error_msg": "Backend unavailable"},
                    times=5)
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True)], defaults=token_defaults(emulator))
    assert run.status() == "failed"
    assert "Failed to stop SMS task" in run.result()["msg"]
    assert emulator.methods() == ["GET", "POST"]
    assert "DELETE" not in emulator.methods()


def test_body_that_is_not_json_on_a_read(emulator, playbook):
    emulator.inject(method="GET", truncate=True)
    run = playbook([sms_task(task_id="t-1", state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "not a JSON object" in result["msg"] and "HTTP 200" in result["msg"]
    assert "DELETE" not in emulator.methods()


def test_bad_task_ids_fail_before_any_request(emulator, playbook):
    bad = {"empty": "", "too long": "a" * 256, "slash": "a/b", "question mark": "a?b", "hash": "a#b", "percent": "a%2Fb",
           "space": "a b", "tab": "a\tb", "control": "a\u0001b", "newline": "a\nb"}
    run = playbook([sms_task(_name=label, task_id=value, state="absent") for label, value in bad.items()],
                   defaults=token_defaults(emulator))
    assert len(run.results) == len(bad)
    for index in range(len(bad)):
        assert run.status(index) == "failed"
        assert run.result(index)["msg"].startswith("task_id "), run.result(index)["msg"]
    assert emulator.journal == []


def test_other_bad_options_name_the_option(emulator, playbook):
    run = playbook([
        sms_task(task_id="t-1"),
        sms_task(task_id="t-1", name="x", state="absent"),
        sms_task(task_id="t-1", state="present"),
        sms_task(task_id="t-1", state="absent", wait_timeout=-1),
        sms_task(name=" ", state="absent"),
    ], defaults=token_defaults(emulator))
    messages = [run.result(index)["msg"] for index in range(5)]
    assert "state" in messages[0]
    assert "mutually exclusive" in messages[1] and "task_id" in messages[1]
    assert "state" in messages[2] and "absent" in messages[2]
    assert messages[3].startswith("wait_timeout")
    assert messages[4].startswith("name")
    assert emulator.journal == []


def test_signature_refused_for_clock_skew_hints_at_the_clock(playbook):
    with Emulator(clock_skew=-3600) as emulator:
        run = playbook([sms_task(task_id="t-1", state="absent")],
                       defaults={"endpoint": emulator.url, "access_key": AK, "secret_key": SK, "project_id": PROJECT_ID})
        result = run.result()
        assert run.status() == "failed"
        assert "HTTP 401" in result["msg"]
        assert "60 minutes ahead of the gateway's" in result["msg"] and "check the system clock" in result["msg"]
        assert len(emulator.journal) == 1
