"""``docs/results.md`` from the records ``pipelines/reproduce.py`` leaves: every number on the page
comes from a run's record or from the reproduction plan (the seed's reported numbers), none is typed
into the page. A study without data, without a record or without a finished run says which.

Records live in the machine's ``out/`` folder, which a clone does not have; a study with no record here
keeps the run section the page already held (written from its record where that run was made), so
running one study does not erase the others' results."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from pipelines.reproduction_plan import Reproduction as Planned


def load_record(out: str, study: str) -> dict[str, Any] | None:
    path = os.path.join(out, study, "record.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def ours(r: Planned, record: dict[str, Any]) -> float | None:
    """Our number of the kind the seed reported: the test accuracy, or the best CV mean."""
    if r.seed_measure == "best CV mean":
        means = record.get("cv_means") or {}
        return max(means.values()) if means else None
    return record.get("evaluation", {}).get("accuracy")


def verdicts(r: Planned, record: dict[str, Any]) -> list[str]:
    """Sentences comparing our numbers with the seed's and with the run's own baselines."""
    lines = []
    number = ours(r, record)
    if number is None:
        lines.append(f"The run has no {r.seed_measure} to set beside the seed's {r.seed_number:.4f}.")
    else:
        word = "reaches" if number >= r.seed_number else "does not reach"
        lines.append(f"Our {r.seed_measure}, {number:.4f}, {word} the seed's {r.seed_number:.4f} ({r.seed_note}).")
    evaluation = record.get("evaluation", {})
    accuracy = evaluation.get("accuracy")
    means = record.get("cv_means") or {}
    for name, score in sorted(evaluation.get("baselines", {}).items()):
        label = name.removesuffix("_accuracy").replace("_", " ")
        if accuracy is not None:
            word = "beats" if accuracy > score else "does not beat"
            lines.append(f"The trained model's test accuracy {accuracy:.4f} {word} the {label} baseline's {score:.4f}.")
        if means and max(means.values()) <= score:
            lines.append(
                f"No variant's CV mean (best {max(means.values()):.4f}) beats the {label} baseline's test "
                f"accuracy {score:.4f}."
            )
    return lines


def study_section(r: Planned, record: dict[str, Any] | None, datasets: str) -> list[str]:
    lines = [f"## {r.study}", ""]
    source = os.path.join(datasets, r.data)
    if record is None:
        state = "present, but no run recorded" if os.path.exists(source) else "absent here"
        lines += [f"Not run: its data (`{source}`) is {state}.", ""]
        return lines
    facts = [
        ("command", f"`{record['command']}`"),
        ("started (UTC)", record["started"]),
        ("commit", f"`{record['commit']}`"),
    ]
    if "cpus" in record:
        load = f"load average {record['load_average_at_start']} at the start"
        if "load_average_15min_at_end" in record:
            load += f", {record['load_average_15min_at_end']} over the last 15 minutes"
        facts.append(("machine", f"{record['cpus']} CPUs, {load}"))
    if record.get("extra"):
        changed = ", ".join(f"{k}={v}" for k, v in record["extra"].items())
        facts.append(("beyond the documented configuration", f"{changed} (a reduced budget: not the documented run)"))
    if record["status"] == "running":
        lines += _table(facts) + ["", "**Unfinished:** no result recorded (the run was stopped or is still going).", ""]
        return lines
    if record["status"] == "stopped":
        facts.append(("stopped after", _duration(record["wall_s"])))
        lines += _table(facts) + ["", "**Stopped before it finished:** no test result.", ""]
        if record.get("last_epoch"):
            lines += [
                f"The last of the {record['epochs_logged']} training epochs its log shows (the train step's, "
                "on the validation rows):",
                "",
                f"    {record['last_epoch']}",
            ]
        return lines + [""]
    facts += [
        ("status", record["status"] + (f" (exit {record['exit_status']})" if record["exit_status"] else "")),
        ("wall time", _duration(record["wall_s"])),
        *([("CPU time (user + system)", _duration(record["cpu_s"]))] if "cpu_s" in record else []),
        ("peak memory (RSS)", f"{record['peak_rss_mb']:.0f} MB"),
    ]
    evaluation = record.get("evaluation", {})
    if "accuracy" in evaluation:
        facts += [
            ("test accuracy", f"**{evaluation['accuracy']:.4f}** (loss {evaluation['loss']:.4f})"),
            ("seed's number", f"{r.seed_number:.4f} {r.seed_measure}: {r.seed_note}"),
            ("majority-class baseline", f"{evaluation['majority_baseline_accuracy']:.4f}"),
        ]
        for name, score in sorted(evaluation.get("baselines", {}).items()):
            facts.append((f"baseline: {name}", f"{score:.4f}"))
    if "chosen" in record:
        used = evaluation.get("trained_with", {})
        detail = ", ".join(f"{k} {v}" for k, v in used.items() if v is not None)
        facts.append(("trained variant", f"`{record['chosen']}`" + (f" ({detail})" if detail else "")))
    lines += _table(facts) + [""]
    if record.get("comparison"):
        lines += ["Cross-validation, as the run's compare step wrote it:", "", record["comparison"].rstrip(), ""]
    if record["status"] == "finished":
        lines += verdicts(r, record) + [""]
    else:
        lines += [f"The run failed; its log: `{record['log']}`.", ""]
    return lines


KEPT = "Kept from the page as it was: this machine has no record of the run below."


def earlier_sections(page: str) -> dict[str, list[str]]:
    """The run sections of an earlier page, by study; a "Not run" section is not kept (it states this
    machine's data, not a result)."""
    sections: dict[str, list[str]] = {}
    study = None
    for line in page.splitlines():
        if line.startswith("## "):
            study = line[3:].strip()
            sections[study] = []
        elif study is not None and line != KEPT:
            sections[study].append(line)
    return {
        k: "\n".join(v).strip("\n").splitlines()
        for k, v in sections.items()
        if not any(line.startswith("Not run:") for line in v)
    }


def _table(facts: Iterable[tuple[str, str]]) -> list[str]:
    return ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in facts)]


def render(plan: Iterable[Planned], out: str, datasets: str, earlier: str = "") -> str:
    """The page; ``earlier`` is the page as it was, whose run sections stand in for missing records."""
    kept = earlier_sections(earlier)
    lines = [
        "# Results on real data",
        "",
        "Written by `make reproduce` (`pipelines/reproduce.py`) from each run's record under "
        f"`{out}/STUDY/record.json`; nothing here is typed by hand. A study's machine line, where its "
        "record has one, says how busy the machine was when the run started (and, for later runs, over its last "
        "15 minutes): a run beside other work takes longer than alone, while its CPU time barely changes.",
        "",
    ]
    for r in plan:
        record = load_record(out, r.study)
        if record is None and r.study in kept:
            lines += [f"## {r.study}", "", KEPT, "", *kept[r.study], ""]
        else:
            lines += study_section(r, record, datasets)
    return "\n".join(lines).rstrip() + "\n"
