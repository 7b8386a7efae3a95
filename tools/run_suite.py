"""Run every test step of the collection and print one summary line.

Each step is a target of the Makefile, run with ``make``; its output is
streamed as it comes.  Counting:

* pytest steps (units, integration) count their individual tests, read from
  the JUnit XML file that pytest writes into ``build/test-results/``;
* sanity counts each ansible-test sanity test, read from the JUnit files that
  ``tools/sanity.py`` copies into ``build/test-results/sanity/``;
* every other step counts as one test.

A step that exits non-zero without a counted failure counts one failure more.
The last line printed is ``N passed, N failed, N skipped``; the exit status
is non-zero when anything failed.

Why home-made: CI wants one ``N passed, N failed`` line over steps of different kinds (pytest, ansible-test,
linters, a build); no standard runner adds up pytest's and ansible-test's JUnit results with plain exit statuses.

Usage: python tools/run_suite.py [--list] [--only STEP ...] [--skip STEP ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path('build') / 'test-results'


@dataclass
class Step:
    """One step of the suite."""

    name: str
    target: str
    junit: Path | None = None  # a file (pytest) or a directory of files (sanity)
    make_vars: list[str] = field(default_factory=list)


STEPS = [
    Step('sanity', 'sanity', junit=RESULTS / 'sanity'),
    Step('units', 'units', junit=RESULTS / 'units.xml',
         make_vars=['PYTEST_ARGS=--junitxml=%s' % (RESULTS / 'units.xml')]),
    Step('integration', 'integration', junit=RESULTS / 'integration.xml',
         make_vars=['PYTEST_ARGS=--junitxml=%s' % (RESULTS / 'integration.xml')]),
    Step('contract', 'contract', junit=RESULTS / 'contract.xml',
         make_vars=['PYTEST_ARGS=--junitxml=%s' % (RESULTS / 'contract.xml')]),
    Step('ansible-lint', 'lint'),
    Step('docs-lint', 'docs-lint'),
    Step('changelog-lint', 'changelog-lint'),
    Step('build-check', 'build-check'),
]


@dataclass
class Result:
    """Counts of one step."""

    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    status: int = 0
    notes: list[str] = field(default_factory=list)


def count_junit(paths: list[Path], result: Result) -> None:
    """Add the test cases of the given JUnit XML files to the result."""
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as error:
            result.failed += 1
            result.notes.append('unreadable %s: %s' % (path, error))
            continue
        for case in root.iter('testcase'):
            tags = {child.tag for child in case}
            if tags & {'failure', 'error'}:
                result.failed += 1
            elif 'skipped' in tags:
                result.skipped += 1
            else:
                result.passed += 1


def run_step(step: Step, make: list[str]) -> Result:
    result = Result(step.name)
    junit = REPO_ROOT / step.junit if step.junit else None
    if junit is not None:
        if junit.is_dir():
            shutil.rmtree(junit)
        elif junit.exists():
            junit.unlink()

    command = make + ['--no-print-directory', step.target] + step.make_vars
    banner = '=' * 20
    print('\n%s %s: %s %s' % (banner, step.name, ' '.join(command), banner), flush=True)
    start = time.monotonic()
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b''):
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
        result.status = process.wait()
    result.seconds = time.monotonic() - start

    if junit is None:
        if result.status == 0:
            result.passed = 1
        else:
            result.failed = 1
        return result

    files = sorted(junit.glob('*.xml')) if junit.is_dir() else ([junit] if junit.exists() else [])
    count_junit(files, result)
    if result.status != 0 and result.failed == 0:
        result.failed += 1
        result.notes.append('exited with %d' % result.status)
    if result.status == 0 and not files:
        # Nothing to count (e.g. pytest stopped before writing): the step itself passed.
        result.passed += 1
        result.notes.append('no results file, counted as one test')
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    names = [step.name for step in STEPS]
    parser.add_argument('--list', action='store_true', help='list the steps and exit')
    parser.add_argument('--only', action='append', choices=names, metavar='STEP', help='run only these steps')
    parser.add_argument('--skip', action='append', choices=names, metavar='STEP', default=[],
                        help='skip these steps')
    options = parser.parse_args()

    if options.list:
        for step in STEPS:
            print('%-15s make %s' % (step.name, step.target))
        return 0

    steps = [step for step in STEPS
             if (not options.only or step.name in options.only) and step.name not in options.skip]
    make = [os.environ.get('MAKE') or 'make']
    (REPO_ROOT / RESULTS).mkdir(parents=True, exist_ok=True)

    results = []
    for step in steps:
        results.append(run_step(step, make))

    print('\n%s summary %s' % ('=' * 20, '=' * 20))
    for result in results:
        state = 'FAILED' if result.failed else 'ok'
        print('%-15s %-6s %4d passed %4d failed %4d skipped %7.1f s%s' % (
            result.name, state, result.passed, result.failed, result.skipped, result.seconds,
            ('  (%s)' % '; '.join(result.notes)) if result.notes else ''))
    passed = sum(result.passed for result in results)
    failed = sum(result.failed for result in results)
    skipped = sum(result.skipped for result in results)
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
