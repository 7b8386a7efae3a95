# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AK/SK calls carry the project id; without project_id the client looks the project up by name through IAM, as
the official SDK does (GET /v3/projects?name=...), and uses the one project of exactly that name (the project_name
option, else the region)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import AK, SK

WANTED = "11111111111111111111111111111111"


@pytest.mark.parametrize("project_name, scope", [(None, "cn-north-4"), ("cn-north-4_dev", "cn-north-4_dev")])
def test_only_the_project_of_exactly_that_name_is_used(emulator, project_name, scope):
    names = ["cn-north-1", "cn-north-4", "cn-north-4_dev", "cn-north-9"]  # as an IAM that ignored the filter would
    projects = [{"id": WANTED if name == scope else "%d" % number * 32, "name": name} for number, name in enumerate(names)]
    projects.append({"id": "f" * 32})
    emulator.projects[scope] = WANTED  # the project SMS knows
    emulator.inject(method="GET", path="/v3/projects", raw=json.dumps({"projects": projects}).encode("utf-8"))
    client = sms.SmsClient(emulator.url, sms.Credentials("aksk", access_key=AK, secret_key=SK), iam_url=emulator.url + "/v3",
                           region="cn-north-4", project_name=project_name, max_retries=0)
    client.get_task("t-1")
    lookup, call = emulator.journal
    assert lookup["path"] == "/v3/projects" and lookup["query"] == {"name": scope}
    assert call["path"] == "/v3/tasks/t-1" and call["headers"]["x-project-id"] == WANTED
    assert "x-project-id" not in lookup["headers"]
