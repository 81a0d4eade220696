"""Re-run only what changed: a stage is skipped when its inputs, the round file and the code are unchanged.

A stage's fingerprint covers the round file, the code (version and a digest of the package's files,
analyze/codeversion.py), the stage's own options, and the bytes of every table written by the stages it reads
(analyze.pipeline.READS, as recorded in interim/stage_state.json) or, for the first stage, every file of the round
folder outside the stage outputs. Stages are deterministic, so an upstream re-run that gives the same
bytes does not invalidate what follows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analyze.codeversion import code_version
from collect.roundfile import RoundPaths
from collect.storage import sha256_file, write_json

STATE_FILE = "stage_state.json"
_GENERATED = ("interim", "processed", "reports")


def _state_path(paths: RoundPaths) -> Path:
    return paths.interim / STATE_FILE


def load_state(paths: RoundPaths) -> dict[str, Any]:
    """The recorded fingerprint and outputs of each stage; empty when none (or unreadable: then all re-run)."""
    try:
        return json.loads(_state_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(paths: RoundPaths, state: dict[str, Any]) -> None:
    """Write the state atomically."""
    write_json(state, _state_path(paths))


def source_files(paths: RoundPaths) -> list[Path]:
    """Every file of the round folder the first stage may read (all but generated folders and temp files)."""
    return sorted(
        p
        for p in paths.root.rglob("*")
        if p.is_file()
        and p.relative_to(paths.root).parts[0] not in _GENERATED
        and not p.name.endswith(".tmp")
        and p.name != "round.yaml"
    )


def upstream_files(state: dict[str, Any], stages: Iterable[str]) -> list[Path]:
    """The outputs recorded for the named stages (the ones a stage reads), in that order."""
    return [Path(p) for stage in stages for p in state.get(stage, {}).get("outputs", [])]


def file_digest(path: Path, digests: dict[tuple, str]) -> str:
    """sha256 of a file, once per version of it: `digests` is keyed by the path and the file's identity and times.

    Several stages read the same tables (analyze.pipeline.READS: seven read the language table), so one run would
    otherwise hash them several times. Writes replace a file (temp file + rename): a new inode, size or time, hence
    a new key.
    """
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key not in digests:
        digests[key] = sha256_file(path)
    return digests[key]


def fingerprint(
    stage: str, paths: RoundPaths, inputs: list[Path], options: dict[str, Any], digests: dict[tuple, str] | None = None
) -> str:
    """Hash of what a stage's output depends on. A missing input hashes as missing, so it never matches.

    `digests`: file hashes kept between the calls of one run (see `file_digest`).
    """
    digests = {} if digests is None else digests
    h = hashlib.sha256()
    h.update(f"{code_version()}\x1f{stage}\x1f{json.dumps(options, sort_keys=True, default=str)}".encode())
    h.update(file_digest(paths.root / "round.yaml", digests).encode())
    for p in inputs:
        h.update(f"\x1e{p.relative_to(paths.root) if p.is_relative_to(paths.root) else p}\x1f".encode())
        h.update(file_digest(p, digests).encode() if p.is_file() else b"missing")
    return h.hexdigest()


def is_current(state: dict[str, Any], stage: str, fp: str) -> bool:
    """Whether the stage's recorded run matches `fp` and its outputs are all still there."""
    entry = state.get(stage)
    return bool(entry) and entry.get("fingerprint") == fp and all(Path(p).is_file() for p in entry.get("outputs", []))
