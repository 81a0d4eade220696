from pathlib import Path

import pytest

from analyze.demo import copy_demo
from analyze.pipeline import run_round


@pytest.fixture(scope="session")
def demo_round(tmp_path_factory) -> Path:
    """The shipped demo round, copied to a temp folder and run end to end once per test session."""
    out = tmp_path_factory.mktemp("demo")
    round_dir = copy_demo(out)
    run_round(round_dir)
    return round_dir
