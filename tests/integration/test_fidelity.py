# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the real service does that an emulator written from notes could miss.

* A 404 is "absent" only when SMS itself says so, on every path: the read, the DELETE, the fallback DELETEs and
  the waits. A task that still exists is never reported absent, vanished or deleted.
* A list may hide tasks (enterprise projects, permissions scoped by conditions); a task this run did not delete is
  called gone only on SMS's own word for it.
* Error bodies come in every shape the official SDK reads.
* ``sms_task_info`` sends the list only the states its filter accepts.
* ``force`` sends no stop to a task whose source server is already being deleted.
* The defects that review found: a lost DELETE followed by a new IAM token, one refusal predicate.
"""

from __future__ import annotations

import pytest

from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import DOMAIN, PASSWORD, USER, sms_task, token_defaults

GATEWAY_404S = {
    "APIGW.0103": {"status": 404, "body": {"error_code": "APIGW.0103", "error_msg": "The backend does not exist",
                                           "request_id": None}},
    "APIG.0101": {"status": 404, "body": {"error_code": "APIG.0101", "error_msg": "The API does not exist"}},
    "proxy page": {"status": 404, "html": True},
    "empty": {"status": 404, "body": None},
    "no code": {"status": 404, "body": {"message": "Not Found"}},
}
NOT_FROM_SMS = "not from SMS"


def methods(emu, path_prefix=None):
    return [entry["method"] for entry in emu.requests(path_prefix=path_prefix)]


def by_id(result):
    return {entry["id"]: entry for entry in result["tasks"]}


# ---- 2. a 404 is absent only when SMS says so ----------------------------------------------------------------

@pytest.mark.parametrize("fault", list(GATEWAY_404S.values()), ids=list(GATEWAY_404S))
def test_gateway_404_on_delete_is_a_failure_not_vanished(emulator, playbook, fault):
    task = emulator.add_task(name="kept")
    emulator.inject(method="DELETE", **fault)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result
    assert NOT_FROM_SMS in result["msg"] and "vanished" not in result["msg"]
    assert result["changed"] is False
    # a 404 is not retried; the task is read again (a 404 to a write proves nothing), and it is still there
    assert methods(emulator) == ["GET", "DELETE", "GET"]
    assert task["id"] in emulator.tasks


@pytest.mark.parametrize("fault", [GATEWAY_404S["APIGW.0103"], GATEWAY_404S["proxy page"]],
                         ids=["APIGW.0103", "proxy page"])
def test_gateway_404_while_waiting_does_not_confirm_the_deletion(emulator, playbook, fault):
    """The deletion was accepted (changed), but a gateway's 404 cannot confirm it is over: the wait fails."""
    task = emulator.add_task(name="slow", deleting_polls=3)
    emulator.inject(method="GET", after=1, **fault)  # the read passes, the first look while waiting gets the fault
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result
    assert result["changed"] is True and NOT_FROM_SMS in result["msg"]
    assert methods(emulator) == ["GET", "DELETE", "GET"]


def test_gateway_404_in_fallback_deletes_is_failed_not_vanished(emulator, playbook):
    """A refused batch falls back to single DELETEs; a gateway 404 there is that task's failure."""
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(2)]
    emulator.inject(method="POST", path="/v3/tasks/delete", status=400,
                    body={"error_code": "SMS.0205", "error_msg": "Invalid parameter ids"})
    emulator.inject(method="DELETE", path="/v3/tasks/" + ids[0], **GATEWAY_404S["APIGW.0103"])
    run = playbook([sms_task(task_ids=ids, state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert by_id(result)[ids[0]]["result"] == "failed"
    assert NOT_FROM_SMS in by_id(result)[ids[0]]["msg"]
    assert by_id(result)[ids[1]]["result"] == "deleted"
    assert ids[0] in emulator.tasks and ids[1] not in emulator.tasks


@pytest.mark.parametrize("style", ["sms", "nested", "camel", "plain"])
def test_sms_404_in_every_error_shape_means_absent(playbook, style):
    """SMS's own 404 is recognised in each shape the SDK reads; so is its refusal code."""
    with Emulator(error_style=style) as emu:
        busy = emu.add_task(name="busy", state="RUNNING", source_state="replicate", connected=True)
        run = playbook([
            sms_task(_name="missing", task_id="0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f", state="absent"),
            sms_task(_name="refused", task_id=busy["id"], state="absent"),
        ], defaults=token_defaults(emu))
        shapes = [entry for entry in emu.journal if entry["status"] in (400, 404)]
    assert run.status(0) == "ok" and "already absent" in run.result(0)["msg"]
    refused = run.result(1)
    assert run.status(1) == "failed"
    assert "SMS.2015" in refused["msg"] and "set force: true" in refused["msg"]
    assert refused["error"]["error_code"] == "SMS.2015"
    assert [entry["status"] for entry in shapes] == [404, 400]


# ---- 3. a list alone never says that a task this run did not delete is gone ---------------------------------

def test_hidden_task_is_found_stopped_and_deleted_not_vanished(emulator, playbook):
    """A task the list hides is read on its own; while waiting for its stop, a list without it is no proof."""
    shown = [emulator.add_task(name="shown-%d" % number)["id"] for number in range(3)]
    hidden = emulator.add_task(name="hidden", state="RUNNING", source_state="replicate", connected=True,
                               hidden=True, stop_polls=2)["id"]
    run = playbook([sms_task(task_ids=shown + [hidden], state="absent", force=True)],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert by_id(result)[hidden]["result"] == "stopped_and_deleted"
    assert [by_id(result)[task_id]["result"] for task_id in shown] == ["deleted"] * 3
    assert emulator.tasks == {}
    reads_of_hidden = emulator.requests("GET", "/v3/tasks/" + hidden)
    assert len(reads_of_hidden) >= 2  # found by a read of its own, and followed by reads while it stopped


def test_hidden_task_still_being_deleted_is_never_reported_gone(emulator, playbook):
    shown = [emulator.add_task(name="shown-%d" % number)["id"] for number in range(3)]
    stuck = emulator.add_task(name="stuck", state="DELETING", hidden=True, stuck_deleting=True)["id"]
    run = playbook([sms_task(task_ids=shown + [stuck], state="absent", wait_timeout=2)],
                   defaults=token_defaults(emulator), diff=True)
    result = run.result()
    assert run.status() == "failed"
    assert by_id(result)[stuck]["result"] == "timed_out"
    after = {entry["id"]: entry for entry in result["diff"]["after"]["tasks"]}
    assert after[stuck]["state"] == "DELETING"
    assert stuck in emulator.tasks


def test_hidden_task_being_deleted_is_confirmed_gone_by_its_own_read(emulator, playbook):
    shown = [emulator.add_task(name="shown-%d" % number)["id"] for number in range(3)]
    going = emulator.add_task(name="going", state="DELETING", hidden=True, deleting_polls=2)["id"]
    run = playbook([sms_task(task_ids=shown + [going], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert by_id(result)[going]["result"] == "deleting"
    reads = emulator.requests("GET", "/v3/tasks/" + going)
    assert reads[-1]["status"] == 404 and emulator.tasks == {}


# ---- 5. sms_task_info sends only the states the list filter accepts ----------------------------------------

@pytest.mark.parametrize("state,sent", [("SYNC_SUCCESS", False), ("SKIPPING", False), ("READY", True),
                                        ("SYNC_F_ROLLBACKING", True)])
def test_info_state_filter(emulator, playbook, state, sent):
    wanted = emulator.add_task(name="wanted", state=state)
    emulator.add_task(name="other", state="MIGRATE_FAIL")
    run = playbook([{"hwcloud.sms.sms_task_info": {"state": state}}], defaults=token_defaults(emulator))
    assert run.status() == "ok", run.result().get("msg")
    assert [task["id"] for task in run.result()["tasks"]] == [wanted["id"]]
    query = emulator.requests("GET", "/v3/tasks")[0]["query"]
    assert query.get("state") == (state if sent else None)


# ---- 6. force on a task whose source server is already being deleted -------------------------------------

def test_force_sends_no_stop_when_the_source_is_being_deleted(emulator, playbook):
    task = emulator.add_task(name="source-deleting", state="RUNNING", source_state="deleting", connected=True,
                             deleting_polls=2)
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "ok", result["msg"]
    assert "already being deleted and is now gone" in result["msg"]
    assert set(methods(emulator)) == {"GET"}  # no stop, no DELETE: only reads until it was gone
    assert emulator.tasks == {}


def test_force_in_bulk_sends_no_stop_when_the_source_is_being_deleted(emulator, playbook):
    going = emulator.add_task(name="source-deleting", state="RUNNING", source_state="deleting", connected=True,
                              deleting_polls=1)["id"]
    other = emulator.add_task(name="plain")["id"]
    run = playbook([sms_task(task_ids=[going, other], state="absent", force=True)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert by_id(result)[going]["result"] == "deleting" and by_id(result)[other]["result"] == "deleted"
    assert not [entry for entry in emulator.journal if entry["path"].endswith("/action")]
    assert emulator.tasks == {}


# ---- 7. defects found by review --------------------------------------------------------------------------

def test_lost_delete_then_new_token_then_404_counts_as_deleted(emulator, playbook):
    """504 after the service deleted the task, 401 (token expired), a new IAM token, then SMS's 404."""
    task = emulator.add_task(name="lost-then-expired")
    emulator.inject(method="DELETE", status=504, body={"error_code": "APIGW.0204", "error_msg": "Backend timeout"},
                    processed=True)
    emulator.inject(method="DELETE", status=401, body={"error_code": "APIGW.0301", "error_msg": "token expired"})
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "user_name": USER,
                             "password": PASSWORD, "domain_name": DOMAIN, "region": "cn-north-4", "max_retries": 2})
    result = run.result()
    assert run.status() == "changed", result["msg"]
    assert result["msg"].endswith("deleted") and "vanished" not in result["msg"]
    assert emulator.sent("method", "status") == [
        ("POST", 201), ("GET", 200), ("DELETE", 504), ("DELETE", 401), ("POST", 201), ("DELETE", 404), ("GET", 404)]


REFUSALS = {
    # (task read as busy, error answered to its DELETE) -> is it the service's refusal?
    "SMS.2015 on a deletable task": (False, {"error_code": "SMS.2015", "error_msg": "in progress"}, True),
    "other 400 on a busy task": (True, {"error_code": "SMS.0205", "error_msg": "Invalid parameter"}, True),
    "other 400 on a deletable task": (False, {"error_code": "SMS.0205", "error_msg": "Invalid parameter"}, False),
}


@pytest.mark.parametrize("busy,body,refusal", list(REFUSALS.values()), ids=list(REFUSALS))
def test_one_refusal_predicate_for_single_and_bulk(emulator, playbook, busy, body, refusal):
    state = {"state": "RUNNING", "source_state": "replicate", "connected": True} if busy else {}
    single = emulator.add_task(name="single", **state)["id"]
    bulk = [emulator.add_task(name="bulk-%d" % number, **state)["id"] for number in range(2)]
    emulator.inject(method="DELETE", status=400, body=body, times=1)
    if not busy:  # a deletable task goes into a batch: refuse the batch so that the fallback DELETE is reached
        emulator.inject(method="POST", path="/v3/tasks/delete", status=400, body=body)
    emulator.inject(method="DELETE", path="/v3/tasks/" + bulk[0], status=400, body=body)
    run = playbook([sms_task(_name="single", task_id=single, state="absent"),
                    sms_task(_name="bulk", task_ids=bulk, state="absent")], defaults=token_defaults(emulator))
    single_result, bulk_result = run.result(0), run.result(1)
    assert run.status(0) == "failed" and run.status(1) == "failed"
    assert ("set force: true" in single_result["msg"]) is refusal
    entry = by_id(bulk_result)[bulk[0]]
    assert entry["result"] == ("refused" if refusal else "failed")
    assert ("set force: true" in entry["msg"]) is refusal
    assert single in emulator.tasks and bulk[0] in emulator.tasks
