"""Build the collection tarball, install it, and check that its modules are documented.

Steps, all in a temporary directory:

1. ``ansible-galaxy collection build`` from the repository root;
2. the tarball must not contain development files (virtual environment, build
   output, test output, caches);
3. ``ansible-galaxy collection install`` of the tarball into an empty collections path;
4. with only that path configured, ``ansible-doc -l hwcloud.sms`` must list
   every module of the tarball (``sms_task`` at least) and
   ``ansible-doc hwcloud.sms.<module>`` must render each of them, and
   ``ansible-doc -t role hwcloud.sms.<role>`` each role's entry points.

The tarball and its MANIFEST.json must carry the version of galaxy.yml.

Why home-made: galaxy-importer checks a tarball as Galaxy would, but its sanity step needs a container runtime,
and it neither installs the tarball into an empty collections path nor renders every manual with ansible-doc, which
is what a user meets first.

Usage: python tools/build_check.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NAMESPACE = 'hwcloud'
NAME = 'sms'
REQUIRED_MODULES = ('sms_task',)

# Top-level paths (or path prefixes) that must never be shipped.
FORBIDDEN_PREFIXES = (
    '.venv/', '.git/', '.ansible/', '.ci/', 'build/', 'tools/', 'tests/output/',
    'tests/emulator/', '.pytest_cache/', '.hypothesis/',
    # the tests need the emulator and the demo needs tools/: none of them ships, so that what ships is whole
    'tests/unit/', 'tests/integration/', 'tests/contract/', 'tests/fixtures/', 'tests/conftest.py',
    'tests/module_args.py', 'playbooks/demo.yml', 'requirements-demo.txt',
)
FORBIDDEN_PARTS = ('__pycache__',)
FORBIDDEN_SUFFIXES = ('.pyc', '.tar.gz')

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class CheckFailed(Exception):
    """A check did not pass."""


def log(message: str) -> None:
    print('build-check: %s' % message, flush=True)


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    log('$ %s' % ' '.join(command))
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        sys.stdout.write(result.stderr)
        raise CheckFailed('%s exited with %d' % (command[0], result.returncode))
    return result.stdout


def check_members(tarball: Path) -> list[str]:
    """Return the module names shipped in the tarball; fail on development files."""
    with tarfile.open(tarball) as archive:
        names = [member.name.removeprefix('./') for member in archive.getmembers()]
    bad = sorted(
        name for name in names
        if name.startswith(FORBIDDEN_PREFIXES)
        or any(part in FORBIDDEN_PARTS for part in name.split('/'))
        or name.endswith(FORBIDDEN_SUFFIXES)
    )
    if bad:
        raise CheckFailed('the tarball contains development files (extend build_ignore in galaxy.yml): %s'
                          % ', '.join(bad[:20]))
    for required in ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml'):
        if required not in names:
            raise CheckFailed('the tarball has no %s' % required)
    modules = sorted(
        name[len('plugins/modules/'):-len('.py')] for name in names
        if name.startswith('plugins/modules/') and name.endswith('.py')
        and '/' not in name[len('plugins/modules/'):] and not name.endswith('/__init__.py')
    )
    return modules


def build_check(workdir: Path) -> None:
    env = dict(os.environ)
    for name in ('ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_CONFIG', 'PYTHONPATH'):
        env.pop(name, None)
    dist = workdir / 'dist'
    collections = workdir / 'collections'
    env['ANSIBLE_COLLECTIONS_PATH'] = str(collections)
    env['ANSIBLE_HOME'] = str(workdir / 'ansible-home')
    env['ANSIBLE_LOCAL_TEMP'] = str(workdir / 'ansible-tmp')
    env['ANSIBLE_NOCOLOR'] = '1'

    run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(dist), str(REPO_ROOT)],
        env, workdir)
    tarballs = sorted(dist.glob('%s-%s-*.tar.gz' % (NAMESPACE, NAME)))
    if len(tarballs) != 1:
        raise CheckFailed('expected one tarball in %s, found %d' % (dist, len(tarballs)))
    tarball = tarballs[0]
    log('built %s (%d bytes)' % (tarball.name, tarball.stat().st_size))
    version = galaxy_version()
    if tarball.name != '%s-%s-%s.tar.gz' % (NAMESPACE, NAME, version):
        raise CheckFailed('the tarball %s does not carry the version %s of galaxy.yml' % (tarball.name, version))

    modules = check_members(tarball)
    missing = [name for name in REQUIRED_MODULES if name not in modules]
    if missing:
        raise CheckFailed('the tarball has no module %s' % ', '.join(missing))

    run([tool('ansible-galaxy'), 'collection', 'install', '--collections-path', str(collections),
         str(tarball)], env, workdir)
    installed = collections / 'ansible_collections' / NAMESPACE / NAME
    if not (installed / 'MANIFEST.json').is_file():
        raise CheckFailed('the collection was not installed into %s' % installed)
    manifest = json.loads((installed / 'MANIFEST.json').read_text(encoding='utf-8'))
    if manifest['collection_info']['version'] != version:
        raise CheckFailed('the installed MANIFEST.json says version %s, galaxy.yml %s'
                          % (manifest['collection_info']['version'], version))

    listing = run([tool('ansible-doc'), '-t', 'module', '-l', '%s.%s' % (NAMESPACE, NAME)], env, workdir)
    listed = {line.split()[0] for line in listing.splitlines() if line.strip()}
    for module in modules:
        fqcn = '%s.%s.%s' % (NAMESPACE, NAME, module)
        if fqcn not in listed:
            raise CheckFailed('ansible-doc -l %s.%s does not list %s:\n%s' % (NAMESPACE, NAME, fqcn, listing))
        text = run([tool('ansible-doc'), '-t', 'module', fqcn], env, workdir)
        if fqcn not in text or 'OPTIONS' not in text:
            raise CheckFailed('ansible-doc %s did not render the documentation:\n%s' % (fqcn, text))
        if str(installed) not in text:
            raise CheckFailed('ansible-doc %s did not use the installed tarball in %s' % (fqcn, installed))
        log('ansible-doc %s: %d lines' % (fqcn, len(text.splitlines())))
    roles = sorted(path.parent.parent.name for path in installed.glob('roles/*/meta/argument_specs.yml'))
    for role in roles:
        fqcn = '%s.%s.%s' % (NAMESPACE, NAME, role)
        text = run([tool('ansible-doc'), '-t', 'role', fqcn], env, workdir)
        if 'ENTRY POINT' not in text or 'options' not in text.lower() or str(installed) not in text:
            raise CheckFailed('ansible-doc -t role %s did not render the documentation:\n%s' % (fqcn, text))
        log('ansible-doc -t role %s: %d lines' % (fqcn, len(text.splitlines())))
    log('OK: %s installs and documents %d module(s): %s, and %d role(s): %s' % (
        tarball.name, len(modules), ', '.join(modules), len(roles), ', '.join(roles)))


def galaxy_version() -> str:
    match = re.search(r'^version:\s*["\']?([^"\'\s]+)', (REPO_ROOT / 'galaxy.yml').read_text(encoding='utf-8'), flags=re.M)
    if not match:
        raise CheckFailed('galaxy.yml has no version')
    return match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory')
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix='%s.%s-build-' % (NAMESPACE, NAME)))
    try:
        build_check(workdir)
    except CheckFailed as error:
        log('FAILED: %s' % error)
        return 1
    finally:
        if options.keep:
            log('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
