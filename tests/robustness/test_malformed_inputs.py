"""Every reader refuses malformed input with one clear line (issue #7).

Each case writes a source that is valid but for one thing, runs
``kfp-studies ingest`` on it and expects: exit status 2, a message naming the
file (and member, line or record) and what was expected, no traceback, and
nothing written to the output folder. A few cases also run the installed
``kfp-studies`` script in a subprocess, to check the real exit status and
stderr.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import hostile as h
import malformed as m
import numpy as np
import pytest

from components.studies import STUDIES
from pipelines.cli import main


class Case(NamedTuple):
    id: str
    study: str
    build: Callable[[Path], str]  # writes the source under the given folder, returns its path
    expect: str  # regex; {src} stands for the source path


def _set(root: Path, files: dict[str, bytes]) -> str:
    return m.write_files(root / "src", files)


CASES = [
    # ---- imdb: aclImdb archive or folder, Keras npz -------------------------------------
    Case(
        "imdb-truncated-gzip",
        "imdb",
        lambda d: m.truncated(
            m.write_tar(
                d / "aclImdb_v1.tar.gz",
                m.imdb_reviews(
                    **{f"aclImdb__train__pos__{i}_9.txt": os.urandom(2000).hex().encode() for i in range(1, 40)}
                ),
            )
        ),
        r"{src}: not a readable tar archive \(.+\); expected aclImdb_v1.tar.gz",
    ),
    Case(
        "imdb-empty-file",
        "imdb",
        lambda d: m.write_files(d, {"aclImdb_v1.tar.gz": b""}) + "/aclImdb_v1.tar.gz",
        r"{src}: not a readable tar archive \(.+\); expected aclImdb_v1.tar.gz",
    ),
    Case(
        "imdb-non-utf8",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", m.imdb_reviews(**{"aclImdb__train__pos__0_9.txt": b"great \xff"})),
        r"{src}:aclImdb/train/pos/0_9.txt: not UTF-8 text \(byte 6\)",
    ),
    Case(
        "imdb-duplicate-id",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", m.imdb_reviews(**{"aclImdb__train__pos__0_8.txt": b"again"})),
        r"{src}:aclImdb/train/pos/0_8.txt: duplicate review id 0 in train/pos",
    ),
    Case(
        "imdb-member-dotdot",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", m.imdb_reviews(**{"aclImdb__..__..__evil.txt": b"x"})),
        r"{src}:aclImdb/../../evil.txt: archive member escapes its folder",
    ),
    Case(
        "imdb-member-absolute",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", {"/etc/cron.d/evil": b"x", **m.imdb_reviews()}),
        r"{src}:/etc/cron.d/evil: archive member escapes its folder \(absolute path or '..'\)",
    ),
    Case(
        "imdb-member-symlink",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", m.imdb_reviews(), links={"aclImdb/train/pos/1_9.txt": "/etc/shadow"}),
        r"{src}:aclImdb/train/pos/1_9.txt: archive member is a link to '/etc/shadow'; links are refused",
    ),
    Case(
        "imdb-missing-split-folder",
        "imdb",
        lambda d: _set(d, m.imdb_reviews(**{"aclImdb__test__neg__0_2.txt": None})),
        r"{src}: missing folder aclImdb/test/neg/ \(expected the aclImdb_v1 layout\)",
    ),
    Case(
        "imdb-archive-without-a-split",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", m.imdb_reviews(**{"aclImdb__test__pos__0_9.txt": None})),
        r"{src}: no reviews in aclImdb/test/pos/ \(expected the aclImdb_v1 layout\)",
    ),
    Case(
        "imdb-npz-forbidden-global",
        "imdb",
        lambda d: m.imdb_npz(d / "imdb.npz", x_train_pickle=m.forbidden_pickle()),
        r"{src}:x_train.npy: the pickle references (os|posix).system, which is not allowed",
    ),
    Case(
        "imdb-npz-label-count",
        "imdb",
        lambda d: m.imdb_npz(d / "imdb.npz", y_train=(0, 1)),
        r"{src}: x_train has 3 reviews but y_train has 2 labels",
    ),
    Case(
        "imdb-npz-unknown-label",
        "imdb",
        lambda d: m.imdb_npz(d / "imdb.npz", y_train=(0, 1, 2)),
        r"{src}:y_train\[2\]: label 2; expected 0 or 1",
    ),
    Case(
        "imdb-npz-truncated",
        "imdb",
        lambda d: m.truncated(m.imdb_npz(d / "imdb.npz")),
        r"{src}: not a readable npz \(.+\)",
    ),
    # ---- amazon: fastText lines ---------------------------------------------------------
    Case(
        "amazon-truncated-bz2",
        "amazon",
        lambda d: m.truncated(m.compressed(d / "train.ft.txt.bz2", m.amazon_many_lines())),
        r"{src}: truncated or corrupt stream after line \d+ \(.+\)",
    ),
    Case(
        "amazon-truncated-gzip",
        "amazon",
        lambda d: m.truncated(m.compressed(d / "train.ft.txt.gz", m.amazon_many_lines())),
        r"{src}: truncated or corrupt stream after line \d+ \(.+\)",
    ),
    Case(
        "amazon-empty-file",
        "amazon",
        lambda d: m.write_files(d, {"train.ft.txt": b""}) + "/train.ft.txt",
        r"{src}: no reviews; expected '__label__1 <text>' or '__label__2 <text>' per line",
    ),
    Case(
        "amazon-unknown-label",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": m.amazon_lines((3, b"__label__3 so so\n"))}) + "/t.ft.txt",
        r"{src} line 3: unknown label '__label__3'; expected __label__1 or __label__2",
    ),
    Case(
        "amazon-no-label",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": m.amazon_lines((2, b"just words\n"))}) + "/t.ft.txt",
        r"{src} line 2: no label at the start of the line; expected '__label__1 <text>'",
    ),
    Case(
        "amazon-non-utf8",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": m.amazon_lines((4, b"__label__1 caf\xe9\n"))}) + "/t.ft.txt",
        r"{src} line 4: not UTF-8 text \(byte 14\)",
    ),
    Case(
        "amazon-oversize-line",
        "amazon",
        lambda d: (
            m.write_files(d, {"t.ft.txt": m.amazon_lines((2, b"__label__2 " + b"a" * (1 << 21) + b"\n"))}) + "/t.ft.txt"
        ),
        r"{src} line 2: line longer than 1048576 bytes",
    ),
    Case(
        "amazon-one-class",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": b"__label__1 bad\n__label__1 worse\n"}) + "/t.ft.txt",
        r"{src}: no __label__2 reviews; both classes are needed",
    ),
    Case(
        "amazon-label-without-text",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": m.amazon_lines((5, b"__label__1\n"))}) + "/t.ft.txt",
        r"{src} line 5: no review text after __label__1",
    ),
    # ---- mirai: the Kitsune CSV pair ----------------------------------------------------
    Case(
        "mirai-wrong-column-count",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[*m.MIRAI_ROWS[:2], "1.0,2.0", *m.MIRAI_ROWS[3:]]),
        r"{src}/Mirai_dataset.csv:3: 2 cells; expected 3, as on line 1",
    ),
    Case(
        "mirai-non-numeric-cell",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[m.MIRAI_ROWS[0], "1.0,abc,3.0", *m.MIRAI_ROWS[2:]]),
        r"{src}/Mirai_dataset.csv:2: column 2: 'abc' is not a number",
    ),
    Case(
        "mirai-nan",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[*m.MIRAI_ROWS[:4], "nan,1,2"]),
        r"{src}/Mirai_dataset.csv:5: column 1: 'nan' is not a finite number",
    ),
    Case(
        "mirai-inf",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=["1,-inf,2", *m.MIRAI_ROWS[1:]]),
        r"{src}/Mirai_dataset.csv:1: column 2: '-inf' is not a finite number",
    ),
    Case(
        "mirai-beyond-float32",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[*m.MIRAI_ROWS[:1], "1,2,1e40", *m.MIRAI_ROWS[2:]]),
        r"{src}/Mirai_dataset.csv:2: column 3: '1e40' is outside the float32 range",
    ),
    Case(
        "mirai-blank-line",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[*m.MIRAI_ROWS[:2], "", *m.MIRAI_ROWS[2:]]),
        r"{src}/Mirai_dataset.csv:3: empty line; expected comma-separated numbers",
    ),
    Case(
        "mirai-label-count",
        "mirai",
        lambda d: m.mirai_pair(d / "src", labels=m.MIRAI_LABELS[:4]),
        r"{src}/Mirai_labels.csv: 4 labels, but {src}/Mirai_dataset.csv has 5 rows; expected one label per row",
    ),
    Case(
        "mirai-unknown-label",
        "mirai",
        lambda d: m.mirai_pair(d / "src", labels=["0", "1", "2", "0", "1"]),
        r"{src}/Mirai_labels.csv:3: label 2; expected 0 \(benign\) or 1 \(attack\)",
    ),
    Case(
        "mirai-duplicate-row-index",
        "mirai",
        lambda d: m.mirai_pair(
            d / "src",
            header="index,a,b,c",
            rows=[f"{i},{row}" for i, row in zip((0, 1, 1, 3, 4), m.MIRAI_ROWS, strict=False)],
        ),
        r"{src}/Mirai_dataset.csv:4: row index 1 in column 1; expected 2",
    ),
    Case(
        "mirai-empty-file",
        "mirai",
        lambda d: m.mirai_pair(d / "src", rows=[]),
        r"{src}/Mirai_dataset.csv: empty file; expected lines of comma-separated numbers",
    ),
    Case(
        "mirai-truncated-gzip",
        "mirai",
        lambda d: (
            m.truncated(
                m.mirai_pair(d / "src", rows=m.MIRAI_ROWS * 400, labels=m.MIRAI_LABELS * 400, gz=True)
                + "/Mirai_dataset.csv.gz"
            )
            and str(d / "src")
        ),
        r"{src}/Mirai_dataset.csv.gz: truncated or corrupt compressed file \(.+\)",
    ),
    Case(
        "mirai-missing-labels-file",
        "mirai",
        lambda d: m.mirai_pair(d / "src", labels=False),
        r"{src}: no Mirai_labels.csv\[.gz\] \(expected the Kitsune pair",
    ),
    Case(
        "mirai-member-symlink",
        "mirai",
        lambda d: m.write_tar(
            d / "pair.tar",
            {"Mirai_dataset.csv": b"1,2\n3,4\n"},
            links={"Mirai_labels.csv": "../../labels.csv"},
            mode="w",
        ),
        r"{src}:Mirai_labels.csv: archive member is a link to '../../labels.csv'; links are refused",
    ),
    Case(
        "mirai-member-dotdot",
        "mirai",
        lambda d: m.write_tar(d / "pair.tar.gz", {"../Mirai_dataset.csv": b"1,2\n"}),
        r"{src}:../Mirai_dataset.csv: archive member escapes its folder",
    ),
    # ---- digits: UNIPEN pendigits and DMD digitsets -------------------------------------
    Case(
        "digits-unipen-non-numeric",
        "digits",
        lambda d: m.pendigits(d / "src", train=m.unipen(points=" 10 2O\n")),
        r"{src}/pendigits-train:4: expected 'x y' pen coordinates, got '10 2O'",
    ),
    Case(
        "digits-unipen-unknown-label",
        "digits",
        lambda d: m.pendigits(d / "src", test=m.unipen() + '.SEGMENT DIGIT 9 ? "X"\n'),
        r"{src}/pendigits-test:29: unknown label 'X'; expected a digit 0-9",
    ),
    Case(
        "digits-unipen-pen-left-down",
        "digits",
        lambda d: m.pendigits(d / "src", train=m.unipen().replace(".PEN_UP\n", "", 1)),
        r"{src}/pendigits-train:3: PEN_DOWN has no PEN_UP before .SEGMENT on line 7",
    ),
    Case(
        "digits-missing-split-file",
        "digits",
        lambda d: m.pendigits(d / "src", test=False),
        r"{src}: has pendigits-train but not pendigits-test \(expected both pendigits files\)",
    ),
    Case(
        "digits-unipen-non-ascii",
        "digits",
        lambda d: m.pendigits(d / "src", train=m.unipen() + ".COMMENT é\n"),
        r"{src}/pendigits-train: not ASCII text \(.+\); expected a UNIPEN file",
    ),
    Case(
        "digits-unipen-oversize-line",
        "digits",
        lambda d: m.pendigits(d / "src", train=m.unipen(points=" 10 20\n" + "1" * (1 << 21) + "\n")),
        r"{src}/pendigits-train:5: line longer than 4096 characters; "
        r"expected a UNIPEN keyword or 'x y' pen coordinates",
    ),
    Case(
        "digits-unipen-truncated-gzip",
        "digits",
        lambda d: m.truncated(m.compressed(d / "pendigits.gz", m.unipen(segments=800).encode())),
        r"{src}: unreadable or truncated \(.+\)",
    ),
    Case(
        "digits-dmd-invalid-json",
        "digits",
        lambda d: _set(d, {"w1.json": m.digitset(), "w2.json": m.digitset()[:-3]}),
        r"{src}/w2.json: not valid JSON \(.+\)",
    ),
    Case(
        "digits-dmd-nan",
        "digits",
        lambda d: _set(d, {"w1.json": m.digitset(), "w2.json": m.digitset().replace(b"401.5", b"NaN")}),
        r"{src}/w2.json: digits\['0'\]\[0\]: pen coordinates must be finite",
    ),
    Case(
        "digits-dmd-unknown-label",
        "digits",
        lambda d: _set(d, {"w1.json": m.digitset({"7": [[[1, 2, 0.5, 10]]], "11": [[[1, 2, 0.5, 10]]]})}),
        r"{src}/w1.json: digits\['11'\]: unknown label '11'; expected a digit 0-9",
    ),
    Case(
        "digits-dmd-truncated-zip",
        "digits",
        lambda d: m.truncated(m.write_zip(d / "dmd.zip", {"w1.json": m.digitset(), "w2.json": m.digitset()})),
        r"{src}: not a readable zip archive \(.+\)",
    ),
    Case(
        "digits-dmd-member-dotdot",
        "digits",
        lambda d: m.write_tar(d / "dmd.tar.gz", {"dmd/w1.json": m.digitset(), "dmd/../../w2.json": m.digitset()}),
        r"{src}:dmd/../../w2.json: archive member escapes its folder",
    ),
    # ---- cifar10: python or binary batches, image folders -------------------------------
    Case(
        "cifar10-corrupt-jpeg",
        "cifar10",
        lambda d: m.write_tar(
            d / "c.tar.gz", {**m.cifar_tree("jpg"), "cifar10/train/cat/0002.jpg": m.image("JPEG")[:200]}
        ),
        r"{src}:cifar10/train/cat/0002.jpg: not a readable PNG/JPEG image \(.+\)",
    ),
    Case(
        "cifar10-not-an-image",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", {**m.cifar_tree(), "cifar10/test/dog/0009.png": b"<html>404</html>"}),
        r"{src}:cifar10/test/dog/0009.png: not a readable PNG/JPEG image \(.+\)",
    ),
    Case(
        "cifar10-wrong-image-size",
        "cifar10",
        lambda d: m.write_tar(
            d / "c.tar.gz", {**m.cifar_tree(), "cifar10/train/ship/0002.png": m.image(size=(33, 32))}
        ),
        r"{src}:cifar10/train/ship/0002.png: image is 33x32; expected 32x32",
    ),
    Case(
        "cifar10-unknown-class-folder",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", {**m.cifar_tree(), "cifar10/train/unicorn/0001.png": m.image()}),
        r"{src}:cifar10/train/unicorn/0001.png: unknown class folder 'unicorn'; expected one of airplane, ",
    ),
    Case(
        "cifar10-missing-split-folder",
        "cifar10",
        lambda d: _set(d, m.cifar_tree(splits=("train",))),
        r"{src}: no test images: missing the test/ split folder",
    ),
    Case(
        "cifar10-forbidden-global",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", m.cifar_batches("python", data_batch_3=m.forbidden_pickle())),
        r"{src}:cifar-10-batches/data_batch_3: the pickle references (os|posix).system, which is not allowed",
    ),
    Case(
        "cifar10-label-count",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", m.cifar_batches("python", test_batch=m.python_batch(3, [1, 2]))),
        r"{src}:cifar-10-batches/test_batch: 3 images but 2 labels",
    ),
    Case(
        "cifar10-partial-record",
        "cifar10",
        lambda d: m.write_tar(
            d / "c.tar.gz", m.cifar_batches("binary", **{"data_batch_2.bin": m.binary_batch(extra=b"\x00" * 100)})
        ),
        r"{src}:cifar-10-batches/data_batch_2.bin: 9319 bytes is not a whole number of 3073-byte records",
    ),
    Case(
        "cifar10-unknown-label",
        "cifar10",
        lambda d: m.write_tar(
            d / "c.tar.gz", m.cifar_batches("binary", **{"test_batch.bin": m.binary_batch((3, 10, 1))})
        ),
        r"{src}:cifar-10-batches/test_batch.bin\[record 1\]: label 10; expected 0..9",
    ),
    Case(
        "cifar10-truncated-tar-gz",
        "cifar10",
        lambda d: m.truncated(m.write_tar(d / "c.tar.gz", m.cifar_batches("binary"))),
        r"{src}: not a readable tar archive \(.+\); expected a CIFAR-10 archive",
    ),
    Case(
        "cifar10-mixed-formats",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", {**m.cifar_batches("binary"), "cifar10/train/cat/0001.png": m.image()}),
        r"{src}:cifar10/train/cat/0001.png: the source mixes binary batches and an image folder; expected one format",
    ),
]


def _cifar_tar(d: Path, **files: bytes) -> str:
    """A CIFAR-10 python-batch tar.gz with some batches replaced."""
    return m.write_tar(d / "c.tar.gz", m.cifar_batches("python", **files))


_REVIEWS = m.imdb_reviews(**{f"aclImdb__train__pos__{i}_9.txt": b"more words" for i in range(1, 6)})

# Issue #16: hostile and damaged inputs, at least one per class of the issue (numbered as there).
CASES += [
    # 1. Keras imdb.npz stores frequency ranks from 1: 0 is not a word
    Case(
        "imdb-npz-rank-zero",
        "imdb",
        lambda d: h.imdb_npz_with(d / "imdb.npz", x_test=h.object_npy([[1, 2], [0, 5], [3]])),
        r"{src}:x_test\[1\]: word rank 0; expected 1..2147483647",
    ),
    # 2. damaged archives never pass: broken or zeroed header after the first, cut between members,
    #    a member twice, zip names, encrypted or unsupported zip members
    Case(
        "imdb-tar-broken-later-header",
        "imdb",
        lambda d: h.damaged_tar_gz(d / "a.tar.gz", _REVIEWS, member=6, how="checksum"),
        r"{src}: not a readable tar archive \(broken member header at byte 6144 \(bad checksum\)\); "
        r"expected aclImdb_v1.tar.gz",
    ),
    Case(
        "imdb-tar-zeroed-later-header",
        "imdb",
        lambda d: h.damaged_tar_gz(d / "a.tar.gz", _REVIEWS, member=6, how="zeroed"),
        r"{src}: not a readable tar archive \(data after the end-of-archive marker at byte 6144: a member header "
        r"there is zeroed or the archive is damaged\); expected aclImdb_v1.tar.gz",
    ),
    Case(
        "mirai-tar-cut-between-members",
        "mirai",
        lambda d: h.tar_cut_at_member(
            d / "pair.tar", {"Mirai_dataset.csv": b"1,2\n3,4\n", "Mirai_labels.csv": b"0\n1\n", "README": b"x"}, 2
        ),
        r"{src}: not a readable tar archive \(cut at byte 2048: the archive ends without an end-of-archive "
        r"marker\); expected a folder or a tar of Mirai_dataset.csv\[.gz\] and Mirai_labels.csv\[.gz\]",
    ),
    Case(
        "imdb-tar-member-twice",
        "imdb",
        lambda d: h.tar_with_duplicate(d / "a.tar.gz", m.imdb_reviews(), "aclImdb/test/neg/0_2.txt", b"other"),
        r"{src}:aclImdb/test/neg/0_2.txt: archive member appears twice; expected each file once",
    ),
    Case(
        "digits-zip-member-dotdot",
        "digits",
        lambda d: m.write_zip(d / "dmd.zip", {"w1.json": m.digitset(), "../w2.json": m.digitset()}),
        r"{src}:../w2.json: archive member escapes its folder \(absolute path or '..'\)",
    ),
    Case(
        "digits-zip-member-absolute",
        "digits",
        lambda d: m.write_zip(d / "dmd.zip", {"/tmp/w1.json": m.digitset()}),
        r"{src}:/tmp/w1.json: archive member escapes its folder \(absolute path or '..'\)",
    ),
    Case(
        "digits-zip-encrypted",
        "digits",
        lambda d: h.zip_encrypted(d / "dmd.zip", {"w1.json": m.digitset()}),
        r"{src}:w1.json: the member is encrypted; expected an unencrypted archive",
    ),
    Case(
        "digits-zip-bzip2-member",
        "digits",
        lambda d: h.zip_with_method(d / "dmd.zip", {"w1.json": m.digitset()}, 12),
        r"{src}:w1.json: compression method 12 is not supported; expected stored or deflate",
    ),
    # 3. bounded decompression, member sizes and filler
    Case(
        "amazon-gzip-bomb",
        "amazon",
        lambda d: h.gzip_bomb(d / "train.ft.txt.gz", b"\n"),
        r"{src}: expands to more than 200 times its compressed size \(\d+ bytes from \d+\); "
        r"refused as a decompression bomb",
    ),
    Case(
        "cifar10-bz2-tar-bomb",
        "cifar10",
        lambda d: h.bz2_tar_bomb(d / "c.tar.bz2", "cifar-10-batches/README", 1 << 30),
        r"{src}: expands to more than 200 times its compressed size \(\d+ bytes from \d+\); "
        r"refused as a decompression bomb",
    ),
    Case(
        "cifar10-oversize-member",
        "cifar10",
        lambda d: h.bz2_tar_bomb(d / "c.tar.bz2", "cifar-10-batches/data_batch_1.bin", 100 << 20),
        r"{src}:cifar-10-batches/data_batch_1.bin: 104857600 bytes, larger than 67108864; "
        r"no file of this source is that large",
    ),
    Case(
        "digits-zip-bomb",
        "digits",
        lambda d: h.zip_bomb(d / "dmd.zip", "w1.json", 100 << 20),
        r"{src}:w1.json: 104857600 bytes, larger than 67108864; no file of this source is that large",
    ),
    Case(
        "digits-unipen-filler",
        "digits",
        lambda d: m.pendigits(d / "src", train=m.unipen() + ".X\n" * 1_000_001 + m.unipen()),
        r"{src}/pendigits-train:1000028: 1000000 lines in a row without a pen point or a .SEGMENT; "
        r"expected UNIPEN samples, not filler",
    ),
    # 4. pickles and npz: types, dtypes, shapes and sizes checked before allocating
    Case(
        "cifar10-float-labels",
        "cifar10",
        lambda d: _cifar_tar(d, data_batch_2=h.python_batch_with(labels=[0.0, 1.7, 2.0])),
        r"{src}:cifar-10-batches/data_batch_2: b'labels' is a list of float; expected a list of integer labels",
    ),
    Case(
        "cifar10-label-beyond-int64",
        "cifar10",
        lambda d: _cifar_tar(d, data_batch_2=h.python_batch_with(labels=[0, 2**70, 1])),
        r"{src}:cifar-10-batches/data_batch_2\[record 1\]: label 1180591620717411303424; expected 0..9",
    ),
    Case(
        "cifar10-object-array-larger-than-its-list",
        "cifar10",
        lambda d: _cifar_tar(
            d, test_batch=h.python_batch_with(data=h.crafted_array((10**8,), np.dtype(object), [1, 2]))
        ),
        r"{src}:cifar-10-batches/test_batch: an object array of shape \(100000000,\) holds 2 items",
    ),
    Case(
        "cifar10-subarray-dtype",
        "cifar10",
        lambda d: _cifar_tar(
            d, test_batch=h.python_batch_with(data=h.crafted_array((1,), np.dtype(("u1", (3072,))), bytes(3072)))
        ),
        r"{src}:cifar-10-batches/test_batch: dtype 'V3072' is not a plain number or object type",
    ),
    Case(
        "imdb-npz-huge-declared-shape",
        "imdb",
        lambda d: h.imdb_npz_with(
            d / "imdb.npz", y_train=h.npy_with_header("{'descr': '<i8', 'fortran_order': False, 'shape': (10**12,)}")
        ),
        r"{src}:y_train.npy: not a readable .npy array \(.+\)",
    ),
    Case(
        "imdb-npz-declared-shape-beyond-data",
        "imdb",
        lambda d: h.imdb_npz_with(
            d / "imdb.npz",
            y_train=h.npy_with_header("{'descr': '<i8', 'fortran_order': False, 'shape': (1000000000000,)}", bytes(24)),
        ),
        r"{src}:y_train.npy: array shape \(1000000000000,\) has 1000000000000 items; at most \d+ are read",
    ),
    Case(
        "imdb-npz-structured-dtype",
        "imdb",
        lambda d: h.imdb_npz_with(
            d / "imdb.npz",
            y_train=h.npy_with_header("{'descr': [('a', '<u1', (1000,))], 'fortran_order': False, 'shape': (3,)}"),
        ),
        r"{src}:y_train.npy: dtype \[\('a', 'u1', \(1000,\)\)\] is not a plain number or object type",
    ),
    Case(
        "imdb-npz-float-labels",
        "imdb",
        lambda d: h.imdb_npz_with(d / "imdb.npz", y_test=_npy(np.array([0.0, 1.0, 0.5]))),
        r"{src}:y_test.npy: a float64 array of shape \(3,\); expected one integer label per review",
    ),
    Case(
        "imdb-npz-rank-beyond-int32",
        "imdb",
        lambda d: h.imdb_npz_with(d / "imdb.npz", x_train=h.object_npy([[1, 2], [3, 2**40], [4]])),
        r"{src}:x_train\[1\]: word rank 1099511627776; expected 1..2147483647",
    ),
    # 5. images: other modes converted faithfully or refused by name
    Case(
        "cifar10-cmyk-jpeg",
        "cifar10",
        lambda d: m.write_tar(d / "c.tar.gz", {**m.cifar_tree("jpg"), "cifar10/train/cat/0002.jpg": h.jpeg_cmyk()}),
        r"{src}:cifar10/train/cat/0002.jpg: CMYK image; expected 8-bit RGB, grey or palette \(16-bit grey is scaled\)",
    ),
    Case(
        "cifar10-transparent-png",
        "cifar10",
        lambda d: m.write_tar(
            d / "c.tar.gz",
            {**m.cifar_tree(), "cifar10/train/cat/0002.png": h.png(np.zeros((32, 32, 4), np.uint8))},
        ),
        r"{src}:cifar10/train/cat/0002.png: RGBA image with transparent pixels; expected opaque RGB",
    ),
    # 6. one line, always: JSON nesting and number overflow, numpy's messages, control characters
    Case(
        "digits-dmd-deep-json",
        "digits",
        lambda d: _set(d, {"w1.json": m.digitset(), "w2.json": h.nested_json(100_000)}),
        r"{src}/w2.json: not valid JSON \(nested too deeply for a digitset\)",
    ),
    Case(
        "digits-dmd-integer-too-long",
        "digits",
        lambda d: _set(d, {"w1.json": h.digitset_with("1" * 5000)}),
        r"{src}/w1.json: not valid JSON \(Exceeds the limit \(4300 digits\) for integer string conversion.*",
    ),
    Case(
        "digits-dmd-number-beyond-float",
        "digits",
        lambda d: _set(d, {"w1.json": h.digitset_with("1" + "0" * 400)}),
        r"{src}/w1.json: digits\['0'\]\[0\]: pen coordinates must be finite",
    ),
    Case(
        "imdb-npz-garbage-header",
        "imdb",
        lambda d: h.imdb_npz_with(d / "imdb.npz", y_train=h.npy_with_header("{'descr': \n'<i8'")),
        r"{src}:y_train.npy: not a readable .npy array \(.+\)",
    ),
    Case(
        "imdb-member-name-with-control-characters",
        "imdb",
        lambda d: m.write_tar(d / "a.tar.gz", {**m.imdb_reviews(), "../\x1b[2J\nok: fine.txt": b"x"}),
        r"{src}:../\\x1b\[2J\\nok: fine.txt: archive member escapes its folder",
    ),
    # 7. text: a UTF-16 file is named as such by every text reader
    Case(
        "amazon-utf16",
        "amazon",
        lambda d: m.write_files(d, {"t.ft.txt": m.amazon_lines().decode().encode("utf-16")}) + "/t.ft.txt",
        r"{src}: UTF-16 text \(it starts with a UTF-16 byte-order mark\); expected UTF-8",
    ),
    Case(
        "digits-unipen-utf16",
        "digits",
        lambda d: _utf16(Path(m.pendigits(d / "src")) / "pendigits-train"),
        r"{src}/pendigits-train: UTF-16 text \(it starts with a UTF-16 byte-order mark\); expected UTF-8",
    ),
]


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _utf16(path: Path) -> str:
    """Rewrite a text file as UTF-16 (with its byte-order mark); return its folder."""
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return str(path.parent)


def _source(case: Case, tmp_path: Path) -> tuple[str, str]:
    """The built source and the case's expected message as a regex for it."""
    folder = tmp_path / "in"
    folder.mkdir()
    source = case.build(folder)
    return source, case.expect.replace("{src}", re.escape(source))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_source_is_refused_clearly(case, tmp_path, capsys):
    source, expect = _source(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    status = main(["ingest", case.study, "--source", source, "--output", str(out)])
    stdout, stderr = capsys.readouterr()
    assert status == 2, (stdout, stderr)
    assert re.fullmatch(rf"kfp-studies ingest: error: {expect}.*\n", stderr, re.DOTALL), stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert len(stderr) < 600, "the message is one readable line, not a dump of the input"
    assert stdout == ""
    assert os.listdir(out) == [], "nothing is left in the output folder"


def test_there_are_at_least_forty_cases_over_every_study():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)
    assert {c.study for c in CASES} == set(STUDIES)


SUBPROCESS_CASES = ["imdb-member-symlink", "mirai-nan"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SUBPROCESS_CASES], ids=SUBPROCESS_CASES)
def test_the_installed_script_exits_2_without_a_traceback(case, tmp_path):
    source, expect = _source(case, tmp_path)
    script = Path(sys.executable).with_name("kfp-studies")
    result = subprocess.run(
        [str(script), "ingest", case.study, "--source", source, "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result
    assert re.fullmatch(rf"kfp-studies ingest: error: {expect}.*\n", result.stderr, re.DOTALL), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "out").exists()
