# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""README.md's Quick start, as a new user follows it: the emulator that ``make emulator`` starts prints the export
lines the README shows, and the README's three ad-hoc commands, copied line by line from it and run in a shell
after those lines, end as the README says (exit status, the quoted ``msg``). The README is read, not restated:
when it and the code drift apart, this test fails."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest

from tests.integration.harness import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README[README.index("## Quick start"):README.index("\n## ", README.index("## Quick start") + 5)]
SERVE_PORT_IN_README = 8600


def blocks(kind):
    """The fenced blocks of ``kind`` (console, text) of the quick start, in order."""
    return re.findall(r"```%s\n(.*?)```" % kind, QUICK_START, re.S)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served():
    """The seeded emulator as `make emulator` serves it (tools/demo.py --serve), with what it printed first."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "tools" / "demo.py"), "--serve", "--port", str(port)],
                               cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("  curl "):
            break
    try:
        yield port, "".join(lines)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_emulator_prints_the_export_lines_the_readme_shows(served):
    """The lines are the README's but for the port and the Python the emulator runs on: `make emulator` runs it
    in build/demo-venv (the Makefile says so), this test with its own."""
    port, printed = served
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "DEMO_VENV := build/demo-venv" in makefile
    assert '"$(DEMO_VENV)/bin/python" tools/demo.py --serve --port "$(EMULATOR_PORT)"' in makefile
    assert "EMULATOR_PORT ?= %d" % SERVE_PORT_IN_README in makefile
    printed_bin = re.search(r'export PATH="([^"]*):\$PATH"', printed).group(1)
    readme_exports = [line for line in QUICK_START.splitlines() if line.startswith("  export ")]
    assert len(readme_exports) == 2, readme_exports
    for line in readme_exports:
        expected = line.replace(str(SERVE_PORT_IN_README), str(port)).replace("$PWD/build/demo-venv/bin", printed_bin)
        assert expected in printed.splitlines(), (expected, printed)


def test_the_three_commands_work_as_written(served, tmp_path):
    port, printed = served
    exports = [line.strip() for line in printed.splitlines() if line.startswith("  export ")][:2]
    commands = [block.strip() for block in blocks("console") if block.strip().startswith("ansible ")]
    assert len(commands) == 3, commands
    quoted = [re.search(r'^    "msg": "(.*)",$', block, re.M) for block in blocks("text")]
    quoted = [match.group(1) for match in quoted if match]
    assert len(quoted) == 3, quoted
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HW_", "ANSIBLE_"))}
    # the test's own ansible answers where build/demo-venv (which only make demo and make emulator create) is absent
    env.update(PATH="%s:%s" % (os.path.dirname(sys.executable), env.get("PATH", "")), HOME=str(tmp_path),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    for command, statuses, msg in zip(commands, ([0], [2], [0]), quoted):
        script = "cd %s\n%s\n%s\n" % (_quote(str(ROOT)), "\n".join(exports), command)
        run = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode in statuses, (command, run.stdout, run.stderr)
        # a request id differs from run to run: the message is compared up to it
        expected = re.sub(r", request id [0-9a-f]+\)", ", request id ", msg.split(" (HTTP 400")[0])
        assert expected in run.stdout, (expected, run.stdout)


def _quote(text):
    return "'%s'" % text.replace("'", "'\\''")
