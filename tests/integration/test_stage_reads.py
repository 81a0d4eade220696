"""Each stage reads only the tables of the stages `READS` names: given just those, it writes the same bytes.

`READS` decides both a stage's fingerprint and when it may start beside another stage, so a table read but not named
there would let a stage run before it was written, or be kept after it changed.
"""

import json
import shutil
from pathlib import Path

import pytest

from analyze.pipeline import READS, STAGES, run_stage

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stage", [s for s in STAGES if s not in ("collect", "report")])  # report reads all
def test_a_stage_given_only_the_tables_it_reads_writes_the_same_bytes(demo_round, tmp_path, stage):
    copy = tmp_path / "round"
    shutil.copytree(demo_round, copy)
    state = json.loads((demo_round / "interim" / "stage_state.json").read_text(encoding="utf-8"))
    outputs = {  # the report writes outside the round folder, and no stage reads it
        s: [Path(p).relative_to(demo_round) for p in entry["outputs"]] for s, entry in state.items() if s != "report"
    }
    for other, files in outputs.items():
        if other not in READS[stage]:
            for rel in files:
                (copy / rel).unlink(missing_ok=True)
    run_stage(copy, stage)
    for rel in outputs[stage]:
        assert (copy / rel).read_bytes() == (demo_round / rel).read_bytes(), rel
