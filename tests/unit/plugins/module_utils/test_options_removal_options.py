# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options the two deletion modules share (removal_options), as their documentation states them.

sms_task and sms_source_server: O(state) is "Required, so that a forgotten O(state) can never mean a deletion".
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server, sms_task
from tests.conftest import TOKEN
from tests.module_args import patch_module_args


def run(module, emu, **args):
    out = io.StringIO()
    args = dict(args, endpoint=emu.url, auth_token=TOKEN, max_retries=0)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("kind", ["task", "source"])
def test_without_state_nothing_is_deleted_and_the_run_fails(emulator, kind):
    if kind == "task":
        record = emulator.add_task(name="web-01")
        result = run(sms_task, emulator, task_id=record["id"])
        kept = emulator.tasks
    else:
        record = emulator.add_source(name="web-01")
        result = run(sms_source_server, emulator, source_server_id=record["id"])
        kept = emulator.sources
    assert result["failed"] is True
    assert result["msg"] == "missing required arguments: state"
    assert emulator.journal == []
    assert record["id"] in kept
