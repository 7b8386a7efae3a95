# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the module tests run a module as a playbook does: its real ``main()`` in-process against the emulator, its
result read back from what it printed; and what they read from the emulator's journal."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import yaml

from ansible_collections.hwcloud.sms.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC
from tests.conftest import TOKEN
from tests.module_args import patch_module_args


def printed(module, emu, check=False, diff=False, **args):
    """What one run of ``module`` with ``args``, a token and no retries, against ``emu``, printed."""
    out = io.StringIO()
    args = dict(args, endpoint=emu.url, auth_token=TOKEN, max_retries=0, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            module.main()
    return out.getvalue()


def run_module(module, emu, check=False, diff=False, **args):
    """The result of that run."""
    return json.loads(printed(module, emu, check=check, diff=diff, **args))


def sent(emu):
    return emu.sent("method", "path")


def writes(emu):
    return [(method, path) for method, path in sent(emu) if method != "GET"]


class SpecSeen(Exception):
    """Raised instead of building the module: carries the argument spec main() was about to use."""


def assert_the_documented_options_are_applied(module, monkeypatch):
    """Each option of the module's DOCUMENTATION, with its default and type, is in the argument spec its main()
    builds, and none shadows a connection option. Returns that spec."""
    def capture(argument_spec, **kwargs):
        raise SpecSeen(argument_spec)

    monkeypatch.setattr(module, "SmsModule", capture)
    with pytest.raises(SpecSeen) as seen:
        module.main()
    spec = seen.value.args[0]
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(spec)
    for name, doc in documented.items():
        assert spec[name].get("default") == doc.get("default"), name
        assert spec[name].get("type", "str") == doc.get("type", "str"), name
    assert not set(spec) & set(CONNECTION_ARGUMENT_SPEC)
    return spec
