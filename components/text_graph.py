"""TensorFlow string ops that do what the text studies' Python tokenisers do.

A serving model tokenises in its graph, and it must agree with the Python
tokeniser the model was trained on, character for character. Three things
differ between Python's ``str`` methods and TensorFlow's string ops, and each
is bridged here rather than left as a known difference:

- Python's ``re`` classes (``\\w``, ``\\s``) are Unicode-wide, RE2's are
  ASCII: the character classes are built from Python itself
  (:func:`python_class`), so they match exactly the characters the running
  Python matches;
- ``tf.strings.lower`` ends a string at a NUL byte, so text is lowered piece
  by piece between NULs (:func:`lower`);
- TensorFlow's ICU can be older than Python's Unicode tables: letters whose
  lowercase ICU does not know yet are mapped first, explicitly.

Built when a model is exported; nothing here is needed to *load* the model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tensorflow as tf

_SURROGATES = range(0xD800, 0xE000)


def _code_points() -> range:
    return range(0x110000)


@functools.cache
def python_class(accept: Callable[[str], bool]) -> str:
    """The body of an RE2 character class (``[...]`` without the brackets) holding
    every code point ``c`` for which ``accept(chr(c))`` is true, as ranges."""
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in _code_points():
        ok = cp not in _SURROGATES and accept(chr(cp))
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


def whitespace_class() -> str:
    """What ``str.split()`` and ``str.isspace`` call whitespace."""
    return python_class(str.isspace)


@functools.cache
def _lowercase_gaps() -> tuple[tuple[str, str], ...]:
    """(character, Python's lowercase) for the cased characters TensorFlow lowers differently."""
    import tensorflow as tf

    cased = [chr(cp) for cp in _code_points() if cp not in _SURROGATES and chr(cp).lower() != chr(cp)]
    with tf.init_scope():  # eager, also while a serving function is being traced
        lowered = tf.strings.lower([c.encode() for c in cased], encoding="utf-8").numpy()
    return tuple((c, c.lower()) for c, got in zip(cased, lowered, strict=True) if got.decode() != c.lower())


def lower(texts: tf.Tensor) -> tf.Tensor:
    """``str.lower`` of each string of a 1-D tensor (full Unicode case mapping, final sigma included)."""
    import tensorflow as tf

    for char, low in _lowercase_gaps():
        texts = tf.strings.regex_replace(texts, _escape(char), low)
    pieces = tf.strings.split(texts, "\x00")
    # Rejoined with a NUL tensor: a NUL in a string attribute (reduce_join's separator) is cut off too.
    lowered = tf.ragged.map_flat_values(lambda p: tf.strings.lower(p, encoding="utf-8") + tf.constant("\x00"), pieces)
    joined = tf.strings.reduce_join(lowered, axis=-1)
    return tf.strings.substr(joined, tf.zeros_like(tf.strings.length(joined)), tf.strings.length(joined) - 1)


def _escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"
