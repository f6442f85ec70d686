import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from components.errors import DataError
from components.studies.imdb import sources
from components.studies.imdb.sample import write_sample


def _tar(path, members: dict, links: dict = ()):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in dict(links).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return str(path)


def _minimal(extra: dict | None = None) -> dict:
    members = {
        f"aclImdb/{s}/{label}/{i}_{7 if label == 'pos' else 2}.txt": f"{s} {label} review {i}"
        for s in ("train", "test")
        for label in ("neg", "pos")
        for i in range(2)
    }
    members.update(extra or {})
    return members


def test_reads_the_official_layout_with_labels_and_splits(tmp_path):
    table = sources.read(_tar(tmp_path / "a.tar.gz", _minimal({"aclImdb/imdb.vocab": "the\n"})))
    texts = table["text"].to_strings()
    assert len(texts) == 8
    assert sorted(zip(table["split"].tolist(), table["label"].tolist(), strict=False)).count((0, 1)) == 2
    assert texts[table["label"].tolist().index(1)].split()[1] == "pos"


def test_folder_and_archive_give_the_same_table(tmp_path):
    path = write_sample(str(tmp_path), per_class=5, seed=1)
    with tarfile.open(path) as archive:
        archive.extractall(tmp_path / "x", filter="data")
    from_tar, from_dir = sources.read(path), sources.read(str(tmp_path / "x"))
    assert sorted(from_tar["text"].to_strings()) == sorted(from_dir["text"].to_strings())


def test_keras_npz_is_read_without_unrestricted_pickle(tmp_path):
    path = write_sample(str(tmp_path), format="npz", per_class=5, seed=1)
    table = sources.read(path)
    ranks = table["tokens"].values
    # Keras' layout: frequency ranks from 1, no start or out-of-vocabulary markers
    assert len(table["label"]) == 20 and ranks.min() == 1 and {1, 2} <= set(ranks.tolist())


def test_keras_ranks_one_and_two_are_words_not_markers(tmp_path):
    """Ranks 1 and 2 are "the" and "and" in Keras' file: they must reach the vocabulary."""
    from components.studies.imdb.recipe import ImdbRecipe

    path = write_sample(str(tmp_path), format="npz", per_class=5, seed=1)
    corpus = ImdbRecipe().prepare(sources.read(path))
    assert {1, 2} <= set(corpus.lexicon)


@pytest.mark.parametrize(
    "members, message",
    [
        ({"aclImdb/train/pos/1_9.txt": "x"}, r"no reviews in aclImdb/train/neg/"),
        (_minimal({"aclImdb/train/pos/0_8.txt": "again"}), "duplicate review id 0"),
        (_minimal({"aclImdb/train/pos/9_9.txt": b"caf\xe9"}), r"aclImdb/train/pos/9_9.txt: not UTF-8"),
        (_minimal({"../evil.txt": "x"}), "escapes its folder"),
        (_minimal({"/etc/evil.txt": "x"}), "escapes its folder"),
    ],
)
def test_malformed_archives_get_errors_that_name_the_member(tmp_path, members, message):
    with pytest.raises(DataError, match=message):
        sources.read(_tar(tmp_path / "bad.tar.gz", members))


def test_symlink_members_are_refused(tmp_path):
    with pytest.raises(DataError, match="link to '/etc/passwd'"):
        sources.read(_tar(tmp_path / "l.tar.gz", _minimal(), {"aclImdb/train/pos/5_9.txt": "/etc/passwd"}))


def test_truncated_gzip_names_the_file(tmp_path):
    good = write_sample(str(tmp_path), per_class=20, seed=1)
    data = Path(good).read_bytes()
    bad = tmp_path / "cut.tar.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cut.tar.gz: not a readable tar archive"):
        sources.read(str(bad))


def test_npz_with_a_forbidden_global_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    x = np.empty(1, dtype=object)
    x[0] = Evil()
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=x, y_train=np.array([0]), x_test=x, y_test=np.array([1]))
    with pytest.raises(pickle.UnpicklingError, match="x_train.npy: the pickle references posix.system"):
        sources.read(str(path))


def test_npz_with_mismatched_label_count(tmp_path):
    x = np.empty(2, dtype=object)
    x[:] = [[1, 5], [1, 6]]
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=x, y_train=np.array([0]), x_test=x, y_test=np.array([0, 1]))
    with pytest.raises(DataError, match="x_train has 2 reviews but y_train has 1 labels"):
        sources.read(str(path))
