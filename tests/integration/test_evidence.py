# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the removal modules must prove before they say so: one case each, numbered as the removal contract lists them.

``sms_task`` and ``sms_source_server`` (``state: absent``) report every requested record in ``tasks`` (or
``source_servers``), single ids and names included, and call a record gone only on SMS's own word (a 404 whose code
is ``SMS.`` and digits), checked again where an answer could mislead: a filter the service ignored, a batch that left
an id alone or deleted part of its ids, a 200 that carries an error, a 404 of another meaning, an answer lost on the
way. ``changed`` is true exactly when a write of the run may have taken effect.

Every case is a real ``ansible-playbook`` run against the emulator; what was sent is read from its journal. Case 2 is
the decommission role's, and is tested with the role.
"""

from __future__ import annotations

import copy
import re
import socket

import pytest

from tests.emulator.sms_emulator import list_item
from tests.integration.harness import DOMAIN, PASSWORD, REGION, USER, sms_task, token_defaults

REMOVED = ("deleted", "stopped_and_deleted")
IN_PROGRESS = {"error_code": "SMS.2015", "error_msg": "The task is in progress."}
TOKEN_REFUSED = {"error_code": "APIGW.0301",
                 "error_msg": "Incorrect IAM authentication information: token invalid or expired", "request_id": None}


def source_server(**params):
    name = params.pop("_name", "sms_source_server")
    return {"name": name, "hwcloud.sms.sms_source_server": dict(params, state="absent")}


def entries(result, key="tasks"):
    """The result's entries by id: every run returns them, one per requested record (single ids and names too)."""
    assert isinstance(result.get(key), list), "no %r list in the result: %s" % (key, result.get("msg"))
    return {entry["id"]: entry for entry in result[key]}


def busy_task(emulator, name, **extra):
    """A task that replicates with its agent connected: the service refuses to delete it until it is stopped."""
    fields = dict(state="RUNNING", source_state="replicate", connected=True, stop_polls=0)
    fields.update(extra)
    return emulator.add_task(name=name, **fields)


def writes(emulator):
    """Every request but the reads, as ``(method, path, status)``."""
    return [(entry["method"], entry["path"], entry["status"]) for entry in emulator.journal if entry["method"] != "GET"]


def batch_ids(emulator):
    """The ids of every task batch deletion sent, batch by batch."""
    return [entry["body"]["ids"] for entry in emulator.requests(method="POST", path_prefix="/v3/tasks/delete")]


def position(emulator, method, path):
    """The journal index of the first request with this method and path."""
    return next(index for index, entry in enumerate(emulator.journal)
                if (entry["method"], entry["path"]) == (method, path))


# ---------------------------------------------------------------------------
# filters and reach: a listing proves only what it shows
# ---------------------------------------------------------------------------

def test_case_01_an_ignored_source_filter_never_reaches_another_sources_task(emulator, playbook):
    own = busy_task(emulator, "db-01-migration", source_id="src-s")
    other = busy_task(emulator, "db-02-migration", source_id="src-t")
    emulator.ignored_filters = {"source_server_id"}  # GET /v3/tasks?source_server_id=src-s lists both tasks
    run = playbook([source_server(source_server_id="src-s", force=True, wait_timeout=3)],
                   defaults=token_defaults(emulator))
    result = run.result()
    sent = writes(emulator)
    assert not emulator.requests(method="POST", path_prefix="/v3/tasks/%s/action" % other["id"]), sent
    assert ("DELETE", "/v3/tasks/" + other["id"]) not in [(method, path) for method, path, _status in sent]
    assert not any(other["id"] in ids for ids in batch_ids(emulator))
    assert other["id"] in emulator.tasks and emulator.tasks[other["id"]]["source_server"]["state"] == "replicate"
    assert "src-t" in emulator.sources
    # the source asked for goes, with its own task
    assert run.status() == "changed", result.get("msg")
    entry = entries(result, "source_servers")["src-s"]
    assert entry["result"] == "deleted_with_tasks", entry
    assert [task["id"] for task in entry["tasks"]] == [own["id"]]
    assert own["id"] not in emulator.tasks and "src-s" not in emulator.sources


def test_case_03_a_task_a_batch_left_alone_is_not_reported_deleted(emulator, playbook):
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(4)]
    scoped = emulator.add_task(name="wave-scoped", scoped=True)["id"]  # not listed, and out of the batch's reach
    requested = ids[:2] + [scoped] + ids[2:]
    run = playbook([sms_task(task_ids=requested, state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    results = entries(result)
    assert results[scoped]["result"] == "timed_out", results[scoped]
    assert [results[task_id]["result"] for task_id in ids] == ["deleted"] * 4
    assert run.status() == "failed" and result["changed"] is True
    assert any(scoped in batch for batch in batch_ids(emulator))  # the batch named it and answered 200
    batch = position(emulator, "POST", "/v3/tasks/delete")
    assert [entry for entry in emulator.journal[batch + 1:] if (entry["method"], entry["task_id"]) == ("GET", scoped)]
    assert list(emulator.tasks) == [scoped]


# ---------------------------------------------------------------------------
# 404s: gone only on SMS's own word, and a 404 to a write is read again
# ---------------------------------------------------------------------------

def test_case_04_a_404_of_another_meaning_to_a_delete_is_no_vanishing(emulator, playbook):
    task = emulator.add_task(name="idle")
    path = "/v3/tasks/" + task["id"]
    emulator.inject(method="DELETE", path=path, status=404,
                    body={"error_code": "SMS.2252",
                          "error_msg": "No migration task is associated with the source server."})
    run = playbook([sms_task(task_id=task["id"], state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result.get("msg")
    assert result["changed"] is False
    assert emulator.sent("method", "path", "status") == [("GET", path, 200), ("DELETE", path, 404), ("GET", path, 200)]
    entry = entries(result)[task["id"]]
    assert entry["result"] == "failed", entry
    assert task["id"] in emulator.tasks


FOREIGN_404 = {
    "APIGW.0101": {"body": {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published "
                                                                     "in the environment", "request_id": None}},
    "apigw.0101": {"body": {"error_code": "apigw.0101", "error_msg": "The API does not exist"}},
    "space-APIGW.0101": {"body": {"error_code": " APIGW.0101", "error_msg": "The API does not exist"}},
    "APIG.0103": {"body": {"error_code": "APIG.0103", "error_msg": "The backend does not exist"}},
    "CBC.0150": {"body": {"error_code": "CBC.0150", "error_msg": "The customer does not belong to the website you are "
                                                                 "now at."}},
    "Common.0404": {"body": {"error_code": "Common.0404", "error_msg": "Not found"}},
    "NOT_FOUND": {"body": {"code": "NOT_FOUND"}},
    "html-page": {"html": True},
    "empty-body": {},
}


def test_case_05_a_404_not_from_sms_on_the_first_read_fails_the_run(emulator, playbook):
    # one playbook, one task per kind of foreign 404, each on a task of its own
    ids = {}
    for kind, answer in FOREIGN_404.items():
        ids[kind] = emulator.add_task(name=kind)["id"]
        emulator.inject(method="GET", path="/v3/tasks/" + ids[kind], status=404, times=10, **answer)
    run = playbook([sms_task(_name=kind, task_id=ids[kind], state="absent", wait_timeout=2) for kind in FOREIGN_404],
                   defaults=token_defaults(emulator))
    for index, kind in enumerate(FOREIGN_404):
        result = run.result(index)
        assert run.status(index) == "failed", (kind, result.get("msg"))
        assert "not from SMS" in result["msg"], (kind, result["msg"])
        assert all(entry.get("result") != "absent" for entry in result.get("tasks") or []), (kind, result["tasks"])
        assert result["changed"] is False, kind
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    assert sorted(entry["task_id"] for entry in emulator.journal) == sorted(ids.values())  # one read each
    assert sorted(emulator.tasks) == sorted(ids.values())


# ---------------------------------------------------------------------------
# answers that say less than their status
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("wait", [False, True], ids=["no-wait", "wait"])
def test_case_06a_a_delete_answered_200_with_an_error_body_is_no_deletion(emulator, playbook, wait):
    task = emulator.add_task(name="idle")
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=200, body=IN_PROGRESS, times=5)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=wait, wait_timeout=2)],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed", result.get("msg")
    entry = entries(result)[task["id"]]
    assert entry["result"] not in ("deleted", "vanished", "absent"), entry
    assert "SMS.2015" in str(result)  # the service's own words are reported
    assert task["id"] in emulator.tasks


def test_case_06b_a_batch_answered_200_with_an_error_body_falls_back_to_single_deletes(emulator, playbook):
    ids = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(4)]
    emulator.inject(method="POST", path="/v3/tasks/delete", status=200, body=IN_PROGRESS)
    run = playbook([sms_task(task_ids=ids, state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    results = entries(result)
    assert [results[task_id]["result"] for task_id in ids] == ["deleted"] * 4, result.get("msg")
    assert run.status() == "changed"
    assert emulator.tasks == {}
    batch = position(emulator, "POST", "/v3/tasks/delete")
    singles = [entry["task_id"] for entry in emulator.journal[batch + 1:] if entry["method"] == "DELETE"]
    assert sorted(singles) == sorted(ids)


def test_case_07_a_batch_that_deletes_part_then_answers_400(emulator, playbook):
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(3)]
    busy = busy_task(emulator, "busy")["id"]
    requested = idle[:1] + [busy] + idle[1:]
    # The reads see the busy task idle (it became busy again before the batch), so the batch names it.
    looks_idle = copy.deepcopy(emulator.tasks[busy])
    looks_idle.update(state="MIGRATE_SUCCESS", connected=False)
    looks_idle["source_server"]["state"] = "finished"
    listed = [list_item(looks_idle if task_id == busy else emulator.tasks[task_id]) for task_id in emulator.tasks]
    emulator.inject(method="GET", path="/v3/tasks", status=200, body={"count": len(listed), "tasks": listed})
    emulator.inject(method="GET", path="/v3/tasks/" + busy, status=200, body=looks_idle)
    emulator.partial_batches = True
    run = playbook([sms_task(task_ids=requested, state="absent", wait=False)], defaults=token_defaults(emulator))
    result = run.result()
    assert any(busy in batch for batch in batch_ids(emulator))  # the scene: the batch was refused after deleting
    results = entries(result)
    assert [results[task_id]["result"] for task_id in idle] == ["deleted"] * 3, result.get("msg")
    assert results[busy]["result"] == "refused", results[busy]
    assert run.status() == "failed" and result["changed"] is True
    assert list(emulator.tasks) == [busy]


# ---------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------

def test_case_08_a_name_nobody_has_is_not_called_absent(emulator, playbook):
    emulator.add_task(name="somebody-migration", source_id="src-1")
    run = playbook([sms_task(name="nobody-has-this", state="absent"), source_server(name="nobody-has-this")],
                   defaults=token_defaults(emulator))
    for index in range(2):
        result = run.result(index)
        assert run.status(index) == "ok", result.get("msg")
        assert result["changed"] is False
        assert "visible to these credentials" in result["msg"]
        assert not re.search(r"\babsent\b", result["msg"], re.IGNORECASE), result["msg"]
    assert writes(emulator) == [] and len(emulator.tasks) == 1 and "src-1" in emulator.sources


# ---------------------------------------------------------------------------
# lost answers
# ---------------------------------------------------------------------------

def lost_deletion(emulator, task_id):
    """The first DELETE is carried out but answered 504, and so are the retries (max_retries=2: 3 attempts)."""
    path = "/v3/tasks/" + task_id
    emulator.inject(method="DELETE", path=path, status=504, html=True, processed=True)
    emulator.inject(method="DELETE", path=path, status=504, html=True, times=2)
    return path


def test_case_09a_a_deletion_whose_answers_were_lost_and_cannot_be_checked(emulator, playbook):
    task = emulator.add_task(name="idle")
    path = lost_deletion(emulator, task["id"])
    emulator.inject(method="GET", path=path, status=504, html=True, after=1, times=100)  # every re-read too
    run = playbook([sms_task(task_id=task["id"], state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["changed"] is True, result.get("msg")
    assert "may have been deleted" in result["msg"]
    assert [status for method, _path, status in writes(emulator)] == [504, 504, 504]


def test_case_09b_a_deletion_whose_answers_were_lost_is_confirmed_by_a_read(emulator, playbook):
    task = emulator.add_task(name="idle")
    path = lost_deletion(emulator, task["id"])
    run = playbook([sms_task(task_id=task["id"], state="absent", wait_timeout=2)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert entries(result)[task["id"]]["result"] == "deleted"
    assert emulator.sent("method", "path", "status") == [
        ("GET", path, 200), ("DELETE", path, 504), ("DELETE", path, 504), ("DELETE", path, 504), ("GET", path, 404)]


# ---------------------------------------------------------------------------
# where the password goes
# ---------------------------------------------------------------------------

def closed_port():
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_case_10_password_authentication_with_a_custom_endpoint_needs_auth_url(emulator, playbook):
    defaults = {"endpoint": emulator.url, "region": REGION, "user_name": USER, "password": PASSWORD,
                "domain_name": DOMAIN, "max_retries": 0, "timeout": 5}
    # should the run reach for the public IAM anyway, it meets a closed local proxy instead of the internet
    proxy = "http://127.0.0.1:%d" % closed_port()
    local = "127.0.0.1,localhost"
    env = {"HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": local, "no_proxy": local}
    run = playbook([sms_task(task_id="7a9a9540-ff28-4869-b9e4-855fbe12a0c1", state="absent")], defaults=defaults,
                   env=env)
    result = run.result()
    assert run.status() == "failed"
    assert "auth_url" in result["msg"]
    assert PASSWORD not in run.stdout + run.stderr
    assert emulator.journal == []


# ---------------------------------------------------------------------------
# stops and what changed
# ---------------------------------------------------------------------------

def stopping_task(emulator, name):
    """A task whose stop is already under way, and stays so for longer than any test waits."""
    task = emulator.add_task(name=name, state="ABORTING", source_state="stopping", connected=True, stop_polls=1000)
    return task["id"]


def test_case_11_waiting_for_a_stop_already_under_way_changes_nothing(emulator, playbook):
    one = stopping_task(emulator, "one")
    two = [stopping_task(emulator, "two-%d" % number) for number in range(2)]
    run = playbook([sms_task(task_id=one, state="absent", force=True, wait_timeout=1),
                    sms_task(task_ids=two, state="absent", force=True, wait_timeout=1)],
                   defaults=token_defaults(emulator))
    assert not emulator.requests(method="POST"), writes(emulator)  # no stop sent: one is under way
    for index, ids in ((0, [one]), (1, two)):
        result = run.result(index)
        assert run.status(index) == "failed"
        assert result["changed"] is False, (index, result.get("msg"))
        assert [entries(result)[task_id]["result"] for task_id in ids] == ["timed_out"] * len(ids)
    assert sorted(emulator.tasks) == sorted([one] + two)


def test_case_12_messages_after_a_forced_stop(emulator, playbook):
    refused = busy_task(emulator, "refused")["id"]
    emulator.inject(method="DELETE", path="/v3/tasks/" + refused, status=400, times=5,
                    body=dict(IN_PROGRESS, error_param=[refused]))
    single, listed = busy_task(emulator, "single")["id"], busy_task(emulator, "listed")["id"]
    run = playbook([sms_task(task_id=refused, state="absent", force=True, wait_timeout=3),
                    sms_task(task_id=single, state="absent", force=True, wait_timeout=3),
                    sms_task(task_ids=[listed], state="absent", force=True, wait_timeout=3)],
                   defaults=token_defaults(emulator))
    result = run.result(0)
    assert emulator.requests(method="POST", path_prefix="/v3/tasks/%s/action" % refused)  # the stop was accepted
    assert run.status(0) == "failed" and result["changed"] is True, result.get("msg")
    entry = entries(result)[refused]
    assert entry["result"] == "refused", entry
    assert "force: true" not in entry.get("msg", "")  # force was set already: no advice to set it
    for index, task_id in ((1, single), (2, listed)):
        entry = entries(run.result(index))[task_id]
        assert run.status(index) == "changed" and entry["result"] == "stopped_and_deleted", entry
        assert "is in state" not in entry.get("msg", ""), entry  # the blocker it was, not what it is
    assert list(emulator.tasks) == [refused]


def test_case_13_a_denied_batch_falls_back_to_single_deletes(emulator, playbook):
    ids = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(4)]
    emulator.denied_actions = {"sms:server:batchDeleteTask"}
    run = playbook([sms_task(task_ids=ids, state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert [entries(result)[task_id]["result"] for task_id in ids] == ["deleted"] * 4
    sent = writes(emulator)
    assert sent[0] == ("POST", "/v3/tasks/delete", 403)
    assert sorted(sent[1:]) == sorted(("DELETE", "/v3/tasks/" + task_id, 200) for task_id in ids)
    assert emulator.tasks == {}


def test_case_14_a_run_aborted_half_way_still_reports_each_task_reached(emulator, playbook):
    first = busy_task(emulator, "web-01-migration", source_id="src-1")["id"]
    second = busy_task(emulator, "web-02-migration", source_id="src-2")["id"]
    # single deletions only, and the second one's credentials are refused: the run stops there
    emulator.denied_actions = {"sms:server:batchDeleteTask"}
    emulator.inject(method="DELETE", path="/v3/tasks/" + second, status=401, body=TOKEN_REFUSED, times=10)
    run = playbook([source_server(source_server_ids=["src-1", "src-2"], force=True, wait_timeout=3)],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["changed"] is True, result.get("msg")
    sources = entries(result, "source_servers")
    reached = {task["id"]: task for entry in sources.values() for task in entry.get("tasks") or []}
    assert first in reached, sources
    for task_id, task in reached.items():  # removed exactly when it is gone
        assert (task["result"] in REMOVED) is (task_id not in emulator.tasks), task
    # the scene: the first task was deleted, then the second one's deletion aborted the run
    assert ("DELETE", "/v3/tasks/" + second, 401) in writes(emulator)
    assert first not in emulator.tasks and second in emulator.tasks
    assert reached[first]["result"] in REMOVED, reached[first]
    assert "src-2" in emulator.sources
    assert ("DELETE", "/v3/sources/src-2") not in [(method, path) for method, path, _status in writes(emulator)]


# ---------------------------------------------------------------------------
# lists that never settle, and values that are no ids
# ---------------------------------------------------------------------------

LIST_ATTEMPTS = 4
PAGES_PER_ATTEMPT = 2


def test_case_15_a_list_that_keeps_changing_fails_the_run(emulator, playbook):
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(5)]
    # Every list page counts differently: 250 then 260 tasks, 270 then 280, ... Each pass over the list reads two
    # pages (200 items at offset 0, then 200 at offset 200, past the count) whatever the reader does once it sees
    # the count change, so the attempts can be counted in the journal.
    for number in range(6 * LIST_ATTEMPTS):
        emulator.inject(method="GET", path="^/v3/tasks$", endless_count=250 + 10 * number, endless_page=200)
    run = playbook([sms_task(state="absent", name="wave-0")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "kept changing" in result["msg"]
    assert result["changed"] is False
    pages = [entry for entry in emulator.journal if entry["path"] == "/v3/tasks"]
    assert len(pages) == LIST_ATTEMPTS * PAGES_PER_ATTEMPT, [entry["query"] for entry in pages]
    assert emulator.journal[-1] is pages[-1]  # the run's last request is the last list page
    assert writes(emulator) == [] and sorted(emulator.tasks) == sorted(ids)
    # That no pause follows the last attempt cannot be shown from the journal (nothing is sent after the last page,
    # and this suite asserts no wall-clock time): the client's unit tests count the pauses with a fake sleep.


def test_case_15_ids_in_a_list_that_keeps_changing_are_read_on_their_own(emulator, playbook):
    """With task_ids the pages only save reads: a list that shifts proves nothing, each id is read by GET, and only
    SMS's own answers decide."""
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(5)]
    for number in range(12):
        emulator.inject(method="GET", path="^/v3/tasks$", endless_count=250 + 10 * number, endless_page=200)
    run = playbook([sms_task(state="absent", task_ids=ids)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert {entry["id"]: entry["result"] for entry in result["tasks"]} == dict.fromkeys(ids, "deleted")
    assert emulator.tasks == {}
    reads = [entry["task_id"] for entry in emulator.requests(method="GET") if entry["task_id"]]
    assert set(ids) <= set(reads)  # each one read on its own before its deletion and to confirm it


def test_case_16a_a_list_written_as_a_string_is_refused_before_any_request(emulator, playbook):
    # Ansible splits the string on commas: "['a'" and "'b']"
    run = playbook([sms_task(task_ids="['a','b']", state="absent")], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "task_ids" in result["msg"]
    assert "list" in result["msg"].lower() and "string" in result["msg"].lower(), result["msg"]
    assert emulator.journal == []


def test_case_16b_a_task_id_is_letters_digits_dashes_and_underscores(emulator, playbook):
    wrong = ["abc/def", "a b", "x%2e"]
    accepted = "7a9a9540-ff28_4869"
    run = playbook([sms_task(task_id=task_id, state="absent") for task_id in wrong + [accepted]],
                   defaults=token_defaults(emulator))
    for index, task_id in enumerate(wrong):
        assert run.status(index) == "failed", (task_id, run.result(index))
        assert "task_id" in run.result(index)["msg"], run.result(index)["msg"]
    assert run.status(len(wrong)) == "ok", run.result(len(wrong)).get("msg")
    assert entries(run.result(len(wrong)))[accepted]["result"] == "absent"
    assert {entry["task_id"] for entry in emulator.journal} == {accepted}
