# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The attributes every module of hwcloud.sms shares (DOCUMENTATION), and those of its info modules
    (INFO_MODULE). A removal module describes its own check_mode and diff_mode: what it reads and shows differs."""

    DOCUMENTATION = r"""
attributes:
  platform:
    support: full
    platforms: all
    description: Runs wherever Python and C(requests) are available; it only talks HTTPS to Huawei Cloud.
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    description: Changes nothing; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to compare.
"""
