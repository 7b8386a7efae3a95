# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The removal executor against an SMS account in memory (tests/unit/fake_sms.py): what it sends, in what order, and
what it reports for each record, on a fake clock and without a socket.

Only the public entry points are used (``Removal(...).run``, ``remove``, ``named``, ``Settings``, ``TASK``,
``SOURCE``). The evidence -> outcome table itself is test_outcomes.py's; here each row is reached through the calls
the executor really makes, with the service's answers scripted where a row needs a fault.
"""

from __future__ import annotations

import copy
import math
import socket
from types import SimpleNamespace

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.client import SmsApiError
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import SOURCE, TASK
from ansible_collections.hwcloud.sms.plugins.module_utils.outcomes import Settings
from ansible_collections.hwcloud.sms.plugins.module_utils.removal import Removal, named, remove
from tests.unit.fake_sms import READS, FakeSms

BUSY_REASON = "the source server is in state 'replicate' and its agent is connected"
REFUSAL = "Failed to delete SMS task {0}: SMS.2015 The task is in progress or being stopped and cannot be deleted. (HTTP 400)"
TASK_HINT = "Stop the task first, or set force: true to stop it and then delete it."
LOST = SmsApiError("delete SMS task t-1", status=504, error_msg="gateway timeout", uncertain=True)


@pytest.fixture(autouse=True)
def no_socket(monkeypatch):
    """Every test here runs without a network: opening a socket fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a removal test opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)


@pytest.fixture
def fake():
    return FakeSms()


def removal(client, ids, kind=TASK, allowed_task_ids=None, **settings):
    return Removal(client, Settings(kind, **settings), ids, allowed_task_ids=allowed_task_ids)


def failure_of(client, ids, single=False, **options):
    """The SmsFailure a run raises: its message, its cause and the result so far."""
    with pytest.raises(SmsFailure) as failure:
        removal(client, ids, **options).run(single=single)
    return failure.value


def outcome_of(client, ids, single=False, **options):
    """The run's result and whether it failed (a failure's result carries its message)."""
    try:
        return removal(client, ids, **options).run(single=single), False
    except SmsFailure as failure:
        return dict(failure.result, msg=failure.msg), True


def by_id(result, key="tasks"):
    return {entry["id"]: entry for entry in result[key]}


def results(result, key="tasks"):
    return {entry["id"]: entry["result"] for entry in result[key]}


def module(client, kind=TASK, check_mode=False, **params):
    """What remove() needs of a module: its params, its client, check mode and diff."""
    one, many = ("task_id", "task_ids") if kind is TASK else ("source_server_id", "source_server_ids")
    options = {one: None, many: None, "name": None, "force": False, "wait": True, "wait_timeout": 300}
    options.update(params)
    return SimpleNamespace(params=options, client=client, module=SimpleNamespace(check_mode=check_mode, _diff=False)), one, many


def test_the_tests_open_no_socket():
    with pytest.raises(AssertionError, match="opened a socket"):
        socket.create_connection(("127.0.0.1", 9))


# ---------------------------------------------------------------------------
# check mode
# ---------------------------------------------------------------------------

def one_idle(fake):
    fake.add_task("t-1", name="web")
    return ["t-1"], TASK, {"t-1": "would_delete"}


def one_busy(fake):
    fake.add_busy_task("t-1", name="db")
    return ["t-1"], TASK, {"t-1": "would_stop_and_delete"}


def five_mixed(fake):
    for number in range(3):
        fake.add_task("t-%d" % number)
    fake.add_busy_task("t-busy")
    fake.add_task("t-going", state="DELETING", source_state="deleting", connected=True)
    return (["t-0", "t-1", "t-2", "t-busy", "t-going"], TASK,
            {"t-0": "would_delete", "t-1": "would_delete", "t-2": "would_delete", "t-busy": "would_stop_and_delete",
             "t-going": "deleting"})


def busy_source(fake):
    fake.add_source("s-1", name="db")
    fake.add_busy_task("t-1", source_id="s-1")
    return ["s-1"], SOURCE, {"s-1": "would_delete_tasks_and_delete"}


@pytest.mark.parametrize("scene", [one_idle, one_busy, five_mixed, busy_source], ids=lambda scene: scene.__name__)
def test_check_mode_sends_only_reads(fake, scene):
    ids, kind, expected = scene(fake)
    before = copy.deepcopy((fake.tasks.records, fake.sources.records))
    result = removal(fake, ids, kind=kind, check_mode=True, force=True).run()
    assert results(result, kind.result_key) == expected
    assert result["changed"] is True
    assert {call.method for call in fake.journal} <= set(READS) and fake.journal
    assert (fake.tasks.records, fake.sources.records) == before
    assert fake.sleeps == []


def test_check_mode_predicts_a_refusal_without_force_and_fails(fake):
    fake.add_busy_task("t-1", name="db")
    failure = failure_of(fake, ["t-1"], single=True, check_mode=True)
    assert failure.msg == "SMS task t-1 (db) cannot be deleted now: %s. %s" % (BUSY_REASON, TASK_HINT)
    assert results(failure.result) == {"t-1": "would_be_refused"} and failure.result["changed"] is False
    assert fake.writes() == []


def test_check_mode_names_the_tasks_a_forced_source_removal_would_delete(fake):
    ids, kind, _expected = busy_source(fake)
    result = removal(fake, ids, kind=kind, check_mode=True, force=True).run(single=True)
    assert by_id(result, "source_servers")["s-1"]["task_ids"] == ["t-1"]
    assert fake.writes() == []


# ---------------------------------------------------------------------------
# one task
# ---------------------------------------------------------------------------

def test_a_deletable_task_is_deleted_and_confirmed_gone(fake):
    read = copy.deepcopy(fake.add_task("t-1", name="web", source_id="s-9"))
    result = removal(fake, ["t-1"]).run(single=True, diff=True)
    assert result == {
        "changed": True,
        "tasks": [{"id": "t-1", "result": "deleted", "msg": "SMS task t-1 (web) deleted", "name": "web",
                   "source_server_id": "s-9", "left_behind": {"target_server_vm_id": "vm-t-1", "clone_server_vm_id": None, "target_snapshot_id": None}}],
        "task": read,
        "msg": "SMS task t-1 (web) deleted",
        "diff": {"before": {"id": "t-1", "name": "web", "state": "MIGRATE_SUCCESS", "source_server_state": "finished",
                            "connected": False},
                 "after": {"id": "t-1", "state": "absent"}},
    }
    assert fake.sent() == [("get_record", ("t-1",)), ("delete_record", ("t-1",)), ("get_record", ("t-1",))]
    assert fake.tasks.records == {} and fake.sleeps == []


@pytest.mark.parametrize("scripted", [False, True], ids=["not-in-the-account", "sms-404-to-the-read"])
def test_a_task_sms_says_does_not_exist_is_absent_and_unchanged(fake, scripted):
    if scripted:  # the record is there, but SMS answers its own 404 (the client turns it into None)
        fake.add_task("t-1")
        fake.fail("get_record", SmsApiError("read SMS task t-1", status=404, error_code="SMS.1801", error_msg="no task"))
    result = removal(fake, ["t-1"]).run(single=True)
    assert result == {"changed": False, "task": {}, "msg": "SMS task t-1 is already absent",
                      "tasks": [{"id": "t-1", "result": "absent", "msg": "SMS task t-1 is already absent"}]}
    assert fake.sent() == [("get_record", ("t-1",))]


@pytest.mark.parametrize("code", ["APIGW.0101", "APIG.0103", "apigw.0101", "Common.0404", None])
def test_a_404_not_from_sms_fails_the_run_and_deletes_nothing(fake, code):
    fake.add_task("t-1")
    error = SmsApiError("read SMS task t-1", status=404, error_code=code, error_msg="not found",
                        hint="the answer is not from SMS: check endpoint, site and proxy")
    fake.fail("get_record", error)
    failure = failure_of(fake, ["t-1"], single=True)
    assert failure.cause is error and failure.msg == error.message()
    assert failure.result["changed"] is False
    assert results(failure.result) == {"t-1": "not_attempted"}
    assert fake.writes() == [] and "t-1" in fake.tasks.records


def test_a_busy_task_without_force_is_refused_by_the_service_and_never_stopped(fake):
    fake.add_busy_task("t-1", name="db")
    failure = failure_of(fake, ["t-1"], single=True)
    entry = by_id(failure.result)["t-1"]
    assert entry["result"] == "refused" and failure.result["changed"] is False
    assert failure.msg == entry["msg"] == "%s. It was read as busy: %s. %s" % (REFUSAL.format("t-1"), BUSY_REASON, TASK_HINT)
    assert entry["error"]["error_code"] == "SMS.2015" and failure.result["error"] == entry["error"]
    # no stop: the one DELETE goes to the service, which decides
    assert fake.sent() == [("get_record", ("t-1",)), ("delete_record", ("t-1",))]
    assert fake.tasks.records["t-1"]["state"] == "RUNNING"


# The documented pauses: 0.5 s, then times 1.5, at most 5 s.
@pytest.mark.parametrize("stop_polls, pauses", [
    (0, []),
    (1, [0.5]),
    (3, [0.5, 0.75, 1.125]),
    (8, [0.5, 0.75, 1.125, 1.6875, 2.53125, 3.796875, 5.0, 5.0]),
])
def test_force_stops_a_busy_task_waits_on_the_clock_until_deletable_and_deletes_it(fake, stop_polls, pauses):
    fake.add_busy_task("t-1", name="db", stop_polls=stop_polls)
    result = removal(fake, ["t-1"], force=True).run(single=True)
    assert by_id(result)["t-1"]["result"] == "stopped_and_deleted"
    assert result["changed"] is True and result["msg"] == "SMS task t-1 (db) stopped and deleted"
    assert fake.sleeps == pauses
    assert fake.clock() == sum(pauses)
    # a read, the stop, a read per look until deletable, the DELETE (once the waiting is over), the confirming read
    stop, delete = fake.calls("task_action"), fake.calls("delete_record")
    assert [(call.ids, call.detail) for call in stop] == [(("t-1",), "stop")]
    assert fake.sent() == ([("get_record", ("t-1",)), ("task_action", ("t-1",))] + [("get_record", ("t-1",))] * (stop_polls + 1)
                           + [("delete_record", ("t-1",)), ("get_record", ("t-1",))])
    assert delete[0].at == sum(pauses)
    assert fake.tasks.records == {}


def test_a_stop_outlasting_wait_timeout_times_out_and_is_a_change(fake):
    fake.add_busy_task("t-1", name="db", stop_polls=1000)
    failure = failure_of(fake, ["t-1"], single=True, force=True, wait_timeout=3)
    entry = by_id(failure.result)["t-1"]
    assert entry["result"] == "timed_out"
    assert failure.result["changed"] is True  # the stop was sent and accepted
    assert failure.msg == entry["msg"] == ("SMS task t-1 (db) timed out waiting to stop: its stop was accepted, but after "
                                           "3 seconds it was still not deletable, in state ABORTING, source server state "
                                           "stopping, and it was not deleted. Run the task again once it has stopped, or "
                                           "raise wait_timeout")
    assert fake.sleeps == [0.5, 0.75, 1.125, 0.625] and fake.clock() == 3  # the last pause cut at the deadline
    assert [call.method for call in fake.writes()] == ["task_action"]  # no DELETE


@pytest.mark.parametrize("stop_polls, result, changed", [(2, "stopped_and_deleted", True), (1000, "timed_out", False)])
def test_a_stop_already_under_way_is_not_sent_again(fake, stop_polls, result, changed):
    fake.add_task("t-1", state="ABORTING", source_state="stopping", connected=True, stop_polls=stop_polls)
    outcome, failed = outcome_of(fake, ["t-1"], single=True, force=True, wait_timeout=2)
    assert (by_id(outcome)["t-1"]["result"], outcome["changed"], failed) == (result, changed, result == "timed_out")
    assert fake.calls("task_action") == []


# ---------------------------------------------------------------------------
# lost and misleading answers to a single DELETE
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("takes_effect, deleting_polls, read_fails, result, changed", [
    (True, 0, False, "deleted", True),  # read again: SMS's own 404
    (True, 2, False, "deleted", True),  # read again: being deleted; the wait sees it go
    (False, 0, False, "failed", False),  # read again: still there, so nothing was deleted
    (False, 0, True, "failed", True),  # the read fails too: it may have been deleted
], ids=["gone", "being-deleted", "still-there", "unreadable"])
def test_a_lost_answer_to_a_delete_is_settled_by_reading_the_task_again(fake, takes_effect, deleting_polls, read_fails,
                                                                        result, changed):
    fake.add_task("t-1", name="web", deleting_polls=deleting_polls)
    fake.fail("delete_record", LOST, takes_effect=takes_effect)
    read_error = SmsApiError("read SMS task t-1", status=503, error_msg="unavailable")
    if read_fails:
        fake.fail("get_record", read_error, skip=1, times=None)
    outcome, failed = outcome_of(fake, ["t-1"], single=True)
    entry = by_id(outcome)["t-1"]
    assert (entry["result"], outcome["changed"], failed) == (result, changed, result == "failed"), entry["msg"]
    assert fake.sent()[:3] == [("get_record", ("t-1",)), ("delete_record", ("t-1",)), ("get_record", ("t-1",))]
    assert len(fake.calls("delete_record")) == 1  # a lost answer is no reason to send the deletion again
    if result == "deleted":
        assert entry["msg"] == "SMS task t-1 (web) deleted" and fake.tasks.records == {}
    elif read_fails:
        assert entry["msg"] == ("SMS task t-1 (web) may have been deleted: %s; reading it again failed too: %s. Run the "
                                "task again to find out" % (LOST.message(), read_error.message()))
    else:
        assert entry["msg"] == LOST.message() and "t-1" in fake.tasks.records


@pytest.mark.parametrize("code, gone, result", [("SMS.2252", False, "failed"), ("SMS.1801", True, "vanished")])
def test_a_404_to_a_delete_is_checked_by_reading_the_task_again(fake, code, gone, result):
    fake.add_task("t-1", name="web")
    error = SmsApiError("delete SMS task t-1", status=404, error_code=code, error_msg="not found")
    fake.fail("delete_record", error, takes_effect=gone)  # takes_effect: someone else deleted it at that moment
    outcome, failed = outcome_of(fake, ["t-1"], single=True)
    assert (by_id(outcome)["t-1"]["result"], outcome["changed"], failed) == (result, False, result == "failed")
    assert fake.sent()[:3] == [("get_record", ("t-1",)), ("delete_record", ("t-1",)), ("get_record", ("t-1",))]


# ---------------------------------------------------------------------------
# wait
# ---------------------------------------------------------------------------

def test_without_wait_an_accepted_deletion_is_not_called_gone(fake):
    fake.add_task("t-1", name="web", deleting_polls=5)
    result = removal(fake, ["t-1"], wait=False).run(single=True)
    assert by_id(result)["t-1"]["result"] == "deleted" and result["changed"] is True
    assert result["msg"] == "SMS task t-1 (web): its deletion was accepted by SMS, and not waited for (wait: false)"
    assert fake.sent() == [("get_record", ("t-1",)), ("delete_record", ("t-1",))]  # nothing read after the DELETE
    assert fake.tasks.records["t-1"]["state"] == "DELETING"


def test_the_wait_reads_until_sms_says_the_task_is_gone(fake):
    fake.add_task("t-1", name="web", deleting_polls=2)
    result = removal(fake, ["t-1"]).run(single=True)
    assert result["msg"] == "SMS task t-1 (web) deleted"
    assert fake.sleeps == [0.5, 0.75]
    assert fake.sent()[1:] == [("delete_record", ("t-1",))] + [("get_record", ("t-1",))] * 3
    assert fake.tasks.records == {}


def test_a_deletion_outlasting_wait_timeout_times_out_and_is_a_change(fake):
    fake.add_task("t-1", name="web", deleting_polls=10 ** 6)
    failure = failure_of(fake, ["t-1"], single=True, wait_timeout=2)
    assert results(failure.result) == {"t-1": "timed_out"} and failure.result["changed"] is True
    assert failure.msg == ("SMS task t-1 (web): its deletion was accepted, but it is still present after 2 seconds, in "
                           "state DELETING, source server state deleting. SMS may still be deleting it: run the task again "
                           "to confirm that it is gone, or raise wait_timeout")
    assert fake.clock() == 2


def test_a_task_already_being_deleted_is_only_waited_for(fake):
    fake.add_task("t-1", name="web", state="DELETING", source_state="deleting", connected=True)
    fake.tasks.lives["t-1"].deleting_left = 1  # it goes after one more look
    result = removal(fake, ["t-1"], force=True).run(single=True)
    assert (by_id(result)["t-1"]["result"], result["changed"]) == ("deleting", False)
    assert result["msg"] == "SMS task t-1 (web) was already being deleted and is now gone"
    assert fake.writes() == []


# ---------------------------------------------------------------------------
# many tasks: batches of 50, and every outcome attributed to its task
# ---------------------------------------------------------------------------

def idle_tasks(fake, count, prefix="t-"):
    ids = ["%s%03d" % (prefix, number) for number in range(count)]
    for task_id in ids:
        fake.add_task(task_id)
    return ids


@pytest.mark.parametrize("count", [2, 50, 51, 120])
def test_many_tasks_are_deleted_in_batches_of_at_most_50(fake, count):
    ids = idle_tasks(fake, count)
    fake.add_task("not-asked")
    result = removal(fake, ids).run()
    batches = [call.ids for call in fake.calls("delete_records")]
    assert len(batches) == math.ceil(count / 50)
    assert all(len(batch) <= 50 for batch in batches)
    assert [task_id for batch in batches for task_id in batch] == ids
    assert fake.calls("delete_record") == []
    assert result["changed"] is True and result["msg"] == "%d SMS tasks: %d deleted" % (count, count)
    assert results(result) == dict.fromkeys(ids, "deleted")
    assert list(fake.tasks.records) == ["not-asked"]


# sms_task's documented cost (docs/modules.md): 10 tasks among 10,000 cost 22 requests (none of them on the first
# list page), 2,000 among 2,500 cost 53 (all of them on the first ten pages).
@pytest.mark.parametrize("account, asked, requests", [(10000, slice(-10, None), 22), (2500, slice(2000), 53)],
                         ids=["10-among-10000", "2000-among-2500"])
def test_the_documented_cost_of_a_bulk_removal(fake, account, asked, requests):
    ids = idle_tasks(fake, account)[asked]
    result = removal(fake, ids).run()
    assert results(result) == dict.fromkeys(ids, "deleted")
    assert len(fake.journal) == requests, [call.method for call in fake.journal]


def test_many_deletions_are_confirmed_by_list_pages(fake):
    ids = idle_tasks(fake, 120)
    for task_id in ids:
        fake.tasks.lives[task_id].deleting_polls = 1  # each shows DELETING at one more look, then is gone
    result = removal(fake, ids).run()
    assert results(result) == dict.fromkeys(ids, "deleted")
    assert fake.calls("get_record") == []  # every one of them shown by the pages, before and after
    assert fake.sleeps == [0.5]


def test_a_task_no_listing_shows_is_confirmed_only_by_its_own_read(fake):
    ids = idle_tasks(fake, 5)
    fake.out_of_reach = {ids[2]}  # not listed, and a batch naming it leaves it alone while answering success
    failure = failure_of(fake, ids, wait_timeout=2)
    assert results(failure.result) == dict(dict.fromkeys(ids, "deleted"), **{ids[2]: "timed_out"})
    assert failure.result["changed"] is True
    assert ids[2] in fake.calls("delete_records")[0].ids
    batch_at = fake.journal.index(fake.calls("delete_records")[0])
    assert ("get_record", (ids[2],)) in [(call.method, call.ids) for call in fake.journal[batch_at + 1:]]
    assert list(fake.tasks.records) == [ids[2]]


def test_a_refusal_among_many_is_attributed_to_its_task(fake):
    ids = idle_tasks(fake, 5) + ["t-busy"]
    fake.add_busy_task("t-busy", name="db")
    failure = failure_of(fake, ids)
    entries = by_id(failure.result)
    assert results(failure.result) == dict(dict.fromkeys(ids[:5], "deleted"), **{"t-busy": "refused"})
    assert failure.result["changed"] is True
    assert entries["t-busy"]["msg"] == "%s. It was read as busy: %s. %s" % (REFUSAL.format("t-busy"), BUSY_REASON, TASK_HINT)
    assert entries["t-busy"]["error"]["error_code"] == "SMS.2015"
    assert failure.msg == "Could not delete 1 of 6 SMS tasks (5 deleted, 1 refused): t-busy: %s" % entries["t-busy"]["msg"]
    # the deletable ones in one batch; the one predicted refused sent on its own, for the service to decide
    assert [call.ids for call in fake.calls("delete_records")] == [tuple(ids[:5])]
    assert [call.ids for call in fake.calls("delete_record")] == [("t-busy",)]
    assert list(fake.tasks.records) == ["t-busy"]


def test_a_denied_batch_falls_back_to_single_deletes(fake):
    ids = idle_tasks(fake, 4)
    fake.fail("delete_records", SmsApiError("delete 4 SMS tasks in one batch", status=403, error_code="SMS.9004",
                                            error_msg="sms:server:batchDeleteTask is not allowed"))
    result = removal(fake, ids).run()
    assert results(result) == dict.fromkeys(ids, "deleted") and result["changed"] is True
    assert [(call.method, call.ids) for call in fake.writes()] == [("delete_records", tuple(ids))] + [
        ("delete_record", (task_id,)) for task_id in ids]
    assert fake.tasks.records == {}


def test_a_batch_that_deletes_part_then_fails_is_settled_task_by_task(fake):
    ids = idle_tasks(fake, 5)
    # the batch deletes its first two ids, then is refused (for a task the reads saw idle, now busy)
    fake.fail("delete_records", SmsApiError("delete 5 SMS tasks in one batch", status=400, error_code="SMS.2015",
                                            error_msg="in progress", error_param=[ids[4]]), deletes_first=2)
    fake.fail("delete_record", SmsApiError("delete SMS task %s" % ids[4], status=400, error_code="SMS.2015",
                                           error_msg="in progress"), record_id=ids[4])
    failure = failure_of(fake, ids)
    assert results(failure.result) == dict(dict.fromkeys(ids[:4], "deleted"), **{ids[4]: "refused"})
    assert failure.result["changed"] is True
    entries = by_id(failure.result)
    assert entries[ids[4]]["error"]["error_code"] == "SMS.2015"
    assert failure.msg.startswith("Could not delete 1 of 5 SMS tasks (4 deleted, 1 refused): %s: " % ids[4])
    # every id of the batch sent again on its own; those the batch had deleted (404) and the refused one read again
    assert [call.ids for call in fake.calls("delete_record")] == [(task_id,) for task_id in ids]
    batch_at = fake.journal.index(fake.calls("delete_records")[0])
    after = [(call.method, call.ids[0]) for call in fake.journal[batch_at + 1:] if call.method != "record_pages"]
    for task_id in (ids[0], ids[1], ids[4]):
        at = after.index(("delete_record", task_id))
        assert after[at + 1] == ("get_record", task_id), after
    assert list(fake.tasks.records) == [ids[4]]


@pytest.mark.parametrize("deleted_by_the_batch", [0, 2, 4])
def test_a_batch_whose_answer_was_lost_is_settled_by_smss_own_word(fake, deleted_by_the_batch):
    ids = idle_tasks(fake, 4)
    fake.fail("delete_records", SmsApiError("delete 4 SMS tasks in one batch", reason="the connection was reset",
                                            uncertain=True), deletes_first=deleted_by_the_batch)
    result = removal(fake, ids).run()
    assert results(result) == dict.fromkeys(ids, "deleted") and result["changed"] is True
    assert [call.ids for call in fake.calls("delete_record")] == [(task_id,) for task_id in ids]
    batch_at = fake.journal.index(fake.calls("delete_records")[0])
    read_again = [call.ids[0] for call in fake.journal[batch_at + 1:] if call.method == "get_record"]
    assert set(ids[:deleted_by_the_batch]) <= set(read_again)  # a 404 to the DELETE is never taken on its own word
    assert fake.tasks.records == {}


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------

def test_named_matches_the_exact_name_only(fake):
    for task_id, name in (("t-1", "web"), ("t-2", "web-2"), ("t-3", "WEB"), ("t-4", "my web"), ("t-5", "db")):
        fake.add_task(task_id, name=name)
    assert named(fake, TASK, "web", "task_ids") == ["t-1"]
    assert [(call.method, call.kind, call.detail) for call in fake.journal] == [("list_records", "tasks", {"name": "web"})]


def test_remove_by_name_deletes_the_one_task_of_that_exact_name(fake):
    fake.add_task("t-1", name="web")
    fake.add_task("t-2", name="web-2")
    sms, _one, _many = module(fake, name="web")
    result = remove(sms, TASK, "task_id", "task_ids")
    assert result["task"]["id"] == "t-1" and result["msg"] == "SMS task t-1 (web) deleted" and result["changed"] is True
    assert [(call.method, call.ids) for call in fake.writes()] == [("delete_record", ("t-1",))]
    assert list(fake.tasks.records) == ["t-2"]


@pytest.mark.parametrize("kind", [TASK, SOURCE], ids=["task", "source"])
def test_several_records_with_the_name_fail_naming_their_ids(fake, kind):
    for record_id, name in (("r-1", "web"), ("r-2", "web-2"), ("r-3", "web")):
        fake.add_task(record_id, name=name) if kind is TASK else fake.add_source(record_id, name=name)
    sms, one, many = module(fake, kind, name="web")
    with pytest.raises(SmsFailure) as failure:
        remove(sms, kind, one, many)
    assert failure.value.msg == "2 %ss are named 'web', so none was deleted; name one by %s: r-1, r-3" % (kind.noun, one)
    assert failure.value.result == {"changed": False, kind.result_key: [], kind.single_key: {}, many: ["r-1", "r-3"]}
    assert fake.writes() == []


@pytest.mark.parametrize("kind", [TASK, SOURCE], ids=["task", "source"])
def test_a_name_nobody_has_changes_nothing_and_is_not_called_absent(fake, kind):
    fake.add_task("r-1", name="somebody") if kind is TASK else fake.add_source("r-1", name="somebody")
    sms, one, many = module(fake, kind, name="nobody")
    result = remove(sms, kind, one, many)
    assert result == {"changed": False, kind.result_key: [], kind.single_key: {},
                      "msg": "No %s named 'nobody' is visible to these credentials (a listing shows only what they may "
                             "see, such as the records of their enterprise projects): nothing was deleted" % kind.noun}
    assert [call.method for call in fake.journal] == ["list_records"]


def test_a_failed_name_listing_fails_without_a_change(fake):
    error = SmsApiError("list SMS tasks", status=403, error_code="SMS.9004", error_msg="denied")
    fake.fail("list_records", error)
    sms, one, many = module(fake, name="web")
    with pytest.raises(SmsFailure) as failure:
        remove(sms, TASK, one, many)
    assert failure.value.cause is error and failure.value.msg == error.message()
    assert failure.value.result == {"changed": False, "tasks": [], "task": {}}


# ---------------------------------------------------------------------------
# source servers
# ---------------------------------------------------------------------------

def test_allowed_task_ids_keeps_a_source_whose_server_has_other_tasks(fake):
    fake.add_source("s-1", name="db")
    fake.add_task("t-1", source_id="s-1")
    fake.add_task("t-2", source_id="s-1")  # not among the allowed tasks
    fake.add_source("s-2", name="web")
    fake.add_task("t-3", source_id="s-2")
    result = removal(fake, ["s-1", "s-2"], kind=SOURCE, allowed_task_ids=["t-1", "t-3"], force=True).run()
    entries = by_id(result, "source_servers")
    assert entries["s-1"] == {
        "id": "s-1", "name": "db", "result": "kept", "task_ids": ["t-2"],
        "msg": "SMS source server s-1 (db) is kept: its server still has tasks that this run was not asked to delete (t-2)"}
    assert entries["s-2"]["result"] == "deleted"
    assert entries["s-2"]["left_behind"] == {"target_server_vm_id": "vm-t-3", "clone_server_vm_id": None, "target_snapshot_id": None}
    assert result["msg"] == "2 SMS source servers: 1 deleted, 1 kept" and result["changed"] is True
    assert "temporary disks" in result["reminder"]
    assert [(call.method, call.kind, call.ids) for call in fake.writes()] == [("delete_record", "sources", ("s-2",))]
    assert list(fake.sources.records) == ["s-1"] and sorted(fake.tasks.records) == ["t-1", "t-2", "t-3"]


@pytest.mark.parametrize("sources, allowed", [(1, None), (1, ["t-1"]), (4, None)],
                         ids=["one-source", "one-source-allowed-tasks", "four-sources"])
def test_a_listing_that_ignores_the_source_filter_never_reaches_other_servers_tasks(fake, sources, allowed):
    ids = ["s-%d" % number for number in range(1, sources + 1)]
    for number, source_id in enumerate(ids, 1):
        fake.add_source(source_id)
        fake.add_busy_task("t-%d" % number, source_id=source_id, stop_polls=1)
    fake.add_source("s-other")
    fake.add_busy_task("t-other", source_id="s-other")
    fake.ignored_filters = {"source_server_id"}  # GET /v3/tasks?source_server_id=s-1 lists every task
    result = removal(fake, ids, kind=SOURCE, allowed_task_ids=allowed, force=True, wait_timeout=60).run()
    assert not [call for call in fake.writes() if {"t-other", "s-other"} & set(call.ids)], fake.writes()
    assert fake.tasks.records["t-other"]["state"] == "RUNNING"
    assert list(fake.tasks.records) == ["t-other"] and list(fake.sources.records) == ["s-other"]
    entries = by_id(result, "source_servers")
    for number, source_id in enumerate(ids, 1):
        assert entries[source_id]["result"] == "deleted_with_tasks"
        assert [(task["id"], task["result"]) for task in entries[source_id]["tasks"]] == [("t-%d" % number,
                                                                                          "stopped_and_deleted")]


def test_force_on_a_source_removes_its_tasks_first(fake):
    fake.add_source("s-1", name="db")
    fake.add_task("t-old", source_id="s-1")
    fake.add_busy_task("t-cur", source_id="s-1", stop_polls=1)  # the current task, the one added last
    result = removal(fake, ["s-1"], kind=SOURCE, force=True).run(single=True)
    entry = by_id(result, "source_servers")["s-1"]
    assert entry["result"] == "deleted_with_tasks" and result["changed"] is True
    assert result["msg"] == entry["msg"] == "SMS source server s-1 (db) deleted with its tasks"
    assert entry["task_ids"] == ["t-old", "t-cur"]
    assert [(task["id"], task["result"]) for task in entry["tasks"]] == [("t-old", "deleted"), ("t-cur", "stopped_and_deleted")]
    assert entry["left_behind"] == {"target_server_vm_id": "vm-t-cur", "clone_server_vm_id": None, "target_snapshot_id": None}
    assert [(call.method, call.kind, call.ids) for call in fake.writes()] == [
        ("task_action", "tasks", ("t-cur",)),
        ("delete_records", "tasks", ("t-old", "t-cur")),
        ("delete_record", "sources", ("s-1",)),
    ]
    assert fake.tasks.records == {} and fake.sources.records == {}


def test_a_busy_source_without_force_is_refused_by_the_service(fake):
    fake.add_source("s-1", name="db")
    fake.add_busy_task("t-1", source_id="s-1")
    failure = failure_of(fake, ["s-1"], single=True, kind=SOURCE)
    assert results(failure.result, "source_servers") == {"s-1": "refused"} and failure.result["changed"] is False
    assert "set force: true to stop and delete the source server's tasks" in failure.msg
    assert [(call.method, call.kind, call.ids) for call in fake.writes()] == [("delete_record", "sources", ("s-1",))]
    assert "t-1" in fake.tasks.records and "s-1" in fake.sources.records


# ---------------------------------------------------------------------------
# clear_snapshots: the task action clear before the deletion
# ---------------------------------------------------------------------------

def test_clear_snapshots_clears_waits_for_cleared_then_deletes(fake):
    fake.add_task("t-1", name="web", clear_polls=2)
    result, failed = outcome_of(fake, ["t-1"], single=True, clear_snapshots=True)
    assert not failed and result["changed"] is True
    assert by_id(result)["t-1"]["snapshots_cleared"] is True and results(result) == {"t-1": "deleted"}
    writes = [(call.method, call.detail) for call in fake.writes()]
    assert writes[0] == ("task_action", "clear") and writes[1][0] == "delete_record"
    assert fake.sleeps[:2] == [0.5, 0.75]  # read until the source server said cleared


def test_a_task_already_cleared_gets_no_second_clear(fake):
    fake.add_task("t-1", name="web", source_state="cleared")
    result, failed = outcome_of(fake, ["t-1"], single=True, clear_snapshots=True)
    assert not failed and by_id(result)["t-1"]["snapshots_cleared"] is True
    assert [call.method for call in fake.writes()] == ["delete_record"]


def test_a_busy_task_without_force_gets_no_clear_and_no_deletion(fake):
    """A clear would reach a running migration's snapshots: without force, a busy task gets no write at all."""
    fake.add_task("t-1", name="db", state="RUNNING", source_state="replicate", connected=True)
    fake.add_task("t-2", name="web")
    result, failed = outcome_of(fake, ["t-1", "t-2"], clear_snapshots=True)
    assert failed and results(result) == {"t-1": "refused", "t-2": "deleted"}
    entry = by_id(result)["t-1"]
    assert entry["msg"].startswith("SMS task t-1 (db) cannot be deleted now: ")
    assert "with clear_snapshots nothing was sent for it, neither a clear nor a deletion" in entry["msg"]
    assert entry["snapshots_cleared"] is False
    assert [call for call in fake.writes() if "t-1" in call.ids] == []
    assert "t-1" in fake.tasks.records


def test_a_refused_clear_keeps_the_task_and_names_the_service_error(fake):
    fake.add_task("t-1", name="db")
    fake.add_task("t-2", name="web")
    fake.fail("task_action", SmsApiError("clear SMS task t-1", status=400, error_code="SMS.2015",
                                         error_msg="The task is in progress."), record_id="t-1")
    result, failed = outcome_of(fake, ["t-1", "t-2"], clear_snapshots=True)
    assert failed and results(result) == {"t-1": "failed", "t-2": "deleted"}
    entry = by_id(result)["t-1"]
    assert entry["msg"].startswith("SMS task t-1 (db) was not deleted: its snapshots were not cleared, and deleting it "
                                   "would leave them behind: Failed to clear SMS task t-1: SMS.2015")
    assert entry["snapshots_cleared"] is False and entry["error"]["error_code"] == "SMS.2015"
    assert ("delete_record", ("t-1",)) not in [(call.method, call.ids) for call in fake.writes()]
    assert "t-1" in fake.tasks.records


def test_a_clear_that_fails_keeps_the_task(fake):
    fake.add_task("t-1", name="web", clear_polls=1, clear_ends="clearfailed")
    failure = failure_of(fake, ["t-1"], single=True, clear_snapshots=True)
    assert results(failure.result) == {"t-1": "failed"} and failure.result["changed"] is True  # the clear was sent
    assert "clearing its snapshots failed (its source server is in state clearfailed)" in failure.msg
    assert [call.method for call in fake.writes()] == ["task_action"]


def test_a_clear_outlasting_wait_timeout_times_out_without_a_deletion(fake):
    fake.add_task("t-1", name="web", clear_polls=10 ** 6)
    failure = failure_of(fake, ["t-1"], single=True, clear_snapshots=True, wait_timeout=2)
    assert results(failure.result) == {"t-1": "timed_out"} and failure.result["changed"] is True
    assert failure.msg.startswith("SMS task t-1 (web) timed out clearing its snapshots: after 2 seconds it was still in "
                                  "state MIGRATE_SUCCESS, source server state clearing")
    assert [call.method for call in fake.writes()] == ["task_action"] and fake.clock() == 2


def test_check_mode_predicts_the_clear_and_sends_nothing(fake):
    fake.add_task("t-1", name="web")
    fake.add_task("t-2", name="old", source_state="cleared")
    result, failed = outcome_of(fake, ["t-1", "t-2"], clear_snapshots=True, check_mode=True)
    assert not failed and fake.writes() == []
    assert by_id(result)["t-1"]["msg"] == "SMS task t-1 (web) would be deleted after its snapshots are cleared"
    assert by_id(result)["t-2"]["msg"] == "SMS task t-2 (old) would be deleted"
