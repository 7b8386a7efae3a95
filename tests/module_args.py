# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``patch_module_args`` for the in-process tests on every supported ansible-core.

ansible-core 2.19 added ``ansible.module_utils.testing.patch_module_args``; before it, AnsibleModule read its
arguments from ``ansible.module_utils.basic._ANSIBLE_ARGS``, which the fallback sets for the time of the block.
"""

from __future__ import annotations

import contextlib
import json

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.18 and older
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Give AnsibleModule these arguments for the time of the block."""
        # pylint: disable=protected-access
        previous = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous


__all__ = ["patch_module_args"]
