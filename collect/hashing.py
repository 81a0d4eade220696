"""Many sha256 digests at once, from an Arrow array: the ids and cache keys of a whole table."""

from __future__ import annotations

import hashlib
from collections import deque
from itertools import repeat

import numpy as np
import pyarrow as pa

_SHA256 = type(hashlib.sha256())  # its unbound methods: map() calls them without Python frames


def sha256_digests(messages: pa.Array | pa.ChunkedArray | list[bytes], head: bytes = b"") -> np.ndarray:
    """`sha256(head + message).digest()` of each binary (or string) message, one row of 32 bytes each.

    C-level sha256 calls only, no Python string per digest: where hashing a whole table's texts spends its time
    otherwise. A `head` shared by every message is hashed once, and each message continues from a copy of that state.
    """
    data = messages if isinstance(messages, list) else messages.cast(pa.large_binary()).to_pylist()
    if head:
        states = list(map(_SHA256.copy, repeat(hashlib.sha256(head), len(data))))
        deque(map(_SHA256.update, states, data), maxlen=0)
    else:
        states = map(hashlib.sha256, data)
    return np.frombuffer(b"".join(map(_SHA256.digest, states)), np.uint8).reshape(-1, 32)


def sha256_hex(messages: pa.Array | pa.ChunkedArray, chars: int, prefix: str = "") -> pa.StringArray:
    """`prefix + sha256(message).hexdigest()[:chars]` of each binary (or string) message, as Arrow strings."""
    digests = sha256_digests(messages)
    hexed = np.frombuffer(digests.tobytes().hex().encode("ascii"), np.uint8).reshape(-1, 64)
    mark = np.frombuffer(prefix.encode(), np.uint8)
    out = np.empty((len(digests), len(mark) + chars), np.uint8)
    out[:, : len(mark)] = mark
    out[:, len(mark) :] = hexed[:, :chars]
    offsets = np.arange(len(digests) + 1, dtype=np.int32) * out.shape[1]
    return pa.StringArray.from_buffers(len(digests), pa.py_buffer(offsets), pa.py_buffer(out))
