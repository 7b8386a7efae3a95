# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The behaviour table of ``hwcloud.sms.sms_task state=absent``, row by row, against the emulator."""

from __future__ import annotations

import uuid

from tests.integration.harness import sms_task, token_defaults

MISSING = "5d2c1c8e-0000-4000-8000-000000000404"


def methods(emu):
    return emu.sent("method", "path")


def test_absent_task_is_unchanged_with_one_read(emulator, playbook):
    run = playbook([sms_task(task_id=MISSING, state="absent"),
                    dict(sms_task(task_id=MISSING, state="absent"), check_mode=True)],
                   defaults=token_defaults(emulator))
    for index in (0, 1):
        result = run.result(index)
        assert run.status(index) == "ok", result
        assert result["changed"] is False
        assert "already absent" in result["msg"]
        assert result["task"] == {}
    assert methods(emulator) == [("GET", "/v3/tasks/" + MISSING)] * 2


def test_deletable_task_is_deleted_and_confirmed(emulator, playbook):
    task = emulator.add_task(name="web-01-migration")
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result
    assert result["task"]["id"] == task["id"]
    assert result["task"]["source_server"]["state"] == "finished"
    assert "deleted" in result["msg"]
    path = "/v3/tasks/" + task["id"]
    assert methods(emulator) == [("GET", path), ("DELETE", path), ("GET", path)]
    assert emulator.journal[-1]["status"] == 404
    assert task["id"] not in emulator.tasks


def test_second_run_is_idempotent(emulator, playbook):
    task = emulator.add_task(name="web-01-migration")
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)] * 2, defaults=token_defaults(emulator))
    assert [run.status(0), run.status(1)] == ["changed", "ok"]
    assert emulator.methods() == ["GET", "DELETE", "GET"]


def test_check_mode_on_deletable_task_sends_only_the_read(emulator, playbook):
    task = emulator.add_task(name="web-01-migration")
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator),
                   check=True, diff=True)
    result = run.result()
    assert run.status() == "changed", result
    assert "would be deleted" in result["msg"]
    assert result["diff"]["before"] == {"id": task["id"], "name": "web-01-migration", "state": "MIGRATE_SUCCESS",
                                        "source_server_state": "finished", "connected": False}
    assert result["diff"]["after"] == {"id": task["id"], "state": "absent"}
    assert methods(emulator) == [("GET", "/v3/tasks/" + task["id"])]
    assert task["id"] in emulator.tasks


def test_diff_on_real_deletion(emulator, playbook):
    task = emulator.add_task(name="web-02-migration")
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], defaults=token_defaults(emulator),
                   diff=True)
    diff = run.result()["diff"]
    assert diff["before"]["name"] == "web-02-migration"
    assert diff["after"] == {"id": task["id"], "state": "absent"}
    assert "state: absent" in run.stdout or '"state": "absent"' in run.stdout


def test_busy_task_without_force_is_sent_and_the_refusal_explained(emulator, playbook):
    task = emulator.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "SMS.2015" in result["msg"]
    assert "HTTP 400" in result["msg"]
    assert "force: true" in result["msg"]
    assert "replicate" in result["msg"]
    assert result["error"]["error_code"] == "SMS.2015"
    assert result["error"]["request_id"] == emulator.journal[-1]["request_id"]
    assert result["error"]["request_id"] in result["msg"]
    assert result["task"]["id"] == task["id"]
    assert emulator.methods() == ["GET", "DELETE"]
    assert task["id"] in emulator.tasks


def test_busy_task_in_check_mode_is_predicted_from_the_read(emulator, playbook):
    task = emulator.add_task(name="db-01-migration", state="RUNNING", source_state="syncing", connected=True)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator), check=True)
    result = run.result()
    assert run.status() == "failed"
    assert "'syncing'" in result["msg"]
    assert "agent is connected" in result["msg"]
    assert "force: true" in result["msg"]
    assert emulator.methods() == ["GET"]


def test_busy_task_with_force_in_check_mode_sends_only_the_read(emulator, playbook):
    task = emulator.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True)
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True)], defaults=token_defaults(emulator),
                   check=True)
    result = run.result()
    assert run.status() == "changed", result
    assert "would be stopped" in result["msg"]
    assert emulator.methods() == ["GET"]
    assert emulator.tasks[task["id"]]["source_server"]["state"] == "replicate"


def test_busy_task_with_force_is_stopped_then_deleted(emulator, playbook):
    task = emulator.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True,
                             stop_polls=1)
    run = playbook([sms_task(task_id=task["id"], state="absent", force=True)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result
    assert "stopped and deleted" in result["msg"]
    path = "/v3/tasks/" + task["id"]
    sent = methods(emulator)
    assert sent[0] == ("GET", path)
    assert sent[1] == ("POST", path + "/action")
    assert emulator.journal[1]["body"] == {"operation": "stop"}
    delete_at = sent.index(("DELETE", path))
    # polled until the source server was stopped, and only then deleted
    assert all(item == ("GET", path) for item in sent[2:delete_at]) and delete_at >= 3
    assert sent[delete_at + 1:] == [("GET", path)]
    assert task["id"] not in emulator.tasks


def test_task_already_deleting_is_waited_for_without_a_delete(emulator, playbook):
    task = emulator.add_task(name="app-01-migration", state="DELETING", deleting_polls=2)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "ok", result
    assert "already being deleted" in result["msg"]
    assert "DELETE" not in emulator.methods()
    assert emulator.journal[-1]["status"] == 404


def test_task_already_deleting_in_check_mode(emulator, playbook):
    task = emulator.add_task(name="app-01-migration", state="DELETING", deleting_polls=5)
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator), check=True)
    assert run.status() == "ok"
    assert run.result()["changed"] is False
    assert emulator.methods() == ["GET"]


def test_a_404_to_the_delete_is_read_again_before_anything_is_concluded(emulator, playbook):
    """A 404 to a write may have another meaning: the task is read again, and here it is still there."""
    task = emulator.add_task(name="web-03-migration")
    emulator.inject(method="DELETE", status=404, body={"error_code": "SMS.1801", "error_msg": "The task does not exist."})
    run = playbook([sms_task(task_id=task["id"], state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result
    assert result["changed"] is False and result["tasks"][0]["result"] == "failed"
    assert "vanished" not in result["msg"] and "SMS.1801" in result["msg"]
    assert emulator.methods() == ["GET", "DELETE", "GET"]
    assert task["id"] in emulator.tasks


def test_name_is_matched_exactly(emulator, playbook):
    keep = emulator.add_task(name="web-01-migration-old")
    target = emulator.add_task(name="web-01-migration")
    run = playbook([sms_task(name="web-01-migration", state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result
    assert result["task"]["id"] == target["id"]
    assert keep["id"] in emulator.tasks and target["id"] not in emulator.tasks
    deletes = emulator.requests(method="DELETE")
    assert [entry["task_id"] for entry in deletes] == [target["id"]]
    assert emulator.journal[0]["query"]["name"] == "web-01-migration"


def test_name_with_no_exact_match_is_not_visible(emulator, playbook):
    emulator.add_task(name="web-01-migration-old")
    run = playbook([sms_task(name="web-01-migration", state="absent"),
                    dict(sms_task(name="web-01-migration", state="absent"), check_mode=True)],
                   defaults=token_defaults(emulator))
    for index in (0, 1):
        assert run.status(index) == "ok"
        assert "is visible to these credentials" in run.result(index)["msg"]
        assert "absent" not in run.result(index)["msg"]
    assert emulator.methods() == ["GET", "GET"]


def test_ambiguous_name_deletes_nothing(emulator, playbook):
    first = emulator.add_task(name="dup")
    second = emulator.add_task(name="dup")
    run = playbook([sms_task(name="dup", state="absent"), dict(sms_task(name="dup", state="absent"), check_mode=True)],
                   defaults=token_defaults(emulator))
    for index in (0, 1):
        result = run.result(index)
        assert run.status(index) == "failed"
        assert first["id"] in result["msg"] and second["id"] in result["msg"]
        assert sorted(result["task_ids"]) == sorted([first["id"], second["id"]])
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    assert first["id"] in emulator.tasks and second["id"] in emulator.tasks


def test_wait_timeout_names_the_last_state_seen(emulator, playbook):
    task = emulator.add_task(name="stuck", stuck_deleting=True)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "still present after 2 seconds" in result["msg"]
    assert "state DELETING" in result["msg"]
    assert emulator.methods()[:2] == ["GET", "DELETE"]


def test_only_the_named_task_is_touched(emulator, playbook):
    others = [emulator.add_task(name="other-%d" % n) for n in range(3)]
    target = emulator.add_task(name="target")
    run = playbook([sms_task(task_id=target["id"], state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()
    assert emulator.methods() == ["GET", "DELETE", "GET"]
    touched = {entry["task_id"] for entry in emulator.journal}
    assert touched == {target["id"]}
    assert all(other["id"] in emulator.tasks for other in others)


def test_an_id_outside_letters_digits_dash_and_underscore_is_refused_before_any_request(emulator, playbook):
    task_id = "tâche-ü-" + uuid.uuid4().hex[:6]
    emulator.add_task(task_id=task_id, name="unicode")
    run = playbook([sms_task(task_id=task_id, state="absent", wait=False)], defaults=token_defaults(emulator))
    assert run.status() == "failed"
    assert run.result()["msg"] == "task_id may hold only letters, digits, '-' and '_', found 'â'"
    assert emulator.journal == [] and task_id in emulator.tasks
