"""The shipped demo round: where it lives and how a working copy is made."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

DEMO_ROUND = "demo"


def demo_source() -> Path:
    """The demo round folder: in a source checkout `data/demo`, in an installed wheel `analyze/_demo`."""
    checkout = Path(__file__).resolve().parents[1] / "data" / DEMO_ROUND
    if (checkout / "round.yaml").is_file():
        return checkout
    return Path(str(files("analyze").joinpath("_demo")))


def copy_demo(out: Path) -> Path:
    """Copy the demo round (round.yaml, raw files, attribution) to `out/data/demo`; return that folder.

    Stage outputs from an earlier demo run in the same place are left to be overwritten by the new run.
    """
    src = demo_source()
    dest = Path(out) / "data" / DEMO_ROUND
    (dest / "raw").mkdir(parents=True, exist_ok=True)
    for name in ("round.yaml", "SOURCE.md"):
        shutil.copy2(src / name, dest / name)
    shutil.copytree(src / "raw", dest / "raw", dirs_exist_ok=True)
    return dest
