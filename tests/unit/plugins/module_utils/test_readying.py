# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which tasks belong to a source server (TasksFirst.tasks_of): only those that name it, whatever a listing returns,
and its current task even when no listing shows it. The executor's use of both ways of readying a record is
test_removal.py's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.readying import TasksFirst


class Listings:
    """A client whose task listing ignores its filter (as a gateway may) and records how it was asked."""

    def __init__(self, tasks):
        self.tasks = tasks
        self.asked = []

    def list_tasks(self, **filters):
        self.asked.append(filters)
        return list(self.tasks)


def task(task_id, source_id):
    return {"id": task_id, "source_server": {"id": source_id}}


def source(source_id, current=None):
    return SimpleNamespace(id=source_id, record={"id": source_id, "current_task": {"id": current} if current else None})


EVERY_TASK = [task("t-1", "s-1"), task("t-2", "s-2"), task("t-3", "s-1"), {"id": "t-4"}, task("t-5", None)]


@pytest.mark.parametrize("count", [1, 3])
def test_a_few_sources_are_listed_one_by_one_and_only_their_own_tasks_kept(count):
    client = Listings(EVERY_TASK)
    sources = [source("s-%d" % number) for number in range(1, count + 1)]
    tasks = TasksFirst.tasks_of(client, sources)
    assert client.asked == [{"source_server_id": "s-%d" % number} for number in range(1, count + 1)]
    assert tasks["s-1"] == ["t-1", "t-3"]
    if count > 1:
        assert tasks["s-2"] == ["t-2"] and tasks["s-3"] == []


def test_more_sources_cost_one_listing_of_every_task():
    client = Listings(EVERY_TASK)
    tasks = TasksFirst.tasks_of(client, [source("s-%d" % number) for number in range(1, 5)])
    assert client.asked == [{}]
    assert tasks == {"s-1": ["t-1", "t-3"], "s-2": ["t-2"], "s-3": [], "s-4": []}


def test_the_current_task_counts_even_when_no_listing_shows_it_and_only_once():
    client = Listings(EVERY_TASK)
    tasks = TasksFirst.tasks_of(client, [source("s-1", current="t-9"), source("s-2", current="t-2")])
    assert tasks == {"s-1": ["t-1", "t-3", "t-9"], "s-2": ["t-2"]}
