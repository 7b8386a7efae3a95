# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three things defined once: the plan for a task, the refusal predicate, and the waiting loop."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import task_rules
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError
from ansible_collections.hwcloud.sms.plugins.module_utils.waiting import wait_until


def task(state="MIGRATE_SUCCESS", source_state="finished", connected=True):
    return {"id": "t", "state": state, "connected": connected, "source_server": {"state": source_state}}


def test_the_plan_without_force_is_never_a_stop():
    busy = task(state="RUNNING", source_state="replicate")
    assert task_rules.plan(busy).action == "refused"


@pytest.mark.parametrize("read, verdict", [
    (task(), True),
    (task(state="RUNNING", source_state="replicate"), False),
    (task(state="RUNNING", source_state="replicate", connected=None), None),  # a list item: cannot tell
    (task(state="RUNNING", source_state="replicate", connected=False), True),
])
def test_deletable_as_sms_task_info_reports_it(read, verdict):
    if read["connected"] is None:
        del read["connected"]
    assert task_rules.deletable(read) is verdict


@pytest.mark.parametrize("read, force, action", [
    (None, False, "absent"),
    (task(), False, "delete"),
    (task(state="DELETING", source_state="deleting"), True, "being_deleted"),
    (task(state="RUNNING", source_state="deleting"), True, "being_deleted"),  # no stop for a source being deleted
    (task(state="RUNNING", source_state="replicate"), False, "refused"),
    (task(state="RUNNING", source_state="replicate"), True, "stop_then_delete"),
    (task(state="RUNNING", source_state="replicate", connected=False), False, "delete"),  # agent gone: deletable
    (task(state="RUNNING", source_state="cloning"), False, "refused"),
    (task(state="DELETING", source_state="finished"), False, "being_deleted"),  # the task's own state says so
    (task(state="ABORT", source_state="stopped"), False, "delete"),
    (task(state="RUNNING", source_state="Deleting"), False, "being_deleted"),
])
def test_the_plan_for_a_task(read, force, action):
    decided = task_rules.plan(read, force)
    assert decided.action == action
    assert (decided.reason is not None) is (action in ("refused", "stop_then_delete"))


# the twenty source states of sms-api.md section 3
SOURCE_STATES = ("unavailable", "waiting", "initialize", "replicate", "syncing", "stopping", "stopped", "skipping",
                 "deleting", "clearing", "cleared", "clearfailed", "premigready", "premiged", "premigfailed", "premiging",
                 "cloning", "cutovering", "finished", "error")


@pytest.mark.parametrize("source_state", SOURCE_STATES + ("Stopping", "Syncing", None))
def test_only_a_source_already_stopping_is_sent_no_second_stop(source_state):
    """A stop is under way only when the source server is in state stopping (compared without case)."""
    read = task(state="RUNNING", source_state=source_state)
    assert task_rules.stop_under_way(read) is (source_state in ("stopping", "Stopping"))


@pytest.mark.parametrize("status, code, busy, refusal", [
    (400, "SMS.2015", False, True),
    (400, "SMS.0205", True, True),
    (400, "SMS.0205", False, False),
    (403, "SMS.9004", True, False),
    (500, "SMS.2015", False, True),  # the legacy code says so whatever the status
    (None, None, True, False),  # no answer at all: not a refusal
    (401, "APIGW.0301", True, False),
])
def test_the_refusal_predicate(status, code, busy, refusal):
    error = SmsApiError("delete SMS task t", status=status, error_code=code, error_msg="x")
    read = task(state="RUNNING", source_state="replicate") if busy else task()
    assert task_rules.is_refusal(error, read) is refusal


class FakeTime:
    """A clock that only sleep() moves, and that oversleeps a little, as real sleeps do."""

    def __init__(self, now=100.0, oversleep=0.0):
        self.now = now
        self.oversleep = oversleep
        self.pauses = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(round(seconds, 3))
        self.now += seconds + self.oversleep


def test_waiting_looks_at_once_then_after_growing_pauses_until_true():
    fake, looks = FakeTime(), []
    assert wait_until(lambda: looks.append(fake.now) or len(looks) == 5, 60, sleep=fake.sleep, clock=fake.clock)
    assert looks[0] == 100.0  # the first look costs no pause
    assert fake.pauses == [0.5, 0.75, 1.125, 1.688]


@pytest.mark.parametrize("start", [0.5, 100.0, 1e6])
def test_waiting_gives_up_at_the_timeout_without_sleeping_past_it(start):
    fake, looks = FakeTime(now=start), []
    assert wait_until(lambda: looks.append(fake.now) and False, 10, sleep=fake.sleep, clock=fake.clock) is False
    assert fake.now == pytest.approx(start + 10.0)
    # documented: 0.5 s, then 1.5 times longer each time; the last pause ends at the timeout
    assert fake.pauses == [0.5, 0.75, 1.125, 1.688, 2.531, 3.406]
    assert len(looks) == 7


def test_waiting_pauses_grow_to_five_seconds_at_most():
    fake = FakeTime()
    wait_until(lambda: False, 60, sleep=fake.sleep, clock=fake.clock)
    assert max(fake.pauses) == 5.0 and fake.pauses.count(5.0) >= 5


def test_waiting_stops_even_when_sleep_overshoots():
    fake = FakeTime(oversleep=0.013)
    assert wait_until(lambda: False, 10, sleep=fake.sleep, clock=fake.clock) is False
    assert 110.0 <= fake.now <= 110.1


def test_a_task_parsed_from_json_is_recognised_as_being_deleted():
    """States arrive as strings parsed from the answer, never the same objects as the code's literals."""
    read = json.loads('{"id": "t", "state": "DELETING", "connected": true, "source_server": {"state": "finished"}}')
    assert task_rules.plan(read).action == "being_deleted"


def test_waiting_takes_its_last_look_even_when_under_a_second_is_left():
    """A look that itself takes time (a slow answer): the last pause is cut to the time left, and one more look
    follows it, however little time that was."""
    fake, looks = FakeTime(now=0.5), []

    def slow_condition():
        looks.append(fake.now)
        fake.now += 0.4
        return len(looks) == 4

    assert wait_until(slow_condition, 3, sleep=fake.sleep, clock=fake.clock) is True
    assert fake.pauses == [0.5, 0.75, 0.55]
