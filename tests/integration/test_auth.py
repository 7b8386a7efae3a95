# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every way to authenticate, through module_defaults, module options and environment variables."""

from __future__ import annotations

import json

from tests.integration.harness import AK, DOMAIN, PASSWORD, PROJECT_ID, REGION, SK, TOKEN, USER, sms_task


def auth_kinds(emu):
    return emu.sent("auth")


def test_aksk_with_project_id_signs_every_request(emulator, playbook):
    task = emulator.add_task()
    run = playbook([sms_task(task_id=task["id"], state="absent")],
                   defaults={"endpoint": emulator.url, "access_key": AK, "secret_key": SK, "project_id": PROJECT_ID})
    assert run.status() == "changed", run.result()
    assert emulator.methods() == ["GET", "DELETE", "GET"]
    assert set(auth_kinds(emulator)) == {"aksk"}
    for entry in emulator.journal:
        assert entry["headers"]["x-project-id"] == PROJECT_ID
        assert entry["headers"]["authorization"].startswith("SDK-HMAC-SHA256 Access=%s, " % AK)
        assert "x-auth-token" not in entry["headers"]


def test_aksk_without_project_id_looks_the_project_up_by_region(emulator, playbook):
    task = emulator.add_task()
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": REGION,
                             "access_key": AK, "secret_key": SK})
    assert run.status() == "changed", run.result()
    sent = emulator.sent("method", "path")
    assert sent == [("GET", "/v3/projects"), ("GET", "/v3/tasks/" + task["id"]), ("DELETE", "/v3/tasks/" + task["id"])]
    assert emulator.journal[0]["query"] == {"name": REGION}
    assert "x-project-id" not in emulator.journal[0]["headers"]
    assert emulator.journal[1]["headers"]["x-project-id"] == PROJECT_ID


def test_aksk_with_security_token_sends_and_signs_it(emulator, playbook):
    task = emulator.add_task()
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)],
                   defaults={"endpoint": emulator.url, "access_key": AK, "secret_key": SK, "project_id": PROJECT_ID,
                             "security_token": "TEMPTOKENexample=="})
    assert run.status() == "changed", run.result()
    for entry in emulator.journal:
        assert entry["headers"]["x-security-token"] == "TEMPTOKENexample=="
        assert "x-security-token" in entry["headers"]["authorization"].split("SignedHeaders=")[1].split(",")[0]


def test_wrong_secret_key_fails_once_without_retry(emulator, playbook):
    run = playbook([sms_task(task_id="some-task", state="absent")],
                   defaults={"endpoint": emulator.url, "access_key": AK, "secret_key": "wrong-secret",
                             "project_id": PROJECT_ID, "max_retries": 5})
    result = run.result()
    assert run.status() == "failed"
    assert "APIGW.0301" in result["msg"] and "HTTP 401" in result["msg"]
    assert "clock" not in result["msg"]
    assert result["error"]["request_id"] == emulator.journal[0]["request_id"]
    assert len(emulator.journal) == 1


def test_password_auth_gets_one_token_per_run(emulator, playbook):
    task = emulator.add_task()
    run = playbook([sms_task(task_id=task["id"], state="absent")],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": REGION,
                             "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN})
    assert run.status() == "changed", run.result()
    sent = emulator.sent("method", "path")
    assert sent[0] == ("POST", "/v3/auth/tokens")
    assert [method for method, path in sent[1:]] == ["GET", "DELETE", "GET"]
    body = emulator.journal[0]["body"]
    assert body["auth"]["scope"] == {"project": {"name": REGION}}
    assert body["auth"]["identity"]["password"]["user"]["domain"] == {"name": DOMAIN}
    issued = emulator.journal[1]["headers"]["x-auth-token"]
    assert issued != TOKEN and issued in emulator.tokens
    assert {entry["headers"]["x-auth-token"] for entry in emulator.journal[1:]} == {issued}


def test_password_auth_in_check_mode_sends_token_request_and_one_read(emulator, playbook):
    task = emulator.add_task()
    run = playbook([sms_task(task_id=task["id"], state="absent")], check=True,
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "project_id": PROJECT_ID,
                             "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN})
    assert run.status() == "changed", run.result()
    assert emulator.methods() == ["POST", "GET"]
    assert emulator.journal[0]["body"]["auth"]["scope"] == {"project": {"id": PROJECT_ID}}


def test_wrong_password_fails_with_the_iam_message(emulator, playbook):
    run = playbook([sms_task(task_id="some-task", state="absent")],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": REGION,
                             "user_name": USER, "password": "not-the-password", "domain_name": DOMAIN})
    result = run.result()
    assert run.status() == "failed"
    assert "obtain an IAM token" in result["msg"] and "HTTP 401" in result["msg"]
    assert "The username or password is wrong." in result["msg"]
    assert len(emulator.journal) == 1


def test_environment_variables_alone_configure_the_module(emulator, playbook):
    task = emulator.add_task()
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url + "/v3", "HW_REGION_NAME": REGION,
           "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK, "HW_PROJECT_ID": PROJECT_ID}
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], env=env)
    assert run.status() == "changed", run.result()
    assert set(auth_kinds(emulator)) == {"aksk"}


def test_token_wins_over_other_credentials(emulator, playbook):
    task = emulator.add_task()
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN, "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK,
           "HW_USER_NAME": USER}
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], env=env)
    assert run.status() == "changed", run.result()
    assert set(auth_kinds(emulator)) == {"token"}


def test_missing_or_half_credentials_fail_before_any_request(emulator, playbook):
    run = playbook([
        sms_task(_name="none", task_id="t1", state="absent"),
        sms_task(_name="half aksk", task_id="t1", state="absent", access_key=AK),
        sms_task(_name="half password", task_id="t1", state="absent", user_name=USER, password=PASSWORD),
        sms_task(_name="no endpoint", task_id="t1", state="absent", auth_token=TOKEN, endpoint=None),
    ], defaults={"endpoint": emulator.url})
    messages = [run.result(index)["msg"] for index in range(4)]
    assert all(run.status(index) == "failed" for index in range(4))
    assert "auth_token (env HW_AUTH_TOKEN)" in messages[0] and "HW_ACCESS_KEY" in messages[0]
    assert "missing: secret_key (env HW_SECRET_KEY)" in messages[1]
    assert "missing: domain_name (env HW_DOMAIN_NAME)" in messages[2]
    assert "region (env HW_REGION_NAME) or endpoint (env HW_SMS_ENDPOINT)" in messages[3]
    assert emulator.journal == []


def test_region_alone_picks_the_public_endpoint(emulator, playbook):
    """No endpoint: the module must aim at the site's SMS endpoint; a closed local proxy proves where it went."""
    run = playbook([sms_task(task_id="t1", state="absent", region="ap-southeast-1", auth_token=TOKEN, max_retries=0,
                             timeout=5)],
                   env={"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""})
    result = run.result()
    assert run.status() == "failed"
    assert "sms.ap-southeast-3.myhuaweicloud.com" in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr


def test_credentials_file_keeps_secrets_out_of_the_environment(emulator, playbook, tmp_path):
    task = emulator.add_task()
    secrets = tmp_path / "credentials.json"
    secrets.write_text(json.dumps({"access_key": AK, "secret_key": SK, "project_id": PROJECT_ID, "password": ""}),
                       encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("secret_key: not json", encoding="utf-8")
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"secret": SK}), encoding="utf-8")
    run = playbook([
        sms_task(task_id=task["id"], state="absent", wait=False),
        sms_task(task_id=task["id"], state="absent", credentials_file=str(broken)),
        sms_task(task_id=task["id"], state="absent", credentials_file=str(odd)),
    ], env={"HW_SMS_ENDPOINT": emulator.url, "HW_CREDENTIALS_FILE": str(secrets)}, args=["-vvvv"])
    assert run.status(0) == "changed", run.result(0)
    assert set(auth_kinds(emulator)) == {"aksk"}
    assert run.result(1)["msg"].startswith("credentials_file %s could not be read" % broken)
    assert "unknown keys secret" in run.result(2)["msg"]
    assert SK not in run.stdout + run.stderr + json.dumps(run.results)
    assert len(emulator.journal) == 2
