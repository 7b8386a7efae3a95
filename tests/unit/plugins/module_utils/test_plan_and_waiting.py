# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three things defined once: the plan for a task, the refusal predicate, and the waiting loop."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import task_rules
from ansible_collections.hwcloud.sms.plugins.module_utils.client import SmsApiError
from ansible_collections.hwcloud.sms.plugins.module_utils.waiting import wait_until


def task(state="MIGRATE_SUCCESS", source_state="finished", connected=True):
    return {"id": "t", "state": state, "connected": connected, "source_server": {"state": source_state}}


@pytest.mark.parametrize("read, force, action", [
    (None, False, "absent"),
    (task(), False, "delete"),
    (task(state="DELETING", source_state="deleting"), True, "being_deleted"),
    (task(state="RUNNING", source_state="deleting"), True, "being_deleted"),  # no stop for a source being deleted
    (task(state="RUNNING", source_state="replicate"), False, "refused"),
    (task(state="RUNNING", source_state="replicate"), True, "stop_then_delete"),
    (task(state="RUNNING", source_state="replicate", connected=False), False, "delete"),  # agent gone: deletable
    (task(state="RUNNING", source_state="cloning"), False, "refused"),
])
def test_the_plan_for_a_task(read, force, action):
    decided = task_rules.plan(read, force)
    assert decided.action == action
    assert (decided.reason is not None) is (action in ("refused", "stop_then_delete"))


@pytest.mark.parametrize("status, code, busy, refusal", [
    (400, "SMS.2015", False, True),
    (400, "SMS.0205", True, True),
    (400, "SMS.0205", False, False),
    (403, "SMS.9004", True, False),
    (500, "SMS.2015", False, True),  # the legacy code says so whatever the status
])
def test_the_refusal_predicate(status, code, busy, refusal):
    error = SmsApiError("delete SMS task t", status=status, error_code=code, error_msg="x")
    read = task(state="RUNNING", source_state="replicate") if busy else task()
    assert task_rules.is_refusal(error, read) is refusal


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.pauses = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(round(seconds, 3))
        self.now += seconds


def test_waiting_looks_at_once_then_after_growing_pauses_until_true():
    fake, looks = FakeTime(), []
    assert wait_until(lambda: looks.append(fake.now) or len(looks) == 5, 60, sleep=fake.sleep, clock=fake.clock)
    assert looks[0] == 100.0  # the first look costs no pause
    assert fake.pauses == [0.5, 0.75, 1.125, 1.688]


def test_waiting_gives_up_at_the_timeout_without_sleeping_past_it():
    fake = FakeTime()
    assert wait_until(lambda: False, 10, sleep=fake.sleep, clock=fake.clock) is False
    assert fake.now == pytest.approx(110.0)
    assert max(fake.pauses) <= 5.0
