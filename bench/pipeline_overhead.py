"""Pipeline overhead: a local imdb pipeline run's wall time over the sum of
its steps' in-process time, and where the difference goes.

The run happens in a child process with ``bench/step_hook`` on PYTHONPATH,
so every step's process logs its own timestamps (see its sitecustomize);
in the child, kfp.local's subprocess launcher is wrapped to time each step's
process from the outside. From both, per step: spawn (launch to process
start), interpreter start-up, importing kfp, executor set-up (loading the
component module, reading its inputs), the function itself (the in-process
time), writing outputs, and exit (interpreter teardown); plus orchestration,
the time no step process was alive (kfp.local compiling and dispatching,
and the child's own imports). Inside the function, artifact I/O (reading and
writing tables) is timed too, and steps that import TensorFlow are counted,
with the separately measured cost of ``import tensorflow``.

The same, on ``make demo``'s sample and options, gives the demo's wall time:
with its steps forked from the warm-steps server (``pipelines.warm_steps``,
as ``make demo`` runs) and, paired in each repeat of the full plan, with
every step in a process of its own (``KFP_STUDIES_WARM_STEPS=0``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from bench import stats
from bench.child import REPO, run_child, run_process
from bench.plan import DEMO_OVERRIDES, DEMO_SAMPLE, Plan
from pipelines import warm_steps

HOOK = os.path.join(REPO, "bench", "step_hook")
PHASES = ("spawn", "startup", "kfp_import", "setup", "function", "outputs", "exit")


def run(source: str, overrides: dict, root: str) -> dict:
    """Child: the pipeline run, with each step process's launch and end times."""
    start = time.time()
    import dataclasses

    from kfp.local import subprocess_task_handler

    from pipelines import warm_steps
    from pipelines.local import run_local
    from pipelines.targets import LOCAL

    launches = []
    # Every step's launch, whether the warm-steps server forks it or kfp.local starts it.
    if warm_steps.enabled():
        owner, name = warm_steps.WarmSteps, "run"
    else:
        owner, name = subprocess_task_handler, "run_local_subprocess"
    launch = getattr(owner, name)

    def timed_launch(*instance, full_command, env_vars=None):  # kfp.local passes both by name
        began = time.time()
        try:
            return launch(*instance, full_command=full_command, env_vars=env_vars)
        finally:
            task = full_command[full_command.index("--function_to_execute") + 1]
            launches.append({"task": task, "launch": began, "end": time.time()})

    setattr(owner, name, timed_launch)
    target = dataclasses.replace(
        LOCAL,
        pipeline_root=os.path.join(root, "pipeline-root"),
        registry_uri=os.path.join(root, "registry"),
        work_uri=os.path.join(root, "work"),
    )
    imported = time.time()
    run_local("imdb", source, overrides, target)
    return {"start": start, "imported": imported, "end": time.time(), "launches": launches}


def step_phases(step: dict, launch: dict) -> dict:
    marks = (
        launch["launch"],
        step["process_start"],
        step["site"],
        step["kfp_imported"],
        step["function_start"],
        step["function_end"],
        step["exit"],
        launch["end"],
    )
    return {phase: max(0.0, b - a) for phase, a, b in zip(PHASES, marks, marks[1:], strict=False)}


def match(steps: list[dict], launches: list[dict]) -> list[tuple[dict, dict]]:
    """Each step's log record with the launch that started it: of the same task's launches that
    overlap its process start, the latest (two folds' launches overlap each other)."""
    pairs = []
    for step in steps:
        candidates = [
            launch
            for launch in launches
            if launch["task"] == step["task"] and launch["launch"] - 0.05 <= step["process_start"] <= launch["end"]
        ]
        pairs.append((step, max(candidates, key=lambda launch: launch["launch"])))
    return pairs


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def breakdown(child: dict, steps: list[dict], wall: float) -> dict:
    """One run's figures: wall, in-process sum, phase totals, orchestration, I/O, TensorFlow steps."""
    pairs = match(steps, child["launches"])
    phases = {phase: sum(step_phases(s, launch)[phase] for s, launch in pairs) for phase in PHASES}
    alive = union_seconds([(launch["launch"], launch["end"]) for launch in child["launches"]])
    busy = union_seconds([(s["function_start"], s["function_end"]) for s in steps])
    return {
        "wall_seconds": wall,
        "in_process_seconds": phases["function"],
        "ratio": wall / phases["function"],
        "in_process_union_seconds": busy,
        "ratio_to_union": wall / busy,
        "steps": len(pairs),
        "phases": phases,
        "orchestration_seconds": wall - alive,
        "child_import_seconds": child["imported"] - child["start"],
        "table_io_seconds": sum(s["table_io_seconds"] for s in steps),
        "tensorflow_steps": sorted(s["task"] for s in steps if s["imported_tensorflow"]),
        "forked_steps": sum(s["forked"] for s in steps),
        "per_step": [
            {"task": s["task"], **step_phases(s, launch), "table_io": s["table_io_seconds"], "forked": s["forked"]}
            for s, launch in pairs
        ],
    }


def timed_runs(source: str, overrides: dict, repeats: int, work: str, warm: bool = True) -> list[dict]:
    """``repeats`` local imdb runs on ``source``, each in a fresh child with the step hook; their breakdowns.
    ``warm``: steps forked from the warm-steps server, as ``run_local`` does by default."""
    root = os.path.join(work, "pipeline-run")
    step_log = os.path.join(work, "pipeline-steps.jsonl")
    runs = []
    for _ in range(repeats):
        shutil.rmtree(root, ignore_errors=True)
        if os.path.exists(step_log):
            os.remove(step_log)
        env = {
            "PYTHONPATH": os.pathsep.join(filter(None, [HOOK, os.environ.get("PYTHONPATH")])),
            "BENCH_STEP_LOG": step_log,
            warm_steps.SWITCH: "1" if warm else "0",
        }
        child, usage = run_child("pipeline_overhead:run", env=env, source=source, overrides=overrides, root=root)
        with open(step_log, encoding="utf-8") as f:
            steps = [json.loads(line) for line in f]
        runs.append(breakdown(child, steps, usage.wall_seconds))
    return runs


def imdb_sample(work: str, per_class: int) -> str:
    """The synthetic imdb source at ``per_class`` (written once, reused by later runs)."""
    folder = os.path.join(work, "data", f"imdb-pipeline-{per_class}")
    source = os.path.join(folder, "aclImdb_v1.tar.gz")
    if not os.path.exists(source):
        run_child("prepare:write_source", study="imdb", folder=folder, size=per_class)
    return source


def measure_demo(plan: Plan, work: str) -> dict:
    """``make demo``'s pipeline (its sample and options), wall time from launch to exit; with
    ``plan.demo_paired``, the first ``plan.reference_repeats`` runs are each paired with one whose steps
    each start a process of their own."""
    source = imdb_sample(work, DEMO_SAMPLE)
    runs, cold = [], []
    for repeat in range(plan.demo_repeats):
        runs += timed_runs(source, DEMO_OVERRIDES, 1, work)
        if plan.demo_paired and repeat < plan.reference_repeats:
            cold += timed_runs(source, DEMO_OVERRIDES, 1, work, warm=False)
    walls = [r["wall_seconds"] for r in runs]
    return {
        "sample_per_class": DEMO_SAMPLE,
        "overrides": DEMO_OVERRIDES,
        "wall_seconds": stats.spread(walls),
        "runs": runs,
        **(
            {
                "cold_wall_seconds": stats.spread([r["wall_seconds"] for r in cold]),
                "warm_over_cold": stats.paired_ratios(walls[: len(cold)], [r["wall_seconds"] for r in cold]),
            }
            if cold
            else {}
        ),
    }


def measure(plan: Plan, work: str) -> dict:
    runs = timed_runs(imdb_sample(work, plan.pipeline_sample), plan.pipeline_overrides, plan.repeats, work)
    python = [
        run_process([sys.executable, "-c", "pass"], output=subprocess.DEVNULL).wall_seconds for _ in range(plan.repeats)
    ]
    tensorflow = [
        run_process([sys.executable, "-c", "import tensorflow"], output=subprocess.DEVNULL).wall_seconds
        for _ in range(plan.repeats)
    ]
    return {
        "study": "imdb",
        "sample_per_class": plan.pipeline_sample,
        "overrides": plan.pipeline_overrides,
        "ratio": stats.spread([r["ratio"] for r in runs]),
        "ratio_to_union": stats.spread([r["ratio_to_union"] for r in runs]),
        "wall_seconds": stats.spread([r["wall_seconds"] for r in runs]),
        "in_process_seconds": stats.spread([r["in_process_seconds"] for r in runs]),
        "python_start_seconds": stats.spread(python),
        "import_tensorflow_seconds": stats.spread(tensorflow),
        "runs": runs,
        "demo": measure_demo(plan, work),
    }
