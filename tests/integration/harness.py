# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the integration tests: credentials the emulator knows, and how to run Ansible against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import AK, DOMAIN, PASSWORD, PROJECT_ID, REGION, SK, TOKEN, USER

# the credentials are passed on from tests/conftest.py, so that the tests import everything from here
__all__ = ["AK", "BIN", "DOMAIN", "PASSWORD", "PROJECT_ID", "REGION", "ROOT", "Run", "SK", "TOKEN", "USER", "base_env",
           "run_ansible", "sms_task", "token_defaults"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    results: list = field(default_factory=list)

    def result(self, index=0):
        """The module result of the ``index``-th recorded task."""
        return self.results[index]["result"]

    def status(self, index=0):
        return self.results[index]["status"]


def base_env(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("HW_", "ANSIBLE_")) and key != "PYTHONPATH"}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "build" / "collections"),
        "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "result_dump",
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        # the tests read each result's invocation, which modules return by themselves before ansible-core 2.21
        # and from 2.21 when asked (older releases ignore the variable)
        "ANSIBLE_INJECT_INVOCATION": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "RESULT_DUMP_FILE": str(tmp_path / "results.json"),
        "PATH": "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
    })
    return env


def run_ansible(cmd, tmp_path, env=None):
    full_env = base_env(tmp_path)
    full_env.update(env or {})
    dump = Path(full_env["RESULT_DUMP_FILE"])
    if dump.exists():
        dump.unlink()
    proc = subprocess.run(cmd, cwd=tmp_path, env=full_env, capture_output=True, text=True, timeout=600, check=False)
    results = json.loads(dump.read_text(encoding="utf-8")) if dump.exists() else []
    return Run(proc.returncode, proc.stdout, proc.stderr, results)


def token_defaults(emu, **extra):
    defaults = {"endpoint": emu.url, "auth_token": TOKEN, "max_retries": 2}
    defaults.update(extra)
    return defaults


def sms_task(**params):
    """A playbook task calling the module."""
    return {"name": params.pop("_name", "sms_task"), "hwcloud.sms.sms_task": params}
