# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS endpoints: certificate checks by default, a private CA with ca_path, and validate_certs=false."""

from __future__ import annotations

import datetime
import ipaddress

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import sms_task, token_defaults


def _certificate(subject, issuer, public_key, signing_key, ca):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture
def tls_emulator(tmp_path):
    """An HTTPS emulator whose certificate is signed by a CA made for this test."""
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hwcloud.sms test CA")])
    ca_cert = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    server_cert = _certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), ca_name,
                               server_key.public_key(), ca_key, ca=False)
    paths = {name: tmp_path / name for name in ("ca.pem", "server.pem", "server.key")}
    paths["ca.pem"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["server.pem"].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    paths["server.key"].write_bytes(server_key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    with Emulator(tls_certfile=str(paths["server.pem"]), tls_keyfile=str(paths["server.key"])) as emu:
        emu.ca_path = str(paths["ca.pem"])
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
    assert [(entry["method"], entry["task_id"]) for entry in emu.journal] == [
        ("GET", first["id"]), ("DELETE", first["id"]), ("GET", second["id"]), ("DELETE", second["id"])]
