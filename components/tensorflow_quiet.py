"""TensorFlow's start-up lines, kept off a user's screen.

TensorFlow 2.21 writes them through absl before absl's logging is set up, so
``TF_CPP_MIN_LOG_LEVEL`` does not reach them: "All log messages before
absl::InitializeLog()", "oneDNN custom operations are on", the CPU-feature
notice and its second line. Each process that loads TensorFlow prints them,
some again when it first runs an op; none is something to act on. Every other
line written to file descriptor 2 meanwhile (a missing CUDA library, a real
warning) is passed on.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

START_UP_NOISE = re.compile(
    r"before absl::InitializeLog|\] oneDNN custom operations are on|cpu_feature_guard\.cc"
    r"|^To enable the following instructions: .* rebuild TensorFlow"
)


@contextlib.contextmanager
def start_up_noise_filtered() -> Iterator[None]:
    """File descriptor 2 caught while the block runs; on leaving, every caught line but the
    start-up noise goes to ``sys.stderr``."""
    with tempfile.TemporaryFile() as caught:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode(errors="replace").splitlines():
                if not START_UP_NOISE.search(line):
                    print(line, file=sys.stderr)
