"""The data-check hooks the text studies (imdb, amazon) share: their prepared data is a
``Corpus`` and their fitted state holds the ``vocabulary``, so one definition serves both."""

from __future__ import annotations

from components.statistics import NumericColumns, out_of_vocabulary_rate, text_profile
from components.tables import Table
from components.vocabulary import Corpus


class TextDataChecks:
    """Mixed into a text study's recipe, before ``Recipe`` (see ``components.studies.recipe``)."""

    def profile(self, table: Table) -> list[NumericColumns]:
        return [text_profile(table)]

    def vocabulary(self, state: dict) -> list:
        return list(state["vocabulary"])

    def out_of_vocabulary(self, prepared: Corpus, vocabulary: list) -> float:
        return out_of_vocabulary_rate(prepared, vocabulary)
