# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo` and `make emulator`: the collection at work against the bundled SMS emulator.

``tools/demo.py`` (`make demo`) starts the emulator with a seeded migration wave, runs playbooks/demo.yml and,
after each numbered step of it, prints the requests that step sent (from the emulator's journal), then stops.

``tools/demo.py --serve`` (`make emulator`) serves the same seeded emulator in the foreground on a fixed port and
prints its URL, its credentials as ``export HW_...=`` lines and how to add tasks and source servers.

Both need nothing but the standard library, the emulator (standard library too) and, for the playbook,
ansible-core and requests beside this Python: `make demo` and `make emulator` run it in build/demo-venv
(requirements-demo.txt).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from tests.emulator.sms_emulator import SAMPLE_TASK, Emulator  # noqa: E402  pylint: disable=wrong-import-position

REGION = "cn-north-4"
PROJECT_ID = Emulator.projects[REGION]   # what HW_PROJECT_ID must say with AK/SK (no IAM lookup then)
TOKEN = sorted(Emulator.tokens)[0]
ACCESS_KEY, SECRET_KEY = sorted(Emulator.aksk.items())[0]

# The seeded account: (task id, task name, source-server id, source ip, busy). A busy task is still replicating with
# its agent connected: the service refuses to delete it (and its source-server record) until it is stopped.
SEED_TASKS = (
    ("7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "web-01-migration", "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab", "198.51.100.7", False),
    ("e2b4c6d8-1a3c-4e5f-8a7b-0c1d2e3f4a5b", "web-02-migration", "6b7c8d9e-aaaa-bbbb-cccc-0123456789ab", "198.51.100.8", False),
    ("0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f", "db-01-migration", "9d8c7b6a-dddd-eeee-ffff-0123456789ab", "198.51.100.20", True),
    ("3f9a1c2e-5d6b-4a7c-8e9f-0a1b2c3d4e5f", "app-01-migration", "4e5f6a7b-1212-3434-5656-0123456789ab", "198.51.100.30", False),
    ("8c7d6e5f-4a3b-4c2d-9e1f-0a9b8c7d6e5f", "app-02-migration", "2a3b4c5d-7878-9090-abab-0123456789ab", "198.51.100.31", True),
)
# A source-server record whose migration task was deleted long ago: it still counts against the quota.
SEED_LONE_SOURCES = (("5e6f7a8b-cdcd-efef-0101-0123456789ab", "old-01", "198.51.100.99"),)


# What `make emulator` suggests adding through its control routes: a task (with a source-server record of the id given),
# a busy one, and a record with no task.
ADDITIONS = (
    ("tasks", {"task_id": "web-03-task", "name": "web-03-migration", "source_id": "web-03-source"}),
    ("tasks", {"task_id": "db-03-task", "name": "db-03-migration", "source_id": "db-03-source", "state": "RUNNING",
               "source_state": "replicate", "connected": True}),
    ("sources", {"source_id": "old-02-source", "name": "old-02"}),
)


def seed(emulator: Emulator):
    """The seeded account: the tasks of SEED_TASKS, each with its source-server record, and SEED_LONE_SOURCES."""
    for task_id, name, source_id, ip, busy in SEED_TASKS:
        server = name[:-len("-migration")]
        source = dict(copy.deepcopy(SAMPLE_TASK["source_server"]), id=source_id, name=server, ip=ip,
                      state="replicate" if busy else "finished", migration_cycle="replicating" if busy else "cutovered")
        target = dict(copy.deepcopy(SAMPLE_TASK["target_server"]), name=server + "-target",
                      id=str(uuid.uuid5(uuid.NAMESPACE_URL, "target/" + name)),
                      vm_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "vm/" + name)))
        emulator.add_task(task_id, name=name, state="RUNNING" if busy else "MIGRATE_SUCCESS", connected=busy,
                          source_server=source, target_server=target)
    for source_id, name, ip in SEED_LONE_SOURCES:
        emulator.add_source(source_id, name=name, ip=ip)


def describe(emulator: Emulator) -> list[str]:
    """One line per task and per source-server record the emulator holds."""
    lines = []
    with emulator.lock:
        for task in emulator.tasks.values():
            busy = task["connected"] and task["source_server"]["state"] not in ("finished", "stopped")
            verdict = "busy: refused unless force=true" if busy else "deletable"
            lines.append("  task %s  %-17s %-16s %s" % (task["id"], task["name"], task["state"], verdict))
        for source_id in emulator.sources:
            record = emulator.source_body(source_id)
            task = record.get("current_task")
            link = "task " + task["name"] if task else "no task left"
            lines.append("  source server %s  %-7s %-10s %s" % (source_id, record["name"], record["state"], link))
    return lines


def shell_path(path: Path) -> str:
    """``path`` for a double-quoted word of a shell line run in the checkout: "$PWD/..." under it."""
    try:
        return "$PWD/" + path.relative_to(ROOT).as_posix()
    except ValueError:
        return re.sub(r'(["$`\\])', r"\\\1", str(path))


def serve(port: int) -> int:
    """`make emulator`: the seeded emulator in the foreground, every request it receives logged on stderr."""
    emulator = Emulator(port=port, verbose=True)
    seed(emulator)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        emulator.start()
    except OSError as exc:
        raise SystemExit("cannot listen on port %d (%s): choose another one, for example make emulator EMULATOR_PORT=8601"
                         % (port, exc))
    url = emulator.url
    additions = "\n".join("  curl -s -X POST %s/_emulator/%s -w '\\n' -d '%s'" % (url, route, json.dumps(body))
                          for route, body in ADDITIONS)
    where = "" if Path.cwd().resolve() == ROOT else "  cd %s\n" % shlex.quote(str(ROOT))
    print("""SMS emulator (tests and demos only) listening on %(url)s, seeded with:
%(seeded)s

In another terminal, in this directory, paste:

%(where)s  export PATH="%(bin)s:$PATH" ANSIBLE_COLLECTIONS_PATH="%(collections)s"
  export HW_SMS_ENDPOINT=%(url)s HW_AUTH_TOKEN=%(token)s

or, to sign the requests with an access key pair instead of the token:

  unset HW_AUTH_TOKEN; export HW_ACCESS_KEY=%(ak)s HW_SECRET_KEY=%(sk)s HW_PROJECT_ID=%(project)s

then the commands of README.md's "Quick start", for example:

  ansible localhost -m hwcloud.sms.sms_task -a "task_id=%(task)s state=absent" --check --diff

Add tasks (each with a source-server record of the id given; the second one busy) and source-server records:

%(additions)s
  curl -s %(url)s/_emulator/tasks    # what it holds; also /_emulator/sources, and /_emulator/journal: what it received

Ctrl-C stops it; the next `make emulator` starts again from the same seed. The requests it receives:""" % {
        "url": url, "seeded": "\n".join(describe(emulator)), "where": where, "bin": shell_path(BIN),
        "collections": shell_path(ROOT / "build" / "collections"), "token": TOKEN, "ak": ACCESS_KEY, "sk": SECRET_KEY,
        "project": PROJECT_ID, "task": SEED_TASKS[0][0], "additions": additions}, flush=True)
    while not stopping.wait(0.5):
        pass
    emulator.stop()
    return 0


def demo() -> int:
    """`make demo`: playbooks/demo.yml against the seeded emulator, each step followed by the requests it sent."""
    build = ROOT / "build"
    if not (build / "collections" / "ansible_collections" / "hwcloud" / "sms").exists():
        raise SystemExit("build/collections/ansible_collections/hwcloud/sms is missing: run `make demo`")
    for name in ("ansible-home", "ansible-tmp"):
        (build / name).mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator:
        seed(emulator)
        print("SMS emulator listening on %s, seeded with:\n%s\n\nplaybooks/demo.yml against it; after each numbered step, "
              "the requests that step sent (>>):" % (emulator.url, "\n".join(describe(emulator))), flush=True)
        env = {name: value for name, value in os.environ.items() if not name.startswith(("HW_", "ANSIBLE_"))}
        env.update(HW_SMS_ENDPOINT=emulator.url, HW_AUTH_TOKEN=TOKEN,
                   ANSIBLE_COLLECTIONS_PATH=str(build / "collections"), ANSIBLE_HOME=str(build / "ansible-home"),
                   ANSIBLE_LOCAL_TEMP=str(build / "ansible-tmp"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_DISPLAY_SKIPPED_HOSTS="false",
                   ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "tools" / "demo_callback"), ANSIBLE_STDOUT_CALLBACK="demo_journal",
                   DEMO_JOURNAL_URL=emulator.url + "/_emulator/journal")
        rc = subprocess.call([str(BIN / "ansible-playbook"), "-i", "localhost,", str(ROOT / "playbooks" / "demo.yml")],
                             env=env)
        total = len(emulator.requests())
    print("%d requests in all%s.\n" % (total, "" if rc == 0 else "; the playbook FAILED"))
    print("Try it yourself: `make emulator` serves the same seeded account in the foreground and prints the export lines\n"
          "to paste in another terminal; README.md's \"Quick start\" has the ad-hoc commands to run there.")
    return rc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="serve the seeded emulator in the foreground (make emulator)")
    parser.add_argument("--port", type=int, default=8600, help="port for --serve (default 8600)")
    args = parser.parse_args(argv)
    return serve(args.port) if args.serve else demo()


if __name__ == "__main__":
    sys.exit(main())
