# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the documentation says about commands and versions, checked against the files that decide them: every
`make <target>` the docs name exists, each described as the Makefile runs it; the collection's version wherever
it is written is galaxy.yml's; the development requirements hold what the docs tell a contributor to run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/development.md", "docs/connection.md", "docs/modules.md", "docs/performance.md",
        "docs/reliability.md", "awx/README.md", "roles/decommission/README.md"]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
VERSION = re.search(r"^version: (\S+)$", (ROOT / "galaxy.yml").read_text(encoding="utf-8"), re.M).group(1)
# words after "make" in prose that are no target ("make ready", "make busy": the executor's words)
NOT_TARGETS = {"and", "ready", "busy", "sure", "it", "a", "the"}


def read(name):
    return (ROOT / name).read_text(encoding="utf-8")


def targets():
    return set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.M))


def recipe(target):
    match = re.search(r"^%s:[^\n]*\n((?:\t[^\n]*\n|[ \t]*#[^\n]*\n)*)" % re.escape(target), MAKEFILE, re.M)
    return match.group(1)


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_a_document_names_exists(doc):
    named = set(re.findall(r"`make ([a-z][a-z-]*)", read(doc))) - NOT_TARGETS
    assert named <= targets(), "%s names make targets the Makefile does not have: %s" % (doc, named - targets())


def test_the_makefile_header_lists_every_target():
    listed = set(re.findall(r"^#   make ([a-z][a-z-]*)", MAKEFILE, re.M))
    public = targets() - {"help", "venv", "prepare", "distclean"}
    assert public <= listed, public - listed


def test_make_lint_runs_what_the_docs_say():
    assert "`make lint` runs ruff (`pyproject.toml`) and ansible-lint" in read("docs/development.md")
    assert "ruff" in recipe("lint") and "ansible-lint" in recipe("lint") and "changelog" not in recipe("lint")
    assert re.search(r"antsibull-changelog\"? lint", recipe("changelog-lint"))


def test_make_test_is_what_ci_runs():
    assert re.search(r"^exec make (--no-print-directory )?test$", read(".ci/run"), re.M)
    assert "`bash .ci/run` runs `make test`" in read("README.md")


@pytest.mark.parametrize("doc", ["README.md", "awx/README.md", "awx/execution-environment.yml"])
def test_the_collection_version_written_anywhere_is_galaxys(doc):
    text = read(doc)
    for found in re.findall(r"hwcloud-sms-(\d+\.\d+\.\d+)\.tar\.gz", text):
        assert found == VERSION, (doc, found)
    if doc.endswith(".yml"):
        assert re.search(r'version: ">=%s"' % re.escape(VERSION), text), doc


def test_the_tools_the_docs_tell_a_contributor_to_run_are_installed():
    requirements = read("requirements-dev.txt")
    assert "pre-commit install" in read("docs/development.md")
    assert re.search(r"^pre-commit==", requirements, re.M), "pre-commit is not in requirements-dev.txt"
    for tool in ("ruff", "ansible-lint", "antsibull-changelog", "antsibull-docs"):
        assert re.search(r"^%s==" % tool, requirements, re.M), tool


def test_the_demo_needs_only_the_runtime_dependencies():
    demo = {re.split(r"[=<>]", line)[0].lower() for line in read("requirements-demo.txt").splitlines()
            if line and not line.startswith("#")}
    assert demo == {"ansible-core", "requests"}
    assert "DEMO_VENV := build/demo-venv" in MAKEFILE and "requirements-demo.txt" in MAKEFILE


def test_the_matrix_runs_every_release_the_readme_claims():
    import configparser

    tox = configparser.ConfigParser(interpolation=None)
    tox.read_string(read("tox.ini"))
    claimed = re.search(r"^\* ansible-core ([0-9., and]+) \(`meta/runtime.yml`", read("README.md"), re.M).group(1)
    releases = re.findall(r"2\.(\d+)", claimed)
    env_list = re.fullmatch(r"core\{([0-9,]+)\}-\{sanity,units,integration\}", tox["tox"]["env_list"]).group(1)
    assert env_list.split(",") == ["2" + minor for minor in releases]
    assert 'requires_ansible: ">=2.%s.0"' % releases[0] in read("meta/runtime.yml")
    testenv = tox["testenv"]
    for minor in releases:
        assert "core2%s: ansible-core>=2.%s,<2.%d" % (minor, minor, int(minor) + 1) in testenv["deps"], minor
        assert re.search(r"^core2%s: python3\.\d+" % minor, testenv["base_python"], re.M), minor
    # the releases come from tox.ini alone: the test tools pin none
    assert not re.search(r"^ansible-core", read("requirements-test.txt"), re.M)
