"""Many sha256 hex digests at once, as one Arrow string array: the ids and cache keys of a whole table."""

from __future__ import annotations

import hashlib
from collections import deque
from itertools import repeat

import numpy as np
import pyarrow as pa

_SHA256 = type(hashlib.sha256())  # its unbound methods: map() calls them without Python frames


def sha256_hex(messages: pa.Array | pa.ChunkedArray, chars: int, head: bytes = b"", prefix: str = "") -> pa.StringArray:
    """`prefix + sha256(head + message).hexdigest()[:chars]` of each binary (or string) message, as Arrow strings.

    C-level sha256 calls only, no Python string per digest: where hashing a whole table's texts spends its time
    otherwise. A `head` shared by every message is hashed once, and each message continues from a copy of that state.
    """
    data = messages.cast(pa.large_binary()).to_pylist()
    if head:
        states = list(map(_SHA256.copy, repeat(hashlib.sha256(head), len(data))))
        deque(map(_SHA256.update, states, data), maxlen=0)
    else:
        states = map(hashlib.sha256, data)
    digests = b"".join(map(_SHA256.digest, states))
    hexed = np.frombuffer(digests.hex().encode("ascii"), np.uint8).reshape(-1, 64)
    mark = np.frombuffer(prefix.encode(), np.uint8)
    out = np.empty((len(data), len(mark) + chars), np.uint8)
    out[:, : len(mark)] = mark
    out[:, len(mark) :] = hexed[:, :chars]
    offsets = np.arange(len(data) + 1, dtype=np.int32) * out.shape[1]
    return pa.StringArray.from_buffers(len(data), pa.py_buffer(offsets), pa.py_buffer(out))
