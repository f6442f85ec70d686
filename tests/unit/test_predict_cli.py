"""``kfp-studies predict`` refuses bad input in one line with status 2, before any model is loaded,
and a registered version whose files do not match its card is refused, naming the file."""

import json

import pytest

from components.registry import Registry, TamperedVersion
from pipelines.cli import main

STATES = {
    "imdb": {"vocabulary": ["good", "bad"], "num_words": 2},
    "cifar10": {"pad_crop": 0},
    "mirai": {"scaler": {"first_column": 1, "mean": [0.0, 0.0], "std": [1.0, 1.0]}, "features": 2},
    "digits": {"points": 8, "reverse_augment": False},
}


def _version(tmp_path, study: str) -> str:
    """A registered version with the files predict reads before any TensorFlow (not a loadable model)."""
    folder = tmp_path / f"model-{study}"
    (folder / "saved_model").mkdir(parents=True)
    (folder / "saved_model" / "saved_model.pb").write_bytes(b"not a model")
    (folder / "transform.json").write_text(json.dumps(STATES[study]))
    uri = str(tmp_path / "reg")
    Registry(uri).register(study, str(folder), {"metrics": {"accuracy": 0.9}}, promote=True)
    return uri


@pytest.mark.parametrize(
    ("study", "name", "content", "message"),
    [
        ("imdb", "review.png", b"\x89PNG\r\n\x1a\n", "not UTF-8 text (byte 0); expected a review as a text file"),
        ("imdb", "reviews.ft.txt", b"__label__3 meh\n", "unknown label '__label__3'"),
        ("cifar10", "cat.png", b"a cat, in words", "not a readable PNG/JPEG image"),
        ("mirai", "rows.csv", b"1,2,3,4\n5,6,7,8\n", "feature columns; expected 3 (a Kitsune row less its index)"),
        ("mirai", "rows.csv", b"1,2,x\n", "rows.csv"),
        ("digits", "digits.txt", b"hello\n", "digits.txt"),
    ],
)
def test_malformed_input_is_one_line_naming_the_file_and_status_2(tmp_path, capsys, study, name, content, message):
    uri = _version(tmp_path, study)
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["predict", study, str(path), "--registry", uri]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and message in err


def test_a_version_whose_file_differs_from_its_card_is_refused_naming_the_file(tmp_path, capsys):
    uri = _version(tmp_path, "imdb")
    registry = Registry(uri)
    version = registry.champion_pointer("imdb")["version"]
    (tmp_path / "reg" / "imdb" / version / "saved_model" / "saved_model.pb").write_bytes(b"swapped model")
    with pytest.raises(TamperedVersion, match="saved_model/saved_model.pb does not match its card"):
        registry.download_version("imdb", version, tmp_path / "copy")
    review = tmp_path / "review.txt"
    review.write_text("fine")
    assert main(["predict", "imdb", str(review), "--registry", uri]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"imdb/{version}/saved_model/saved_model.pb does not match its card" in err


def test_a_missing_file_is_refused_naming_it(tmp_path):
    uri = _version(tmp_path, "imdb")
    registry = Registry(uri)
    version = registry.champion_pointer("imdb")["version"]
    (tmp_path / "reg" / "imdb" / version / "transform.json").unlink()
    with pytest.raises(TamperedVersion, match="transform.json is listed on its card but missing"):
        registry.download_version("imdb", version, tmp_path / "copy")
