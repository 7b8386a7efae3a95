# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sms_server_template``, ``sms_migration_project`` and their ``_info`` modules, with the guarantees of ``sms_task``:
check mode sends only reads, a second run only reads, every outcome is attributed to its record, a bulk deletion of
templates uses at most one batch call per 50 ids, nothing outside the request is touched, the default project and a
project with servers are refused with no DELETE sent, and a template's ``target_password`` is in no output.

Every case is a real ``ansible-playbook`` (or ``ansible``) run against the emulator, with the connection given once
for the collection's action group; what was sent is read from its journal.
"""

from __future__ import annotations

import json

from tests.emulator.sms_emulator import DEFAULT_MIGPROJECT_ID, TEMPLATE_PASSWORD
from tests.integration.harness import TOKEN, token_defaults

BATCH = "/v3/vm/templates/delete"
MISSING = "0b6e2f57-3c4d-4e8a-9f10-000000000000"


def template(**params):
    return {"name": params.pop("_name", "sms_server_template"),
            "hwcloud.sms.sms_server_template": dict(params, state="absent")}


def template_info(**params):
    return {"name": "sms_server_template_info", "hwcloud.sms.sms_server_template_info": params}


def project(**params):
    return {"name": params.pop("_name", "sms_migration_project"),
            "hwcloud.sms.sms_migration_project": dict(params, state="absent")}


def project_info(**params):
    return {"name": "sms_migration_project_info", "hwcloud.sms.sms_migration_project_info": params}


def sent(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.journal]


def changes(emulator):
    return [(method, path) for method, path in sent(emulator) if method != "GET"]


def outcomes(result, key):
    return [(entry["id"], entry["result"]) for entry in result[key]]


# ---- server templates ---------------------------------------------------------------------------------------------

def test_a_template_check_mode_reads_only_then_deleted_then_a_second_run_only_reads(emulator, playbook):
    kept = emulator.add_template(name="keep-me")
    doomed = emulator.add_template(name="web-01-template")
    defaults = token_defaults(emulator)

    preview = playbook([template(template_id=doomed["id"])], defaults=defaults, check=True, diff=True)
    assert preview.status() == "changed", preview.result()
    assert outcomes(preview.result(), "templates") == [(doomed["id"], "would_delete")]
    assert preview.result()["diff"]["after"] == {"id": doomed["id"], "state": "absent"}
    assert changes(emulator) == [] and doomed["id"] in emulator.templates

    emulator.clear_journal()
    real = playbook([template(template_id=doomed["id"])], defaults=defaults)
    assert real.status() == "changed" and outcomes(real.result(), "templates") == [(doomed["id"], "deleted")]
    assert real.result()["template"]["name"] == "web-01-template"
    assert changes(emulator) == [("DELETE", "/v3/vm/templates/" + doomed["id"])]
    assert list(emulator.templates) == [kept["id"]]  # nothing outside the request

    emulator.clear_journal()
    again = playbook([template(template_id=doomed["id"])], defaults=defaults)
    assert again.status() == "ok" and outcomes(again.result(), "templates") == [(doomed["id"], "absent")]
    assert {method for method, _path in sent(emulator)} == {"GET"}


def test_bulk_templates_use_at_most_one_batch_per_50_ids_and_every_outcome_is_attributed(emulator, playbook):
    wave = [emulator.add_template(name="wave-%03d" % number)["id"] for number in range(118)]
    outsider = emulator.add_template(name="not-in-the-wave")
    requested = wave + [MISSING]
    defaults = token_defaults(emulator)

    preview = playbook([template(template_ids=requested)], defaults=defaults, check=True)
    assert [result for _id, result in outcomes(preview.result(), "templates")] == ["would_delete"] * 118 + ["absent"]
    assert changes(emulator) == []

    emulator.clear_journal()
    run = playbook([template(template_ids=requested)], defaults=defaults)
    assert run.status() == "changed", run.result()["msg"]
    assert outcomes(run.result(), "templates") == [(template_id, "deleted") for template_id in wave] + [
        (MISSING, "absent")]
    batches = [entry["body"]["ids"] for entry in emulator.requests("POST", BATCH)]
    assert changes(emulator) == [("POST", BATCH)] * len(batches)
    assert len(batches) <= -(-len(wave) // 50) and all(len(ids) <= 50 for ids in batches)
    assert sorted(sum(batches, [])) == sorted(wave)
    assert list(emulator.templates) == [outsider["id"]]

    emulator.clear_journal()
    again = playbook([template(template_ids=requested)], defaults=defaults)
    assert again.status() == "ok" and {result for _id, result in outcomes(again.result(), "templates")} == {"absent"}
    assert {method for method, _path in sent(emulator)} == {"GET"}


def test_a_template_by_exact_name_ad_hoc(emulator, adhoc):
    near = emulator.add_template(name="web-01-template-old")
    named = emulator.add_template(name="web-01-template")
    args = "name=web-01-template state=absent endpoint=%s auth_token=%s" % (emulator.url, TOKEN)
    preview = adhoc(args, module="hwcloud.sms.sms_server_template", args=["--check"])
    assert preview.rc == 0 and "would_delete" in preview.stdout, preview.stdout + preview.stderr
    assert changes(emulator) == []
    run = adhoc(args, module="hwcloud.sms.sms_server_template")
    assert run.rc == 0, run.stdout + run.stderr
    assert changes(emulator) == [("DELETE", "/v3/vm/templates/" + named["id"])]
    assert list(emulator.templates) == [near["id"]]


def test_the_target_password_is_in_no_output_even_at_vvvv(emulator, playbook):
    """Listed, shown, previewed with a diff, refused, deleted: the password a template holds is never printed."""
    shown = emulator.add_template(name="web-01-template")
    refused = emulator.add_template(name="web-02-template")
    emulator.inject_forbidden(method="DELETE", path="/v3/vm/templates/" + refused["id"])
    run = playbook([
        template_info(),
        template_info(template_id=shown["id"]),
        template_info(name="web-01-template"),
        dict(template(template_id=shown["id"]), check_mode=True, diff=True),
        template(template_id=refused["id"]),
        dict(template(name="web-01-template"), diff=True),
    ], defaults=token_defaults(emulator), args=["-vvvv"], env={"ANSIBLE_DEBUG": "0"})
    assert [run.status(index) for index in range(6)] == ["ok", "ok", "ok", "changed", "failed", "changed"]
    assert len(run.result(0)["templates"]) == 2 and run.result(1)["templates"][0]["id"] == shown["id"]
    assert run.result(4)["error"]["error_code"] == "SMS.9004"
    assert shown["id"] not in emulator.templates and refused["id"] in emulator.templates
    text = run.stdout + run.stderr + json.dumps(run.results)
    assert TEMPLATE_PASSWORD not in text
    assert '"target_password"' not in text  # not even the key (the test's folder name holds the bare words)


# ---- migration projects -------------------------------------------------------------------------------------------

def test_the_default_project_and_one_with_servers_are_refused_with_no_delete_sent(emulator, playbook):
    busy = emulator.add_migproject(name="busy")
    emulator.add_source(name="web-01", migproject=busy["id"])
    empty = emulator.add_migproject(name="empty")
    outsider = emulator.add_migproject(name="not-asked")
    requested = [DEFAULT_MIGPROJECT_ID, busy["id"], empty["id"]]
    defaults = token_defaults(emulator)
    emulator.clear_journal()

    for check in (True, False):
        run = playbook([project(migration_project_ids=requested), project(name="default"),
                        project(migration_project_id=busy["id"])], defaults=defaults, check=check)
        assert [run.status(index) for index in range(3)] == ["failed"] * 3
        listed = run.result(0)
        done = "would_delete" if check else "deleted"
        assert outcomes(listed, "migration_projects") == [
            (DEFAULT_MIGPROJECT_ID, "refused"), (busy["id"], "refused"), (empty["id"], done)]
        assert listed["changed"] is True
        reasons = [entry["msg"] for entry in listed["migration_projects"][:2]]
        assert "default migration project" in reasons[0] and "nothing was sent" in reasons[0]
        assert "still has servers" in reasons[1] and "nothing was sent" in reasons[1]
        assert outcomes(run.result(1), "migration_projects") == [(DEFAULT_MIGPROJECT_ID, "refused")]
        assert run.result(2)["migration_project"]["name"] == "busy"
        assert run.result(1)["changed"] is False and run.result(2)["changed"] is False
        # the refused projects were never sent for deletion; the empty one only in the real run
        assert changes(emulator) == ([] if check else [("DELETE", "/v3/migprojects/" + empty["id"])])
    assert {DEFAULT_MIGPROJECT_ID, busy["id"], outsider["id"]} == set(emulator.migprojects)

    emulator.clear_journal()
    again = playbook([project(migration_project_id=empty["id"])], defaults=defaults)
    assert again.status() == "ok" and outcomes(again.result(), "migration_projects") == [(empty["id"], "absent")]
    assert sent(emulator) == [("GET", "/v3/migprojects/" + empty["id"])]


def test_an_empty_project_by_name_and_what_the_info_module_says(emulator, playbook):
    wave = emulator.add_migproject(name="wave-3", exist_server=True)
    defaults = token_defaults(emulator)
    run = playbook([project_info(), project_info(name="wave-3"), project(name="wave-3", _name="refused")],
                   defaults=defaults)
    listed = {found["id"]: found for found in run.result(0)["migration_projects"]}
    assert list(listed) == [DEFAULT_MIGPROJECT_ID, wave["id"]]
    assert (listed[DEFAULT_MIGPROJECT_ID]["deletable"], listed[wave["id"]]["deletable"]) == (False, False)
    assert "default" in listed[DEFAULT_MIGPROJECT_ID]["deletion_blocker"]
    assert "servers" in listed[wave["id"]]["deletion_blocker"]
    assert [found["id"] for found in run.result(1)["migration_projects"]] == [wave["id"]]
    assert run.status(2) == "failed" and changes(emulator) == []

    emulator.add_migproject(wave["id"], name="wave-3")  # its servers are gone
    emulator.clear_journal()
    run = playbook([project_info(migration_project_id=wave["id"]), project(name="wave-3")], defaults=defaults)
    shown = run.result(0)["migration_projects"][0]
    assert (shown["id"], shown["deletable"], shown["deletion_blocker"]) == (wave["id"], True, None)
    assert run.status(1) == "changed"
    assert outcomes(run.result(1), "migration_projects") == [(wave["id"], "deleted")]
    assert changes(emulator) == [("DELETE", "/v3/migprojects/" + wave["id"])]
    assert set(emulator.migprojects) == {DEFAULT_MIGPROJECT_ID}
