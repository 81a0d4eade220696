import pytest

from collect.roundfile import RoundFileError, RoundPaths, load_round
from collect.storage import read_table, write_table


def _write(tmp_path, text):
    (tmp_path / "round.yaml").write_text(text, encoding="utf-8")
    return tmp_path


GOOD = """
round: r1
title: {en: "Round one", zh: "第一輪"}
sources:
  - {name: f, kind: form, path: raw/a.csv, mapping: {text: views}}
"""


def test_valid_round_loads_from_folder_or_file(tmp_path):
    _write(tmp_path, GOOD)
    cfg, root = load_round(tmp_path)
    assert cfg.round == "r1" and root == tmp_path.resolve()
    assert cfg.sources[0].mapping.text_columns() == {"views": "general"}
    assert load_round(tmp_path / "round.yaml")[0] == cfg


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour: blue\n", "colour: Extra inputs are not permitted"),
        (GOOD.replace("round: r1", "round: ../r1"), "round"),
        ("round: [unclosed", "not valid YAML"),
        ("- a list", "expected a mapping"),
    ],
)
def test_invalid_round_files_give_one_line_messages(tmp_path, text, message):
    _write(tmp_path, text)
    with pytest.raises(RoundFileError, match=message) as err:
        load_round(tmp_path)
    assert "\n" not in str(err.value)


def test_missing_round_file(tmp_path):
    with pytest.raises(RoundFileError, match="no round file"):
        load_round(tmp_path / "nowhere")


def test_reports_sit_beside_data_in_the_project_layout(tmp_path):
    assert RoundPaths(tmp_path / "data" / "r1", "r1").reports == tmp_path / "reports" / "r1"
    assert RoundPaths(tmp_path / "elsewhere", "r1").reports == tmp_path / "elsewhere" / "reports" / "r1"


def test_atomic_write_leaves_no_temp_files(tmp_path):
    import pandas as pd

    path = write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "t.parquet")
    assert read_table(path)["a"].tolist() == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]
