# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The waiting loop: it looks at once, then after growing pauses, and stops at the timeout."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.waiting import wait_until


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
