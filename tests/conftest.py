from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # repo/../shared/data


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real sample data beside the project (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
