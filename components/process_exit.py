"""Leave out the interpreter's final garbage collections in a process that loaded TensorFlow.

When Python exits it clears every module and runs full collections over
what is left. With TensorFlow and Keras loaded that is millions of objects,
and a pipeline step spent 1 to 3 s (2 cores, shared) exiting after its
outputs were already written: a local run has four such steps one after
another (docs/benchmarks.md, "Local start-up").

:func:`skip_final_collection` freezes every object into the permanent
generation at exit (``gc.freeze``), which those collections do not visit.
Everything else about exiting is unchanged: atexit handlers run (this one
is registered early, so it runs after those registered later, TensorFlow's
included), buffered files are flushed and closed when their last reference
goes, and the exit status is the step's. What is left out is collecting
cyclic garbage that still exists at exit, memory the operating system takes
back anyway.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def skip_final_collection() -> None:
    """Freeze every object at exit, once per process (see the module docstring)."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True
