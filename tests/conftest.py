# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every test shares: the working tree importable as ``ansible_collections.hwcloud.sms`` (and the
emulator as ``tests.emulator``) for plain pytest from a clone in a folder of any name, the credentials the
emulator knows, and the ``emulator`` fixture (a fresh emulator on a free port for each test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / "build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "hwcloud" / "sms"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    try:
        LINK.symlink_to(ROOT, target_is_directory=True)
    except FileExistsError:  # another test worker made it first
        pass
for entry in (str(COLLECTIONS), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from tests.emulator.sms_emulator import Emulator  # noqa: E402  (importable only once the paths above are set)

# The credentials and project the emulator knows (Emulator's defaults), for every test to use.
TOKEN = "static-test-token-0123456789"
AK = "AKTESTEXAMPLE0000001"
SK = "SKtestExampleSecretKey0000000000000000001"
USER, PASSWORD, DOMAIN = "sms-operator", "Pa55w0rd-example!", "example-domain"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
REGION = "cn-north-4"


@pytest.fixture
def emulator():
    with Emulator() as emu:
        yield emu


@pytest.fixture
def no_bundle_in_the_environment(monkeypatch):
    """No CA bundle named by the environment (requests would trust it): the machine's own store decides."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
