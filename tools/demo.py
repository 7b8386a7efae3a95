# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the bundled SMS emulator, run playbooks/demo.yml against it, show the requests it
received, and stop it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEMO_TOKEN = "static-test-token-0123456789"


def start_emulator(workdir):
    port_file = Path(workdir) / "port"
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "emulator" / "sms_emulator.py"), "--port", "0",
                                "--port-file", str(port_file), "--seed-demo"], stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not (port_file.exists() and port_file.read_text().strip()):
        if process.poll() is not None or time.time() > deadline:
            raise SystemExit("the SMS emulator did not start")
        time.sleep(0.1)
    return process, "http://127.0.0.1:%s" % port_file.read_text().strip()


def main():
    with tempfile.TemporaryDirectory() as workdir:
        process, url = start_emulator(workdir)
        try:
            print("SMS emulator listening on %s (demo tasks seeded)\n" % url, flush=True)
            env = dict(os.environ, HW_SMS_ENDPOINT=url, HW_AUTH_TOKEN=DEMO_TOKEN, ANSIBLE_NOCOLOR="1")
            env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))
            env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
            rc = subprocess.call([str(BIN / "ansible-playbook"), "-i", "localhost,", "--diff",
                                  str(ROOT / "playbooks" / "demo.yml")], env=env)
            with urllib.request.urlopen(url + "/_emulator/journal") as answer:
                journal = json.load(answer)
            print("Requests the emulator received:")
            for entry in journal:
                print("  %-6s %-50s -> %s" % (entry["method"], entry["path"], entry["status"]))
            deletes = [entry for entry in journal if entry["method"] == "DELETE"]
            print("\n%d request(s) in all, %d DELETE: the check-mode preview and the repeated run sent only reads."
                  % (len(journal), len(deletes)))
            return rc or (0 if len(deletes) == 1 else 1)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
