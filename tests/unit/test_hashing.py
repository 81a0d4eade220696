import hashlib

import pyarrow as pa

from collect.hashing import sha256_digests, sha256_hex


def _messages(n):
    return [f"{i}\x1f意見 {'x' * (i % 97)}".encode() for i in range(n)]


def test_digests_are_those_of_hashlib_from_lists_arrays_and_chunked_arrays():
    data = _messages(3000)
    chunked = pa.chunked_array([pa.array(data[:700], pa.binary()), pa.array(data[700:], pa.binary())])
    for head in (b"", b"namespace\x1fconfig\x1f"):
        expected = [hashlib.sha256(head + m).digest() for m in data]
        for messages in (data, pa.array(data, pa.large_binary()), chunked):
            assert [row.tobytes() for row in sha256_digests(messages, head)] == expected


def test_strings_hash_as_their_utf8_bytes_and_no_messages_give_no_rows():
    texts = ["反對", "support", ""]
    assert [row.tobytes() for row in sha256_digests(pa.array(texts))] == [
        hashlib.sha256(t.encode()).digest() for t in texts
    ]
    assert sha256_digests([]).shape == (0, 32)
    assert sha256_hex(pa.array(["a"]), 6, "r-").to_pylist() == ["r-" + hashlib.sha256(b"a").hexdigest()[:6]]
