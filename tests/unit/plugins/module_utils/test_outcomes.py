# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""outcomes.outcome(): a record's evidence -> its result and whether this run changed it, row by row.

The table below is the behaviour table of docs/modules.md ("What a run reports"): each row is the evidence one
record can leave (what was read, what was sent, what came back) and what the module must say about it. No
sockets: evidence is written by hand, as the executor would write it.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import MIGPROJECT, SOURCE, TASK
from ansible_collections.hwcloud.sms.plugins.module_utils.outcomes import (
    ACCEPTED,
    DELETING,
    GONE,
    KEEP,
    READY,
    REJECTED,
    THERE,
    TIMED_OUT,
    UNKNOWN,
    UNREADABLE,
    Evidence,
    Settings,
    outcome,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    BEING_DELETED,
    BLOCKED,
    DELETE,
    REFUSED,
    STOP_THEN_DELETE,
    Plan,
)

IDLE = {"id": "t-1", "name": "web", "state": "MIGRATE_SUCCESS", "connected": False,
        "source_server": {"id": "s-1", "state": "finished"}}
BUSY = {"id": "t-1", "name": "web", "state": "RUNNING", "connected": True,
        "source_server": {"id": "s-1", "state": "replicate"}}
BLOCKER = "the source server is in state 'replicate' and its agent is connected"
REFUSAL = SmsApiError("delete SMS task t-1", status=400, error_code="SMS.2015", error_msg="in progress")
FORBIDDEN = SmsApiError("delete SMS task t-1", status=403, error_code="SMS.9004", error_msg="denied")
OTHER_404 = SmsApiError("delete SMS task t-1", status=404, error_code="SMS.2252", error_msg="no task associated")
LOST = SmsApiError("delete SMS task t-1", status=504, error_msg="gateway timeout", uncertain=True)
READ_FAILED = SmsApiError("read SMS task t-1", status=503, error_msg="unavailable")


def evidence(record=None, action=DELETE, reason=None, **facts):
    ev = Evidence("t-1")
    ev.record = IDLE if record is None else record
    ev.plan = Plan(action, reason)
    for name, value in facts.items():
        setattr(ev, name, value)
    return ev


def absent():
    ev = Evidence("t-1")
    ev.absent = True
    ev.plan = Plan("absent")
    return ev


# (row, evidence, result, changed)
ROWS = [
    ("SMS's own 404 on the first read", absent(), "absent", False),
    ("deletion accepted, gone confirmed", evidence(delete=ACCEPTED, wait=GONE), "deleted", True),
    ("deletion accepted, not waited for", evidence(delete=ACCEPTED), "deleted", True),
    ("deletion accepted, still there at the timeout", evidence(delete=ACCEPTED, wait=TIMED_OUT), "timed_out", True),
    ("refused, read as busy", evidence(BUSY, REFUSED, BLOCKER, delete=REJECTED, error=REFUSAL), "refused", False),
    ("another error", evidence(delete=REJECTED, error=FORBIDDEN), "failed", False),
    ("a 404 to the DELETE, then SMS's own 404 to the read", evidence(delete=REJECTED, error=OTHER_404, after=GONE),
     "vanished", False),
    ("a 404 to the DELETE, then still there", evidence(delete=REJECTED, error=OTHER_404, after=THERE), "failed", False),
    ("answer lost, then SMS's own 404 to the read", evidence(delete=UNKNOWN, error=LOST, after=GONE), "deleted", True),
    ("answer lost, then being deleted", evidence(delete=UNKNOWN, error=LOST, after=DELETING, wait=GONE), "deleted",
     True),
    ("answer lost, then still there", evidence(delete=UNKNOWN, error=LOST, after=THERE), "failed", False),
    ("answer lost, and the read failed too", evidence(delete=UNKNOWN, error=LOST, after=UNREADABLE,
                                                      read_error=READ_FAILED), "failed", True),
    ("answer lost, the run stopped before the read", evidence(delete=UNKNOWN, error=LOST), "failed", True),
    ("stopped, deletable, deleted", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=READY,
                                             delete=ACCEPTED, wait=GONE), "stopped_and_deleted", True),
    ("stopped, then refused", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=READY, delete=REJECTED,
                                       error=REFUSAL), "refused", True),
    ("stopped, vanished meanwhile", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=GONE),
     "vanished", True),
    ("stopped, never deletable", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=TIMED_OUT),
     "timed_out", True),
    ("already stopping (no stop sent), never deletable", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, ready=TIMED_OUT),
     "timed_out", False),
    ("the stop refused", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=REJECTED, error=REFUSAL), "failed", False),
    ("the stop's answer lost", evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=UNKNOWN, error=LOST), "failed", True),
    ("being deleted before the run, gone", evidence(action=BEING_DELETED, wait=GONE), "deleting", False),
    ("being deleted before the run, not waited for", evidence(action=BEING_DELETED), "deleting", False),
    ("being deleted before the run, still there", evidence(action=BEING_DELETED, wait=TIMED_OUT), "timed_out", False),
    ("the run failed before the deletion", evidence(), "not_attempted", False),
    ("the run failed before the read", Evidence("t-1"), "not_attempted", False),
]


@pytest.mark.parametrize("ev, result, changed", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_evidence_decides_the_result_and_changed(ev, result, changed):
    done = outcome(ev, Settings(TASK, force=ev.plan is not None and ev.plan.action == STOP_THEN_DELETE))
    assert (done.result, done.changed) == (result, changed), done.msg


# (row, action, result, changed) in check mode: nothing is sent, the plan is said as what would happen
PREDICTIONS = [
    ("deletable", DELETE, "would_delete", True),
    ("busy, with force", STOP_THEN_DELETE, "would_stop_and_delete", True),
    ("busy, without force", REFUSED, "would_be_refused", False),
    ("being deleted", BEING_DELETED, "deleting", False),
]


@pytest.mark.parametrize("action, result, changed", [row[1:] for row in PREDICTIONS], ids=[row[0] for row in PREDICTIONS])
def test_check_mode_predicts_from_the_plan_alone(action, result, changed):
    done = outcome(evidence(BUSY, action, BLOCKER), Settings(TASK, check_mode=True))
    assert (done.result, done.changed) == (result, changed)


def test_a_refusal_without_force_hints_force_and_names_the_blocker():
    done = outcome(evidence(BUSY, REFUSED, BLOCKER, delete=REJECTED, error=REFUSAL), Settings(TASK))
    assert "set force: true" in done.msg and "'replicate'" in done.msg and done.error is REFUSAL


def test_a_refusal_after_a_forced_stop_does_not_hint_force():
    done = outcome(evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=READY, delete=REJECTED,
                            error=REFUSAL), Settings(TASK, force=True))
    assert "force" not in done.msg and "although the task was stopped" in done.msg


def test_a_deleted_record_says_it_was_deleted_and_not_why_it_was_busy():
    done = outcome(evidence(BUSY, STOP_THEN_DELETE, BLOCKER, stop=ACCEPTED, ready=READY, delete=ACCEPTED, wait=GONE),
                   Settings(TASK, force=True))
    assert done.msg == "SMS task t-1 (web) stopped and deleted"


def test_without_wait_an_accepted_deletion_is_not_called_gone():
    done = outcome(evidence(delete=ACCEPTED), Settings(TASK, wait=False))
    assert "accepted" in done.msg and "not waited for" in done.msg


def test_a_lost_answer_that_cannot_be_read_again_says_the_deletion_may_have_happened():
    done = outcome(evidence(delete=UNKNOWN, error=LOST, after=UNREADABLE, read_error=READ_FAILED), Settings(TASK))
    assert "may have been deleted" in done.msg and "Run the task again" in done.msg


def test_a_source_kept_for_its_other_tasks_is_neither_a_change_nor_a_failure():
    ev = Evidence("s-1")
    ev.record, ev.plan, ev.outside = {"id": "s-1", "name": "web"}, Plan(KEEP), ["t-9"]
    done = outcome(ev, Settings(SOURCE, force=True))
    assert (done.result, done.changed) == ("kept", False) and "t-9" in done.msg


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_record_blocked_by_its_own_fields_is_refused_unchanged_in_both_modes(check_mode):
    ev = Evidence("p-1")
    ev.record = {"id": "p-1", "name": "wave-1", "isdefault": True}
    ev.plan = Plan(BLOCKED, "it is the default migration project, which SMS never deletes")
    done = outcome(ev, Settings(MIGPROJECT, check_mode=check_mode))
    assert (done.result, done.changed) == ("refused", False)
    assert done.msg == ("SMS migration project p-1 (wave-1) cannot be deleted: it is the default migration project, "
                        "which SMS never deletes; nothing was sent")
