# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which hosts a run talks to, from region, site and cloud, proven through a proxy that records every host asked for.

The module runs unchanged, with ``HTTPS_PROXY`` pointing at a recording tunnel proxy. The proxy routes the real
Huawei Cloud host names to emulators that play them over TLS (a certificate of a CA made for the test), so the
module's own endpoint logic, certificate checks included, decides where every request goes.
"""

from __future__ import annotations

import pytest

from tests.emulator.proxy import TunnelProxy
from tests.emulator.sms_emulator import SITE_CREDENTIALS, Emulator
from tests.integration.harness import DOMAIN, PASSWORD, TOKEN, USER, sms_task
from tests.integration.pki import make_pki

INTL = SITE_CREDENTIALS["international"]
INTL_TOKEN = next(iter(INTL["tokens"]))
(INTL_AK, INTL_SK), = INTL["aksk"].items()

CHINA_SMS = "sms.cn-north-4.myhuaweicloud.com"
INTL_SMS = "sms.ap-southeast-3.myhuaweicloud.com"
EU_SMS = "sms.ap-southeast-3.myhuaweicloud.eu"
EU_IAM = "iam.eu-west-101.myhuaweicloud.eu"
GLOBAL_IAM = "iam.myhuaweicloud.com"
CHINA_IAM = "iam.cn-north-4.myhuaweicloud.com"
KL_SMS = "sms.my-kualalumpur-1.myhuaweicloud.com"
MOSCOW_SMS = "sms-api.ru-moscow-1.myhuaweicloud.com"
CUSTOM_IAM = "iam.custom-auth.example"
CHINA_HOSTS = (CHINA_SMS, CHINA_IAM, GLOBAL_IAM, CUSTOM_IAM)
INTL_HOSTS = (INTL_SMS, EU_SMS, EU_IAM, KL_SMS, MOSCOW_SMS)


class Cloud:
    """Two sites, each its own emulator with its own accounts, behind one recording proxy."""

    def __init__(self, tmp_path):
        pki = make_pki(tmp_path, CHINA_HOSTS + INTL_HOSTS)
        self.ca_path = pki["ca.pem"]
        tls = {"tls_certfile": pki["server.pem"], "tls_keyfile": pki["server.key"]}
        self.china = Emulator(site="china", **tls).start()
        self.intl = Emulator(site="international", **tls).start()
        routes = dict([(host, ("127.0.0.1", self.china.port)) for host in CHINA_HOSTS] +
                      [(host, ("127.0.0.1", self.intl.port)) for host in INTL_HOSTS])
        self.proxy = TunnelProxy(routes).start()
        self.env = {"HTTPS_PROXY": self.proxy.url, "https_proxy": self.proxy.url, "NO_PROXY": "", "no_proxy": ""}

    def hosts(self):
        """The hosts asked for, each once, in the order first asked (a connection may carry several requests)."""
        return list(dict.fromkeys(self.proxy.hosts()))

    def close(self):
        self.proxy.stop()
        self.china.stop()
        self.intl.stop()


@pytest.fixture
def cloud(tmp_path):
    world = Cloud(tmp_path)
    yield world
    world.close()


def calls(emu):
    return [(entry["method"], entry["path"].split("/")[2] if entry["path"].startswith("/v3/") else entry["path"])
            for entry in emu.journal]


def test_site_not_set_is_guessed_and_a_wrong_guess_says_so(cloud, playbook):
    """An international account working in cn-north-4: the guess (China site) is refused, and the failure names
    the site option and the host that was used; site: international (option or HW_SITE) reaches the right one."""
    first, second = cloud.intl.add_task(name="intl-1"), cloud.intl.add_task(name="intl-2")
    defaults = {"region": "cn-north-4", "auth_token": INTL_TOKEN, "ca_path": cloud.ca_path, "max_retries": 0}
    run = playbook([
        sms_task(_name="guessed", task_id=first["id"], state="absent"),
        sms_task(_name="site option", task_id=first["id"], state="absent", site="international"),
    ], defaults=defaults, env=cloud.env)
    guessed = run.result(0)
    assert run.status(0) == "failed"
    assert "APIGW.0301" in guessed["msg"] and "HTTP 401" in guessed["msg"]
    assert CHINA_SMS in guessed["msg"] and "site: international (env HW_SITE)" in guessed["msg"]
    assert "endpoint" in guessed["msg"]
    assert run.status(1) == "changed", run.result(1)["msg"]
    assert calls(cloud.china) == [("GET", "tasks")]  # the refused read, and nothing else
    assert calls(cloud.intl) == [("GET", "tasks"), ("DELETE", "tasks"), ("GET", "tasks")]
    assert cloud.hosts() == [CHINA_SMS, INTL_SMS]

    run = playbook([sms_task(task_id=second["id"], state="absent")], defaults=defaults,
                   env=dict(cloud.env, HW_SITE="international"))
    assert run.status() == "changed", run.result()["msg"]
    assert cloud.proxy.hosts()[-1] == INTL_SMS and second["id"] not in cloud.intl.tasks


def test_wrong_site_with_aksk_and_a_site_given_explicitly(cloud, playbook):
    """With the site given, a 401 is not blamed on the site; AK/SK of the other site is refused the same way."""
    task = cloud.intl.add_task(name="intl")
    defaults = {"region": "ap-southeast-3", "access_key": INTL_AK, "secret_key": INTL_SK,
                "project_id": INTL["projects"]["ap-southeast-3"], "ca_path": cloud.ca_path, "max_retries": 0}
    run = playbook([
        sms_task(_name="china site named", task_id=task["id"], state="absent", site="china"),
        sms_task(_name="guessed right", task_id=task["id"], state="absent"),
    ], defaults=defaults, env=cloud.env)
    refused = run.result(0)
    assert run.status(0) == "failed" and "APIGW.0301" in refused["msg"]
    assert "HW_SITE" not in refused["msg"]  # the user chose the site: no guess to blame
    assert run.status(1) == "changed", run.result(1)["msg"]
    assert cloud.hosts() == [CHINA_SMS, INTL_SMS]
    assert task["id"] not in cloud.intl.tasks


def test_gateway_404_at_a_guessed_site_names_the_site(cloud, playbook):
    cloud.china.inject(method="GET", status=404, body={"error_code": "APIGW.0101", "error_msg": "no such API"})
    run = playbook([sms_task(task_id="7a9a9540-ff28-4869-b9e4-855fbe12a0c1", state="absent")],
                   defaults={"region": "cn-east-3", "auth_token": TOKEN, "ca_path": cloud.ca_path}, env=cloud.env)
    result = run.result()
    assert run.status() == "failed" and "absent" not in result["msg"]
    assert "not from SMS" in result["msg"] and "site: international (env HW_SITE)" in result["msg"]
    assert cloud.hosts() == [CHINA_SMS]


@pytest.mark.parametrize("region,site,sms_host,iam_host", [
    ("eu-west-101", None, EU_SMS, EU_IAM),               # every service of eu-west-1* on myhuaweicloud.eu
    ("xx-test-1", "china", CHINA_SMS, GLOBAL_IAM),       # a region the SDK's IAM table does not know: global IAM
])
def test_endpoints_of_special_regions(cloud, playbook, region, site, sms_host, iam_host):
    """Password authentication: the IAM token request goes to the region's IAM, else the global one."""
    emu = cloud.intl if sms_host in INTL_HOSTS else cloud.china  # plays both the site's IAM and its SMS
    assert (iam_host in INTL_HOSTS) == (emu is cloud.intl)
    emu.users[(USER, DOMAIN)] = PASSWORD
    emu.projects[region] = "ab" * 16
    task = emu.add_task(name="special")
    params = {"region": region, "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN,
              "ca_path": cloud.ca_path, "max_retries": 0}
    if site:
        params["site"] = site
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False, **params)], env=cloud.env)
    assert run.status() == "changed", run.result()["msg"]
    assert cloud.hosts() == [iam_host, sms_host]
    token_request = emu.requests("POST")[0]
    assert token_request["path"] == "/v3/auth/tokens"
    assert token_request["body"]["auth"]["scope"]["project"] == {"name": region}


def test_auth_url_wins_over_the_region_table(cloud, playbook):
    cloud.china.users[(USER, DOMAIN)] = PASSWORD
    task = cloud.china.add_task(name="custom-iam")
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False, region="cn-north-4", user_name=USER,
                             password=PASSWORD, domain_name=DOMAIN, auth_url="https://%s/v3" % CUSTOM_IAM,
                             ca_path=cloud.ca_path)], env=cloud.env)
    assert run.status() == "changed", run.result()["msg"]
    assert cloud.hosts() == [CUSTOM_IAM, CHINA_SMS]


@pytest.mark.parametrize("region,host", [("my-kualalumpur-1", KL_SMS), ("ru-moscow-1", MOSCOW_SMS)])
def test_regions_with_an_sms_endpoint_of_their_own(cloud, playbook, region, host):
    """These two keep their own endpoint whatever the site; no site guess is blamed for a refusal there."""
    cloud.intl.tokens.add(TOKEN)
    task = cloud.intl.add_task(name="own-endpoint")
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False, region=region, site="china",
                             auth_token=TOKEN, ca_path=cloud.ca_path)], env=cloud.env)
    assert run.status() == "changed", run.result()["msg"]
    assert cloud.hosts() == [host]


def test_unknown_site_fails_before_any_request_and_empty_means_unset(cloud, adhoc):
    bad = adhoc("task_id=t-1 state=absent region=cn-north-4", env=dict(cloud.env, HW_SITE="europe",
                                                                       HW_AUTH_TOKEN=TOKEN))
    assert bad.rc != 0 and "site must be one of china, international, got 'europe'" in bad.stdout
    task = cloud.china.add_task(name="empty-site")
    empty = adhoc("task_id=%s state=absent region=cn-north-4 ca_path=%s" % (task["id"], cloud.ca_path),
                  env=dict(cloud.env, HW_SITE="", HW_AUTH_TOKEN=TOKEN))
    assert empty.rc == 0, empty.stdout
    assert cloud.hosts() == [CHINA_SMS]  # the bad site sent nothing; the empty one was a guess, China
