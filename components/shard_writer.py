"""Write a table as shards, one ``add`` at a time, published whole or not at all.

A step that streams its input (ingest reading a 1.6 GB source, preprocess
encoding it shard by shard) never holds the whole table, so it cannot call
``tables.save`` once at the end. It writes each shard into a hidden folder
beside the target instead, and only when every shard is written does the
manifest go in and the folder get renamed to the target. An error on the
way (a truncated source, a full disk) removes the hidden folder: a reader
finds the complete table or nothing, never some of its shards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from types import TracebackType

from components import files, tables
from components.errors import OutputError
from components.tables import MANIFEST, Table

SHARD_NAME = "part-{:05d}.npz"


class ShardWriter:
    """``with ShardWriter(path) as w: w.add(table)...``: the shards of one table at ``path`` (a folder)."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        self._entries: list[dict] = []
        self._empty: Table | None = None
        self._temp = ""

    def __enter__(self) -> ShardWriter:
        parent = os.path.dirname(self.path)
        os.makedirs(parent, exist_ok=True)
        # Named like files.write_temp_beside's temporaries, so storage listings skip it while it is written.
        suffix = ".tmp-" + os.urandom(4).hex()
        with self._naming_target():
            self._temp = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(self.path)}.", suffix=suffix)
        return self

    def add(self, table: Table) -> None:
        """Write ``table``'s rows as the next shard (an empty table is kept only
        as the column template of a table that turns out to have no rows)."""
        rows = tables.num_rows(table)
        if rows == 0:
            self._empty = self._empty or table
            return
        name = SHARD_NAME.format(len(self._entries))
        self._save(name, table)
        self._entries.append({"file": name, "rows": rows})

    def _save(self, name: str, table: Table) -> None:
        with self._naming_target():
            tables.save(os.path.join(self._temp, name), table)

    @contextlib.contextmanager
    def _naming_target(self) -> Iterator[None]:
        """An OS error while writing (a full disk, a folder we may not write to) as an OutputError
        naming the table being written, not the hidden folder or shard it happened in."""
        try:
            yield
        except OSError as exc:
            if exc.errno is None:
                raise
            raise OutputError(exc.errno, f"cannot write {self.path}: {os.strerror(exc.errno)}") from None

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self._entries)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                with self._naming_target():
                    self._publish()
        finally:
            shutil.rmtree(self._temp, ignore_errors=True)

    def _publish(self) -> None:
        if not self._entries:
            if self._empty is None:
                raise ValueError(f"no rows and no columns were written for {self.path}")
            name = SHARD_NAME.format(0)
            self._save(name, self._empty)
            self._entries.append({"file": name, "rows": 0})
        with open(os.path.join(self._temp, MANIFEST), "w", encoding="utf-8") as f:
            json.dump({"shards": self._entries}, f)
        # mkdtemp made the folder private (0700); published, it gets the mode any new folder would.
        os.chmod(self._temp, 0o777 & ~files.umask())
        if os.path.isdir(self.path):
            shutil.rmtree(self.path)
        elif os.path.exists(self.path):
            os.unlink(self.path)
        os.replace(self._temp, self.path)
