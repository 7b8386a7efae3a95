# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domain suffix of the endpoints of the eu-west-1* regions.

The ``cloud`` option's documentation: the eu-west-1* regions use myhuaweicloud.eu for every endpoint, SMS
included, while ``cloud`` keeps its default; a ``cloud`` the user sets is the suffix of every endpoint
(sms-api.md section 1: the suffix is myhuaweicloud.com unless the user says otherwise). Written here, not imported.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.endpoints import iam_endpoint, sms_endpoint


@pytest.mark.parametrize("region, cloud, sms, iam", [
    ("eu-west-101", "myhuaweicloud.com", "https://sms.ap-southeast-3.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    # a suffix the user chose is kept, whether it sorts before or after the default
    ("eu-west-101", "example.com", "https://sms.ap-southeast-3.example.com", "https://iam.eu-west-101.example.com/v3"),
    ("eu-west-101", "aaa.example", "https://sms.ap-southeast-3.aaa.example", "https://iam.eu-west-101.aaa.example/v3"),
    ("eu-west-101", "zz.example", "https://sms.ap-southeast-3.zz.example", "https://iam.eu-west-101.zz.example/v3"),
    ("eu-west-102", "example.com", "https://sms.ap-southeast-3.example.com", "https://iam.example.com/v3"),
])
def test_the_eu_suffix_replaces_only_the_default_cloud(region, cloud, sms, iam):
    assert sms_endpoint(region, cloud=cloud) == sms
    assert iam_endpoint(region, cloud) == iam
