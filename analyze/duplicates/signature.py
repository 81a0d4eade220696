"""MinHash signatures of shingle sets and LSH banding into verified near-duplicate groups.

Signatures are datasketch's MinHash (scheme "affine32"), computed for many texts at once: the same permutations
and the same values as `datasketch.MinHash(num_perm, seed, hashfunc=<identity>).update_batch(shingles)` (a unit
test checks this), but vectorised over a batch of texts. The banding is datasketch's `MinHashLSH` (b, r) for the
threshold, done with a sort over numpy arrays: `MinHashLSH` keeps each key in Python dicts, which was too slow
for a million responses, and querying every member of a 40,000-copy campaign against its bucket is quadratic.
Here each bucket links its members to its first member only, so the work stays linear in the number of texts.
Every candidate pair is verified on the signatures before two texts are joined.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from analyze.duplicates.key import CJK_SHINGLE, LATIN_SHINGLE, ROLL, is_cjk

_FMIX = (16, np.uint32(0x85EBCA6B), 13, np.uint32(0xC2B2AE35), 16)  # MurmurHash3 finaliser, as datasketch
_BATCH_CELLS = 1 << 22  # shingles x permutations computed at once (16 MiB of uint32, one buffer reused)
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
LSH_SLACK = 0.8  # banding aims at this share of the threshold, so pairs just above it are rarely missed


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Datasketch's affine permutation parameters (a, b) for these settings.

    Drawn as `datasketch.MinHash(num_perm, seed, scheme="affine32")` draws them (odd a, any b; a unit test checks
    they are equal): importing datasketch only for these cost the stage most of a second.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return a, gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)


def _fmix(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


def _rolling(codes: np.ndarray, k: int) -> np.ndarray:
    """Hash of every window of k code points (the last k - 1 positions hold partial windows)."""
    hashes = np.zeros(len(codes), dtype=np.uint32)
    for j in range(k):
        hashes[: len(codes) - j] = hashes[: len(codes) - j] * ROLL + codes[j:]
    return hashes


def shingles(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the character shingles of many keys at once (a key shorter than its shingle is one).

    A shingle's hash is the polynomial sum(code[i + j] * ROLL**(k - 1 - j)) mod 2**32 over its k code points;
    k is CJK_SHINGLE for keys that are at least half Chinese, LATIN_SHINGLE otherwise.

    Returns:
        The hashes of all keys in order, and the start of each key's hashes in that array.
    """
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    cjk = np.add.reduceat(is_cjk(codes).astype(np.int64), starts) if len(codes) else np.zeros(0, np.int64)
    size = np.where(2 * cjk >= lengths, CJK_SHINGLE, LATIN_SHINGLE)
    size = np.minimum(size, lengths)  # a short key is one shingle: itself
    counts = lengths - size + 1
    first = np.repeat(starts, counts)
    position = first + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    width = np.repeat(size, counts)
    hashes = np.zeros(len(position), dtype=np.uint32)
    for k in np.unique(size):  # the widths that occur: every key has a shingle
        pick = width == k
        hashes[pick] = _rolling(codes, int(k))[position[pick]]
    return hashes, np.cumsum(counts) - counts


def _batches(keys: Sequence[str], per_batch: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) ranges of keys holding about `per_batch` characters each (at least one key)."""
    ends = np.cumsum([len(k) for k in keys])
    bounds, start = [], 0
    while start < len(keys):
        stop = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + per_batch, "right")))
        bounds.append((start, stop))
        start = stop
    return bounds


def signatures(keys: Sequence[str] | pa.Array, num_perm: int = 64, seed: int = 42) -> np.ndarray:
    """MinHash signatures of the shingle sets of non-empty keys.

    Args:
        keys: duplicate keys, none empty (a list or an Arrow array).
        num_perm: permutations (signature length).
        seed: seed of the permutations.

    Returns:
        uint32 array of shape (len(keys), num_perm).
    """
    keys = keys.to_pylist() if isinstance(keys, pa.Array) else keys
    a, b = permutations(num_perm, seed)
    out = np.empty((len(keys), num_perm), dtype=np.uint32)
    per_batch = _BATCH_CELLS // num_perm
    # A batch has at most per_batch characters (or is one longer key), and a key no more shingles than characters:
    # one buffer holds any batch. Writing into it, not into a fresh array per batch, spares the page faults of new
    # memory, which cost as much as the arithmetic.
    buffer = np.empty(num_perm * max([per_batch, *map(len, keys)]), np.uint32)
    for start, stop in _batches(keys, per_batch):
        hashes, offsets = shingles(keys[start:stop])
        permuted = buffer[: num_perm * len(hashes)].reshape(num_perm, -1)  # reduceat runs along its rows
        np.multiply(a[:, None], _fmix(hashes)[None, :], out=permuted)
        permuted += b[:, None]
        out[start:stop] = np.minimum.reduceat(permuted, offsets, axis=1).T
    return out


@lru_cache(maxsize=32)
def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """Datasketch's `MinHashLSH(threshold, num_perm)` (b, r): fewest false positives and negatives, equally weighted.

    Datasketch integrates the two error rates with scipy's `quad`; they are polynomials of degree <= num_perm in the
    similarity, which Gauss-Legendre quadrature with num_perm // 2 + 1 nodes integrates exactly, without importing
    scipy.integrate (a unit test checks the (b, r) agree with datasketch's).
    """
    shapes = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=float)
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(lo: float, hi: float, caught: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        p = 1 - (1 - s[None, :] ** shapes[:, 1:]) ** shapes[:, :1]  # chance that a pair at similarity s is caught
        return (hi - lo) / 2 * ((p if caught else 1 - p) @ weights)

    error = 0.5 * integral(0.0, threshold, True) + 0.5 * integral(threshold, 1.0, False)
    b, r = shapes[np.argmin(error)]  # the first minimum, as datasketch's strict "<" keeps
    return int(b), int(r)


def candidate_pairs(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Pairs (member, first member) of every LSH bucket with two or more members, without repeats.

    Returns:
        int64 array of shape (n_pairs, 2), first column > second column.
    """
    n = len(sig)
    found = []
    for band in range(bands):
        cols = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
        h = np.zeros(n, dtype=np.uint64)
        for c in range(cols.shape[1]):
            h = (h ^ cols[:, c]) * _BAND_MIX
        # Buckets numbered in order of first appearance (a hash table, no sort): a row opens its bucket when its
        # number exceeds every number before it, and every later member links to that first member.
        bucket = pd.factorize(h)[0]
        opens = bucket > np.maximum.accumulate(np.r_[-1, bucket[:-1]])
        linked = np.flatnonzero(~opens)
        found.append(np.stack([linked, np.flatnonzero(opens)[bucket[linked]]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    codes = np.sort(pd.unique(pairs[:, 0] * n + pairs[:, 1]))  # np.unique, with the repeats dropped before the sort
    return np.stack([codes // n, codes % n], axis=1)


def similarity(sig: np.ndarray, left: np.ndarray, right: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """Estimated Jaccard similarity of the rows `left[i]` and `right[i]` (share of equal signature values)."""
    out = np.empty(len(left), dtype=np.float64)
    for s in range(0, len(left), chunk):
        out[s : s + chunk] = (sig[left[s : s + chunk]] == sig[right[s : s + chunk]]).mean(axis=1)
    return out


def near_groups(sig: np.ndarray, threshold: float) -> np.ndarray:
    """Connected groups of texts whose estimated Jaccard similarity is at least `threshold`.

    Args:
        sig: MinHash signatures, one row per distinct text.
        threshold: Jaccard similarity at or above which two texts are near duplicates.

    Returns:
        Group label per row (0..k-1, numbered by each group's first row).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(sig)
    bands, rows = band_shape(round(threshold * LSH_SLACK, 3), sig.shape[1])
    pairs = candidate_pairs(sig, bands, rows)
    kept = pairs[similarity(sig, pairs[:, 0], pairs[:, 1]) >= threshold]
    graph = coo_matrix((np.ones(len(kept), dtype=np.int8), (kept[:, 0], kept[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    _, first = np.unique(labels, return_index=True)  # renumber by first row so labels do not depend on scipy
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[labels]
