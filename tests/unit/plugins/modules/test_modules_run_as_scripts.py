# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module run on its own, as Ansible's guide to debugging modules runs one: ``python <module>.py args.json``,
the arguments in a file as ``{"ANSIBLE_MODULE_ARGS": {...}}``. The module must read them and print its result as
JSON on stdout, as it does under ansible-playbook; the results are those of the modules' RETURN documentation,
in check mode so that nothing is deleted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server, sms_source_server_info, sms_task, sms_task_info
from tests.conftest import TOKEN

SOURCE_ID = "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"


def run_script(module, emu, tmp_path, **args):
    """Run the module's file as a script with ``args`` in an arguments file; returns (exit code, stdout, stderr)."""
    args_file = tmp_path / "args.json"
    args = dict(args, endpoint=emu.url, auth_token=TOKEN, max_retries=0)
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}), encoding="utf-8")
    source = Path(module.__file__)
    # .../ansible_collections/hwcloud/sms/plugins/modules/<module>.py: the folder that holds ansible_collections
    collections = source.parents[5]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(collections)] + sys.path))
    done = subprocess.run([sys.executable, str(source), str(args_file)], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def migrated(emu):
    """A deletable task, which is the current task of the source-server record SOURCE_ID."""
    return emu.add_task(name="web-01-migration", source_server={"id": SOURCE_ID, "name": "web-01"})


def test_sms_task_as_a_script_predicts_the_deletion(emulator, tmp_path):
    task = migrated(emulator)
    code, out, err = run_script(sms_task, emulator, tmp_path, task_id=task["id"], state="absent", _ansible_check_mode=True)
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert (result["changed"], result["msg"]) == (True, "SMS task %s (web-01-migration) would be deleted" % task["id"])
    assert task["id"] in emulator.tasks


def test_sms_task_info_as_a_script_shows_the_task(emulator, tmp_path):
    task = migrated(emulator)
    code, out, err = run_script(sms_task_info, emulator, tmp_path, task_id=task["id"])
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert result["changed"] is False
    assert [(found["id"], found["deletable"]) for found in result["tasks"]] == [(task["id"], True)]


def test_sms_source_server_as_a_script_predicts_the_deletion(emulator, tmp_path):
    migrated(emulator)
    code, out, err = run_script(sms_source_server, emulator, tmp_path, source_server_id=SOURCE_ID, state="absent",
                                _ansible_check_mode=True)
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert result["changed"] is True
    assert [(entry["id"], entry["result"]) for entry in result["source_servers"]] == [(SOURCE_ID, "would_delete")]
    assert SOURCE_ID in emulator.sources


def test_sms_source_server_info_as_a_script_shows_the_record(emulator, tmp_path):
    migrated(emulator)
    code, out, err = run_script(sms_source_server_info, emulator, tmp_path, source_server_id=SOURCE_ID)
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert result["changed"] is False
    assert [(found["id"], found["name"], found["deletable"]) for found in result["source_servers"]] == [
        (SOURCE_ID, "web-01", True)]

