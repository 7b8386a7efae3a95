# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection under AWX: an execution environment made with ansible-builder, the credential type's
injectors rendered as AWX renders them, and playbooks/decommission.yml run by ansible-runner with a
private data directory, the way AWX runs a job template."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.integration.harness import AK, BIN, DOMAIN, PASSWORD, REGION, ROOT, SK, TOKEN, USER, base_env, run_ansible

CREDENTIAL_TYPE = ROOT / "awx" / "credential_type.yml"
SECURITY_TOKEN = "STS-security-token-example-0123456789abcdef"
SECRET_INPUTS = {"auth_token", "secret_key", "security_token", "password"}
INJECTED = {
    "HW_CREDENTIALS_FILE", "HW_REGION_NAME", "HW_ACCESS_KEY", "HW_USER_NAME", "HW_DOMAIN_NAME", "HW_PROJECT_ID",
    "HW_PROJECT_NAME", "HW_SMS_ENDPOINT", "HW_AUTH_URL", "HW_CLOUD", "HW_SITE",
}
CREDENTIALS_FILE = "/runner/env/tmp_credentials"
AUTH_INPUTS = {
    "token": {"auth_token": TOKEN},
    "aksk": {"access_key": AK, "secret_key": SK, "security_token": SECURITY_TOKEN},
    "password": {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN},
}
MASK = "**********"
BULK_DELETE = "Delete the tasks in one bulk call"
SUMMARY = "Summary of the decommissioning"
JOB_IDENT = "job"
FINAL_EVENTS = ("runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def load_credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))


def render_injectors(credential_type, inputs, safe=False, filename=CREDENTIALS_FILE):
    """The environment and the credentials file AWX injects for a credential with ``inputs``: (env, file text).

    As AWX does: required inputs must be given, only inputs with a value enter the
    template namespace, ``tower.filename`` names the file AWX writes from the file
    template, and the templates are rendered in a sandbox. ``safe`` renders the copy
    AWX stores with the job, where secret inputs are masked. Undefined names fail here
    (AWX would render them empty) so that a typo cannot pass.
    """
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    unknown = set(inputs) - set(fields)
    assert not unknown, "not inputs of the credential type: %s" % sorted(unknown)
    missing = [name for name in credential_type["inputs"].get("required", []) if not inputs.get(name)]
    assert not missing, "required inputs missing: %s" % missing
    namespace = {"tower": {"filename": filename}}
    for name, value in inputs.items():
        if value:
            namespace[name] = MASK if safe and fields[name].get("secret") else value
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    env = {}
    for name, template in credential_type["injectors"]["env"].items():
        if name.startswith("ANSIBLE_"):
            continue  # AWX refuses to inject these
        env[name] = sandbox.from_string(template).render(**namespace)
    file_text = sandbox.from_string(credential_type["injectors"]["file"]["template"]).render(**namespace)
    return env, file_text


def credential_inputs(method, emu):
    return dict(AUTH_INPUTS[method], region=REGION, endpoint=emu.url, auth_url=emu.url + "/v3")


def all_secrets(emu):
    """Every secret a job may hold: the credentials and every token IAM issued during the test."""
    secrets = {"secret key": SK, "security token": SECURITY_TOKEN, "password": PASSWORD, "static token": TOKEN}
    for number, token in enumerate(sorted(set(emu.tokens) - {TOKEN})):
        secrets["issued token %d" % number] = token
    return secrets


def leaks_in_artifacts(private_data_dir, secrets):
    """{relative path: sorted secret names} for every file under artifacts/ holding a secret."""
    artifacts = private_data_dir / "artifacts"
    found = {}
    for directory, _dirs, files in os.walk(artifacts):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                data = handle.read()
            names = sorted(label for label, value in secrets.items() if value.encode("utf-8") in data)
            if names:
                found[os.path.relpath(path, str(artifacts))] = names
    return found


def run_job(emu, tmp_path, method, extravars, check=False):
    """Run playbooks/decommission.yml with ansible-runner and a private data directory laid out as AWX lays it out."""
    private = tmp_path / "private"
    shutil.rmtree(private, ignore_errors=True)
    for sub in ("project", "inventory", "env"):
        (private / sub).mkdir(parents=True)
    shutil.copy(ROOT / "playbooks" / "decommission.yml", private / "project" / "decommission.yml")
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable, encoding="utf-8")
    credentials_file = private / "env" / "tmp_credentials"
    envvars, file_text = render_injectors(load_credential_type(), credential_inputs(method, emu),
                                          filename=str(credentials_file))
    credentials_file.write_text(file_text, encoding="utf-8")
    credentials_file.chmod(0o600)
    # Where this test finds the collection and keeps Ansible's temporary files: not part of the credential.
    harness = base_env(tmp_path)
    envvars.update((name, harness[name]) for name in (
        "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP", "ANSIBLE_REMOTE_TEMP"))
    (private / "env" / "envvars").write_text(json.dumps(envvars), encoding="utf-8")
    (private / "env" / "extravars").write_text(json.dumps(extravars), encoding="utf-8")
    if check:
        (private / "env" / "cmdline").write_text("--check", encoding="utf-8")
    runner = ansible_runner.run(private_data_dir=str(private), playbook="decommission.yml", ident=JOB_IDENT,
                                verbosity=4, quiet=True)
    return runner, private, envvars


def task_events(runner, task_name):
    return [event for event in runner.events
            if event.get("event") in FINAL_EVENTS and event.get("event_data", {}).get("task") == task_name]


def summary_of(runner):
    event, = task_events(runner, SUMMARY)
    assert event["event"] == "runner_on_ok" and event["event_data"]["role"] == "decommission"
    return event["event_data"]["res"]["decommission_summary"]


def assert_no_secret_leaked(runner, private, envvars, emu):
    """No secret in the job's events, and none in any file under artifacts/.

    ansible-runner writes the environment it started ansible-playbook with to artifacts/<ident>/command;
    the credential type therefore puts the secrets in a file and only its path in the environment.
    """
    secrets = all_secrets(emu)
    for event in runner.events:
        stdout = event.get("stdout", "")
        assert not [label for label, value in secrets.items() if value in stdout], stdout
    assert not [label for label, value in secrets.items() if value in json.dumps(envvars)]
    assert leaks_in_artifacts(private, secrets) == {}
    record = json.loads((private / "artifacts" / JOB_IDENT / "command").read_text(encoding="utf-8"))
    assert "-vvvv" in record["command"]
    assert record["env"]["HW_CREDENTIALS_FILE"] == envvars["HW_CREDENTIALS_FILE"]


# ---------------------------------------------------------------------------
# execution environment
# ---------------------------------------------------------------------------

def test_ansible_builder_context_installs_the_collection_and_requests(tmp_path):
    dist, collections, context = tmp_path / "dist", tmp_path / "collections", tmp_path / "context"
    env = dict(base_env(tmp_path), ANSIBLE_COLLECTIONS_PATH=str(collections))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(ROOT)],
                   env=env, check=True, capture_output=True)
    tarball, = dist.glob("hwcloud-sms-*.tar.gz")
    definition = {
        "version": 3,
        "dependencies": {
            "ansible_core": {"package_pip": "ansible-core"},
            "ansible_runner": {"package_pip": "ansible-runner"},
            "galaxy": {"collections": [{"name": "collections/" + tarball.name, "type": "file"}]},
        },
        "additional_build_files": [{"src": str(tarball), "dest": "collections"}],
    }
    (tmp_path / "execution-environment.yml").write_text(yaml.safe_dump(definition), encoding="utf-8")
    subprocess.run([str(BIN / "ansible-builder"), "create", "--file", str(tmp_path / "execution-environment.yml"),
                    "--context", str(context), "--output-filename", "Containerfile"],
                   env=env, cwd=tmp_path, check=True, capture_output=True)

    assert (context / "_build" / "collections" / tarball.name).read_bytes() == tarball.read_bytes()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert requirements == {"collections": [{"name": "collections/" + tarball.name, "type": "file"}]}
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    for expected in ('ARG ANSIBLE_INSTALL_REFS="ansible-core ansible-runner"', "COPY _build /build",
                     "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml",
                     "/output/scripts/introspect.py introspect", "/output/scripts/assemble",
                     "/output/scripts/install-from-bindep"):
        assert expected in containerfile, expected
    assert (context / "_build" / "scripts" / "introspect.py").is_file()

    # What the introspection step in the image will find: requests, and nothing else.
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(collections), str(tarball)],
                   env=env, check=True, capture_output=True)
    installed = collections / "ansible_collections" / "hwcloud" / "sms"
    assert yaml.safe_load((installed / "meta" / "execution-environment.yml").read_text(encoding="utf-8")) == {
        "version": 1, "dependencies": {"python": "requirements.txt"}}
    pip_file, bindep_file = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    report = subprocess.run([str(BIN / "ansible-builder"), "introspect", str(collections), "--write-pip", str(pip_file),
                             "--write-bindep", str(bindep_file)], env=env, check=True, capture_output=True, text=True)
    data = yaml.safe_load(report.stdout)
    assert [line.split("#")[0].strip() for line in data["python"]] == ["requests"], report.stdout
    assert "hwcloud.sms" in data["python"][0]
    assert not data["system"]
    assert [line.split("#")[0].strip() for line in pip_file.read_text(encoding="utf-8").splitlines() if line.strip()] == [
        "requests"]


def test_shipped_execution_environment_definition(tmp_path):
    definition = yaml.safe_load((ROOT / "awx" / "execution-environment.yml").read_text(encoding="utf-8"))
    assert definition["version"] == 3
    assert definition["dependencies"]["ansible_core"]["package_pip"].startswith("ansible-core")
    assert definition["dependencies"]["ansible_runner"]["package_pip"].startswith("ansible-runner")
    assert [item["name"] for item in definition["dependencies"]["galaxy"]["collections"]] == ["hwcloud.sms"]
    context = tmp_path / "context"
    subprocess.run([str(BIN / "ansible-builder"), "create", "--file", str(ROOT / "awx" / "execution-environment.yml"),
                    "--context", str(context), "--output-filename", "Containerfile"],
                   env=base_env(tmp_path), cwd=tmp_path, check=True, capture_output=True)
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert "ansible-galaxy collection install" in containerfile and "introspect.py introspect" in containerfile
    assert "ansible-core" in containerfile and "ansible-runner" in containerfile
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert [item["name"] for item in requirements["collections"]] == ["hwcloud.sms"]


# ---------------------------------------------------------------------------
# credential type
# ---------------------------------------------------------------------------

def test_credential_type_definition():
    credential_type = load_credential_type()
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}
    assert credential_type["kind"] == "cloud"
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert {name for name, field in fields.items() if field.get("secret")} == SECRET_INPUTS
    assert all(field["type"] == "string" and field.get("label") for field in fields.values())
    assert set(credential_type["inputs"]["required"]) <= set(fields)
    assert set(credential_type["injectors"]) == {"env", "file"}
    env = credential_type["injectors"]["env"]
    assert set(env) == INJECTED
    assert all(name.startswith("HW_") for name in env)
    sandbox = ImmutableSandboxedEnvironment()
    in_env, in_file = set(), meta.find_undeclared_variables(sandbox.parse(credential_type["injectors"]["file"]["template"]))
    for template in env.values():
        in_env |= meta.find_undeclared_variables(sandbox.parse(template))
    assert in_env | in_file == set(fields) | {"tower"}, "inputs never injected: %s" % sorted(set(fields) - in_env - in_file)
    assert in_file == SECRET_INPUTS and not in_env & SECRET_INPUTS  # secrets only in the file


@pytest.mark.parametrize("method", sorted(AUTH_INPUTS))
def test_injectors_rendered_as_awx_renders_them(method):
    credential_type = load_credential_type()
    url = "http://127.0.0.1:8443"
    inputs = dict(AUTH_INPUTS[method], region=REGION, endpoint=url, auth_url=url + "/v3")
    env, file_text = render_injectors(credential_type, inputs)
    assert set(env) == INJECTED and all(name.startswith("HW_") for name in env)
    assert env["HW_REGION_NAME"] == REGION and env["HW_SMS_ENDPOINT"] == url and env["HW_AUTH_URL"] == url + "/v3"
    assert env["HW_CREDENTIALS_FILE"] == CREDENTIALS_FILE
    expected_env = {"aksk": {"HW_ACCESS_KEY": AK}, "password": {"HW_USER_NAME": USER, "HW_DOMAIN_NAME": DOMAIN}}
    for name in INJECTED - {"HW_REGION_NAME", "HW_SMS_ENDPOINT", "HW_AUTH_URL", "HW_CREDENTIALS_FILE"}:
        # an input left empty injects an empty value, which the modules treat as not set
        assert env[name] == expected_env.get(method, {}).get(name, ""), name
    expected_file = {"token": {"auth_token": TOKEN}, "aksk": {"secret_key": SK, "security_token": SECURITY_TOKEN},
                     "password": {"password": PASSWORD}}[method]
    assert json.loads(file_text) == dict(dict.fromkeys(SECRET_INPUTS, ""), **expected_file)
    secret_values = {inputs[name] for name in SECRET_INPUTS if inputs.get(name)}
    assert not [value for value in secret_values if value in json.dumps(env)]  # the environment holds none
    # The copy AWX keeps with the job masks the secret values.
    safe_env, safe_file = render_injectors(credential_type, inputs, safe=True)
    assert safe_env == env
    assert not [value for value in secret_values if value in safe_file]


def test_injectors_with_only_the_region():
    env, file_text = render_injectors(load_credential_type(), {"region": REGION})
    assert env == dict(dict.fromkeys(INJECTED, ""), HW_REGION_NAME=REGION, HW_CREDENTIALS_FILE=CREDENTIALS_FILE)
    assert json.loads(file_text) == dict.fromkeys(SECRET_INPUTS, "")


def test_readme_credential_type_task_passes_the_templates_unrendered(tmp_path):
    """The awx.awx.credential_type task of awx/README.md hands AWX the injector templates as written."""
    readme = (ROOT / "awx" / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    task, = [block[0] for block in blocks if isinstance(block, list) and "awx.awx.credential_type" in block[0]]
    (tmp_path / "awx").mkdir()
    shutil.copy(CREDENTIAL_TYPE, tmp_path / "awx" / "credential_type.yml")
    play = {"name": "readme", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        {"name": "module arguments", "ansible.builtin.set_fact": {"awx_args": task["awx.awx.credential_type"]},
         "vars": task["vars"]}]}
    (tmp_path / "play.yml").write_text(json.dumps([play]), encoding="utf-8")
    run = run_ansible([str(BIN / "ansible-playbook"), "-i", "localhost,", str(tmp_path / "play.yml")], tmp_path)
    assert run.rc == 0, run.stdout + run.stderr
    args = run.result()["ansible_facts"]["awx_args"]
    expected = load_credential_type()
    assert args == dict(expected, state="present")


# ---------------------------------------------------------------------------
# jobs run by ansible-runner
# ---------------------------------------------------------------------------

@pytest.fixture
def job_env(monkeypatch):
    """The test process's own environment must not reach the job: ansible-runner starts from it."""
    for name in list(os.environ):
        if name.startswith(("HW_", "ANSIBLE_")) or name == "PYTHONPATH":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")))


@pytest.mark.usefixtures("job_env")
@pytest.mark.parametrize("method", sorted(AUTH_INPUTS))
def test_job_deletes_and_keeps_secrets_out_of_artifacts(emulator, tmp_path, method):
    doomed = [emulator.add_task(name="web-%02d-migration" % number)["id"] for number in range(3)]
    keep = emulator.add_task(name="keep")["id"]
    runner, private, envvars = run_job(emulator, tmp_path, method, {"decommission_task_ids": doomed})

    assert runner.status == "successful" and runner.rc == 0, runner.stdout.read()
    bulk, = task_events(runner, BULK_DELETE)
    assert bulk["event"] == "runner_on_ok" and bulk["event_data"]["res"]["changed"] is True
    summary = summary_of(runner)
    assert sorted(summary["deleted"]) == sorted(doomed) and summary["not_deleted"] == []
    posts = emulator.requests(method="POST", path_prefix="/v3/tasks")
    assert len(posts) == 1 and posts[0]["path"] == "/v3/tasks/delete" and sorted(posts[0]["body"]["ids"]) == sorted(doomed)
    assert not emulator.requests(method="DELETE")
    assert list(emulator.tasks) == [keep]
    if method == "password":
        assert set(emulator.tokens) - {TOKEN}, "the job should have obtained a token from IAM"
    assert_no_secret_leaked(runner, private, envvars, emulator)


@pytest.mark.usefixtures("job_env")
@pytest.mark.parametrize("method", sorted(AUTH_INPUTS))
def test_failing_job_keeps_secrets_out_of_artifacts(emulator, tmp_path, method):
    busy = emulator.add_task(name="busy", state="RUNNING", source_state="replicate", connected=True)["id"]
    idle = emulator.add_task(name="idle")["id"]
    runner, private, envvars = run_job(emulator, tmp_path, method, {"decommission_task_ids": [busy, idle]})

    assert runner.status == "failed" and runner.rc != 0
    summary = summary_of(runner)
    assert summary["deleted"] == [idle]
    assert [entry["id"] for entry in summary["not_deleted"]] == [busy]
    failed, = task_events(runner, "Fail when a task or a source-server record could not be deleted")
    assert failed["event"] == "runner_on_failed"
    assert list(emulator.tasks) == [busy]
    assert_no_secret_leaked(runner, private, envvars, emulator)


@pytest.mark.usefixtures("job_env")
def test_check_mode_job_sends_no_deletion(emulator, tmp_path):
    doomed = [emulator.add_task(name="old-%d" % number)["id"] for number in range(2)]
    runner, private, envvars = run_job(emulator, tmp_path, "aksk", {"decommission_task_ids": doomed + ["gone"]}, check=True)

    assert runner.status == "successful", runner.stdout.read()
    assert "--check" in json.loads((private / "artifacts" / JOB_IDENT / "command").read_text(encoding="utf-8"))["command"]
    bulk, = task_events(runner, BULK_DELETE)
    assert bulk["event_data"]["res"]["changed"] is True
    summary = summary_of(runner)
    assert summary["check_mode"] is True
    assert sorted(summary["deleted"]) == sorted(doomed) and summary["already_absent"] == ["gone"]
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    assert sorted(emulator.tasks) == sorted(doomed)
    assert_no_secret_leaked(runner, private, envvars, emulator)
