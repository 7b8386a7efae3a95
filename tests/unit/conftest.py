# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The table of the fault matrices (tests/unit/fault_matrix: phase x fault, outcome), printed after the tests ran and
written to build/fault-matrix.md. It is made here, where pytest-xdist's controller, which collects no test, still
loads the hooks: each cell sends its outcome in its report, as the user property CELL."""

from __future__ import annotations

from pathlib import Path

CELL = "fault matrix cell"
CELLS = {}  # (mode, phase, fault) -> outcome, as the reports come in (from xdist workers, in any order)
ORDER = {}  # phase or fault -> its place in the matrices, for the rows and columns


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == CELL:
            (mode, phase, fault, outcome), (phase_place, fault_place) = value
            CELLS[(mode, phase, fault)] = outcome
            ORDER[phase], ORDER[fault] = tuple(phase_place), tuple(fault_place)


def pytest_terminal_summary(terminalreporter):
    results = CELLS
    if not results or hasattr(terminalreporter.config, "workerinput"):  # an xdist worker: the controller prints it
        return
    faults = sorted({fault for mode, phase, fault in results}, key=ORDER.get)
    phases = sorted({phase for mode, phase, fault in results}, key=ORDER.get)
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
    output = Path(__file__).resolve().parents[2] / "build" / "fault-matrix.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
