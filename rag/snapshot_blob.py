"""A build's snapshot (``rag.snapshot``'s .npz bytes) as a blob on the Chroma server, in the collection
``{base}__{build_id}__snapshot``: the source every server-mode client loads the retriever from.

Records: ``part-000000``, ``part-000001``, ... hold the blob as text (Chroma keeps strings), then a last record
``done`` whose metadata says how to read them, so a reader never takes a half-written blob:

- ``parts``: the number of part records; ``sha256``: the digest of the .npz bytes (checked after reading; the
  client's blob cache, ``rag.snapshot_cache``, is checked against it); ``format``: the snapshot format inside;
- ``codec``: how each part is encoded. ``zstd``: each part is one zstd frame of ``RAW_PART`` bytes of the .npz
  (with its own content checksum), base64; ``size``: the .npz's length. A blob without ``codec`` (written before
  it existed) holds plain base64 parts of 4,000,000 bytes and is still read.

Reading: the parts are fetched by id, one per request, and decoded as they come. At 10^5 chunks a blob of 132 MB
is ~50 MB of text with text that compresses like real Dutch text (~3x; the bench's recombined corpus text compresses
far better, 24 MB): read in 0.5 s instead of 1.1-1.4 s on loopback (BENCHMARKS, session 13). Fetching 2 or 4 parts at
once in threads, decoding in the thread that fetched, was no faster on 2 cores (0.52-0.62 s) and is not done.
Never pickle: the .npz is read with ``allow_pickle=False`` (``rag.snapshot``).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from rag.chroma_client import list_builds
from rag.snapshot_cache import digest_of

log = logging.getLogger(__name__)

CODEC = "zstd"  # what a new blob is written in
CODECS = ("", "zstd")  # what is read ("": the plain base64 parts of a blob written before codecs)
RAW_PART = 16_000_000  # bytes of the .npz per part record (one zstd frame, ~6 MB of text: 9 requests at 10^5)
OLD_PART = 4_000_000  # the plain parts of a blob without codec
ZSTD_LEVEL = 9  # 50 MB of text at 10^5 chunks instead of 60 at level 3 (read 0.5 s, not 0.76); ~3 s once per build


def blob_name(base: str, build_id: str) -> str:
    return f"{base}__{build_id}__snapshot"


@dataclass(frozen=True)
class BlobInfo:
    """The ``done`` record of a complete blob."""

    parts: int
    sha256: str | None  # None: a blob written before blobs carried their digest
    format: int
    codec: str
    size: int | None

    @classmethod
    def of(cls, meta: dict[str, Any]) -> BlobInfo:
        return cls(
            parts=int(meta["parts"]),
            sha256=str(meta["sha256"]) if meta.get("sha256") else None,
            format=int(meta.get("format") or 2),  # a blob written before format 3 does not say
            codec=str(meta.get("codec") or ""),
            size=int(meta["size"]) if meta.get("size") is not None else None,
        )


def blob_info(col: Any) -> BlobInfo | None:
    """The blob's ``done`` record, or None when the blob is not complete."""
    done = col.get(ids=["done"], include=["metadatas"])
    if not done["ids"]:
        return None
    return BlobInfo.of(dict(done["metadatas"][0] or {}))


def _part_id(i: int) -> str:
    return f"part-{i:06d}"


def encode_parts(data: bytes, codec: str = CODEC) -> list[str]:
    """``data`` as the text of its part records."""
    if codec == "":
        return [base64.b64encode(data[i : i + OLD_PART]).decode("ascii") for i in range(0, len(data), OLD_PART)]
    if codec != "zstd":
        raise ValueError(f"unknown blob codec {codec!r}")
    import zstandard

    zc = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True, write_content_size=True)
    return [base64.b64encode(zc.compress(data[i : i + RAW_PART])).decode("ascii") for i in range(0, len(data), RAW_PART)]


def decode_part(text: str, codec: str) -> bytes:
    raw = base64.b64decode(text)
    if codec == "":
        return raw
    if codec != "zstd":
        raise ValueError(f"unknown blob codec {codec!r}")
    import zstandard

    return zstandard.ZstdDecompressor().decompress(raw)  # checks the frame's checksum


def store_blob(client: Any, base: str, build_id: str, data: bytes, fmt: int, codec: str = CODEC) -> bool:
    """``data`` as the part records of ``{base}__{build_id}__snapshot``, completed by the ``done`` record. False when
    the build's blob was already complete (another process wrote it)."""
    col = client.get_or_create_collection(blob_name(base, build_id), embedding_function=None)
    if col.get(ids=["done"])["ids"]:
        return False
    parts = encode_parts(data, codec)
    for i, text in enumerate(parts):
        col.upsert(ids=[_part_id(i)], documents=[text], embeddings=[[0.0]], metadatas=[{"i": i}])
    done: dict[str, Any] = {"parts": len(parts), "sha256": digest_of(data), "format": fmt}
    if codec:
        done.update(codec=codec, size=len(data))
    col.upsert(ids=["done"], documents=[str(len(parts))], embeddings=[[0.0]], metadatas=[done])
    log.info("snapshot blob of build %s: %d parts, %.1f MB of text for %.1f MB (codec %s)", build_id, len(parts),
             sum(map(len, parts)) / 1e6, len(data) / 1e6, codec or "none")
    remove_stale_blobs(client, base)
    return True


def read_parts(col: Any, info: BlobInfo) -> bytes:
    """The blob's bytes: its parts fetched by id, one per request, decoded as they come; a missing part or a bad
    frame raises. The caller checks the digest."""
    if info.codec not in CODECS:
        raise ValueError(f"blob codec {info.codec!r} is not readable by this version")
    pieces = []
    for i in range(info.parts):
        res = col.get(ids=[_part_id(i)], include=["documents"])
        if list(res["ids"]) != [_part_id(i)]:
            raise KeyError(_part_id(i))
        pieces.append(decode_part(res["documents"][0], info.codec))
    data = b"".join(pieces)
    if info.size is not None and len(data) != info.size:
        raise ValueError(f"blob of {len(data)} bytes, its done record says {info.size}")
    return data


def remove_stale_blobs(client: Any, base: str) -> None:
    """The blobs of builds that are no longer on the server."""
    live = list_builds(client, base)
    for col in client.list_collections():
        name = getattr(col, "name", col)
        stale = name[len(base) + 2 : -len("__snapshot")] not in live
        if name.startswith(f"{base}__") and name.endswith("__snapshot") and stale:
            client.delete_collection(name)
