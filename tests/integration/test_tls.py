# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS endpoints: certificate checks by default, a private CA with ca_path, and validate_certs=false."""

from __future__ import annotations

import certifi
import pytest

from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import sms_task, token_defaults
from tests.integration.pki import make_pki


@pytest.fixture
def tls_emulator(tmp_path):
    """An HTTPS emulator whose certificate is signed by a CA made for this test."""
    paths = make_pki(tmp_path)
    with Emulator(tls_certfile=paths["server.pem"], tls_keyfile=paths["server.key"]) as emu:
        emu.ca_path = paths["ca.pem"]
        yield emu


def test_https_certificate_checks(tls_emulator, playbook):
    emu = tls_emulator
    assert emu.url.startswith("https://")
    first, second = emu.add_task(name="one"), emu.add_task(name="two")
    run = playbook([
        sms_task(_name="default", task_id=first["id"], state="absent", wait=False),
        sms_task(_name="private CA", task_id=first["id"], state="absent", wait=False, ca_path=emu.ca_path),
        sms_task(_name="no checks", task_id=second["id"], state="absent", wait=False, validate_certs=False),
    ], defaults=token_defaults(emu), env={"REQUESTS_CA_BUNDLE": certifi.where()})  # ca_path must win over it
    default = run.result(0)
    assert run.status(0) == "failed"
    assert "TLS certificate verification failed" in default["msg"] and "ca_path" in default["msg"]
    assert run.status(1) == "changed", run.result(1)["msg"]
    assert run.status(2) == "changed", run.result(2)
    assert any("validate_certs is false" in warning for warning in run.result(2)["warnings"])
    # the failed handshake sent nothing: only the two successful runs reached the service, once each (no retry)
    assert emu.sent("method", "task_id") == [
        ("GET", first["id"]), ("DELETE", first["id"]), ("GET", second["id"]), ("DELETE", second["id"])]
