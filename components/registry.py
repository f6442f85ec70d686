"""A model registry on the storage layer (any scheme it supports).

Layout::

    <registry>/<study>/<version>/...          the files of the model folder
    <registry>/<study>/<version>/model.json   the card, written last
    <registry>/<study>/champion.json          {version, previous, history, updated_at, reason}
    <registry>/<study>/.claims/<version>.json  who registers that version

A version exists once its ``model.json`` does. The card is written
create-only, after every file, so a version is either complete or not listed;
a claim, also create-only and written first, stops two registrations of the
same version from mixing their files. Versions never change.

``champion.json`` moves by compare-and-swap. A ``promote`` callable sees the
current champion's card and is called again after every lost race, so that
concurrent registrations end with one champion that the callable chose over
every one it replaced.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import random
import re
import secrets
import socket
import time
from collections.abc import Callable
from typing import overload

from components import storage
from components.files import file_sha256, walk_files

log = logging.getLogger(__name__)

CARD = "model.json"
POINTER = "champion.json"
CLAIMS = ".claims"
HISTORY_LIMIT = 50
CAS_ATTEMPTS = 100
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SYSTEM_KEYS = ("study", "version", "created_at", "files")

PromoteFn = Callable[[dict | None], "tuple[bool, str] | bool"]


class RegistryError(storage.StorageError):
    """A registry operation cannot be done (unknown version, nothing to roll back to, ...)."""


class TamperedVersion(RegistryError):
    """A registered file is missing or differs from the sha256 its card lists: the version is refused."""


class InvalidName(RegistryError, ValueError):
    """A study or version name the registry's layout cannot hold (a ValueError too, as it always was)."""


def new_version(now: _dt.datetime | None = None) -> str:
    """A sortable, unique version id: ``v<UTC yyyymmddHHMMSS>-<8 hex>``."""
    now = now or _dt.datetime.now(_dt.UTC)
    return f"v{now.astimezone(_dt.UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def _utcnow() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _check_name(kind: str, value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise InvalidName(f"invalid {kind} {value!r}: use letters, digits, '.', '_' or '-'")
    return value


def _dumps(obj: dict) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode()


class Registry:
    def __init__(self, uri: str | os.PathLike):
        text = os.fspath(uri)
        stripped = text.rstrip("/")
        self.uri = stripped if stripped and not stripped.endswith(":") else text

    # ---- paths ----
    def _study(self, study: str) -> str:
        return storage.join(self.uri, _check_name("study", study))

    def _version(self, study: str, version: str) -> str:
        return storage.join(self._study(study), _check_name("version", version))

    def file_uri(self, study: str, version: str, path: str) -> str:
        """Where a file (or folder) of a registered version lives, e.g. its ``saved_model``."""
        return storage.join(self._version(study, version), path)

    def _pointer(self, study: str) -> str:
        return storage.join(self._study(study), POINTER)

    # ---- reads ----
    def versions(self, study: str) -> list[str]:
        """Complete versions (those with a card), oldest first."""
        prefix = self._study(study)
        found = []
        for uri in storage.list_prefix(prefix):
            parts = uri[len(prefix) :].strip("/").replace(os.sep, "/").split("/")
            if len(parts) == 2 and parts[1] == CARD and _NAME.match(parts[0]):
                found.append(parts[0])
        return sorted(found)

    def card(self, study: str, version: str) -> dict:
        uri = storage.join(self._version(study, version), CARD)
        try:
            return json.loads(storage.read_bytes(uri))
        except storage.NotFound:
            raise storage.NotFound(
                f"registry {self.uri}: study {study!r} has no version {version!r}", uri=uri
            ) from None

    def download_version(self, study: str, version: str, dest: str | os.PathLike) -> dict:
        """Copy every file the card lists into ``dest``, each checked against the card's
        sha256 and size (TamperedVersion names the first that differs); returns the card.

        Versions never change, so a mismatch is damage or tampering: nothing of such a
        version is used (predict, the champion's scoring)."""
        card = self.card(study, version)
        base, root = self._version(study, version), os.path.realpath(os.fspath(dest))
        for entry in card["files"]:
            rel = entry["path"]
            target = os.path.realpath(os.path.join(root, rel))
            if not target.startswith(root + os.sep):
                raise TamperedVersion(f"{study}/{version}: its card lists a file outside the version: {rel!r}")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                storage.download(storage.join(base, rel), target)
            except storage.NotFound:
                raise TamperedVersion(
                    f"registry {self.uri}: {study}/{version}/{rel} is listed on its card but missing", uri=base
                ) from None
            digest, size = file_sha256(target)
            if (digest, size) != (entry["sha256"], entry["size"]):
                raise TamperedVersion(
                    f"registry {self.uri}: {study}/{version}/{rel} does not match its card "
                    f"(sha256 {digest}, {size} bytes; the card says {entry['sha256']}, {entry['size']} bytes)",
                    uri=storage.join(base, rel),
                )
        return card

    def champion_pointer(self, study: str) -> dict | None:
        data, _ = storage.read_versioned(self._pointer(study))
        return json.loads(data) if data else None

    def champion(self, study: str) -> dict | None:
        """The champion's card, or None when no version was promoted."""
        pointer = self.champion_pointer(study)
        return self.card(study, pointer["version"]) if pointer else None

    # ---- writes ----
    def register(
        self,
        study: str,
        local_dir: str | os.PathLike,
        card: dict,
        *,
        promote: bool | PromoteFn = False,
        version: str | None = None,
    ) -> str:
        """Upload ``local_dir`` as a new version, write its card, maybe promote it; return the version.

        ``promote`` is True, False, or ``f(champion_card_or_None) -> (bool, reason)``.
        Registering an existing ``version`` raises ``storage.AlreadyExists``.
        """
        root = os.fspath(local_dir)
        if not os.path.isdir(root):
            raise storage.NotFound(f"register: no model folder at {root}", uri=root)
        if os.path.exists(os.path.join(root, CARD)):
            raise ValueError(f"register: {root} holds a {CARD}; that name is reserved for the registry's card")
        clash = [k for k in _SYSTEM_KEYS if k in card]
        if clash:
            raise ValueError(f"register: card keys {clash} are reserved: the registry sets them")
        version = _check_name("version", version or new_version())
        base = self._version(study, version)
        card_uri = storage.join(base, CARD)
        json.dumps(card)  # fail early, before any upload, on a card that is not JSON

        if storage.exists(card_uri):
            raise storage.AlreadyExists(f"register: {study}/{version} already exists in {self.uri}", uri=card_uri)
        claim = {"version": version, "claimed_at": _utcnow(), "host": socket.gethostname(), "pid": os.getpid()}
        try:
            storage.write_bytes(
                storage.join(self._study(study), CLAIMS, version + ".json"), _dumps(claim), if_absent=True
            )
        except storage.AlreadyExists:
            raise storage.AlreadyExists(
                f"register: {study}/{version} is being (or was) registered by someone else in {self.uri}", uri=base
            ) from None

        files = []
        for path, rel in walk_files(root):
            digest, size = file_sha256(path)
            files.append({"path": rel, "size": size, "sha256": digest})
        storage.upload_tree(root, base)
        full = {**card, "study": study, "version": version, "created_at": _utcnow(), "files": files}
        try:
            storage.write_bytes(card_uri, _dumps(full), if_absent=True)
        except storage.AlreadyExists:
            raise storage.AlreadyExists(
                f"register: {study}/{version} already exists in {self.uri}", uri=card_uri
            ) from None
        log.info("registered %s/%s in %s", study, version, self.uri)

        if promote:
            decide = promote if callable(promote) else (lambda champ: (True, "promoted at registration"))

            def move(pointer: dict | None) -> dict | None:
                current = self.card(study, pointer["version"]) if pointer else None
                answer = decide(current)
                ok, reason = answer if isinstance(answer, tuple) else (bool(answer), "")
                log.info("%s/%s vs champion %s: %s (%s)", study, version, pointer and pointer["version"], ok, reason)
                return _moved(pointer, version, reason or "promoted") if ok else None

            self._move(study, move)
        return version

    def promote(self, study: str, version: str, reason: str) -> dict:
        """Make ``version`` the champion; returns the new pointer."""
        self.card(study, version)  # NotFound for unknown versions
        return self._move(study, lambda pointer: _moved(pointer, version, reason))

    def rollback(self, study: str, reason: str) -> dict:
        """Make the previous champion the champion again; returns the new pointer."""

        def back(pointer: dict | None) -> dict:
            if not pointer or not pointer.get("previous"):
                raise RegistryError(
                    f"rollback: study {study!r} in {self.uri} has no previous champion", uri=self._pointer(study)
                )
            history = list(pointer.get("history") or [pointer["previous"]])
            return {
                "version": history[0],
                "previous": history[1] if len(history) > 1 else None,
                "history": history[1:],
                "updated_at": _utcnow(),
                "reason": f"rollback from {pointer['version']}: {reason}",
            }

        return self._move(study, back)

    @overload
    def _move(self, study: str, decide: Callable[[dict | None], dict]) -> dict: ...

    @overload
    def _move(self, study: str, decide: Callable[[dict | None], dict | None]) -> dict | None: ...

    def _move(self, study: str, decide: Callable[[dict | None], dict | None]) -> dict | None:
        """Compare-and-swap champion.json: decide() on the current pointer, retry on a lost race.

        Returns the pointer now in place, or None when ``decide`` declined (returned None)."""
        uri = self._pointer(study)
        for attempt in range(1, CAS_ATTEMPTS + 1):
            data, token = storage.read_versioned(uri)
            pointer = json.loads(data) if data else None
            new = decide(pointer)
            if new is None or (
                pointer and new["version"] == pointer["version"] and new.get("reason") == pointer.get("reason")
            ):
                return None if new is None else pointer
            try:
                storage.write_if_match(uri, _dumps(new), token)
                return new
            except storage.PreconditionFailed:
                log.info("champion of %s moved during our update (attempt %d); re-deciding", study, attempt)
                time.sleep(random.uniform(0, 0.02 * min(attempt, 10)))
        raise RegistryError(
            f"champion of {study!r} in {self.uri}: still contended after {CAS_ATTEMPTS} attempts", uri=uri
        )


def _moved(pointer: dict | None, version: str, reason: str) -> dict:
    history: list[str] = []
    if pointer:
        history = [pointer["version"], *(pointer.get("history") or [])]
        if pointer["version"] == version:
            history = list(pointer.get("history") or [])
    history = history[:HISTORY_LIMIT]
    return {
        "version": version,
        "previous": history[0] if history else None,
        "history": history,
        "updated_at": _utcnow(),
        "reason": reason,
    }
