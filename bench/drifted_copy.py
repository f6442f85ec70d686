"""Drifted copies of a source, to see the data check (docs/data-validation.md) catch them.

    python -m bench.drifted_copy imdb SRC.tar.gz OUT.tar.gz [--drop-class neg] [--words 40]
    python -m bench.drifted_copy mirai SRC_FOLDER OUT_FOLDER [--column 5] [--shift-std 3]

imdb: every other review of one class is left out (the class halved, in both
splits) and every review is cut to its first ``--words`` words. mirai: one
feature column is shifted by ``--shift-std`` of its standard deviation (the
labels file is copied as it is). Both stream: nothing is held whole.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import shutil
import tarfile

import numpy as np

_REVIEW = re.compile(r"^aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")


def drift_imdb(source: str, out: str, drop_class: str, words: int) -> dict:
    kept = dropped = 0
    seen: dict[str, int] = {}
    with tarfile.open(source, "r:*") as src, tarfile.open(out + ".part", "w:gz") as dst:
        for member in src:
            match = _REVIEW.match(member.name)
            if not match:
                if member.name.startswith("aclImdb/train/unsup"):
                    continue
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
                continue
            key = f"{match.group(1)}/{match.group(2)}"
            seen[key] = seen.get(key, 0) + 1
            if match.group(2) == drop_class and seen[key] % 2 == 0:
                dropped += 1
                continue
            handle = src.extractfile(member)
            assert handle is not None
            text = " ".join(handle.read().decode("utf-8").split()[:words]).encode("utf-8")
            member.size = len(text)
            dst.addfile(member, io.BytesIO(text))
            kept += 1
    os.replace(out + ".part", out)
    return {"kept": kept, "dropped": dropped}


def drift_mirai(source: str, out: str, column: int, shift_std: float) -> dict:
    """Column ``column`` counts the CSV's columns after its row index (feature_<column> in the statistics)."""
    os.makedirs(out, exist_ok=True)
    names = os.listdir(source)
    data = next(n for n in names if n.lower().startswith("mirai_dataset"))
    labels = next(n for n in names if n.lower().startswith("mirai_labels"))
    shutil.copyfile(os.path.join(source, labels), os.path.join(out, labels))
    values = _column(os.path.join(source, data), column + 1)
    shift = shift_std * float(np.std(values))
    with gzip.open(os.path.join(source, data), "rt") as src, gzip.open(os.path.join(out, data), "wt") as dst:
        dst.write(src.readline())
        for line in src:
            cells = line.rstrip("\n").split(",")
            cells[column + 1] = repr(float(cells[column + 1]) + shift)
            dst.write(",".join(cells) + "\n")
    return {"column": column, "shift": shift}


def _column(path: str, index: int) -> np.ndarray:
    with gzip.open(path, "rt") as f:
        f.readline()
        return np.array([float(line.split(",")[index]) for line in f])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("study", choices=("imdb", "mirai"))
    p.add_argument("source")
    p.add_argument("out")
    p.add_argument("--drop-class", default="neg", choices=("neg", "pos"))
    p.add_argument("--words", type=int, default=40)
    p.add_argument("--column", type=int, default=5)
    p.add_argument("--shift-std", type=float, default=3.0)
    args = p.parse_args()
    if args.study == "imdb":
        print(drift_imdb(args.source, args.out, args.drop_class, args.words))
    else:
        print(drift_mirai(args.source, args.out, args.column, args.shift_std))


if __name__ == "__main__":
    main()
