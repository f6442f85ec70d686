"""A streaming study (amazon) through ingest, preprocess and its tf.data input with its raw table in
shards: the same state, rows and batches as in one shard, and nothing left by a failed ingest."""

import os
import tempfile

import numpy as np
import pytest

from components import compression, tables
from components.artifacts import load_state
from components.errors import DataError
from components.shard_writer import ShardWriter
from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess
from components.studies.amazon import sources
from components.studies.amazon.recipe import RECIPE
from components.studies.amazon.sample import write_sample

PARAMS = {"validation_fraction": 0.1, "max_tokens": 40}


def _preprocess(tmp_path, source, name, shard_rows, monkeypatch) -> PreprocessOutputs:
    monkeypatch.setattr(sources, "SHARD_ROWS", shard_rows)
    raw = str(tmp_path / name / "raw.npz")
    summary = run_ingest("amazon", source, raw)
    assert summary.records == 2 * 100 + 2 * 11
    out = PreprocessOutputs(*(str(tmp_path / name / part) for part in ("train", "validation", "test", "state.json")))
    run_preprocess("amazon", raw, PARAMS, 42, out)
    return out


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> str:
    return write_sample(str(tmp_path_factory.mktemp("pair")), per_class=100, seed=5)


def test_shards_give_the_state_rows_and_batches_of_one_shard(tmp_path, source, monkeypatch):
    many = _preprocess(tmp_path, source, "many", 30, monkeypatch)
    one = _preprocess(tmp_path, source, "one", 10**6, monkeypatch)
    assert len(tables.open_shards(os.path.dirname(many.train) + "/raw.npz").files) == 8
    with open(many.state) as a, open(one.state) as b:
        assert a.read() == b.read(), "the vocabulary and sequence length fitted in one pass over 8 shards"
    for part in ("train", "validation", "test"):
        sharded, single = tables.load(getattr(many, part)), tables.load(getattr(one, part))
        assert tables.num_rows(sharded) == tables.num_rows(single) > 0
        assert np.array_equal(sharded["tokens"].values, single["tokens"].values), f"{part}: same rows, same order"
    state = load_state(many.state)
    streamed = RECIPE.dataset(tables.open_table(many.test), state, 16, False, 0)
    in_memory = RECIPE.dataset(tables.load(one.test), state, 16, False, 0)
    pairs = list(zip(streamed.as_numpy_iterator(), in_memory.as_numpy_iterator(), strict=True))
    assert len(pairs) == -(-22 // 16)
    for (ids, labels), (expected_ids, expected_labels) in pairs:
        assert np.array_equal(ids, expected_ids) and np.array_equal(labels, expected_labels)


def test_a_truncated_source_fails_naming_file_and_line_and_leaves_no_shards(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SHARD_ROWS", 100)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(compression, "_BUFFER", 4096)  # else the small file is decompressed in one read
    written = []
    monkeypatch.setattr(ShardWriter, "add", lambda self, table, add=ShardWriter.add: written.append(add(self, table)))
    folder = tmp_path / "source"
    write_sample(str(folder), format="ft.txt.gz", per_class=400, seed=1)
    data = (folder / "train.ft.txt.gz").read_bytes()
    (folder / "train.ft.txt.gz").write_bytes(data[: len(data) * 3 // 4])
    out = tmp_path / "out"
    with pytest.raises(DataError, match=r"train.ft.txt.gz: truncated or corrupt stream after line \d+"):
        run_ingest("amazon", str(folder), str(out / "raw.npz"))
    assert len(written) >= 4, "shards were written before the cut was reached"
    assert os.listdir(out) == [], "and removed with their hidden folder"


def test_each_shard_is_tokenised_once_over_the_passes_and_its_kept_copy_goes_with_the_step(
    tmp_path, source, monkeypatch
):
    """Preprocess reads the raw shards twice (fit, then encode); tokenising is most of its time, so
    the first pass keeps each shard's corpus on disk and the second reads it back, equal to a fresh
    one. Where it cannot be kept (here: a temporary folder that cannot be written), every pass
    tokenises again and gets the same corpus."""
    from components.studies.amazon.recipe import AmazonRecipe
    from components.transform_passes import PreparedRaw

    monkeypatch.setattr(sources, "SHARD_ROWS", 30)
    raw = str(tmp_path / "raw.npz")
    run_ingest("amazon", source, raw)
    prepared_shards = []

    class Counting(AmazonRecipe):
        def prepare(self, table):
            prepared_shards.append(tables.num_rows(table))
            return super().prepare(table)

    def passes(prepared: PreparedRaw):
        first = [(start, corpus) for start, _, corpus in prepared]
        second = [(start, corpus) for start, _, corpus in prepared]
        for (start, a), (again, b) in zip(first, second, strict=True):
            assert start == again and a.lexicon == b.lexicon and np.array_equal(a.label, b.label)
            assert np.array_equal(a.tokens.values, b.tokens.values)
            assert np.array_equal(a.tokens.row_splits, b.tokens.row_splits)
        return first

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    with PreparedRaw(Counting(), raw) as kept:
        read = passes(kept)
        assert len(prepared_shards) == len(read) == 8 and os.listdir(temporary)
    assert os.listdir(temporary) == [], "the kept corpora go when the step ends"

    prepared_shards.clear()
    monkeypatch.setattr(tables, "save", _refuse)
    with PreparedRaw(Counting(), raw) as again:
        fallback = passes(again)
    assert len(prepared_shards) == 16, "tokenised on both passes"
    assert [c.lexicon for _, c in fallback] == [c.lexicon for _, c in read]


def _refuse(path, table):
    raise OSError(28, "No space left on device", path)
