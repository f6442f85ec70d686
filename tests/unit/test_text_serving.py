"""The serving graph tokenises text exactly as the Python tokenisers the models were trained on."""

import numpy as np
import pytest

from components.studies.amazon import serving as amazon_serving
from components.studies.amazon import text as amazon_text
from components.studies.imdb import serving as imdb_serving
from components.studies.imdb import text as imdb_text
from components.vocabulary import fit_vocabulary, intern_tokens

tf = pytest.importorskip("tensorflow")

EDGE_CASES = [
    "",
    "   ",
    "Don't<br />stop!",
    "<BR/>line<br   />break<br>here<br\u2003/>again",
    "It\u2019s GREAT, isn't it?? 10/10 -- a_b c-d e.f",
    "caf\u00e9 CAF\u00c9 cafe\u0301 na\u00efve \u00dcBER stra\u00dfe",
    "\u039f\u0394\u039f\u03a3 \u03a3\u0391 \u0130stanbul",  # final sigma, dotted capital I
    "\u65e5\u672c\u8a9e\u306e\u30ec\u30d3\u30e5\u30fc \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\U0001f600 emoji\U0001f44d",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u2028sep\x1cfs\x85nel",
    "nul\x00inside\x00\x00text",
    "\u2167 \u00bd \u00b2 \u0663\u0664 digits 123",
    "\u2c2f\u2c5f \ua7c0 new letters",  # Unicode 14 capitals that TensorFlow's ICU does not lower
    "under_score __init__ ___",
    "!!!???...,,,;;;:::",
    "a" * 3000,
]


def _corpus_texts() -> list[str]:
    rng = np.random.default_rng(3)
    alphabet = list("abcdefgh ABC '\u2019<>/!.,_-\t\n\u00e9\u00c9\u03a3\u00a0") + ["<br />", "<BR>", "don't"]
    return EDGE_CASES + ["".join(rng.choice(alphabet, size=rng.integers(0, 60))) for _ in range(300)]


def test_imdb_graph_multi_hot_equals_the_python_path():
    texts = _corpus_texts()
    tokens, lexicon = intern_tokens(map(imdb_text.tokenize, texts))
    vocabulary = fit_vocabulary(tokens, lexicon, np.arange(len(texts)), 200)
    expected = imdb_text.multi_hot_columns(tokens, lexicon, vocabulary)
    dense = imdb_serving.transform({"vocabulary": vocabulary, "num_words": 200})(tf.constant(texts)).numpy()
    for row in range(len(texts)):
        assert np.flatnonzero(dense[row]).tolist() == expected[row].tolist(), repr(texts[row])


def test_amazon_graph_token_ids_equal_the_python_path():
    texts = _corpus_texts()
    tokens, lexicon = intern_tokens(map(amazon_text.tokenize, texts))
    vocabulary = fit_vocabulary(tokens, lexicon, np.arange(len(texts)), 150)
    length = 12
    expected = amazon_text.token_ids(tokens, lexicon, vocabulary, length)
    state = {"vocabulary": vocabulary, "sequence_length": length}
    ids = amazon_serving.transform(state)(tf.constant(texts)).numpy()
    assert ids.dtype == np.int32 and ids.shape == (len(texts), length)
    for row in range(len(texts)):
        want = np.zeros(length, np.int32)
        want[: len(expected[row])] = expected[row]
        assert ids[row].tolist() == want.tolist(), repr(texts[row])


def test_every_code_point_is_split_and_lowered_as_python_does():
    """Each character between two letters (``X<c>y``): a word character stays in the token, a
    separator splits it, a deleted character disappears, and the lowercase is ``str.lower``'s.
    A thousand such probes per string, space-separated, so both tokenisers run on long strings."""
    probes = [f"X{chr(c)}y" for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    texts = [" ".join(probes[i : i + 1000]) for i in range(0, len(probes), 1000)]
    batch = tf.constant(texts)
    for python, module in ((imdb_text.tokenize, imdb_serving), (amazon_text.tokenize, amazon_serving)):
        joined = tf.strings.reduce_join(module.tokenize(batch), axis=-1, separator=" ").numpy()
        bad = [i for i, (t, g) in enumerate(zip(texts, joined, strict=True)) if " ".join(python(t)).encode() != g]
        assert not bad, f"{module.__name__}: {len(bad)} blocks of probes differ, the first is block {bad[0]}"
