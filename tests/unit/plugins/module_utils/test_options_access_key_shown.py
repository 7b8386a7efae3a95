# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The access key ID is no secret (awx/README.md: of the access key pair, only the secret key is secret): a
module shows it among the arguments it was called with, and masks the secret key."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from ansible.release import __version__ as ansible_version

from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
from tests.conftest import AK, PROJECT_ID, SK
from tests.module_args import patch_module_args


def test_the_access_key_id_is_shown_and_the_secret_key_masked(emulator):
    task = emulator.add_task(name="web-01")
    out = io.StringIO()
    args = dict(task_id=task["id"], endpoint=emulator.url, access_key=AK, secret_key=SK, project_id=PROJECT_ID,
                max_retries=0)
    if tuple(int(part) for part in ansible_version.split(".")[:2]) >= (2, 21):
        args["_ansible_inject_invocation"] = True  # from 2.21 the controller asks for it (INJECT_INVOCATION)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task_info.main()
    text = out.getvalue()
    result = json.loads(text)
    assert not result.get("failed"), result.get("msg")
    assert [found["id"] for found in result["tasks"]] == [task["id"]]
    assert result["invocation"]["module_args"]["access_key"] == AK
    assert SK not in text
