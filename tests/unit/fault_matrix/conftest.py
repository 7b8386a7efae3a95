# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the fault matrix (phase x fault, outcome) after the tests ran, and write it to build/fault-matrix.md."""

from __future__ import annotations

from pathlib import Path

import pytest

RESULTS_KEY = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter):
    results = terminalreporter.config.stash.get(RESULTS_KEY, None)
    if not results:
        return
    faults = list(dict.fromkeys(fault for mode, phase, fault in results))
    phases = list(dict.fromkeys(phase for mode, phase, fault in results))
    lines = []
    for mode in ("normal", "check"):
        lines.append("")
        lines.append("Fault matrix, %s mode (each fault injected 4 times into the phase; max_retries 2)" % mode)
        lines.append("| phase | " + " | ".join(faults) + " |")
        lines.append("|---" * (len(faults) + 1) + "|")
        for phase in phases:
            cells = [results.get((mode, phase, fault), "n/a") for fault in faults]
            lines.append("| %s | %s |" % (phase, " | ".join(cells)))
    text = "\n".join(lines) + "\n"
    for line in lines:
        terminalreporter.write_line(line)
    output = Path(__file__).resolve().parents[3] / "build" / "fault-matrix.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
