"""Synthetic digits sources in the real formats, with a learnable signal.

Each digit is drawn from its own template (a few polylines, some digits in
two strokes, as people write 4 and 5), bent by a per-writer style (size,
slant, rotation) and per-sample jitter, then written out as the tablet would:
integer UNIPEN coordinates, with the pen resting on its first point for a few
samples (repeated points), or DMD ``[X, Y, P, dt]`` frames. The templates
differ enough in shape and direction that a small recurrent network tells
them apart well above chance within a few epochs.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from typing import Any

import numpy as np

FORMATS = ("unipen", "dmd", "dmd.tar.gz", "dmd.zip")
# Strokes of control points per digit, in a [-1, 1] box with y pointing up.
_ARC = np.linspace(0, 2 * np.pi, 13)
TEMPLATES: dict[int, list[Any]] = {
    0: [np.stack([-0.6 * np.sin(_ARC), np.cos(_ARC)], axis=1)],
    1: [[(-0.3, 0.6), (0.0, 1.0), (0.0, -1.0)]],
    2: [[(-0.6, 0.5), (-0.3, 0.9), (0.3, 0.9), (0.6, 0.5), (0.4, 0.0), (-0.6, -1.0), (0.7, -1.0)]],
    3: [[(-0.6, 0.8), (0.2, 1.0), (0.6, 0.6), (0.1, 0.05), (0.6, -0.4), (0.2, -1.0), (-0.6, -0.8)]],
    4: [[(-0.3, 1.0), (-0.7, -0.2), (0.7, -0.2)], [(0.3, 0.6), (0.3, -1.0)]],
    5: [[(-0.5, 1.0), (-0.6, 0.1), (0.3, 0.2), (0.6, -0.4), (0.2, -1.0), (-0.6, -0.8)], [(-0.5, 1.0), (0.6, 1.0)]],
    6: [[(0.5, 1.0), (-0.3, 0.4), (-0.6, -0.5), (-0.2, -1.0), (0.4, -0.7), (0.3, -0.1), (-0.5, -0.3)]],
    7: [[(-0.7, 1.0), (0.7, 1.0), (-0.2, -1.0)]],
    8: [[(0.5, 0.7), (0.0, 1.0), (-0.5, 0.6), (0.5, -0.5), (0.0, -1.0), (-0.5, -0.5), (0.5, 0.6), (0.0, 1.0)]],
    9: [[(0.5, 0.6), (0.0, 1.0), (-0.5, 0.6), (0.0, 0.1), (0.5, 0.5), (0.5, -1.0)]],
}
UNIPEN_HEADER = (
    '.INCLUDE        dene.doc\n\n.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"\n.HIERARCHY      DIGIT\n\n'
)


def _style(rng: np.random.Generator) -> np.ndarray:
    """A writer's 2x2 linear style: size, slant and a slight rotation."""
    angle, slant = rng.normal(0, 0.1), rng.uniform(-0.3, 0.3)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return rotation @ np.array([[1.0, slant], [0.0, 1.0]]) @ np.diag(rng.uniform(0.8, 1.2, size=2))


def _strokes(rng: np.random.Generator, digit: int, style: np.ndarray) -> list[np.ndarray]:
    """The digit's strokes as dense point sequences in [-1, 1]-ish units."""
    strokes = []
    for control in TEMPLATES[digit]:
        control = np.asarray(control, float) + rng.normal(0, 0.05, size=(len(control), 2))
        lengths = np.sqrt((np.diff(control, axis=0) ** 2).sum(axis=1))
        u = np.concatenate([[0.0], np.cumsum(lengths)])
        at = np.linspace(0, u[-1], max(4, int(u[-1] * rng.uniform(12, 20))))
        dense = np.stack([np.interp(at, u, control[:, 0]), np.interp(at, u, control[:, 1])], axis=1)
        strokes.append((dense + rng.normal(0, 0.01, size=dense.shape)) @ style.T)
    return strokes


def write_sample(
    out_dir: str,
    format: str = "unipen",
    per_class: int = 10,
    seed: int = 0,
    train_writers: int = 6,
    test_writers: int = 3,
) -> str:
    """``per_class`` samples of every digit from each writer; return the source path.

    UNIPEN gets the pendigits layout (a folder with ``pendigits-train`` and
    ``pendigits-test``, writers numbered from 1 in each); DMD gets one JSON
    digitset per writer (``train_writers + test_writers`` of them), as a
    folder or an archive."""
    if format not in FORMATS:
        raise ValueError(f"unknown digits sample format {format!r}; expected one of {FORMATS}")
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    if format == "unipen":
        for name, writers in (("pendigits-train", train_writers), ("pendigits-test", test_writers)):
            with open(os.path.join(out_dir, name), "w", encoding="ascii") as f:
                f.write(_unipen(rng, writers, per_class))
        return out_dir
    files = {f"digitset_{w:02d}.json": _digitset(rng, per_class) for w in range(1, train_writers + test_writers + 1)}
    return _write_dmd(out_dir, format, files)


def _unipen(rng: np.random.Generator, writers: int, per_class: int) -> str:
    lines, index = [UNIPEN_HEADER], 0
    for writer in range(1, writers + 1):
        style = _style(rng)
        for digit in rng.permutation(np.repeat(np.arange(10), per_class)):
            lines.append(
                f'.SEGMENT DIGIT {index:5d} ? "{digit}"\n.COMMENT {digit} {writer:2d} {rng.integers(1, 300):4d}\n'
            )
            for k, stroke in enumerate(_strokes(rng, int(digit), style)):
                xy = np.clip(np.rint(250 + 100 * stroke), 0, 500).astype(int)
                if k == 0:
                    xy = np.concatenate([np.repeat(xy[:1], rng.integers(1, 4), axis=0), xy])
                lines.append(".PEN_DOWN\n" + "".join(f" {x:4d} {y:4d}\n" for x, y in xy) + ".PEN_UP\n.DT 100\n")
            lines.append("\n")
            index += 1
    return "".join(lines)


def _digitset(rng: np.random.Generator, per_class: int) -> bytes:
    style = _style(rng)
    digits = {}
    for digit in range(10):
        samples = []
        for _ in range(per_class):
            xy = np.concatenate(_strokes(rng, digit, style))
            frames = [
                [
                    round(400 + 150 * x, 2),
                    round(300 - 150 * y, 2),
                    round(float(rng.uniform(0.2, 1)), 3),
                    int(rng.integers(10, 20)),
                ]
                for x, y in xy
            ]
            samples.append(frames)
        digits[str(digit)] = samples
    metadata = {
        "user_age": int(rng.integers(18, 70)),
        "user_sex": str(rng.choice(["M", "F"])),
        "user_hand": str(rng.choice(["R", "L"])),
    }
    return json.dumps({"digitset_metadata": metadata, "digits": digits}).encode("utf-8")


def _write_dmd(out_dir: str, format: str, files: dict[str, bytes]) -> str:
    if format == "dmd":
        folder = os.path.join(out_dir, "dmd")
        os.makedirs(folder, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        return folder
    path = os.path.join(out_dir, f"dmd.{format.split('.', 1)[1]}")
    if format == "dmd.zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(f"dmd/{name}", data)
        return path
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"dmd/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
