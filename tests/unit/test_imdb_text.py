import numpy as np

from components.studies.imdb import text
from components.tables import Ragged
from components.vocabulary import fit_vocabulary, intern_tokens


def test_tokenize_strips_breaks_punctuation_and_case():
    assert text.tokenize("Don't<br />STOP!<br/>It's great, really...") == ["dont", "stop", "its", "great", "really"]
    assert text.tokenize("well-made (10/10)") == ["well", "made", "10", "10"]


def test_vocabulary_is_fitted_on_training_rows_only():
    docs = [["good", "film"], ["bad", "film"], ["leak", "leak", "leak"]]
    tokens, lexicon = intern_tokens(docs)
    vocab = fit_vocabulary(tokens, lexicon, np.array([0, 1]), size=10)
    assert "leak" not in vocab, "a word seen only in held-out rows must not enter the vocabulary"
    assert vocab[0] == "film" and set(vocab) == {"film", "good", "bad"}


def test_vocabulary_keeps_the_most_frequent_with_reproducible_ties():
    tokens, lexicon = intern_tokens([["b", "a", "c", "c"]])
    assert fit_vocabulary(tokens, lexicon, np.array([0]), size=2) == ["c", "a"]


def test_multi_hot_columns_are_sorted_distinct_and_drop_unknown_words():
    tokens, lexicon = intern_tokens([["b", "a", "b", "zzz"], [], ["a"]])
    cols = text.multi_hot_columns(tokens, lexicon, ["a", "b"])
    assert isinstance(cols, Ragged)
    assert [list(cols[i]) for i in range(3)] == [[0, 1], [], [0]]
