"""Whether a newly trained model deserves to be registered, always with a reason.

Two tests, as TFX's evaluator does them: an absolute threshold on the study's
metric, then a comparison with the registry's current champion (higher is
better, by more than ``min_improvement``: a tie never replaces the champion,
so rerunning on unchanged data registers nothing new). Forcing registers anyway, and the
reason says it was forced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Blessing:
    blessed: bool
    forced: bool
    reason: str

    @property
    def register(self) -> bool:
        return self.blessed or self.forced

    def as_dict(self) -> dict:
        return {**asdict(self), "register": self.register}


def bless(
    metric: str, value: float, threshold: float, champion: dict | None, min_improvement: float, force: bool = False
) -> Blessing:
    if value < threshold:
        blessed, reason = False, f"{metric} {value:.4f} is below the threshold {threshold:.4f}"
    elif champion is None:
        blessed, reason = True, f"{metric} {value:.4f} meets the threshold {threshold:.4f}; there is no champion yet"
    else:
        best = float(champion["metrics"][metric])
        version = champion.get("version", "?")
        if value - best > min_improvement:
            blessed, reason = (
                True,
                (f"{metric} {value:.4f} beats the champion {version} ({best:.4f}) by more than {min_improvement:.4f}"),
            )
        else:
            blessed, reason = (
                False,
                (
                    f"{metric} {value:.4f} does not beat the champion {version} ({best:.4f}) "
                    f"by the minimum improvement {min_improvement:.4f}"
                ),
            )
    if force and not blessed:
        reason = f"registration forced: {reason}"
    return Blessing(blessed, force, reason)
