# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The built tarball installs with ansible-galaxy and works from there, without the working tree."""

from __future__ import annotations

import subprocess

from tests.integration.harness import BIN, ROOT, TOKEN, base_env


def test_tarball_installs_and_deletes_a_task(emulator, adhoc, tmp_path):
    dist, collections = tmp_path / "dist", tmp_path / "collections"
    env = dict(base_env(tmp_path), ANSIBLE_COLLECTIONS_PATH=str(collections))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(ROOT)],
                   env=env, check=True, capture_output=True)
    tarball, = dist.glob("hwcloud-sms-*.tar.gz")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(collections), str(tarball)],
                   env=env, check=True, capture_output=True)
    installed = collections / "ansible_collections" / "hwcloud" / "sms"
    assert (installed / "plugins" / "modules" / "sms_task.py").is_file()
    assert not (installed / "tests" / "emulator").exists()

    for kind, name, expected in (("module", "hwcloud.sms.sms_task", "task_ids"),
                                 ("module", "hwcloud.sms.sms_task_info", "deletable"),
                                 ("role", "hwcloud.sms.decommission", "decommission_source_server_ids")):
        doc = subprocess.run([str(BIN / "ansible-doc"), "-t", kind, name], env=env, check=True, capture_output=True,
                             text=True).stdout
        assert expected in doc and str(installed) in doc, doc[:500]

    task = emulator.add_task(name="from-tarball")
    run = adhoc("task_id=%s state=absent" % task["id"], args=["-vvv"],
                env={"ANSIBLE_COLLECTIONS_PATH": str(collections), "HW_SMS_ENDPOINT": emulator.url,
                     "HW_AUTH_TOKEN": TOKEN})
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result()["changed"] is True
    assert str(installed) in run.stdout
    assert task["id"] not in emulator.tasks
