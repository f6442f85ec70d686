"""cifar10 model input: per-image standardisation, and augmentation on training batches only."""

import numpy as np
import pytest

from components import tables
from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess
from components.studies.cifar10.inputs import random_pad_crop, standardize
from components.studies.cifar10.recipe import RECIPE as recipe
from components.studies.cifar10.sample import write_sample


def test_standardize_centres_and_scales_each_image_by_its_own_statistics():
    image = np.array([0, 2, 4, 6], np.uint8).reshape(1, 2, 2, 1)
    flat = np.full((1, 2, 2, 1), 7, np.uint8)
    out = standardize(np.concatenate([image, flat])).numpy()
    # mean 3, population std sqrt(5): (x - 3) / 2.2360679...
    np.testing.assert_allclose(out[0].ravel(), [-1.3416408, -0.4472136, 0.4472136, 1.3416408], rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0.0)  # a flat image: centred, not divided by zero
    assert out.dtype == np.float32


def _marked(n: int) -> dict:
    """Image ``i`` is dark but for one bright pixel at row ``i``, column 2: its
    row says which image it is and its column whether it was flipped."""
    images = np.zeros((n, 32, 32, 3), np.uint8)
    images[np.arange(n), np.arange(n), 2] = 255
    return {"image": images, "label": (np.arange(n) % 10).astype(np.uint8)}


def _collect(ds):
    xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in ds), strict=False)
    return np.concatenate(xs), np.concatenate(ys)


def test_validation_and_test_batches_are_neither_shuffled_nor_flipped():
    table = _marked(20)
    x, y = _collect(recipe.dataset(table, {"pad_crop": 4}, batch_size=8, shuffle=False, seed=1))
    np.testing.assert_allclose(x, standardize(table["image"]).numpy())
    np.testing.assert_array_equal(y.argmax(axis=1), table["label"])
    assert y.dtype == np.float32 and y.shape == (20, 10)


def test_training_batches_are_flipped_at_random_and_reshuffled_every_epoch():
    table = _marked(32)
    plain = standardize(table["image"]).numpy()
    flips, orders = [], []
    for epoch in range(2):
        x, y = _collect(
            recipe.dataset(table, {"pad_crop": 0}, batch_size=10, shuffle=True, seed=3, epochs=range(epoch, epoch + 1))
        )
        rows, cols = np.unravel_index(x[..., 0].reshape(32, -1).argmax(axis=1), (32, 32))
        flipped = cols == 29
        assert set(cols) <= {2, 29} and sorted(rows) == list(range(32)), "each image once, flipped or not"
        for xi, r, f in zip(x, rows, flipped, strict=False):
            np.testing.assert_allclose(xi, plain[r][:, ::-1] if f else plain[r], atol=1e-6)
        np.testing.assert_array_equal(y.argmax(axis=1), table["label"][rows])
        flips.append(flipped.tolist())
        orders.append(rows.tolist())
    assert all(4 < sum(f) < 28 for f in flips), "about half flipped"
    assert orders[0] != orders[1] and flips[0] != flips[1], "new order and flips every epoch"
    again, _ = _collect(recipe.dataset(table, {"pad_crop": 0}, batch_size=10, shuffle=True, seed=3, epochs=range(2)))
    assert np.array_equal(again[32:], x), "epoch 1 alone (a resume) reads what it reads after epoch 0"


def test_pad_crop_cuts_a_shifted_window_of_the_zero_padded_image():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(6, 32, 32, 3)).astype(np.float32)
    out = random_pad_crop(images, 4, np.array([1, 2])).numpy()
    assert out.shape == images.shape
    padded = np.pad(images, [(0, 0), (4, 4), (4, 4), (0, 0)])
    for i in range(6):
        windows = [
            (dy, dx)
            for dy in range(9)
            for dx in range(9)
            if np.array_equal(padded[i, dy : dy + 32, dx : dx + 32], out[i])
        ]
        assert windows, f"image {i} is not a window of its padded self"


@pytest.fixture(scope="module")
def preprocessed(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar10-pre")
    source = write_sample(str(root), format="png", per_class=12, seed=2)
    run_ingest("cifar10", source, str(root / "raw.npz"))
    out = PreprocessOutputs(*(str(root / n) for n in ("train.npz", "validation.npz", "test.npz", "state.json")))
    counts = run_preprocess("cifar10", str(root / "raw.npz"), {"validation_rows": 40, "pad_crop": 4}, 7, out)
    return counts, out, tables.load(str(root / "raw.npz"))


def test_validation_is_drawn_without_replacement(preprocessed):
    counts, out, raw = preprocessed
    assert {k: counts[k] for k in ("train", "validation", "test")} == {"train": 80, "validation": 40, "test": 120}

    def key(table):
        return {img.tobytes() for img in table["image"]}  # every synthetic image is unique

    train, validation = tables.load(out.train), tables.load(out.validation)
    assert len(key(train)) == 80 and len(key(validation)) == 40, "no image drawn twice"
    assert not key(train) & key(validation), "no validation image is also a training image"
    assert key(train) | key(validation) == key({"image": raw["image"][raw["split"] == 0]})
    assert np.bincount(validation["label"]).tolist() == [4] * 10, "stratified by class"
    assert train["image"].dtype == np.uint8 and set(train) == {"image", "label"}
