# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deletion rule of a task (deletion_blocker), from the facts."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import deletion_blocker

# sms-api.md section 4, newest reference: refused while connected and the source server is in one of these
# (written here, not imported, so that a state dropped from the code cannot agree with itself)
BUSY_SOURCE_STATES = ["initialize", "stopping", "deleting", "cloning", "replicate", "syncing", "cutovering",
                      "skipping", "clearing", "premiging"]


def task(source_state=None, connected=True, state="RUNNING"):
    result = {"id": "t", "state": state, "source_server": {"state": source_state} if source_state else {}}
    if connected is not None:
        result["connected"] = connected
    return result


@pytest.mark.parametrize("source_state", BUSY_SOURCE_STATES)
def test_busy_and_connected_is_refused(source_state):
    assert source_state in deletion_blocker(task(source_state))
    assert deletion_blocker(task(source_state, connected=False)) is None


@pytest.mark.parametrize("source_state", ["unavailable", "waiting", "stopped", "finished", "error", "cleared",
                                          "premigready", "clearfailed", "premiged", "premigfailed"])
def test_idle_source_server_may_be_deleted_even_when_connected(source_state):
    assert deletion_blocker(task(source_state)) is None


def test_unknown_connection_is_assumed_connected():
    assert "may be connected" in deletion_blocker(task("replicate", connected=None))


def test_task_state_is_the_hint_without_a_source_state():
    assert "RUNNING" in deletion_blocker(task(None, state="RUNNING"))
    assert deletion_blocker(task(None, state="MIGRATE_SUCCESS")) is None
