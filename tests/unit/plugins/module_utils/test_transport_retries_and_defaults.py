# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which answers a read is retried after, which answers mean that a record is absent, and that a client built
without a TLS setting checks certificates.

The rules are the documented ones, written here rather than imported: docs/connection.md "Errors, retries" (reads are retried
after throttling (429) and gateway errors (502, 503, 504) only, at most ``max_retries`` times); sms-api.md section 5
(a task does not exist on the status 404 alone, as Terraform reads it); docs/reliability.md (TLS: the default run
fails with a certificate error).
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.auth import Credentials
from ansible_collections.hwcloud.sms.plugins.module_utils.client import SmsClient
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError
from tests.conftest import TOKEN
from tests.emulator.sms_emulator import Emulator
from tests.integration.pki import make_pki


def failure(call):
    with pytest.raises(SmsApiError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("status, requests_sent", [
    (429, 4), (502, 4), (503, 4), (504, 4),  # throttling and gateway errors: the first try and 3 retries
    (400, 1), (409, 1), (428, 1), (430, 1), (500, 1), (501, 1), (505, 1),  # anything else: never retried
])
def test_a_read_is_retried_only_after_throttling_and_gateway_errors(emulator, status, requests_sent):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, times=10,
                    body={"error_code": "SMS.0001", "error_msg": "refused"})
    pauses = []
    client = SmsClient(emulator.url, Credentials("token", auth_token=TOKEN), max_retries=3, sleep=pauses.append)
    error = failure(lambda: client.get_task("t-1"))
    assert error.status == status
    assert len(emulator.requests(method="GET", path_prefix="/v3/tasks/t-1")) == requests_sent
    assert len(pauses) == requests_sent - 1


@pytest.mark.parametrize("status, absent", [
    (404, True), (400, False), (403, False), (409, False), (410, False), (500, False), (503, False),
])
def test_only_a_404_of_the_service_says_a_record_is_absent(status, absent):
    error = SmsApiError("read SMS task t-1", status=status, error_code="SMS.1801", error_msg="The task does not exist.")
    assert error.is_absence() is absent


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_a_client_built_without_a_tls_setting_checks_the_certificate(tmp_path):
    """An endpoint whose certificate a CA made for this test signed (no store trusts it): refused by default."""
    pki = make_pki(tmp_path)
    with Emulator(tls_certfile=pki["server.pem"], tls_keyfile=pki["server.key"]) as emu:
        client = SmsClient(emu.url, Credentials("token", auth_token=TOKEN), max_retries=0)
        error = failure(client.list_tasks)
        assert error.message().startswith("Failed to list SMS tasks: TLS certificate verification failed for "
                                          "127.0.0.1:%d (SSLError)" % emu.port), error.message()
        assert error.status is None
        assert emu.journal == []
