"""A process that skips its final collections still runs its atexit handlers,
flushes its files and keeps its exit status."""

import subprocess
import sys

PROGRAM = """
import atexit, sys
from components import process_exit
atexit.register(lambda: open(sys.argv[1], "a").write("handler ran\\n"))
process_exit.skip_final_collection()
process_exit.skip_final_collection()
out = open(sys.argv[1], "a")
out.write("buffered, never closed\\n")
sys.exit(int(sys.argv[2]))
"""


def test_exit_status_handlers_and_buffered_writes_survive(tmp_path):
    for status in (0, 3):
        log = tmp_path / f"log{status}"
        done = subprocess.run([sys.executable, "-c", PROGRAM, str(log), str(status)], check=False)
        assert done.returncode == status
        assert sorted(log.read_text().splitlines()) == ["buffered, never closed", "handler ran"]
