# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX as code, without a controller: awx/survey.json against AWX's survey-spec rules and the decommission role's
argument specs, awx/configure.yml's module calls (rendered by ansible-playbook with awx/controller_config.yml)
against the argument specs of the awx.awx modules they call, awx/sms_source.yml against the inventory plugin, and
survey answers, as AWX puts them in a job's extra variables, through playbooks/decommission.yml under
ansible-runner against the emulator.

awx.awx is not a dependency of the collection: the tests take it from the ``ansible`` package, pinned below,
downloaded once with pip and unpacked under build/ (``awx_collections``)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean

from tests.integration.harness import AK, BIN, REGION, ROOT, SK, TOKEN, base_env, run_ansible
from tests.integration.test_awx import credential_inputs, load_credential_type, render_injectors, run_job, summary_of

# The ansible package that ships awx.awx (24.6.1 in this release): only these tests use it.
ANSIBLE_PACKAGE, ANSIBLE_VERSION, AWX_VERSION = "ansible", "12.3.0", "24.6.1"
AWX_CACHE = ROOT / "build" / "awx-collections"
AWX_DIR = ROOT / "awx"
SURVEY = AWX_DIR / "survey.json"
CONFIGURE = AWX_DIR / "configure.yml"
CONFIG = AWX_DIR / "controller_config.yml"
INVENTORY_SOURCE = AWX_DIR / "sms_source.yml"
ROLE_SPECS = ROOT / "roles" / "decommission" / "meta" / "argument_specs.yml"
ROLE_TASKS = ROOT / "roles" / "decommission" / "tasks" / "main.yml"

# AWX's survey-spec rules (JobTemplateSurveySpec: the question types and the Python type of each one's default)
SURVEY_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
                "integer": int, "float": (float, int)}
# which role option type a question of each type can feed (a multiple choice of true/false feeds a bool)
COMPATIBLE = {"text": {"raw", "str"}, "textarea": {"raw", "str"}, "integer": {"int"}, "multiselect": {"raw", "list"}}
# the task of configure.yml for each list of controller_config.yml (infra.aap_configuration's names), in order
LISTS = [("controller_credential_types", "credential_type"), ("controller_credentials", "credential"),
         ("controller_execution_environments", "execution_environment"), ("controller_projects", "project"),
         ("controller_inventories", "inventory"), ("controller_inventory_sources", "inventory_source"),
         ("controller_templates", "job_template")]
# what an operator passes to configure.yml (dummies: no secret of anyone's)
OPERATOR_VARS = {"hwcloud_sms_region": REGION, "hwcloud_sms_access_key": AK, "hwcloud_sms_secret_key": SK,
                 "hwcloud_sms_ee_image": "registry.example.com/hwcloud-sms-ee:1.0.0"}
# an echo module standing in for each awx.awx module: it records its arguments where AWX_STUB_RECORD says
STUB_MODULE = """#!/usr/bin/python
# WANT_JSON
import json, os, sys
with open(sys.argv[1]) as handle:
    args = json.load(handle)
args = {key: value for key, value in args.items() if not key.startswith("_ansible_")}
with open(os.environ["AWX_STUB_RECORD"], "a") as record:
    record.write(json.dumps({"module": %r, "args": args}) + "\\n")
print(json.dumps({"changed": False}))
"""
# prints the argument spec of each awx.awx module named, as the module builds it (ControllerAPIModule is stopped
# before it reads any argument or connects), with the connection options every module adds
ARGSPEC_SCRIPT = """
import importlib, json, sys
from ansible_collections.awx.awx.plugins.module_utils import controller_api

class Captured(Exception):
    pass

def capture(self, argument_spec=None, **kwargs):
    raise Captured(argument_spec, kwargs)

controller_api.ControllerAPIModule.__init__ = capture
specs = {}
for name in sys.argv[1:]:
    module = importlib.import_module("ansible_collections.awx.awx.plugins.modules." + name)
    try:
        module.main()
    except Captured as captured:
        spec = dict(controller_api.ControllerModule.AUTH_ARGSPEC, **captured.args[0])
        spec = {key: {k: v for k, v in option.items() if k != "fallback"} for key, option in spec.items()}
        rules = {k: v for k, v in captured.args[1].items()
                 if k in ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")}
        specs[name] = {"argument_spec": spec, "rules": rules}
    else:
        raise SystemExit("%s: no ControllerAPIModule was created" % name)
print(json.dumps(specs))
"""


# ---------------------------------------------------------------------------
# awx.awx from the ansible package, cached under build/
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def awx_collections():
    """A collections directory holding awx.awx, unpacked from the pinned ansible wheel (downloaded by pip once)."""
    target = AWX_CACHE / ("ansible-" + ANSIBLE_VERSION)
    manifest = target / "ansible_collections" / "awx" / "awx" / "MANIFEST.json"
    AWX_CACHE.mkdir(parents=True, exist_ok=True)
    with open(AWX_CACHE / ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one test worker installs, the others wait for it
        if not manifest.exists():
            wheels = AWX_CACHE / "wheels"
            subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
                            "--no-deps", "--only-binary", ":all:", "--dest", str(wheels),
                            "%s==%s" % (ANSIBLE_PACKAGE, ANSIBLE_VERSION)], check=True)
            wheel, = wheels.glob("ansible-%s-*.whl" % ANSIBLE_VERSION)
            partial = AWX_CACHE / "partial"
            shutil.rmtree(partial, ignore_errors=True)
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(partial, [name for name in archive.namelist()
                                             if name.startswith("ansible_collections/awx/awx/")])
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
            shutil.rmtree(wheels)  # only awx.awx is kept of the package
    assert json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"] == AWX_VERSION
    return target


@pytest.fixture(scope="session")
def awx_specs(awx_collections):
    """{module: {"argument_spec": ..., "rules": ...}} of the awx.awx modules configure.yml calls."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(awx_collections)
    out = subprocess.run([sys.executable, "-c", ARGSPEC_SCRIPT] + [module for _name, module in LISTS], env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def stub_collections(awx_collections, tmp_path):
    """awx.awx as shipped (its meta/runtime.yml, so its action group too), each module replaced by an echo."""
    stub = tmp_path / "stub-collections"
    shutil.copytree(awx_collections / "ansible_collections" / "awx" / "awx", stub / "ansible_collections" / "awx" / "awx")
    modules = stub / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    for _name, module in LISTS:
        (modules / (module + ".py")).write_text(STUB_MODULE % module, encoding="utf-8")
    return stub


def configure(awx_collections, tmp_path, extra=None, variables=None):
    """ansible-playbook awx/configure.yml -e @awx/controller_config.yml with stub modules: (run, calls)."""
    record = tmp_path / "calls.jsonl"
    if record.exists():
        record.unlink()
    variables = dict(OPERATOR_VARS if variables is None else variables, **(extra or {}))
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", str(CONFIGURE), "-e", "@" + str(CONFIG),
           "-e", json.dumps(variables)]
    run = run_ansible(cmd, tmp_path, {"ANSIBLE_COLLECTIONS_PATH": str(stub_collections(awx_collections, tmp_path)),
                                      "AWX_STUB_RECORD": str(record)})
    calls = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()] if record.exists() else []
    return run, calls


def load_config():
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def load_survey():
    return json.loads(SURVEY.read_text(encoding="utf-8"))


def role_options():
    return yaml.safe_load(ROLE_SPECS.read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]


def task_states():
    """The task states the role accepts in decommission_allowed_states (its own list, in tasks/main.yml)."""
    for task in yaml.safe_load(ROLE_TASKS.read_text(encoding="utf-8")):
        states = task.get("vars", {}).get("decommission_task_states")
        if states:
            return states
    raise AssertionError("decommission_task_states not found in the role's tasks")


def choices_of(question):
    choices = question["choices"]
    return [line for line in choices.splitlines() if line.strip()] if isinstance(choices, str) else list(choices)


def awx_extra_vars(survey, answers):
    """The extra variables AWX gives a job launched with these survey answers, after AWX's checks of each answer.

    As AWX's survey mix-in: a question left unanswered takes its default when the default passes the question's
    checks; a required question must end with an answer; multiple choice answers are one of the choices (a string),
    multiselect answers a list of choices, integers within min and max, text within min and max characters.
    """
    extra = {}
    for question in survey["spec"]:
        variable, kind = question["variable"], question["type"]
        if variable in answers:
            value = answers[variable]
        elif question.get("default") not in (None, "") or kind in ("text", "textarea"):
            value = question.get("default", "")
        else:
            assert not question["required"], "%s is required" % variable
            continue
        if kind in ("text", "textarea", "password"):
            assert isinstance(value, str)
            if value:
                assert question.get("min") is None or len(value) >= question["min"]
                assert question.get("max") is None or len(value) <= question["max"]
            elif question["required"]:
                raise AssertionError("%s is required" % variable)
        elif kind == "multiplechoice":
            assert value in choices_of(question), (variable, value)
        elif kind == "multiselect":
            value = value.splitlines() if isinstance(value, str) else value
            assert isinstance(value, list) and set(value) <= set(choices_of(question)), (variable, value)
            if not value:
                continue
        elif kind == "integer":
            assert isinstance(value, int) and not isinstance(value, bool)
            assert question.get("min") is None or value >= question["min"]
            assert question.get("max") is None or value <= question["max"]
        extra[variable] = value
    return extra


# ---------------------------------------------------------------------------
# the survey
# ---------------------------------------------------------------------------

def test_survey_follows_awx_survey_spec_rules():
    survey = load_survey()
    assert isinstance(survey["name"], str) and isinstance(survey["description"], str)
    assert isinstance(survey["spec"], list) and survey["spec"]
    variables = [question["variable"] for question in survey["spec"]]
    assert len(variables) == len(set(variables)), "a variable asked twice"
    for question in survey["spec"]:
        name = question["variable"]
        for key in ("type", "question_name", "variable"):
            assert isinstance(question[key], str) and question[key], (name, key)
        assert isinstance(question["required"], bool), name
        assert question["type"] in SURVEY_TYPES, name
        default = question.get("default", "")
        if default != "":
            assert isinstance(default, SURVEY_TYPES[question["type"]]) and not isinstance(default, bool), name
        for key in ("min", "max"):
            assert question.get(key) is None or (isinstance(question[key], int) and not isinstance(question[key], bool))
        if question.get("min") is not None and question.get("max") is not None:
            assert question["min"] <= question["max"], name
        if question["type"] in ("multiplechoice", "multiselect"):
            choices = choices_of(question)
            assert choices and len(choices) == len(set(choices)), name
            defaults = default.splitlines() if isinstance(default, str) else default
            assert set(defaults) <= set(choices), name
            if question["type"] == "multiplechoice":
                assert len(defaults) <= 1, name
        if question["type"] == "integer" and default != "":
            assert question.get("min", default) <= default <= question.get("max", default), name
        if question["required"] and question["type"] != "password":
            # a required question with a default launches without an answer, as the role's default would
            assert default != "", name


def test_survey_questions_are_role_variables_of_compatible_types():
    survey, options, states = load_survey(), role_options(), task_states()
    asked = {question["variable"]: question for question in survey["spec"]}
    assert set(asked) == {
        "decommission_task_ids", "decommission_task_names", "decommission_source_server_ids", "decommission_force",
        "decommission_allowed_states", "decommission_wait_timeout", "decommission_remove_source_servers",
        "decommission_clear_snapshots", "decommission_remove_templates", "decommission_migration_projects"}
    for variable, question in asked.items():
        assert variable in options, "%s is not a variable of the role" % variable
        option, kind = options[variable], question["type"]
        if kind == "multiplechoice" and set(choices_of(question)) == {"true", "false"}:
            assert option["type"] == "bool", variable
            # the role's argument validation turns the answer into the bool it stands for
            assert boolean(question["default"]) is option["default"], variable
        else:
            assert option.get("type", "str") in COMPATIBLE[kind], (variable, kind, option.get("type"))
        if kind == "multiselect":
            assert set(choices_of(question)) == set(states), variable  # every state, and only states
            assert question.get("default", "") == "" and option["default"] == []
        if kind == "integer":
            assert question["default"] == option["default"], variable
            assert question["min"] >= 1  # a timeout of 0 would wait for nothing
        if kind in ("text", "textarea"):
            assert question.get("default", "") == "" and option["default"] == [], variable
    # the role needs one of these named: none of them may be required on its own
    for variable in ("decommission_task_ids", "decommission_task_names", "decommission_source_server_ids",
                     "decommission_migration_projects"):
        assert asked[variable]["required"] is False


def test_survey_defaults_pass_the_role_argument_spec():
    """What AWX passes when only the task ids are answered: the role's argument validation accepts it."""
    extra = awx_extra_vars(load_survey(), {"decommission_task_ids": "a\nb"})
    assert extra["decommission_force"] == "false" and extra["decommission_wait_timeout"] == 300
    assert "decommission_allowed_states" not in extra  # nothing selected: no variable, the role's default
    options = role_options()
    spec = {name: {key: value for key, value in option.items() if key in ("type", "default", "elements", "choices")}
            for name, option in options.items()}
    result = ArgumentSpecValidator(spec).validate(extra)
    assert not result.error_messages, result.error_messages
    assert result.validated_parameters["decommission_force"] is False
    assert result.validated_parameters["decommission_remove_source_servers"] is False
    assert result.validated_parameters["decommission_wait_timeout"] == 300


# ---------------------------------------------------------------------------
# configure.yml and controller_config.yml
# ---------------------------------------------------------------------------

def test_configure_loops_over_every_list_with_its_awx_module():
    play, = yaml.safe_load(CONFIGURE.read_text(encoding="utf-8"))
    tasks = play["tasks"]
    assert [(task["loop"], next(key for key in task if key.startswith("awx.awx."))) for task in tasks] == [
        ("{{ %s | default([]) }}" % name, "awx.awx." + module) for name, module in LISTS]
    credential_task, = [task for task in tasks if "awx.awx.credential" in task]
    assert credential_task["no_log"] is True
    config = load_config()
    for name, _module in LISTS:
        assert isinstance(config[name], list) and config[name], name


def test_configure_module_calls_match_the_awx_modules_argument_specs(awx_collections, awx_specs, tmp_path):
    run, calls = configure(awx_collections, tmp_path)
    assert run.rc == 0, run.stdout + run.stderr
    config = load_config()
    # one call per item of each list, in the order of configure.yml
    assert [call["module"] for call in calls] == [module for name, module in LISTS for _item in config[name]]
    items = [(name, item) for name, _module in LISTS for item in config[name]]
    for (list_name, item), call in zip(items, calls):
        spec = awx_specs[call["module"]]
        result = ArgumentSpecValidator(spec["argument_spec"], **spec["rules"]).validate(call["args"])
        assert not result.error_messages, (call["module"], result.error_messages)
        assert "__omit_place_holder__" not in json.dumps(call["args"])
        # every key of the item reaches the module: nothing in controller_config.yml is silently dropped
        assert set(item) <= set(call["args"]), (list_name, sorted(set(item) - set(call["args"])))
        # no connection option unless asked for: the CONTROLLER_* environment variables decide
        assert not {"controller_host", "controller_oauthtoken", "controller_username"} & set(call["args"])
    by_module = {call["module"]: call["args"] for call in calls}

    # the credential type as awx/credential_type.yml has it, its injector templates not rendered
    assert by_module["credential_type"] == dict(load_credential_type(), state="present")
    # the credential: only the inputs given; the secret went to the module, and nowhere into the output
    credential = by_module["credential"]
    assert credential["inputs"] == {"region": REGION, "access_key": AK, "secret_key": SK}
    assert credential["credential_type"] == by_module["credential_type"]["name"]
    assert SK not in run.stdout + run.stderr
    # the survey, as the file has it, on a job template that runs the playbook with everything created above
    template = by_module["job_template"]
    assert template["survey_enabled"] is True and template["survey_spec"] == load_survey()
    assert template["ask_variables_on_launch"] is True
    assert (ROOT / template["playbook"]).is_file()
    assert template["credentials"] == [credential["name"]]
    assert template["project"] == by_module["project"]["name"]
    assert template["inventory"] == by_module["inventory"]["name"]
    assert template["execution_environment"] == by_module["execution_environment"]["name"]
    assert by_module["execution_environment"]["image"] == OPERATOR_VARS["hwcloud_sms_ee_image"]
    assert by_module["project"]["default_environment"] == by_module["execution_environment"]["name"]
    source = by_module["inventory_source"]
    assert source["source"] == "scm" and (ROOT / source["source_path"]).resolve() == INVENTORY_SOURCE
    assert source["source_project"] == by_module["project"]["name"]
    assert source["inventory"] == by_module["inventory"]["name"]
    assert source["credential"] == credential["name"]
    assert source["execution_environment"] == by_module["execution_environment"]["name"]


def test_configure_connection_from_infra_aap_configuration_variables(awx_collections, awx_specs, tmp_path):
    token = "controller-token-example-0123"
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(AWX_DIR, elsewhere)
    (elsewhere / "survey.json").write_text(json.dumps(dict(load_survey(), name="elsewhere")), encoding="utf-8")
    run, calls = configure(awx_collections, tmp_path, {
        "hwcloud_sms_awx_dir": str(elsewhere),
        "aap_hostname": "https://controller.example.com", "aap_token": token, "aap_validate_certs": False,
        "hwcloud_sms_auth_token": TOKEN, "hwcloud_sms_access_key": "", "hwcloud_sms_secret_key": ""})
    assert run.rc == 0, run.stdout + run.stderr
    assert len(calls) == sum(len(load_config()[name]) for name, _module in LISTS)
    for call in calls:
        assert call["args"]["controller_host"] == "https://controller.example.com"
        assert call["args"]["controller_oauthtoken"] == token and call["args"]["validate_certs"] is False
        assert "controller_username" not in call["args"] and "controller_password" not in call["args"]
        spec = awx_specs[call["module"]]
        assert not ArgumentSpecValidator(spec["argument_spec"], **spec["rules"]).validate(call["args"]).error_messages
    credential, = [call["args"] for call in calls if call["module"] == "credential"]
    assert credential["inputs"] == {"region": REGION, "auth_token": TOKEN}
    template, = [call["args"] for call in calls if call["module"] == "job_template"]
    assert template["survey_spec"]["name"] == "elsewhere"  # read from hwcloud_sms_awx_dir
    assert TOKEN not in run.stdout and token not in run.stdout


@pytest.mark.parametrize("region", [None, ""])
def test_configure_without_the_region_fails_before_any_request(awx_collections, tmp_path, region):
    variables = {name: value for name, value in OPERATOR_VARS.items() if name != "hwcloud_sms_region"}
    if region is not None:
        variables["hwcloud_sms_region"] = region
    run, calls = configure(awx_collections, tmp_path, variables=variables)
    assert run.rc != 0
    assert "hwcloud_sms_region is not set" in run.stdout + run.stderr  # not hidden by the credential's no_log
    assert calls == []


@pytest.mark.skipif("TOX_ENV_NAME" in os.environ and not (BIN / "ansible-lint").exists(),
                    reason="the support matrix (tox.ini) installs no ansible-lint: it brings an ansible-core of its own")
def test_configure_passes_ansible_lint_production_profile(awx_collections, tmp_path):
    """The repository's lint leaves awx/configure.yml out (awx.awx is not installed there); here it is."""
    config = tmp_path / "ansible-lint.yml"
    config.write_text("profile: production\noffline: true\n", encoding="utf-8")
    env = dict(base_env(tmp_path), ANSIBLE_COLLECTIONS_PATH="%s%s%s" % (
        awx_collections, os.pathsep, ROOT / "build" / "collections"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    lint = subprocess.run([str(BIN / "ansible-lint"), "--nocolor", "--offline", "-c", str(config), "--profile",
                           "production", "awx/configure.yml"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


# ---------------------------------------------------------------------------
# the inventory source
# ---------------------------------------------------------------------------

def test_inventory_source_file_uses_the_plugin_options(emulator, tmp_path):
    config = yaml.safe_load(INVENTORY_SOURCE.read_text(encoding="utf-8"))
    assert config["plugin"] == "hwcloud.sms.sms_source"
    assert INVENTORY_SOURCE.name.endswith("sms_source.yml")  # the plugin reads no other file
    finished = emulator.add_source(name="web-01", state="finished", migration_cycle="cutovered")
    emulator.add_source(name="db-01", state="stopped", migration_cycle="replicating")
    # the environment the inventory source's SMS credential injects, as for a job
    envvars, file_text = render_injectors(load_credential_type(), credential_inputs("aksk", emulator),
                                          filename=str(tmp_path / "credentials.json"))
    (tmp_path / "credentials.json").write_text(file_text, encoding="utf-8")
    shutil.copy(INVENTORY_SOURCE, tmp_path / INVENTORY_SOURCE.name)
    run = run_ansible([str(BIN / "ansible-inventory"), "-i", str(tmp_path / INVENTORY_SOURCE.name), "--list"],
                      tmp_path, dict(envvars, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"))
    assert run.rc == 0, run.stdout + run.stderr
    listing = json.loads(run.stdout)
    assert sorted(listing["state_finished"]["hosts"]) == ["web-01"]
    assert sorted(listing["state_stopped"]["hosts"]) == ["db-01"]
    assert sorted(listing["cycle_cutovered"]["hosts"]) == ["web-01"]
    assert sorted(listing["cycle_replicating"]["hosts"]) == ["db-01"]
    assert finished["id"] in json.dumps(listing["_meta"]["hostvars"]["web-01"])
    assert SK not in run.stdout


# ---------------------------------------------------------------------------
# survey answers through a job
# ---------------------------------------------------------------------------

@pytest.fixture
def job_env(monkeypatch):
    """The test process's own environment must not reach the job: ansible-runner starts from it."""
    for name in list(os.environ):
        if name.startswith(("HW_", "ANSIBLE_")) or name == "PYTHONPATH":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")))


@pytest.mark.usefixtures("job_env")
def test_survey_answers_run_the_whole_decommissioning(emulator, tmp_path):
    web = emulator.add_source(name="web-01")
    web_task = emulator.add_task(name="web-01-migration", source_id=web["id"], template_id="tpl-web-01")
    db = emulator.add_source(name="db-01")
    db_task = emulator.add_task(name="db 01 migration", source_id=db["id"], state="MIGRATE_FAIL")
    busy = emulator.add_task(name="app-01-migration", state="RUNNING", source_state="replicate", connected=True)
    by_id = emulator.add_task(name="cache-01-migration", state="SYNC_SUCCESS")
    keep = emulator.add_task(name="keep")
    wave = emulator.add_migproject(name="wave-1")
    answers = {
        # textareas: one per line, commas, blank lines and spaces as people type them
        "decommission_task_ids": "%s, %s\n\n" % (by_id["id"], busy["id"]),
        "decommission_task_names": "db 01 migration\n",
        "decommission_source_server_ids": "\n%s\n" % web["id"],
        "decommission_allowed_states": ["MIGRATE_SUCCESS", "MIGRATE_FAIL", "SYNC_SUCCESS"],
        "decommission_force": "false",
        "decommission_wait_timeout": 60,
        "decommission_remove_source_servers": "true",
        "decommission_clear_snapshots": "false",
        "decommission_remove_templates": "true",
        "decommission_migration_projects": "wave-1\nnowhere",
    }
    extra = awx_extra_vars(load_survey(), answers)
    assert extra["decommission_force"] == "false" and extra["decommission_remove_templates"] == "true"
    runner, _private, _envvars = run_job(emulator, tmp_path, "aksk", extra)

    assert runner.status == "successful" and runner.rc == 0, runner.stdout.read()
    summary = summary_of(runner)
    assert sorted(summary["deleted"]) == sorted([web_task["id"], db_task["id"], by_id["id"]])
    assert summary["skipped_by_state"] == [busy["id"]]  # RUNNING is not among the states selected
    assert summary["not_deleted"] == [] and summary["confirmed"] is True
    assert sorted(summary["source_servers"]["removed"]) == sorted([web["id"], db["id"]])
    assert summary["templates"]["removed"] == ["tpl-web-01"]
    assert summary["snapshots_cleared"] == []  # "false" is false
    assert summary["migration_projects"]["removed"] == [wave["id"]]
    assert summary["migration_projects"]["not_found"] == ["nowhere"]
    assert sorted(emulator.tasks) == sorted([busy["id"], keep["id"]])
    assert web["id"] not in emulator.sources and db["id"] not in emulator.sources
    assert not [entry for entry in emulator.journal if entry["path"].endswith("/action")]  # no snapshot clear, no stop


@pytest.mark.usefixtures("job_env")
def test_survey_defaults_keep_the_job_to_the_tasks(emulator, tmp_path):
    """Only the task names answered: the "false" defaults are false - no record, template or project is touched."""
    source = emulator.add_source(name="web-02")
    task = emulator.add_task(name="web-02-migration", source_id=source["id"], template_id="tpl-web-02")
    extra = awx_extra_vars(load_survey(), {"decommission_task_names": "web-02-migration"})
    assert extra["decommission_remove_source_servers"] == "false" and extra["decommission_task_ids"] == ""
    runner, _private, _envvars = run_job(emulator, tmp_path, "token", extra)

    assert runner.status == "successful", runner.stdout.read()
    summary = summary_of(runner)
    assert summary["deleted"] == [task["id"]]
    assert "source-server records" not in summary["msg"] and "server templates" not in summary["msg"]
    assert summary["source_servers"]["removed"] == [] and summary["templates"]["removed"] == []
    assert source["id"] in emulator.sources
    writes = [(entry["method"], entry["path"]) for entry in emulator.journal if entry["method"] != "GET"]
    assert writes == [("DELETE", "/v3/tasks/%s" % task["id"])]  # one task: no batch
