"""The test command of ``make mutation``: run only the tests that reach the mutated lines.

cosmic-ray runs this in the copy it mutates (build/mutation/tree), after changing one file of plugins/. It
finds the change by comparing plugins/ with the unchanged copy (build/mutation/pristine), looks the changed
lines up in the map that ``tools/mutation_trace.py`` recorded, and runs those tests with pytest, fastest first,
stopping at the first failure. Its exit status is pytest's: non-zero means the mutant was caught.

A line that only runs at import time (a constant, a ``def`` line with its default values) may change what any
test sees, so it gets every test of the map. The tests that run the plugins in a child interpreter (CHILD), where
the tracer cannot follow, are added to every mutant's tests; they take about a second. A line that no other test
reaches gets only those: if they pass, the mutant survives, and the report lists it as unreached.
"""

from __future__ import annotations

import difflib
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parent.parent / 'build' / 'mutation'
PRISTINE = WORK / 'pristine'
TRACE = WORK / 'trace.json'
OUTSIDE = '*'
MEMORY = 4 * 1024 ** 3  # a mutant that makes a loop grow without end fails with MemoryError, not the machine
# The quick tests (under QUICK seconds each, as traced) run first, in one process: most mutants fail one of them,
# and starting more processes would cost more than they take. The rest (mostly fault-matrix cells, which spend
# their time waiting for pauses and timeouts) run in WORKERS processes when there are PARALLEL_FROM or more.
QUICK = 0.3
PARALLEL_FROM, WORKERS = 8, 4
# A mutant that makes the tests hang would hold a worker for cosmic-ray's whole timeout: each group of tests gets
# SLACK seconds plus STRETCH times what its tests took in the traced run (itself slower than a plain run), and is
# stopped after that, which reports the mutant as stopped by the timeout (tools/mutation.py lists those apart).
SLACK, STRETCH = 60.0, 4.0
TIMED_OUT = 'mutation_select: timeout'
CHILD = ('tests/unit/plugins/module_utils/test_client_without_requests.py', 'tests/unit/plugins/modules/test_modules_run_as_scripts.py')
PYTEST = ['-x', '-q', '-p', 'no:cacheprovider', '-p', 'no:randomly', '--hypothesis-seed=0']


def changed_lines(tree):
    """{relative path: set of original line numbers} of every file of plugins/ that differs from the pristine copy."""
    changes = {}
    for original in sorted(PRISTINE.glob('plugins/**/*.py')):
        relative = original.relative_to(PRISTINE).as_posix()
        before = original.read_text(encoding='utf-8').splitlines()
        after = (tree / relative).read_text(encoding='utf-8').splitlines()
        if before == after:
            continue
        lines = set()
        for tag, first, last, _first_after, _last_after in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
            if tag != 'equal':
                lines.update(range(first + 1, max(last, first + 1) + 1))
        changes[relative] = lines
    return changes


def selected_tests(changes, trace):
    tests = set()
    for path, lines in changes.items():
        reached = trace['lines'].get(path, {})
        for line in lines:
            tests.update(reached.get(str(line), ()))
    if OUTSIDE in tests:
        tests = set(trace['durations'])
    durations = trace['durations']
    tests.update(test for test in durations if test.split('::', 1)[0] in CHILD)
    return sorted(tests - {OUTSIDE}, key=lambda test: (durations.get(test, 0.0), test))


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def main():
    tree = Path.cwd()
    changes = changed_lines(tree)
    if not changes:
        print('mutation_select: no change found in plugins/', file=sys.stderr)
        return 2
    trace = json.loads(TRACE.read_text(encoding='utf-8'))
    tests = selected_tests(changes, trace)
    print('mutation_select: %s -> %d tests' % (', '.join('%s:%s' % (path, sorted(lines)) for path, lines in changes.items()),
                                               len(tests)))
    if all(test.split('::', 1)[0] in CHILD for test in tests):
        # reported as unreached by tools/mutation.py unless these fail
        print('mutation_select: no test reaches the mutated lines in process; the tests in a child interpreter run')
    durations = trace['durations']
    quick = [test for test in tests if durations.get(test, 0.0) < QUICK]
    slow = [test for test in tests if durations.get(test, 0.0) >= QUICK]
    for group in (quick, slow):
        if not group:
            continue
        parallel = ['-n', str(WORKERS)] if group is slow and len(group) >= PARALLEL_FROM else []
        budget = SLACK + STRETCH * sum(durations.get(test, 0.0) for test in group) / (WORKERS if parallel else 1)
        # its own session, so that the timeout stops the xdist workers too
        process = subprocess.Popen([sys.executable, '-m', 'pytest'] + PYTEST + parallel + group, preexec_fn=limit_memory,
                                   start_new_session=True)
        try:
            returncode = process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            print('%s after %.0f s (%d tests)' % (TIMED_OUT, budget, len(group)), flush=True)
            return 3
        if returncode:
            return returncode
    return 0


if __name__ == '__main__':
    sys.exit(main())
