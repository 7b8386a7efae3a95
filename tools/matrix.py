"""The support matrix: sanity, unit and integration tests on every ansible-core release the collection claims.

For each minor release of ansible-core from 2.16 to 2.21, this makes a virtual environment in
build/matrix/<release> on a Python that release supports, installs the newest patch release of that
ansible-core there with the test tools of requirements-dev.txt (the linters and documentation tools,
which pull in their own ansible-core, are left out; 2.16 gets urllib3 1.26, see URLLIB3), and runs in it:

* ``ansible-test sanity`` on a clean copy of the collection (``tools/sanity.py``, no ignore file),
* the unit tests (``pytest tests/unit``),
* the integration tests (``pytest tests/integration``: real ``ansible-playbook`` and ``ansible`` runs
  against the emulator, with that ansible-core).

It prints one line per release and writes the table to build/matrix/results.md. Each stage's result is
kept (build/matrix/<release>/stages.json), so a run of some releases or stages updates the table in place;
a row names the stages it holds. A release whose Python is not on the machine is reported as skipped, never
as passed. The exit status is non-zero when any
release failed, or was skipped while ``--require-all`` was given.

Why home-made: ``ansible-test --venv`` runs with the ansible-core it belongs to, so a matrix of releases needs one
environment per release whatever runs in it, and tox-ansible (the community's matrix plugin for tox) makes those
environments but runs Molecule scenarios as its integration tests, while this collection's integration tests are
pytest runs of ``ansible-playbook`` against the emulator; tox, its plugin and their configuration would replace the
environment handling here, not the choice of a Python per release or the table, with more moving parts.

Usage: python tools/matrix.py [--releases 2.16 2.17 ...] [--stages sanity units integration] [--require-all]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / 'build' / 'matrix'
# The Pythons each release supports as a controller (ansible-core's own requirements), preferred first. The
# preferences spread the three Pythons of these machines over the releases.
PYTHONS = {
    '2.16': ('3.11', '3.12', '3.10'),
    '2.17': ('3.12', '3.11', '3.10'),
    '2.18': ('3.13', '3.12', '3.11'),
    '2.19': ('3.13', '3.12', '3.11'),
    '2.20': ('3.12', '3.13', '3.14'),
    '2.21': ('3.13', '3.12', '3.14'),
}
STAGES = ('sanity', 'units', 'integration')
# The oldest release runs with urllib3 1.26, the last major before 2 (requests still accepts it, and some
# distributions ship it): the client reads answers there without read1, through a path of its own.
URLLIB3 = {'2.16': 'urllib3>=1.26,<2'}
# The tools of requirements-dev.txt that the matrix does not run (each pins or pulls its own ansible-core).
NOT_IN_MATRIX = ('ansible-core', 'ansible-lint', 'antsibull-changelog', 'antsibull-docs', 'ruff')
COUNTS = re.compile(r'(\d+) (passed|failed|skipped|error|errors)\b')


def log(message):
    print('matrix: %s' % message, flush=True)


def pyenv_root():
    if os.environ.get('PYENV_ROOT'):
        return os.environ['PYENV_ROOT']
    pyenv = shutil.which('pyenv')
    if pyenv:
        found = subprocess.run([pyenv, 'root'], capture_output=True, text=True, check=False).stdout.strip()
        if found:
            return found
    return os.path.expanduser('~/.pyenv')


def find_python(version):
    """A working interpreter of this Python version (on PATH, or installed by pyenv), or None."""
    name = 'python' + version
    # not the project's own virtual environment, which make puts first on PATH
    path = os.pathsep.join(entry for entry in os.environ.get('PATH', '').split(os.pathsep)
                           if entry and not Path(entry).resolve().is_relative_to(ROOT))
    candidates = [shutil.which(name, path=path)]
    candidates += sorted(glob.glob(os.path.join(glob.escape(pyenv_root()), 'versions', version + '.*', 'bin', name)),
                         reverse=True)
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run([candidate, '-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'],
                               capture_output=True, text=True, check=False)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def requirements():
    """requirements-dev.txt without the tools the matrix does not run."""
    wanted = []
    for line in (ROOT / 'requirements-dev.txt').read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        if line.startswith('-r '):
            wanted += [entry.split('#', 1)[0].strip() for entry in (ROOT / line[3:].strip()).read_text(encoding='utf-8').splitlines()]
            continue
        if re.split(r'[=<>~!\[ ]', line, maxsplit=1)[0].lower() not in NOT_IN_MATRIX:
            wanted.append(line)
    return [entry for entry in wanted if entry]


def make_venv(release, python):
    venv = WORK / release / 'venv'
    bin_dir = venv / 'bin'
    wanted = requirements() + ['ansible-core>=%s.0,<%s' % (release, next_release(release))] + (
        [URLLIB3[release]] if release in URLLIB3 else [])
    stamp = venv / '.matrix-requirements'
    if not (stamp.exists() and stamp.read_text(encoding='utf-8') == '\n'.join(wanted + [python])):
        if venv.exists():
            shutil.rmtree(venv)
        subprocess.run([python, '-m', 'venv', str(venv)], check=True)
        install = subprocess.run([str(bin_dir / 'python'), '-m', 'pip', 'install', '--disable-pip-version-check',
                                  '--quiet', '--upgrade'] + wanted, capture_output=True, text=True, check=False)
        if install.returncode:
            print(install.stdout + install.stderr, file=sys.stderr)
            install.check_returncode()
        stamp.write_text('\n'.join(wanted + [python]), encoding='utf-8')
    versions = subprocess.run([str(bin_dir / 'python'), '-c',
                               'from ansible.release import __version__; import urllib3; print(__version__, urllib3.__version__)'],
                              capture_output=True, text=True, check=True).stdout.split()
    return bin_dir, versions[0], versions[1]


def next_release(release):
    major, minor = release.split('.')
    return '%s.%d' % (major, int(minor) + 1)


def stage_env(release, bin_dir):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith('ANSIBLE_') and key not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    home = WORK / release / 'ansible-home'
    for folder in ('home', 'tmp', 'remote-tmp'):
        (WORK / release / ('ansible-' + folder)).mkdir(parents=True, exist_ok=True)
    env.update({
        'PATH': str(bin_dir) + os.pathsep + env.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': str(ROOT / 'build' / 'collections'),
        'ANSIBLE_HOME': str(home),
        'ANSIBLE_LOCAL_TEMP': str(WORK / release / 'ansible-tmp'),
        'ANSIBLE_REMOTE_TEMP': str(WORK / release / 'ansible-remote-tmp'),
        'ANSIBLE_PYTHON_INTERPRETER': str(bin_dir / 'python'),
        'ANSIBLE_NOCOLOR': '1',
        'SMS_EMULATOR_JOURNAL_DIR': str(WORK / release / 'journals'),
    })
    return env


def run_stage(stage, release, bin_dir):
    python = str(bin_dir / 'python')
    if stage == 'sanity':
        command = [python, str(ROOT / 'tools' / 'sanity.py')]
    else:
        folder = 'tests/unit' if stage == 'units' else 'tests/integration'
        command = [python, '-m', 'pytest', folder, '-q', '-p', 'no:cacheprovider', '-n', '2']
    env = stage_env(release, bin_dir)
    if stage != 'sanity':
        env['PYTHONPATH'] = str(ROOT / 'build' / 'collections')
    log_file = WORK / release / ('%s.log' % stage)
    started = time.monotonic()
    with open(log_file, 'wb') as out:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    text = log_file.read_text(encoding='utf-8', errors='replace')
    if stage == 'sanity':
        tests = re.findall(r'^Running sanity test "([^"]+)"', text, flags=re.M)
        summary = '%d tests run' % len(tests)
    else:
        tail = [line for line in text.splitlines() if ' in ' in line and COUNTS.search(line)]
        counts = {kind: int(number) for number, kind in COUNTS.findall(tail[-1])} if tail else {}
        summary = ', '.join('%d %s' % (counts[kind], kind) for kind in ('passed', 'failed', 'errors', 'error', 'skipped')
                            if kind in counts) or 'no summary'
    return code == 0, '%s (%.0f s)' % (summary, time.monotonic() - started), log_file


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--releases', nargs='+', default=list(PYTHONS), choices=list(PYTHONS))
    parser.add_argument('--stages', nargs='+', default=list(STAGES), choices=STAGES)
    parser.add_argument('--require-all', action='store_true', help='a skipped release (no Python for it) fails the run')
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows, failed, skipped = [], 0, 0
    for release in args.releases:
        python = next((found for found in map(find_python, PYTHONS[release]) if found), None)
        if python is None:
            skipped += 1
            rows.append((release, '-', '-', '-', 'skipped: none of Python %s found' % ', '.join(PYTHONS[release])))
            log('%s: skipped, none of Python %s found' % (release, ', '.join(PYTHONS[release])))
            continue
        py_version = subprocess.run([python, '-c', 'import platform; print(platform.python_version())'],
                                    capture_output=True, text=True, check=True).stdout.strip()
        log('%s: Python %s (%s), installing' % (release, py_version, python))
        try:
            bin_dir, core, urllib3 = make_venv(release, python)
        except subprocess.CalledProcessError as error:
            failed += 1
            rows.append((release, py_version, '-', '-', 'failed: the virtual environment could not be made (%s)' % error))
            log('%s: failed, the virtual environment could not be made' % release)
            continue
        kept = WORK / release / 'stages.json'
        stored = json.loads(kept.read_text(encoding='utf-8')) if kept.exists() else {}
        if stored.get('versions') != [py_version, core, urllib3]:
            stored = {'versions': [py_version, core, urllib3], 'stages': {}}
        ok = True
        for stage in args.stages:
            passed, summary, log_file = run_stage(stage, release, bin_dir)
            ok = ok and passed
            stored['stages'][stage] = [passed, summary, time.strftime('%Y-%m-%d')]
            kept.write_text(json.dumps(stored), encoding='utf-8')
            log('ansible-core %s, Python %s: %s %s: %s%s' % (
                core, py_version, stage, 'ok' if passed else 'FAILED', summary, '' if passed else ' (see %s)' % log_file))
        failed += not ok
        rows.append((release, py_version, core, urllib3, ('passed' if ok else 'FAILED')))
    lines = ['| release | Python | ansible-core | urllib3 | %s |' % ' | '.join(STAGES), '|---|---|---|---|' + '---|' * len(STAGES)]
    for release in PYTHONS:
        kept = WORK / release / 'stages.json'
        if not kept.exists():
            continue
        stored = json.loads(kept.read_text(encoding='utf-8'))
        cells = ['%s: %s (%s)' % ('ok' if stored['stages'][stage][0] else 'FAILED', stored['stages'][stage][1],
                                  stored['stages'][stage][2]) if stage in stored['stages'] else 'not run'
                 for stage in STAGES]
        lines.append('| %s | %s |' % (' | '.join([release] + stored['versions']), ' | '.join(cells)))
    (WORK / 'results.md').write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print()
    for release, py_version, core, urllib3, result in rows:
        print('%-5s ansible-core %-8s Python %-7s urllib3 %-8s %s' % (release, core, py_version, urllib3, result))
    passed = len(rows) - failed - skipped
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or (skipped and args.require_all) else 0


if __name__ == '__main__':
    sys.exit(main())
