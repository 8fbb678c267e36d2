"""Builds in progress, recorded beside the index itself (a small collection ``{base}__builds``).

Each running build holds a lease there: its build id, the key of what it builds (inputs + settings), the
host and process that run it and a heartbeat. The lease makes two things safe that a local file lock cannot:

- several machines building into one Chroma server: a build never removes a build another builder still
  works on (a fresh lease), so two builds never delete each other's collections, and each writes only its
  own collections; the active build is switched by one metadata update of ``{base}__active`` (atomic for
  readers), so readers never see a mix of two builds;
- resuming a killed build: a build whose builder is gone (its process is dead on this host, or its
  heartbeat is older than ``LEASE_S``) and that has the same key is taken over: its chunk and sentence
  ids are stable, so what it already wrote is kept and only the rest is embedded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import time
import uuid
from typing import Any

log = logging.getLogger(__name__)

LEASE_S = 300.0  # a heartbeat older than this: the builder is gone
HEARTBEAT_S = 20.0


def registry_name(base: str) -> str:
    return f"{base}__builds"


def new_build_id() -> str:
    return time.strftime("b%Y%m%dt%H%M%S") + uuid.uuid4().hex[:6]


def build_key(config: dict[str, Any], inputs: list[list[str]]) -> str:
    """What a build contains: equal keys, equal builds (so a killed one can be finished by another)."""
    return hashlib.sha1(json.dumps([config, sorted(inputs)], sort_keys=True).encode("utf-8")).hexdigest()


def _collection(client: Any, base: str) -> Any:
    return client.get_or_create_collection(registry_name(base), embedding_function=None)


def _alive_here(meta: dict[str, Any]) -> bool:
    if meta.get("host") != socket.gethostname():
        return True  # another machine's process: only its heartbeat tells
    try:
        os.kill(int(meta.get("pid", 0)), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return int(meta.get("pid", 0)) > 0


def is_stale(meta: dict[str, Any], now: float | None = None) -> bool:
    now = time.time() if now is None else now
    if meta.get("released"):
        return True
    return not _alive_here(meta) or now - float(meta.get("heartbeat", 0)) > LEASE_S


def leases(client: Any, base: str) -> dict[str, dict[str, Any]]:
    """Every recorded build in progress: build id -> lease metadata."""
    res = _collection(client, base).get(include=["metadatas"])
    return {bid: dict(meta or {}) for bid, meta in zip(res["ids"], res["metadatas"], strict=True)}


def busy_builds(client: Any, base: str) -> set[str]:
    """Builds another builder is still working on (fresh leases): never remove these."""
    now = time.time()
    return {bid for bid, meta in leases(client, base).items() if not is_stale(meta, now)}


class Lease:
    """This process's claim on one build; ``resumed`` when it took over a dead builder's build."""

    def __init__(self, client: Any, base: str, key: str) -> None:
        self.client, self.base, self.key = client, base, key
        self.resumed = False
        self._last = 0.0
        found = leases(client, base)
        now = time.time()
        for bid, meta in sorted(found.items(), key=lambda kv: -float(kv[1].get("heartbeat", 0))):
            if meta.get("key") == key and is_stale(meta, now):
                self.build_id, self.resumed = bid, True
                log.info("resuming build %s (its builder on %s is gone)", bid, meta.get("host"))
                break
        else:
            self.build_id = new_build_id()
        self.beat(force=True)

    def beat(self, force: bool = False, released: bool = False) -> None:
        """Renew the lease (cheap; called as the build writes, at most every HEARTBEAT_S)."""
        now = time.time()
        if not force and now - self._last < HEARTBEAT_S:
            return
        self._last = now
        meta = {"key": self.key, "host": socket.gethostname(), "pid": os.getpid(), "heartbeat": now,
                "released": released}
        _collection(self.client, self.base).upsert(ids=[self.build_id], metadatas=[meta], embeddings=[[0.0]])

    def leave_for_resume(self) -> None:
        """Interrupted (Ctrl-C): keep what was written and let the next build with this key take it over."""
        with contextlib.suppress(Exception):
            self.beat(force=True, released=True)

    def release(self) -> None:
        """The build is done (switched to) or deleted: forget the lease."""
        with contextlib.suppress(Exception):
            _collection(self.client, self.base).delete(ids=[self.build_id])


def forget(client: Any, base: str, build_ids: set[str]) -> None:
    if build_ids:
        with contextlib.suppress(Exception):
            _collection(client, base).delete(ids=sorted(build_ids))


def existing_ids(col: Any, page: int = 20000) -> set[str]:
    """Ids a (resumed) build's collection already holds, read in pages without documents or vectors."""
    out: set[str] = set()
    for off in range(0, col.count(), page):
        out.update(col.get(include=[], limit=page, offset=off)["ids"])
    return out
