"""The data check before training: this run's data against the champion's schema and statistics.

Runs in preprocess, the one step that precedes training (and, through
``plan_folds``, every cross-validation fold) and holds the raw table, the
tokenised corpus and the fitted vocabulary. It

1. infers this run's schema from its statistics (computed at ingest) and
   the fitted vocabulary; register stores both with the version, so the
   next run has them as the champion's;
2. reads the champion's ``data/statistics.json`` and ``data/schema.json``
   from the registry (missing or malformed: a warning, and the run is
   checked as a first run: it never fails on them);
3. recounts this run's features on the champion's histogram edges, lists
   schema anomalies by feature and measures drift per feature and for the
   labels (plus the out-of-vocabulary rate for text);
4. writes everything to one folder (the ``data_checks`` artifact) and, with
   ``on_anomaly=stop`` / ``on_drift=stop``, fails with one line naming the
   worst features, before anything trains.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from typing import Any

from components import drift, schema, statistics, storage
from components.errors import DataError
from components.registry import Registry
from components.studies import RunParams
from components.studies.recipe import Recipe
from components.tables import AnyTable

log = logging.getLogger(__name__)

STATISTICS = "statistics.json"
SCHEMA = "schema.json"
CHECKS = "checks.json"
SUMMARY = "summary.md"
# Where a registered version keeps its data files.
VERSION_FOLDER = "data"
ACTIONS = ("warn", "stop")
WORST = 3


class DataCheckFailed(DataError):
    """``on_anomaly=stop`` or ``on_drift=stop`` found what it stops on."""


@dataclass(frozen=True)
class DataCheckPolicy:
    """What to compare with and what to do about it (pipeline parameters)."""

    registry_uri: str
    on_anomaly: str = "warn"
    on_drift: str = "warn"
    drift_threshold: float = 0.1
    label_drift_threshold: float = 0.1

    @classmethod
    def from_mapping(cls, registry_uri: str, values: dict[str, Any]) -> DataCheckPolicy:
        """From the pipeline's (possibly stringified) run parameters, checked as RunParams checks them."""
        run = RunParams.from_mapping(values)
        return cls(registry_uri, run.on_anomaly, run.on_drift, run.drift_threshold, run.label_drift_threshold)


@dataclass(frozen=True)
class ChampionData:
    version: str | None
    statistics: dict | None
    schema: dict | None
    warnings: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return self.statistics is not None and self.schema is not None


def champion_data(registry_uri: str, study: str) -> ChampionData:
    """The champion's data files, or the reason there are none (never an exception)."""
    try:
        card = Registry(registry_uri).champion(study)
    except (storage.StorageError, ValueError, KeyError) as exc:
        return ChampionData(None, None, None, (f"registry {registry_uri}: cannot read the champion ({exc})",))
    if card is None:
        return ChampionData(None, None, None, ())
    version = str(card.get("version"))
    found: dict[str, dict | None] = {}
    warnings = []
    for name, fmt in ((STATISTICS, statistics.FORMAT), (SCHEMA, schema.FORMAT)):
        uri = storage.join(Registry(registry_uri).uri, study, version, VERSION_FOLDER, name)
        found[name], problem = _read_json(uri, fmt)
        if problem:
            warnings.append(f"champion {study}/{version}: {problem}; this run is checked as a first run")
    if warnings:
        return ChampionData(version, None, None, tuple(warnings))
    return ChampionData(version, found[STATISTICS], found[SCHEMA], ())


def _read_json(uri: str, fmt: str) -> tuple[dict | None, str]:
    try:
        data = json.loads(storage.read_bytes(uri))
    except storage.NotFound:
        return None, f"no {uri} (registered before data checks?)"
    except (storage.StorageError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{uri} is not readable JSON ({exc})"
    if not isinstance(data, dict) or data.get("format") != fmt:
        return None, f"{uri} is not a {fmt} file"
    return data, ""


def run_checks(
    study: str,
    recipe: Recipe,
    raw: AnyTable,
    prepared: Any,
    state: dict,
    stats: dict,
    policy: DataCheckPolicy,
    out: str,
) -> dict:
    """Check, write the ``out`` folder, and raise :class:`DataCheckFailed` when the policy says stop.

    ``raw`` is the raw table, in memory or sharded; ``prepared`` the recipe's prepared form of
    it, or of its first shard when sharded (the out-of-vocabulary rates are measured on that)."""
    vocabulary = recipe.vocabulary(state)
    if vocabulary:
        stats = {**stats, "out_of_vocabulary_rate": recipe.out_of_vocabulary(prepared, vocabulary)}
    champion = champion_data(policy.registry_uri, study)
    for warning in champion.warnings:
        log.warning("%s", warning)
    checks: dict[str, Any] = {
        "champion": champion.version if champion.usable else None,
        "warnings": list(champion.warnings),
        "policy": asdict(policy),
        "anomalies": [],
        "drift": [],
    }
    if champion.usable:
        assert champion.statistics is not None and champion.schema is not None
        recounted = statistics.compute_stored(raw, recipe.profile, reference=champion.statistics)
        checks["anomalies"] = [a.as_dict() for a in schema.validate(recounted, champion.schema)]
        checks["drift"] = [
            d.as_dict()
            for d in drift.compare(recounted, champion.statistics, policy.drift_threshold, policy.label_drift_threshold)
        ]
        checks["champion_statistics"] = champion.statistics
        if champion.schema.get("vocabulary") and vocabulary:
            checks["out_of_vocabulary"] = {
                "this_data": recipe.out_of_vocabulary(prepared, champion.schema["vocabulary"]),
                "champion_data": champion.statistics.get("out_of_vocabulary_rate"),
            }
    checks["statistics"] = stats
    os.makedirs(out, exist_ok=True)
    statistics.save(os.path.join(out, STATISTICS), stats)
    statistics.save(os.path.join(out, SCHEMA), schema.infer(stats, vocabulary))
    statistics.save(os.path.join(out, CHECKS), checks)
    with open(os.path.join(out, SUMMARY), "w", encoding="utf-8") as f:
        f.write(summary_markdown(study, checks))
    log.info("data check: %s", verdict(checks))
    _enforce(study, checks, policy)
    return checks


def verdict(checks: dict) -> str:
    """One line: what the check found."""
    if not checks["champion"]:
        return "first run: no champion data to compare with" + (
            f" ({len(checks['warnings'])} warning(s))" if checks["warnings"] else ""
        )
    drifted = [d for d in checks["drift"] if d["drifted"]]
    return (
        f"against champion {checks['champion']}: {len(checks['anomalies'])} schema anomalies"
        f"{_worst_anomalies(checks['anomalies'])}; {len(drifted)} drifted features{_worst_drift(drifted)}"
    )


def _worst_anomalies(anomalies: list[dict]) -> str:
    if not anomalies:
        return ""
    return " (worst: " + "; ".join(f"{a['feature']}: {a['kind']}, {a['detail']}" for a in anomalies[:WORST]) + ")"


def _worst_drift(drifted: list[dict]) -> str:
    if not drifted:
        return ""
    return " (worst: " + ", ".join(f"{d['feature']} JS {d['js_distance']:.3f}" for d in drifted[:WORST]) + ")"


def _enforce(study: str, checks: dict, policy: DataCheckPolicy) -> None:
    where = f"data check of {study} against champion {checks['champion']}"
    if checks["anomalies"] and policy.on_anomaly == "stop":
        raise DataCheckFailed(
            where,
            f"{len(checks['anomalies'])} schema anomalies{_worst_anomalies(checks['anomalies'])}; "
            "stopped before training (on_anomaly=stop; on_anomaly=warn trains anyway)",
        )
    drifted = [d for d in checks["drift"] if d["drifted"]]
    if drifted and policy.on_drift == "stop":
        raise DataCheckFailed(
            where,
            f"{len(drifted)} features drifted past the thresholds{_worst_drift(drifted)}; "
            "stopped before training (on_drift=stop; on_drift=warn trains anyway)",
        )


def summary_markdown(study: str, checks: dict) -> str:
    """What the KFP UI shows for the data check (a Markdown artifact)."""
    stats = checks["statistics"]
    lines = [
        f"# {study}: data check",
        "",
        verdict(checks),
        "",
        *(f"- warning: {w}" for w in checks["warnings"]),
        f"**{stats['records']}** records; labels {stats['labels']}"
        + (f"; {stats['groups']} groups" if "groups" in stats else ""),
        "",
    ]
    if checks["anomalies"]:
        lines += ["## Schema anomalies", "", "| feature | kind | detail |", "|---|---|---|"]
        lines += [f"| {a['feature']} | {a['kind']} | {a['detail']} |" for a in checks["anomalies"]]
        lines.append("")
    if checks["drift"]:
        lines += ["## Drift (largest first)", "", "| feature | JS distance | PSI | drifted |", "|---|---|---|---|"]
        lines += [
            f"| {d['feature']} | {d['js_distance']:.4f} | {d['psi']:.4f} | {'yes' if d['drifted'] else ''} |"
            for d in checks["drift"][:20]
        ]
        lines.append("")
    if "out_of_vocabulary" in checks:
        oov = checks["out_of_vocabulary"]
        theirs = oov["champion_data"]
        lines.append(
            f"Out-of-vocabulary rate against the champion's vocabulary: {oov['this_data']:.2%}"
            + (f" (the champion's own data: {theirs:.2%})" if theirs is not None else "")
        )
    return "\n".join(lines) + "\n"


def load_checks(folder: str) -> dict:
    with open(os.path.join(folder, CHECKS), encoding="utf-8") as f:
        return json.load(f)


def card_entry(checks: dict) -> dict:
    """What the model card says about the data check (the ``warn`` outcome stays visible there)."""
    return {
        "verdict": verdict(checks),
        "champion": checks["champion"],
        "warnings": checks["warnings"],
        "anomalies": checks["anomalies"],
        "drifted": [d for d in checks["drift"] if d["drifted"]],
        "policy": checks["policy"],
    }


def add_to_version(folder: str, version_dir: str) -> None:
    """Register hook: this run's statistics and schema go into the version's ``data/``."""
    target = os.path.join(version_dir, VERSION_FOLDER)
    os.makedirs(target, exist_ok=True)
    for name in (STATISTICS, SCHEMA):
        shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
