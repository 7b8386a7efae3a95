# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module run on its own, as Ansible's guide to debugging modules runs one: ``python <module>.py args.json``,
the arguments in a file as ``{"ANSIBLE_MODULE_ARGS": {...}}``. The module must read them and print its result as
JSON on stdout, as it does under ansible-playbook, and nothing on stderr. It runs from a fresh copy of the
collection's sources, as Ansible ships a module to the host (sources only, compiled on every run), so whatever
Python says while compiling them would show. The results are those of the modules' RETURN documentation, in check
mode so that nothing is deleted.

And loaded as a library, under any module name, a module runs nothing: only a run as a program does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server, sms_source_server_info, sms_task, sms_task_info
from tests.conftest import TOKEN

SOURCE_ID = "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"
MODULES = (sms_task, sms_task_info, sms_source_server, sms_source_server_info)


def fresh_collection(tmp_path):
    """A copy of the collection's plugins, without any compiled file, in a collections folder of its own."""
    plugins = Path(sms_task.__file__).parents[1]
    collections = tmp_path / "collections"
    shutil.copytree(plugins, collections / "ansible_collections" / "hwcloud" / "sms" / "plugins",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return collections


def run_script(module, emu, tmp_path, **args):
    """Run the module's file, from a fresh copy, as a script with ``args`` in an arguments file; returns (exit code,
    stdout, stderr)."""
    collections = fresh_collection(tmp_path)
    args_file = tmp_path / "args.json"
    args = dict(args, endpoint=emu.url, auth_token=TOKEN, max_retries=0)
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}), encoding="utf-8")
    name = module.__name__.rsplit(".", 1)[-1]
    source = collections / "ansible_collections" / "hwcloud" / "sms" / "plugins" / "modules" / ("%s.py" % name)
    # the environment of the tests, without credentials or Python settings of its own
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HW_", "PYTHON"))}
    env["PYTHONPATH"] = str(collections)
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


@pytest.mark.parametrize("name", ["sms_module", "SmsModule", "Main", "_main", "__init__"])
@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_a_module_loaded_as_a_library_runs_nothing(module, name):
    """A documentation tool, a test suite or a wrapper may load a module's file under a name of its choosing, to read
    its DOCUMENTATION or call its functions: only a run as a program (``__main__``) may run the module."""
    spec = importlib.util.spec_from_file_location(name, module.__file__)
    loaded = importlib.util.module_from_spec(spec)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        spec.loader.exec_module(loaded)
    assert out.getvalue() == ""
    assert loaded.DOCUMENTATION == module.DOCUMENTATION
    assert callable(loaded.main)
