# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's opt-in clean-up steps (roles/decommission/meta/argument_specs.yml), through real ansible-playbook runs:
decommission_clear_snapshots, decommission_remove_templates (the templates of the tasks this run deleted and no
other) and decommission_migration_projects (the projects named, once empty; never one not named)."""

from __future__ import annotations

from tests.integration.test_decommission_role import decommission, summary


def writes(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.journal if entry["method"] != "GET"]


def test_snapshots_are_cleared_before_each_deletion(emulator, tmp_path):
    first = emulator.add_task(name="web-01", clear_polls=1)
    second = emulator.add_task(name="web-02", clear_polls=0)
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [first["id"], second["id"]],
                                            "decommission_clear_snapshots": True})
    assert run.rc == 0, run.stdout
    result = summary(run)
    assert sorted(result["snapshots_cleared"]) == sorted([first["id"], second["id"]])
    assert sorted(result["deleted"]) == sorted([first["id"], second["id"]])
    sent = writes(emulator)
    clears = [path for method, path in sent if path.endswith("/action")]
    assert len(clears) == 2
    # every clear comes before the deletion
    assert sent.index(("POST", "/v3/tasks/delete")) > max(sent.index(("POST", path)) for path in clears)


def test_a_task_whose_clear_is_refused_is_kept_and_reported_once(emulator, tmp_path):
    refused = emulator.add_task(name="db-01", clear_refused=True)
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [refused["id"]],
                                            "decommission_clear_snapshots": True})
    assert run.rc != 0
    result = summary(run)
    assert [entry["id"] for entry in result["not_deleted"]] == [refused["id"]]
    assert "its snapshots were not cleared" in result["not_deleted"][0]["msg"]
    assert refused["id"] in emulator.tasks
    assert [method for method, path in writes(emulator) if path.startswith("/v3/tasks/%s" % refused["id"])] == ["POST"]


def test_a_busy_task_without_force_gets_no_clear_and_no_deletion(emulator, tmp_path):
    busy = emulator.add_task(name="db-01", state="RUNNING", source_state="replicate", connected=True)
    done = emulator.add_task(name="web-01")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [busy["id"], done["id"]],
                                            "decommission_clear_snapshots": True})
    assert run.rc != 0  # the busy task is refused
    result = summary(run)
    assert [entry["id"] for entry in result["not_deleted"]] == [busy["id"]]
    assert "neither a clear nor a deletion" in result["not_deleted"][0]["msg"]
    assert result["deleted"] == [done["id"]] and busy["id"] in emulator.tasks
    assert not [path for method, path in writes(emulator) if busy["id"] in path]  # not even a clear


def test_only_the_templates_of_the_deleted_tasks_are_removed(emulator, tmp_path):
    kept_template = emulator.add_template(name="unrelated")
    used = emulator.add_task(name="web-01", template_id="tpl-web-01")
    busy = emulator.add_task(name="db-01", template_id="tpl-db-01", state="RUNNING", source_state="replicate",
                             connected=True)
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [used["id"], busy["id"]],
                                            "decommission_remove_templates": True})
    assert run.rc != 0  # the busy task is refused, so its template stays too
    result = summary(run)
    assert result["templates"]["removed"] == ["tpl-web-01"]
    assert "tpl-db-01" in emulator.templates and kept_template["id"] in emulator.templates
    assert "tpl-web-01" not in emulator.templates
    template_writes = [entry for entry in emulator.journal if "/vm/templates" in entry["path"] and entry["method"] != "GET"]
    assert [entry["path"] for entry in template_writes] == ["/v3/vm/templates/tpl-web-01"]


def test_templates_in_check_mode_are_only_read(emulator, tmp_path):
    used = emulator.add_task(name="web-01", template_id="tpl-web-01")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [used["id"]], "decommission_remove_templates": True},
                       check=True)
    assert run.rc == 0, run.stdout
    assert summary(run)["templates"]["removed"] == ["tpl-web-01"]
    assert writes(emulator) == [] and "tpl-web-01" in emulator.templates


def test_only_the_named_projects_are_removed_once_empty(emulator, tmp_path):
    empty = emulator.add_migproject(name="wave-1")
    busy = emulator.add_migproject(name="wave-2", exist_server=True)
    unnamed = emulator.add_migproject(name="wave-3")
    task = emulator.add_task(name="web-01")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [task["id"]],
                                            "decommission_migration_projects": "wave-1, %s\nnowhere" % busy["id"]})
    assert run.rc == 0, run.stdout
    result = summary(run)["migration_projects"]
    assert result["removed"] == [empty["id"]]
    assert [entry["id"] for entry in result["kept"]] == [busy["id"]] and "still has servers" in result["kept"][0]["msg"]
    assert result["not_found"] == ["nowhere"] and result["not_removed"] == []
    assert empty["id"] not in emulator.migprojects
    assert busy["id"] in emulator.migprojects and unnamed["id"] in emulator.migprojects
    project_writes = [entry["path"] for entry in emulator.journal
                      if entry["path"].startswith("/v3/migprojects") and entry["method"] != "GET"]
    assert project_writes == ["/v3/migprojects/%s" % empty["id"]]


def test_a_name_that_several_projects_share_removes_none_of_them(emulator, tmp_path):
    first = emulator.add_migproject(name="wave-1")
    second = emulator.add_migproject(name="wave-1")
    single = emulator.add_migproject(name="wave-2")
    task = emulator.add_task(name="web-01")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [task["id"]],
                                            "decommission_migration_projects": ["wave-1", "wave-2"]})
    assert run.rc != 0
    result = summary(run)["migration_projects"]
    assert result["ambiguous"] == ["wave-1"] and result["removed"] == [single["id"]] and result["not_found"] == []
    assert "1 migration project name matches more than one project, so none of those was removed" in run.stdout
    assert first["id"] in emulator.migprojects and second["id"] in emulator.migprojects
    project_writes = [entry["path"] for entry in emulator.journal
                      if entry["path"].startswith("/v3/migprojects") and entry["method"] != "GET"]
    assert project_writes == ["/v3/migprojects/%s" % single["id"]]
