"""Whether a newly trained model deserves to be registered, always with a reason.

Two tests, as TFX's evaluator does them: an absolute threshold on the study's
metric, then a comparison with the registry's current champion *scored on this
run's test rows* (through its own serving model, so its own preprocessing):
higher is better, by more than ``min_improvement``; a tie never replaces the
champion, so rerunning on unchanged data registers nothing new. A champion
scored on other data says nothing about this data, so its card's number is
never used; when the champion cannot be scored here, the reason says why and
the threshold alone decides. Forcing registers anyway, and the reason says it
was forced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ChampionScore:
    """The champion's score on this run's test rows (``value`` None when it could not be scored: ``problem``)."""

    version: str
    value: float | None
    test_sha256: str
    problem: str = ""


@dataclass(frozen=True)
class Blessing:
    blessed: bool
    forced: bool
    reason: str
    champion: ChampionScore | None = None

    @property
    def register(self) -> bool:
        return self.blessed or self.forced

    def as_dict(self) -> dict:
        return {**asdict(self), "register": self.register}


def bless(
    metric: str,
    value: float,
    threshold: float,
    champion: ChampionScore | None,
    min_improvement: float,
    force: bool = False,
) -> Blessing:
    if value < threshold:
        blessed, reason = False, f"{metric} {value:.4f} is below the threshold {threshold:.4f}"
    elif champion is None:
        blessed, reason = True, f"{metric} {value:.4f} meets the threshold {threshold:.4f}; there is no champion yet"
    elif champion.value is None:
        blessed, reason = (
            True,
            f"{metric} {value:.4f} meets the threshold {threshold:.4f}; the champion {champion.version} could not "
            f"be scored on this run's test rows ({champion.problem}), so the threshold alone decides",
        )
    else:
        best, version = champion.value, champion.version
        same = f"on the same test rows (sha256 {champion.test_sha256})"
        if value - best > min_improvement:
            blessed, reason = (
                True,
                f"{metric} {value:.4f} beats the champion {version} ({best:.4f} {same}) by more than "
                f"{min_improvement:.4f}",
            )
        else:
            blessed, reason = (
                False,
                f"{metric} {value:.4f} does not beat the champion {version} ({best:.4f} {same}) "
                f"by the minimum improvement {min_improvement:.4f}",
            )
    if force and not blessed:
        reason = f"registration forced: {reason}"
    return Blessing(blessed, force, reason, champion)
