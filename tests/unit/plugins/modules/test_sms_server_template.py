# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sms_server_template and sms_server_template_info as a playbook runs them: their real ``main()`` in-process against
the emulator, each case a promise of their DOCUMENTATION or RETURN, with the requests it may send read from the
emulator's journal. A template's ``target_password`` is in no result, whatever the run did.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_server_template, sms_server_template_info
from tests.emulator.sms_emulator import TEMPLATE_PASSWORD
from tests.unit.plugins.modules.runner import (
    assert_the_documented_options_are_applied,
    printed,
    run_module,
    sent,
    writes,
)
from tests.unit.plugins.modules.test_modules_run_as_scripts import run_script

MISSING = "0b6e2f57-3c4d-4e8a-9f10-000000000000"
BATCH = "/v3/vm/templates/delete"

pytestmark = pytest.mark.usefixtures("no_pauses")


def without_the_password(result):
    assert TEMPLATE_PASSWORD not in json.dumps(result)  # never, whatever the run did
    return result


def run(emu, check=False, diff=False, **args):
    args.setdefault("state", "absent")
    return without_the_password(run_module(sms_server_template, emu, check=check, diff=diff, **args))


def info(emu, **args):
    return without_the_password(run_module(sms_server_template_info, emu, **args))


def results(result):
    return [(entry["id"], entry["result"]) for entry in result["templates"]]


# ---- the documentation is the code's ----------------------------------------------------------------------------

@pytest.mark.parametrize("module", [sms_server_template, sms_server_template_info],
                         ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_each_documented_option_and_default_is_the_one_applied_and_none_shadows_a_connection_option(module, monkeypatch):
    spec = assert_the_documented_options_are_applied(module, monkeypatch)
    assert "force" not in spec  # a template is never busy


# ---- option checks ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, problem", [
    (dict(template_id="a/b"), "template_id may hold only letters, digits, '-' and '_', found '/'"),
    (dict(template_ids=["2bf4344f-8f1f-414e-bb1b-8c2f59ada67f", "a b"]),
     "template_ids[1] may hold only letters, digits, '-' and '_', found ' '"),
    (dict(template_ids=["['t-1'", "'t-2']"]),
     "template_ids[0] is \"['t-1'\", which looks like a piece of a list written as a string"),
    (dict(template_id=""), "template_id must not be empty"),
    (dict(name=" "), "name must not be empty"),
    (dict(template_id="t-1", wait_timeout=-1), "wait_timeout must be 0 or more seconds, got -1"),
    (dict(template_id="t-1", name="web-01-template"), "parameters are mutually exclusive"),
    (dict(state="absent"), "one of the following is required"),
])
def test_unusable_options_fail_before_any_request(emulator, args, problem):
    result = run(emulator, **args)
    assert result["failed"] is True
    assert result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


def test_an_empty_list_of_ids_is_not_an_error_and_sends_nothing(emulator):
    result = run(emulator, template_ids=[])
    assert not result.get("failed")
    assert (result["changed"], result["msg"], result["templates"]) == (False, "template_ids is empty: nothing to delete", [])
    assert emulator.journal == []


# ---- one template ---------------------------------------------------------------------------------------------------

def test_check_mode_reads_only_then_a_real_run_deletes_then_a_second_run_only_reads(emulator):
    template = emulator.add_template(name="web-01-template")
    other = emulator.add_template(name="web-02-template")
    path = "/v3/vm/templates/" + template["id"]

    preview = run(emulator, check=True, diff=True, template_id=template["id"])
    assert not preview.get("failed"), preview["msg"]
    assert (preview["changed"], results(preview)) == (True, [(template["id"], "would_delete")])
    assert preview["msg"] == "SMS server template %s (web-01-template) would be deleted" % template["id"]
    assert preview["diff"] == {
        "before": {"id": template["id"], "name": "web-01-template", "availability_zone": "cn-north-4a",
                   "is_template": "true"},
        "after": {"id": template["id"], "state": "absent"}}
    assert sent(emulator) == [("GET", path)] and template["id"] in emulator.templates

    emulator.clear_journal()
    real = run(emulator, template_id=template["id"])
    assert (real["changed"], results(real)) == (True, [(template["id"], "deleted")])
    assert real["msg"] == "SMS server template %s (web-01-template) deleted" % template["id"]
    # the record as first read, without its secret
    assert real["template"]["id"] == template["id"] and real["template"]["flavor"] == "s6.large.2"
    assert "target_password" not in real["template"]
    assert emulator.sent("method", "path", "status") == [("GET", path, 200), ("DELETE", path, 200), ("GET", path, 404)]
    assert template["id"] not in emulator.templates and other["id"] in emulator.templates  # nothing outside the request

    emulator.clear_journal()
    again = run(emulator, template_id=template["id"])
    assert (again["changed"], results(again), again["template"]) == (False, [(template["id"], "absent")], {})
    assert again["msg"] == "SMS server template %s is already absent" % template["id"]
    assert sent(emulator) == [("GET", path)]


def test_wait_false_says_the_deletion_was_accepted_not_that_the_template_is_gone(emulator):
    template = emulator.add_template(name="web-01-template")
    result = run(emulator, template_id=template["id"], wait=False)
    assert results(result) == [(template["id"], "deleted")]
    assert "accepted by SMS, and not waited for" in result["msg"]
    assert [method for method, _path in sent(emulator)] == ["GET", "DELETE"]


def test_a_template_a_task_still_names_is_sent_and_the_service_decides(emulator):
    """Undocumented: whether SMS deletes a template a task names. The module predicts nothing; it asks and reports."""
    task = emulator.add_task(name="web-01-migration", template_id="5f0e3c1a-6d7b-4c8e-9a0b-1c2d3e4f5a6b")
    template_id = task["vm_template_id"]
    preview = run(emulator, check=True, template_id=template_id)
    assert results(preview) == [(template_id, "would_delete")]
    result = run(emulator, template_id=template_id)
    assert results(result) == [(template_id, "deleted")]
    assert ("DELETE", "/v3/vm/templates/" + template_id) in writes(emulator)
    assert task["id"] in emulator.tasks  # the task is not touched


def test_the_services_refusal_fails_the_template_with_its_error(emulator):
    template = emulator.add_template(name="web-01-template")
    emulator.inject(method="DELETE", path="/v3/vm/templates/" + template["id"], status=400,
                    body={"error_code": "SMS.2216", "error_msg": "The template is in use.", "request_id": None})
    result = run(emulator, template_id=template["id"])
    assert result["failed"] is True and result["changed"] is False
    (entry,) = result["templates"]
    assert entry["result"] == "failed" and entry["error"]["error_code"] == "SMS.2216"
    assert result["error"]["error_code"] == "SMS.2216" and "SMS.2216" in result["msg"]
    assert template["id"] in emulator.templates


def test_a_gateway_404_is_no_absence(emulator):
    template = emulator.add_template(name="web-01-template")
    emulator.inject(method="GET", path="/v3/vm/templates/" + template["id"], status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published",
                          "request_id": None})
    result = run(emulator, template_id=template["id"])
    assert result["failed"] is True and result["changed"] is False
    assert results(result) == [(template["id"], "not_attempted")]
    assert writes(emulator) == [] and template["id"] in emulator.templates


# ---- by name -----------------------------------------------------------------------------------------------------

def test_a_name_is_listed_compared_exactly_and_only_its_template_deleted(emulator):
    near = [emulator.add_template(name="web-01-template-old"), emulator.add_template(name="WEB-01-TEMPLATE")]
    template = emulator.add_template(name="web-01-template")
    result = run(emulator, name="web-01-template")
    assert results(result) == [(template["id"], "deleted")]
    assert result["template"]["id"] == template["id"] and "target_password" not in result["template"]
    listing = [entry for entry in emulator.journal if entry["path"] == "/v3/vm/templates"]
    assert [entry["query"].get("name") for entry in listing] == ["web-01-template"]
    assert writes(emulator) == [("DELETE", "/v3/vm/templates/" + template["id"])]
    assert all(other["id"] in emulator.templates for other in near)


@pytest.mark.parametrize("check", [False, True])
def test_a_name_several_templates_have_deletes_nothing_and_lists_them(emulator, check):
    first = emulator.add_template(name="twin")
    second = emulator.add_template(name="twin")
    result = run(emulator, check=check, name="twin")
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == "2 SMS server templates are named 'twin', so none was deleted; name one by template_id: " \
                            "%s, %s" % (first["id"], second["id"])
    assert result["template_ids"] == [first["id"], second["id"]]
    assert writes(emulator) == [] and len(emulator.templates) == 2


def test_a_name_no_visible_template_has_is_not_called_absent(emulator):
    emulator.add_template(name="hidden-template", hidden=True)  # GET finds it, listings do not show it
    result = run(emulator, name="hidden-template")
    assert not result.get("failed")
    assert (result["changed"], result["templates"], result["template"]) == (False, [], {})
    assert "is visible to these credentials" in result["msg"] and "absent" not in result["msg"]
    assert writes(emulator) == []


# ---- many templates --------------------------------------------------------------------------------------------------

def test_bulk_uses_at_most_one_batch_per_50_ids_and_attributes_every_outcome(emulator):
    wave = [emulator.add_template(name="wave-%03d" % number)["id"] for number in range(120)]
    outsider = emulator.add_template(name="not-in-the-wave")
    requested = wave + [MISSING]

    preview = run(emulator, check=True, template_ids=requested)
    assert [result for _id, result in results(preview)] == ["would_delete"] * 120 + ["absent"]
    assert writes(emulator) == [] and len(emulator.templates) == 121

    emulator.clear_journal()
    result = run(emulator, template_ids=requested)
    assert not result.get("failed"), result["msg"]
    assert results(result) == [(template_id, "deleted") for template_id in wave] + [(MISSING, "absent")]
    assert result["msg"] == "121 SMS server templates: 1 absent, 120 deleted"
    batches = [entry["body"]["ids"] for entry in emulator.requests("POST", BATCH)]
    assert writes(emulator) == [("POST", BATCH)] * len(batches)
    assert len(batches) <= -(-120 // 50) and all(len(ids) <= 50 for ids in batches)
    assert sorted(sum(batches, [])) == sorted(wave)  # the absent id is never sent
    assert list(emulator.templates) == [outsider["id"]]


def test_a_refused_batch_falls_back_to_one_deletion_per_template(emulator):
    wave = [emulator.add_template(name="wave-%d" % number)["id"] for number in range(4)]
    emulator.inject_forbidden(method="POST", path=BATCH)
    emulator.inject(method="DELETE", path="/v3/vm/templates/" + wave[2], status=400,
                    body={"error_code": "SMS.2216", "error_msg": "The template is in use.", "request_id": None})
    result = run(emulator, template_ids=wave)
    assert result["failed"] is True and result["changed"] is True
    assert results(result) == [(wave[0], "deleted"), (wave[1], "deleted"), (wave[2], "failed"), (wave[3], "deleted")]
    assert result["templates"][2]["error"]["error_code"] == "SMS.2216"
    assert result["msg"].startswith("Could not delete 1 of 4 SMS server templates (3 deleted, 1 failed): " + wave[2])
    assert writes(emulator) == [("POST", BATCH)] + [("DELETE", "/v3/vm/templates/" + template_id)
                                                    for template_id in wave]
    assert list(emulator.templates) == [wave[2]]


# ---- sms_server_template_info ------------------------------------------------------------------------------------------

def test_info_lists_every_page_with_reads_only_and_never_a_password(emulator):
    ids = [emulator.add_template(name="t-%03d" % number)["id"] for number in range(120)]
    result = info(emulator, _ansible_check_mode=True)
    assert result["changed"] is False
    assert [template["id"] for template in result["templates"]] == ids
    assert not any("target_password" in template for template in result["templates"])
    assert [(entry["method"], entry["path"], entry["query"]) for entry in emulator.journal] == [
        ("GET", "/v3/vm/templates", {"limit": "50", "offset": str(offset)}) for offset in (0, 50, 100)]


def test_info_compares_the_name_exactly_and_checks_the_zone_again(emulator):
    emulator.ignored_filters = {"name", "availability_zone"}  # a gateway that drops the filters
    wanted = emulator.add_template(name="web-01-template", availability_zone="cn-north-4b")
    emulator.add_template(name="web-01-template", availability_zone="cn-north-4a")
    emulator.add_template(name="web-01-template-old", availability_zone="cn-north-4b")
    result = info(emulator, name="web-01-template", availability_zone="cn-north-4b")
    assert [template["id"] for template in result["templates"]] == [wanted["id"]]
    assert [entry["query"] for entry in emulator.journal] == [
        {"name": "web-01-template", "availability_zone": "cn-north-4b", "limit": "50", "offset": "0"}]


def test_info_shows_one_template_and_an_unknown_id_gives_an_empty_list(emulator):
    template = emulator.add_template(name="web-01-template")
    shown = info(emulator, template_id=template["id"])
    assert [found["id"] for found in shown["templates"]] == [template["id"]]
    assert "target_password" not in shown["templates"][0] and shown["templates"][0]["vpc"]["name"] == "vpc-migration"
    missing = info(emulator, template_id=MISSING)
    assert missing["templates"] == [] and not missing.get("failed")
    assert emulator.sent("method", "path", "status") == [
        ("GET", "/v3/vm/templates/" + template["id"], 200), ("GET", "/v3/vm/templates/" + MISSING, 404)]


@pytest.mark.parametrize("args, problem", [
    (dict(template_id="a/b"), "template_id may hold only letters, digits, '-' and '_', found '/'"),
    (dict(template_id="t-1", name="x"), "parameters are mutually exclusive"),
    (dict(template_id="t-1", availability_zone="cn-north-4a"), "parameters are mutually exclusive"),
])
def test_info_refuses_unusable_options_before_any_request(emulator, args, problem):
    result = info(emulator, **args)
    assert result["failed"] is True and result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


def test_info_fails_on_an_api_error_with_an_empty_list(emulator):
    emulator.inject_forbidden(method="GET", path="/v3/vm/templates")
    result = info(emulator)
    assert result["failed"] is True and result["templates"] == []
    assert result["error"]["error_code"] == "SMS.9004"


# ---- the secret in answers that are no page or no JSON ------------------------------------------------------------

SECRET_FIRST = {"target_password": TEMPLATE_PASSWORD, "name": "web-01-template"}


@pytest.mark.parametrize("case", ["a page whose item has no id", "a truncated answer to GET one"])
def test_an_answer_that_cannot_be_used_is_quoted_without_the_secret(emulator, case):
    template = emulator.add_template(name="web-01-template")
    if case == "a page whose item has no id":
        emulator.inject(method="GET", path="/v3/vm/templates",
                        raw=json.dumps({"count": 1, "templates": [SECRET_FIRST]}).encode("utf-8"))
        text = printed(sms_server_template_info, emulator)
    else:
        whole = json.dumps({"template": dict(SECRET_FIRST, id=template["id"])})
        emulator.inject(method="GET", path="/v3/vm/templates/" + template["id"], raw=whole[:90].encode("utf-8"))
        text = printed(sms_server_template, emulator, template_id=template["id"], state="absent")
    result = json.loads(text)
    assert result["failed"] is True
    assert TEMPLATE_PASSWORD not in text


# ---- as Ansible ships it -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("module, args", [
    (sms_server_template, dict(state="absent", _ansible_check_mode=True)),
    (sms_server_template_info, dict()),
], ids=["sms_server_template", "sms_server_template_info"])
def test_each_module_runs_as_a_script_from_a_fresh_copy(emulator, tmp_path, module, args):
    """As Ansible's guide to debugging modules runs one: the result on stdout, nothing on stderr."""
    template = emulator.add_template(name="web-01-template")
    code, out, err = run_script(module, emulator, tmp_path, template_id=template["id"], **args)
    assert (code, err) == (0, ""), err
    assert TEMPLATE_PASSWORD not in out
    assert [entry["id"] for entry in json.loads(out)["templates"]] == [template["id"]]
    assert template["id"] in emulator.templates
