# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sms_migration_project and sms_migration_project_info as a playbook runs them: their real ``main()`` in-process
against the emulator, each case a promise of their DOCUMENTATION or RETURN, with the requests it may send read from the
emulator's journal. The default project and a project with servers are refused from their own fields before any write,
in check mode too.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_migration_project, sms_migration_project_info
from tests.conftest import PROJECT_ID
from tests.emulator.sms_emulator import DEFAULT_MIGPROJECT_ID
from tests.unit.plugins.modules.runner import (
    assert_the_documented_options_are_applied,
    run_module,
    sent,
    writes,
)
from tests.unit.plugins.modules.test_modules_run_as_scripts import run_script

MISSING = "0b6e2f57-3c4d-4e8a-9f10-000000000000"
DEFAULT_REASON = "it is the default migration project, which SMS never deletes"
SERVERS_REASON = ("it still has servers (exist_server), and SMS deletes only empty projects: remove its source servers "
                  "first")

pytestmark = pytest.mark.usefixtures("no_pauses")


def run(emu, check=False, diff=False, **args):
    args.setdefault("state", "absent")
    return run_module(sms_migration_project, emu, check=check, diff=diff, **args)


def info(emu, **args):
    return run_module(sms_migration_project_info, emu, **args)


def results(result):
    return [(entry["id"], entry["result"]) for entry in result["migration_projects"]]


def path(project_id):
    return "/v3/migprojects/" + project_id


# ---- the documentation is the code's ----------------------------------------------------------------------------

@pytest.mark.parametrize("module", [sms_migration_project, sms_migration_project_info],
                         ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_each_documented_option_and_default_is_the_one_applied_and_none_shadows_a_connection_option(module, monkeypatch):
    """project_id is the connection option naming the IAM project: the migration project's option must not take
    its place (it would lose its environment variable, and a module_defaults project_id would name a project to
    delete)."""
    spec = assert_the_documented_options_are_applied(module, monkeypatch)
    assert "force" not in spec  # nothing forces a project's deletion


def test_the_connection_project_id_is_not_a_project_to_delete(emulator):
    """The IAM project id given beside the migration project's id: only the migration project is deleted."""
    project = emulator.add_migproject(name="wave-1")
    result = run(emulator, migration_project_id=project["id"], project_id=PROJECT_ID)
    assert results(result) == [(project["id"], "deleted")]
    assert writes(emulator) == [("DELETE", path(project["id"]))]
    assert not any(PROJECT_ID in request_path for _method, request_path in sent(emulator))


# ---- option checks ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, problem", [
    (dict(migration_project_id="a/b"), "migration_project_id may hold only letters, digits, '-' and '_', found '/'"),
    (dict(migration_project_ids=["p-1", "../x"]), "migration_project_ids[1] may hold only letters, digits"),
    (dict(migration_project_id=""), "migration_project_id must not be empty"),
    (dict(name="\t"), "name must not be empty"),
    (dict(migration_project_id="p-1", wait_timeout=-5), "wait_timeout must be 0 or more seconds, got -5"),
    (dict(migration_project_id="p-1", name="wave-1"), "parameters are mutually exclusive"),
    (dict(), "one of the following is required"),
])
def test_unusable_options_fail_before_any_request(emulator, args, problem):
    result = run(emulator, **args)
    assert result["failed"] is True
    assert result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


def test_an_empty_list_of_ids_is_not_an_error_and_sends_nothing(emulator):
    result = run(emulator, migration_project_ids=[])
    assert (result["changed"], result["migration_projects"]) == (False, [])
    assert result["msg"] == "migration_project_ids is empty: nothing to delete"
    assert emulator.journal == []


# ---- one project ------------------------------------------------------------------------------------------------------

def test_check_mode_reads_only_then_a_real_run_deletes_then_a_second_run_only_reads(emulator):
    project = emulator.add_migproject(name="wave-1")
    other = emulator.add_migproject(name="wave-2")

    preview = run(emulator, check=True, diff=True, migration_project_id=project["id"])
    assert (preview["changed"], results(preview)) == (True, [(project["id"], "would_delete")])
    assert preview["diff"] == {
        "before": {"id": project["id"], "name": "wave-1", "isdefault": False, "exist_server": False},
        "after": {"id": project["id"], "state": "absent"}}
    assert sent(emulator) == [("GET", path(project["id"]))]

    emulator.clear_journal()
    real = run(emulator, migration_project_id=project["id"])
    assert (real["changed"], results(real)) == (True, [(project["id"], "deleted")])
    assert real["msg"] == "SMS migration project %s (wave-1) deleted" % project["id"]
    # the service's GET-one body has no id: the result names the project all the same
    assert (real["migration_project"]["id"], real["migration_project"]["name"]) == (project["id"], "wave-1")
    assert emulator.sent("method", "path", "status") == [
        ("GET", path(project["id"]), 200), ("DELETE", path(project["id"]), 200), ("GET", path(project["id"]), 404)]
    assert project["id"] not in emulator.migprojects
    assert {other["id"], DEFAULT_MIGPROJECT_ID} == set(emulator.migprojects)  # nothing outside the request

    emulator.clear_journal()
    again = run(emulator, migration_project_id=project["id"])
    assert (again["changed"], results(again), again["migration_project"]) == (False, [(project["id"], "absent")], {})
    assert sent(emulator) == [("GET", path(project["id"]))]


@pytest.mark.parametrize("check", [True, False])
def test_the_default_project_is_refused_before_any_write(emulator, check):
    result = run(emulator, check=check, diff=True, migration_project_id=DEFAULT_MIGPROJECT_ID)
    assert result["failed"] is True and result["changed"] is False
    assert results(result) == [(DEFAULT_MIGPROJECT_ID, "refused")]
    assert result["msg"] == "SMS migration project %s (default) cannot be deleted: %s; nothing was sent" % (
        DEFAULT_MIGPROJECT_ID, DEFAULT_REASON)
    assert result["diff"]["after"] == result["diff"]["before"]  # it stays
    assert sent(emulator) == [("GET", path(DEFAULT_MIGPROJECT_ID))]
    assert DEFAULT_MIGPROJECT_ID in emulator.migprojects


@pytest.mark.parametrize("check", [True, False])
@pytest.mark.parametrize("how", ["exist_server", "a source in it"])
def test_a_project_with_servers_is_refused_before_any_write(emulator, check, how):
    if how == "exist_server":
        project = emulator.add_migproject(name="busy", exist_server=True)
    else:
        project = emulator.add_migproject(name="busy")
        emulator.add_source(name="web-01", migproject=project["id"])
    emulator.clear_journal()
    result = run(emulator, check=check, migration_project_id=project["id"])
    assert result["failed"] is True and result["changed"] is False
    (entry,) = result["migration_projects"]
    assert (entry["result"], entry["name"]) == ("refused", "busy")
    assert entry["msg"] == "SMS migration project %s (busy) cannot be deleted: %s; nothing was sent" % (
        project["id"], SERVERS_REASON)
    assert writes(emulator) == [] and project["id"] in emulator.migprojects


def test_the_services_own_refusal_is_reported_with_its_error(emulator):
    """Servers may arrive between the read and the deletion: the service's answer is reported as it came."""
    project = emulator.add_migproject(name="wave-1")
    emulator.inject(method="DELETE", path=path(project["id"]), status=400,
                    body={"error_code": "SMS.1805", "error_msg": "The migration project still has servers.",
                          "request_id": None})
    result = run(emulator, migration_project_id=project["id"])
    assert result["failed"] is True and result["changed"] is False
    (entry,) = result["migration_projects"]
    assert entry["result"] == "failed" and entry["error"]["error_code"] == "SMS.1805"
    assert project["id"] in emulator.migprojects


# ---- by name -----------------------------------------------------------------------------------------------------

def test_a_name_is_compared_exactly_in_a_listing_of_every_project(emulator):
    near = emulator.add_migproject(name="wave-1-old")
    project = emulator.add_migproject(name="wave-1")
    result = run(emulator, name="wave-1")
    assert results(result) == [(project["id"], "deleted")]
    listing = [entry for entry in emulator.journal if entry["path"] == "/v3/migprojects"]
    assert [entry["query"] for entry in listing] == [{"limit": "50", "offset": "0"}]  # the service has no filter
    assert writes(emulator) == [("DELETE", path(project["id"]))] and near["id"] in emulator.migprojects


def test_the_default_project_by_name_is_refused_too(emulator):
    result = run(emulator, check=True, name="default")
    assert result["failed"] is True and results(result) == [(DEFAULT_MIGPROJECT_ID, "refused")]
    assert writes(emulator) == []


@pytest.mark.parametrize("check", [False, True])
def test_a_name_several_projects_have_deletes_nothing_and_lists_them(emulator, check):
    first = emulator.add_migproject(name="twin")
    second = emulator.add_migproject(name="twin")
    result = run(emulator, check=check, name="twin")
    assert result["failed"] is True and result["changed"] is False
    assert result["migration_project_ids"] == [first["id"], second["id"]]
    assert "name one by migration_project_id" in result["msg"]
    assert writes(emulator) == [] and len(emulator.migprojects) == 3


def test_a_name_no_visible_project_has_is_not_called_absent(emulator):
    emulator.add_migproject(name="hidden", hidden=True)
    result = run(emulator, name="hidden")
    assert (result["changed"], result["migration_projects"]) == (False, [])
    assert "is visible to these credentials" in result["msg"] and "absent" not in result["msg"]
    assert writes(emulator) == []


# ---- many projects --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check", [True, False])
def test_many_projects_each_outcome_attributed_refusals_never_sent_and_no_batch(emulator, check):
    busy = emulator.add_migproject(name="busy", exist_server=True)
    empty = [emulator.add_migproject(name="empty-%d" % number)["id"] for number in range(3)]
    outsider = emulator.add_migproject(name="not-asked")
    requested = [DEFAULT_MIGPROJECT_ID, busy["id"]] + empty + [MISSING]
    result = run(emulator, check=check, migration_project_ids=requested)
    assert result["failed"] is True
    done = "would_delete" if check else "deleted"
    assert results(result) == [(DEFAULT_MIGPROJECT_ID, "refused"), (busy["id"], "refused")] + [
        (project_id, done) for project_id in empty] + [(MISSING, "absent")]
    assert result["msg"].startswith("Could not delete 2 of 6 SMS migration projects")
    assert DEFAULT_REASON in result["msg"] and SERVERS_REASON in result["msg"]
    assert result["changed"] is True  # the empty ones are (or would be) deleted
    # the projects are found in one listing; the absent one is read on its own
    assert [request for request in sent(emulator) if request[0] == "GET"][:2] == [
        ("GET", "/v3/migprojects"), ("GET", path(MISSING))]
    assert writes(emulator) == ([] if check else [("DELETE", path(project_id)) for project_id in empty])
    assert not any(method == "POST" for method, _path in sent(emulator))  # projects have no batch deletion
    assert {DEFAULT_MIGPROJECT_ID, busy["id"], outsider["id"]} <= set(emulator.migprojects)


# ---- sms_migration_project_info ----------------------------------------------------------------------------------------

def test_info_lists_every_page_with_deletable_and_the_reason(emulator):
    busy = emulator.add_migproject(name="busy")
    emulator.add_source(name="web-01", migproject=busy["id"])
    ids = [emulator.add_migproject(name="p-%02d" % number)["id"] for number in range(60)]
    emulator.clear_journal()
    result = info(emulator, _ansible_check_mode=True)
    assert result["changed"] is False
    found = {project["id"]: project for project in result["migration_projects"]}
    assert list(found) == [DEFAULT_MIGPROJECT_ID, busy["id"]] + ids
    assert (found[DEFAULT_MIGPROJECT_ID]["deletable"], found[DEFAULT_MIGPROJECT_ID]["deletion_blocker"]) == (
        False, DEFAULT_REASON)
    assert (found[busy["id"]]["deletable"], found[busy["id"]]["deletion_blocker"]) == (False, SERVERS_REASON)
    assert all((found[project_id]["deletable"], found[project_id]["deletion_blocker"]) == (True, None)
               for project_id in ids)
    assert [(entry["method"], entry["path"], entry["query"]) for entry in emulator.journal] == [
        ("GET", "/v3/migprojects", {"limit": "50", "offset": "0"}),
        ("GET", "/v3/migprojects", {"limit": "50", "offset": "50"})]


def test_info_by_name_is_exact_and_by_id_shows_one_with_its_id(emulator):
    project = emulator.add_migproject(name="wave-1", description="first wave")
    emulator.add_migproject(name="wave-10")
    named = info(emulator, name="wave-1")
    assert [found["id"] for found in named["migration_projects"]] == [project["id"]]
    shown = info(emulator, migration_project_id=project["id"])
    (one,) = shown["migration_projects"]
    assert (one["id"], one["description"], one["deletable"], one["deletion_blocker"]) == (
        project["id"], "first wave", True, None)
    missing = info(emulator, migration_project_id=MISSING)
    assert missing["migration_projects"] == [] and not missing.get("failed")
    assert emulator.sent("method", "path", "status") == [
        ("GET", "/v3/migprojects", 200), ("GET", path(project["id"]), 200), ("GET", path(MISSING), 404)]


@pytest.mark.parametrize("args, problem", [
    (dict(migration_project_id="a b"), "migration_project_id may hold only letters, digits, '-' and '_', found ' '"),
    (dict(migration_project_id="p-1", name="wave-1"), "parameters are mutually exclusive"),
])
def test_info_refuses_unusable_options_before_any_request(emulator, args, problem):
    result = info(emulator, **args)
    assert result["failed"] is True and result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


def test_info_fails_on_an_api_error_with_an_empty_list(emulator):
    emulator.inject_forbidden(method="GET", path="/v3/migprojects")
    result = info(emulator)
    assert result["failed"] is True and result["migration_projects"] == []
    assert result["error"]["error_code"] == "SMS.9004"


# ---- as Ansible ships it -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("module, args", [
    (sms_migration_project, dict(state="absent", _ansible_check_mode=True)),
    (sms_migration_project_info, dict()),
], ids=["sms_migration_project", "sms_migration_project_info"])
def test_each_module_runs_as_a_script_from_a_fresh_copy(emulator, tmp_path, module, args):
    """As Ansible's guide to debugging modules runs one: the result on stdout, nothing on stderr."""
    project = emulator.add_migproject(name="wave-1")
    code, out, err = run_script(module, emulator, tmp_path, migration_project_id=project["id"], **args)
    assert (code, err) == (0, ""), err
    assert [entry["id"] for entry in json.loads(out)["migration_projects"]] == [project["id"]]
    assert project["id"] in emulator.migprojects
