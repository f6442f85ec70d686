"""What statistics add to ingest: the same ingest with and without them, alternating.

    python -m bench.statistics_cost STUDY SOURCE [--repeats 2]

Each ingest is its own process under ``/usr/bin/time -v`` (wall time and peak
RSS, interpreter start included), with and without ``statistics_path``,
alternating so that the shared machine's load falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def child(study: str, source: str, with_statistics: bool) -> None:
    from components.steps.ingest import run_ingest

    with tempfile.TemporaryDirectory() as tmp:
        statistics_path = os.path.join(tmp, "statistics.json") if with_statistics else None
        run_ingest(study, source, os.path.join(tmp, "raw.npz"), statistics_path)


def measure(study: str, source: str, with_statistics: bool) -> dict:
    command = [sys.executable, "-m", "bench.statistics_cost", study, source, "--child"]
    command += ["--with-statistics"] if with_statistics else []
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    stats_seconds = re.search(r"statistics of \d+ numeric features in ([\d.]+) s", done.stderr)
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(rss / 1024, 1),
        **({"statistics_s": float(stats_seconds.group(1))} if stats_seconds else {}),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("study")
    p.add_argument("source")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--with-statistics", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        import logging

        logging.basicConfig(level=logging.INFO)
        child(args.study, args.source, args.with_statistics)
        return
    runs: dict[str, list[dict]] = {"without": [], "with": []}
    for _ in range(args.repeats):
        for key in ("without", "with"):
            runs[key].append(measure(args.study, args.source, key == "with"))
            print(key, runs[key][-1], flush=True)
    print(json.dumps({"study": args.study, "source": args.source, **runs}))


if __name__ == "__main__":
    main()
