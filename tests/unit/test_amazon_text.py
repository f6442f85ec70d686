import numpy as np
import pytest

from components.studies.amazon import AmazonParams, text
from components.studies.amazon.recipe import RECIPE as recipe
from components.tables import Ragged
from components.vocabulary import Corpus, intern_tokens


def _prepared(docs: list[str], labels: list[int]) -> Corpus:
    return recipe.prepare({"text": Ragged.from_strings(docs), "label": np.array(labels, np.uint8)})


def test_tokenize_lowercases_deletes_ascii_punctuation_and_splits_on_whitespace():
    assert text.tokenize("Didn't work.Returned it!  (2/5)\tMeh") == ["didnt", "workreturned", "it", "25", "meh"]
    assert text.tokenize("Life-A Distant_Promise ÉTÉ") == ["lifea", "distantpromise", "été"]
    assert text.tokenize("!!! ...") == []


def test_sequence_length_is_int_of_mean_plus_two_std():
    # counts 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population std 2 -> 5 + 4 = 9
    assert text.sequence_length(np.array([2, 4, 4, 4, 5, 5, 7, 9])) == 9
    # counts 1, 2: mean 1.5, std 0.5 -> int(2.5) = 2
    assert text.sequence_length(np.array([1, 2])) == 2


def test_vocabulary_and_sequence_length_are_fitted_on_training_rows_only():
    prepared = _prepared(["good good film", "bad film", "leak leak leak leak leak leak leak leak leak"], [1, 0, 0])
    state = recipe.fit(prepared, np.array([0, 1]), AmazonParams())
    assert state["vocabulary"] == ["film", "good", "bad"], "by falling training count, ties alphabetical"
    assert "leak" not in state["vocabulary"]
    # training counts 3 and 2: mean 2.5, std 0.5 -> 3 (the held-out 9-token row does not count)
    assert state["sequence_length"] == 3


def test_max_tokens_counts_the_padding_and_oov_ids_and_sequence_length_can_be_fixed():
    prepared = _prepared(["a a a a b b b c c d", "e"], [0, 1])
    state = recipe.fit(prepared, np.array([0, 1]), AmazonParams(max_tokens=4, sequence_length=7))
    assert state == {"vocabulary": ["a", "b"], "sequence_length": 7}


def test_ids_follow_keras_truncate_at_the_end_and_empty_rows_get_one_oov_id():
    tokens, lexicon = intern_tokens([["b", "zzz", "a", "b", "a"], [], ["a"], [], ["c"]])
    ids = text.token_ids(tokens, lexicon, ["a", "b"], length=3)
    # 0 padding, 1 out-of-vocabulary, 2 "a", 3 "b"; rows cut to their first 3 tokens
    assert [ids[i].tolist() for i in range(len(ids))] == [[3, 1, 2], [1], [2], [1], [1]]
    assert ids.values.dtype == np.int32


def test_encode_gives_token_ids_and_float_labels_for_the_rows_asked():
    prepared = _prepared(["Good, good!", "Bad."], [1, 0])
    state = {"vocabulary": ["good"], "sequence_length": 4}
    table = recipe.encode(prepared, np.array([1, 0]), state)
    assert [table["tokens"][i].tolist() for i in range(2)] == [[1], [2, 2]]
    assert table["label"].tolist() == [0.0, 1.0] and table["label"].dtype == np.float32


def test_dataset_pads_with_zeros_to_the_sequence_length():
    table = {"tokens": Ragged.from_rows([[5, 6, 7], [8]], np.int32), "label": np.array([1, 0], np.float32)}
    ((x, y),) = list(recipe.dataset(table, {"sequence_length": 4}, batch_size=8, shuffle=False, seed=0))
    assert x.dtype.name == "int32" and x.numpy().tolist() == [[5, 6, 7, 0], [8, 0, 0, 0]]
    assert y.numpy().tolist() == [1.0, 0.0]


def test_ids_match_keras_text_vectorization():
    """Keras' own layer on a corpus without frequency ties (Keras breaks them
    reverse-alphabetically, the shared helper alphabetically): the 5, cat 4, dog 3, sat 2."""
    keras = pytest.importorskip("keras")
    docs = ["The cat sat. The cat ran!", "A dog sat; the DOG barked", "the end, the cat (dog)!", "dog-gone cat"]
    layer = keras.layers.TextVectorization(max_tokens=6, output_sequence_length=5)
    layer.adapt(docs)
    prepared = _prepared(docs, [0, 1, 0, 1])
    state = recipe.fit(prepared, np.arange(4), AmazonParams(max_tokens=6, sequence_length=5))
    assert ["", "[UNK]", *state["vocabulary"]] == layer.get_vocabulary()
    table = recipe.encode(prepared, np.arange(4), state)
    ((ours, _),) = list(recipe.dataset(table, state, batch_size=4, shuffle=False, seed=0))
    assert ours.numpy().tolist() == np.asarray(layer(docs)).tolist()
