"""Mutation testing of plugins/module_utils and plugins/modules with cosmic-ray.

cosmic-ray changes the source files in place, one mutation at a time, and runs a test command against each
change. So this never touches the working tree: it copies the tracked files into build/mutation/tree, runs
cosmic-ray there (from its own virtual environment, build/mutation/venv, since it is not a dependency of the
collection or its tests), and writes the score and every surviving mutant to benchmarks/mutation.md.

The test command is the fast part of the suite (the unit tests, without the property tests and the fault
matrix), so that a full run takes an hour or two rather than days; a survivor is therefore "not caught by the
unit tests", and benchmarks/mutation.md says for each whether a slower test catches it or why it is harmless.

String formatting (``%``) mutated into other operators is left out: every such mutant raises a TypeError as
soon as the line runs, so it only measures line coverage, and it would triple the run.

Usage: python tools/mutation.py [--modules PATH ...] [--resume] [--tests "pytest arguments"]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / 'build' / 'mutation'
TREE = WORK / 'tree'
VENV = WORK / 'venv'
REPORT = ROOT / 'benchmarks' / 'mutation.md'
TESTS = ('tests/unit/plugins -x -q -p no:cacheprovider -p no:randomly '
         '--deselect tests/unit/plugins/module_utils/test_fuzz.py '
         '--deselect tests/unit/plugins/module_utils/test_signer.py::test_agrees_with_the_official_signer')
CONFIG = """[cosmic-ray]
module-path = {modules}
excluded-modules = []
timeout = 20.0
test-command = "{python} -m pytest {tests}"

[cosmic-ray.distributor]
name = "local"

[cosmic-ray.filters.operators-filter]
exclude-operators = ["core/ReplaceBinaryOperator_Mod_.*"]
"""


# Survivors judged equivalent (no test can tell them apart from the original), by module, operator and the
# source line as written; the report lists them apart from the survivors still to be killed.
CONNECTED_IS_FALSE = ('plugins/module_utils/task_rules.py', 'core/ReplaceComparisonOperator_Is_Eq',
                      'if task.get("connected") is False:')
EQUIVALENT = {
    CONNECTED_IS_FALSE: '"connected" is a JSON boolean or missing: for True, False and None, "== False" and "is False" '
                        'agree',
}


def run(cmd, **kwargs):
    print('mutation: %s' % ' '.join(str(part) for part in cmd), flush=True)
    return subprocess.run([str(part) for part in cmd], check=True, **kwargs)


def prepare_venv():
    python = VENV / 'bin' / 'python'
    stamp = VENV / '.stamp'
    requirements = ROOT / 'requirements-mutation.txt'
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        if not python.exists():
            run([sys.executable, '-m', 'venv', VENV])
        run([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements])
        stamp.write_text(requirements.read_text())
    return VENV / 'bin'


def copy_tree():
    if TREE.exists():
        shutil.rmtree(TREE)
    files = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, check=True, capture_output=True).stdout.split(b'\0')
    for name in filter(None, files):
        source = ROOT / name.decode()
        target = TREE / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def survivors(session_dump):
    """(module, line, operator, occurrence) of every mutant the tests did not catch."""
    found = []
    for line in session_dump.splitlines():
        job, result = json.loads(line)
        if result is None or result.get('test_outcome') != 'survived':
            continue
        mutation = job['mutations'][0]
        found.append((mutation['module_path'], mutation['start_pos'][0], mutation['operator_name'],
                      mutation['occurrence']))
    return sorted(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tests', default=TESTS, help='pytest arguments of the test command')
    parser.add_argument('--modules', nargs='+', default=['plugins/module_utils', 'plugins/modules'],
                        help='files or folders to mutate (default: plugins/module_utils plugins/modules)')
    parser.add_argument('--resume', action='store_true',
                        help='go on with the session of an interrupted run (same tree, same mutants)')
    args = parser.parse_args()
    bin_dir = prepare_venv()
    config = WORK / 'cosmic-ray.toml'
    session = WORK / 'session.sqlite'
    env = {key: value for key, value in os.environ.items() if key not in ('PYTHONPATH',)}
    started = time.time()
    if not (args.resume and session.exists()):
        copy_tree()
        python = ROOT / '.venv' / 'bin' / 'python'
        config.write_text(CONFIG.format(python=python, tests=args.tests, modules=json.dumps(args.modules)),
                          encoding='utf-8')
        if session.exists():
            session.unlink()
        (WORK / 'started').write_text(str(started), encoding='utf-8')
        run([bin_dir / 'cosmic-ray', 'init', config, session], cwd=TREE, env=env)
        run([bin_dir / 'cr-filter-operators', session, config], cwd=TREE, env=env)
        run([bin_dir / 'cosmic-ray', 'baseline', config], cwd=TREE, env=env)
    run([bin_dir / 'cosmic-ray', 'exec', config, session], cwd=TREE, env=env)
    dump = subprocess.run([bin_dir / 'cosmic-ray', 'dump', session], cwd=TREE, env=env, check=True,
                          capture_output=True, text=True).stdout
    results = [json.loads(line)[1] for line in dump.splitlines()]
    done = [result for result in results if result and result.get('test_outcome') in ('killed', 'survived')]
    killed = sum(1 for result in done if result.get('test_outcome') == 'killed')
    lost = survivors(dump)
    started_file = WORK / 'started'
    minutes = (time.time() - float(started_file.read_text() if started_file.exists() else started)) / 60
    score = 100.0 * killed / len(done) if done else 0.0
    lines = ['# Mutation testing', '',
             'Run by `make mutation` (`tools/mutation.py`, cosmic-ray %s) on %s; the session took %.0f minutes.' % (
                 '8.7.0', time.strftime('%Y-%m-%d'), minutes),
             'Mutated: %s. Test command: `pytest %s`.' % (', '.join(args.modules), args.tests), '',
             '| mutants | killed | survived | score |', '|---:|---:|---:|---:|',
             '| %d | %d | %d | %.1f%% |' % (len(done), killed, len(lost), score), '',
             '## Survivors still to be killed (module, line, operator, occurrence, source line)', '']
    explained, open_ = [], []
    for module, line, operator, occurrence in lost:
        source = (TREE / module).read_text(encoding='utf-8').splitlines()[line - 1].strip()
        reason = EQUIVALENT.get((module, operator, source))
        row = '* `%s:%d` %s #%d: `%s`' % (module, line, operator, occurrence, source)
        (explained if reason else open_).append(row + (' - equivalent: %s' % reason if reason else ''))
    lines += open_ or ['(none)']
    lines += ['', '## Survivors judged equivalent', ''] + (explained or ['(none)'])
    REPORT.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print('mutation: %d mutants, %d killed, %d survived, score %.1f%%; see %s' % (
        len(done), killed, len(lost), score, REPORT.relative_to(ROOT)))


if __name__ == '__main__':
    main()
