# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sms_task`` with ``task_ids``: batch deletion, fallback, per-task results, paging, request counts."""

from __future__ import annotations

from tests.integration.harness import sms_task, token_defaults


def by_id(result):
    return {entry["id"]: entry for entry in result["tasks"]}


def counts(emu):
    tally = {}
    for entry in emu.journal:
        key = "%s %s" % (entry["method"], "/v3/tasks/delete" if entry["path"] == "/v3/tasks/delete"
                         else "/v3/tasks" if entry["path"] == "/v3/tasks" else "/v3/tasks/<id>")
        tally[key] = tally.get(key, 0) + 1
    return tally


def test_two_hundred_tasks_in_a_handful_of_requests(emulator, playbook):
    ids = [emulator.add_task(name="wave-%03d" % number)["id"] for number in range(200)]
    bystanders = [emulator.add_task(name="keep-%d" % number)["id"] for number in range(30)]
    run = playbook([sms_task(task_ids=ids, state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert [entry["id"] for entry in result["tasks"]] == ids
    assert {entry["result"] for entry in result["tasks"]} == {"deleted"}
    assert result["msg"] == "200 SMS tasks: 200 deleted"
    tally = counts(emulator)
    assert tally["POST /v3/tasks/delete"] == 4
    assert "DELETE /v3/tasks/<id>" not in tally and "GET /v3/tasks/<id>" not in tally
    assert len(emulator.journal) <= 10, tally
    batches = [entry["body"]["ids"] for entry in emulator.requests(method="POST")]
    assert [len(batch) for batch in batches] == [50, 50, 50, 50]
    assert sorted(sum(batches, [])) == sorted(ids)
    # the 200 ids are all on the first page of the 230 tasks: no page more is read, and nothing else was touched
    assert {entry["query"]["offset"] for entry in emulator.requests(method="GET")} == {"0"}
    assert sorted(emulator.tasks) == sorted(bystanders)


def test_check_mode_predicts_each_task_and_sends_only_reads(emulator, playbook):
    ok = [emulator.add_task(name="ok-%d" % number)["id"] for number in range(4)]
    busy = emulator.add_task(name="busy", source_state="syncing", connected=True)["id"]
    idle_connected = emulator.add_task(name="idle", source_state="finished", connected=True)["id"]
    requested = ok + [busy, idle_connected, "missing-1", ok[0]]
    run = playbook([sms_task(task_ids=requested, state="absent"),
                    sms_task(task_ids=requested, state="absent", force=True)],
                   defaults=token_defaults(emulator), check=True)
    refused, forced = run.result(0), run.result(1)
    assert run.status(0) == "failed"
    assert by_id(refused)[busy]["result"] == "would_be_refused"
    assert "'syncing'" in by_id(refused)[busy]["msg"]
    assert len(refused["tasks"]) == 7  # the duplicate id is removed
    assert run.status(1) == "changed", forced.get("msg")
    results = by_id(forced)
    assert [results[task_id]["result"] for task_id in ok] == ["would_delete"] * 4
    assert results[busy]["result"] == "would_stop_and_delete"
    assert results[idle_connected]["result"] == "would_delete"
    assert results["missing-1"]["result"] == "absent"
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    # one list page per run, plus single reads of the busy task (list items lack "connected") and of the id
    # the list did not show (absent only on the service's own word)
    singles = [entry["task_id"] for entry in emulator.journal if entry["task_id"]]
    assert singles == [busy, "missing-1", busy, "missing-1"]
    assert len(emulator.tasks) == 6


def test_refused_batch_falls_back_to_single_deletes(emulator, playbook):
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(5)]
    # the read says idle, but by the time of the batch the source server is busy again
    emulator.inject(method="POST", path="/v3/tasks/delete", status=400,
                    body={"error_code": "SMS.2015", "error_msg": "The task is in progress.", "error_param": [ids[2]]})
    emulator.inject(method="DELETE", path="/v3/tasks/" + ids[2], status=400,
                    body={"error_code": "SMS.2015", "error_msg": "The task is in progress.", "error_param": [ids[2]]})
    run = playbook([sms_task(task_ids=ids, state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["changed"] is True
    results = by_id(result)
    assert [results[task_id]["result"] for task_id in ids] == ["deleted", "deleted", "refused", "deleted", "deleted"]
    assert results[ids[2]]["error"]["error_code"] == "SMS.2015"
    assert results[ids[2]]["error"]["request_id"]
    assert "force: true" in results[ids[2]]["msg"]
    assert "Could not delete 1 of 5 SMS tasks" in result["msg"] and ids[2] in result["msg"]
    deletes = [entry["task_id"] for entry in emulator.requests(method="DELETE")]
    assert deletes == ids
    assert sorted(emulator.tasks) == [ids[2]]


def test_busy_tasks_go_one_by_one_and_the_service_decides(emulator, playbook):
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(4)]
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True)["id"]
    run = playbook([sms_task(task_ids=idle + [busy], state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert by_id(result)[busy]["result"] == "refused"
    assert [by_id(result)[task_id]["result"] for task_id in idle] == ["deleted"] * 4
    assert [entry["body"]["ids"] for entry in emulator.requests(method="POST")] == [idle]
    assert [entry["task_id"] for entry in emulator.requests(method="DELETE")] == [busy]
    assert list(emulator.tasks) == [busy]


def test_force_stops_busy_tasks_then_deletes_them(emulator, playbook):
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(3)]
    busy = [emulator.add_task(name="busy-%d" % number, source_state="replicate", connected=True, stop_polls=1)["id"]
            for number in range(2)]
    run = playbook([sms_task(task_ids=idle + busy, state="absent", force=True)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    results = by_id(result)
    assert [results[task_id]["result"] for task_id in busy] == ["stopped_and_deleted"] * 2
    assert [results[task_id]["result"] for task_id in idle] == ["deleted"] * 3
    actions = emulator.requests(method="POST", path_prefix="/v3/tasks/" + busy[0])
    assert [entry["body"] for entry in actions] == [{"operation": "stop"}]
    assert sorted(sum((entry["body"]["ids"] for entry in emulator.requests(method="POST")
                       if entry["path"] == "/v3/tasks/delete"), [])) == sorted(idle + busy)
    assert emulator.tasks == {}


def test_wait_confirms_with_list_pages_and_already_deleting_tasks(emulator, playbook):
    slow = [emulator.add_task(name="slow-%d" % number, deleting_polls=2)["id"] for number in range(4)]
    going = emulator.add_task(name="going", state="DELETING", deleting_polls=1)["id"]
    run = playbook([sms_task(task_ids=slow + [going], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert by_id(result)[going]["result"] == "deleting"
    assert [by_id(result)[task_id]["result"] for task_id in slow] == ["deleted"] * 4
    # every task was shown by the first list page of this run, so a complete list that no longer shows it proves it
    # gone: no task is read on its own
    assert emulator.requests("GET", "/v3/tasks/") == []
    assert emulator.journal[-1]["method"] == "GET" and emulator.journal[-1]["path"] == "/v3/tasks"
    assert emulator.tasks == {}


def test_wait_timeout_is_reported_per_task(emulator, playbook):
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(3)]
    stuck = emulator.add_task(name="stuck", stuck_deleting=True)["id"]
    run = playbook([sms_task(task_ids=ids + [stuck], state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed" and result["changed"] is True
    assert by_id(result)[stuck]["result"] == "timed_out"
    assert "state DELETING" in by_id(result)[stuck]["msg"]
    assert [by_id(result)[task_id]["result"] for task_id in ids] == ["deleted"] * 3


def test_few_ids_are_read_one_by_one_and_lost_batch_answer(emulator, playbook):
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(2)]
    emulator.inject(method="POST", path="/v3/tasks/delete", reset=True, processed=True)
    run = playbook([sms_task(task_ids=ids + ["gone-1"], state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert [entry["result"] for entry in result["tasks"]] == ["deleted", "deleted", "absent"]
    # the batch's fate is unknown: each task is deleted on its own, and the 404 to that DELETE is read again; SMS's
    # own 404 to the read says the batch deleted it
    assert emulator.methods() == ["GET", "GET", "GET", "POST", "DELETE", "GET", "DELETE", "GET"]
    assert [entry["status"] for entry in emulator.journal[-4:]] == [404, 404, 404, 404]


def test_bad_ids_in_the_list_fail_before_any_request(emulator, playbook):
    run = playbook([sms_task(task_ids=["ok", "bad/id"], state="absent"), sms_task(task_ids=[], state="absent"),
                    sms_task(task_ids=["a"], task_id="a", state="absent")],
                   defaults=token_defaults(emulator))
    assert run.result(0)["msg"] == "task_ids[1] may hold only letters, digits, '-' and '_', found '/'"
    assert run.status(1) == "ok" and run.result(1)["changed"] is False  # an empty selection: nothing to do
    assert run.result(1)["msg"] == "task_ids is empty: nothing to delete" and run.result(1)["tasks"] == []
    assert "mutually exclusive" in run.result(2)["msg"]
    assert emulator.journal == []


def test_failure_half_way_still_lists_what_was_deleted(emulator, playbook):
    ids = [emulator.add_task(name="t-%03d" % number)["id"] for number in range(120)]
    emulator.inject(method="POST", path="/v3/tasks/delete", after=1, status=401,
                    body={"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"})
    run = playbook([sms_task(task_ids=ids, state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed" and result["changed"] is True
    assert "APIGW.0301" in result["msg"]
    results = by_id(result)
    first_batch, second_batch = [entry["body"]["ids"] for entry in emulator.requests(method="POST")]
    assert {results[task_id]["result"] for task_id in first_batch} == {"deleted"}
    assert {results[task_id]["result"] for task_id in second_batch} == {"failed"}
    untried = [task_id for task_id in ids if task_id not in first_batch + second_batch]
    assert {results[task_id]["result"] for task_id in untried} == {"not_attempted"}
    assert sorted(emulator.tasks) == sorted(second_batch + untried)
    assert len(emulator.requests(method="POST")) == 2 and not emulator.requests(method="DELETE")
