import json

import pandas as pd
import pytest

from collect.forms import SourceError, import_form, respondent_type
from collect.roundfile import FormMapping
from collect.tables import iter_csv

# Real comments from the vTaiwan UberX and Seattle Polis conversations (CC BY 4.0, see data/demo/SOURCE.md).
ZH = "我覺得尖峰時段可以彈性提高收費。"
EN = "It's just going to speed up the adoption of robotics in industries with unskilled or low-skilled workers."


def _export():
    return pd.DataFrame(
        {
            "no": ["a1", "a2", "a3", "a1"],
            "when": ["2015-06-30T08:51:36Z", "not a date", "", "2015-07-01T00:00:00Z"],
            "type": ["個人", "Organisation", "", ""],
            "org": ["", "Taxi Union 計程車工會", "", ""],
            "q1": [ZH, EN, "", "again"],
            "q2": ["", "Second answer", "  ", ""],
            "district": ["Kowloon", "HK Island", "NT", "NT"],
        }
    )


MAPPING = FormMapping(
    text={"q1": "q1", "q2": "q2"}, id="no", received_at="when", respondent_type="type", organisation="org"
)


def test_one_response_per_answered_question_and_every_row_accounted_for():
    responses, rejects = import_form(_export(), mapping=MAPPING, round_id="r1", source="raw/x.csv")
    assert sorted(zip(responses["source_key"], responses["question_id"], strict=True)) == [
        ("a1", "q1"),
        ("a2", "q1"),
        ("a2", "q2"),
    ]
    assert set(rejects["reason"]) == {"no answer text", "duplicate respondent id 'a1'"}
    kept_rows = responses["source_key"].nunique()
    assert kept_rows + len(rejects) == len(_export())


def test_text_is_kept_as_received_and_other_columns_go_to_meta():
    responses, _ = import_form(_export(), mapping=MAPPING, round_id="r1", source="raw/x.csv")
    first = responses[responses["source_key"] == "a1"].iloc[0]
    assert first["text"] == ZH
    assert json.loads(first["meta"]) == {"district": "Kowloon", "question": "q1"}
    assert first["respondent_type"] == "individual"


def test_unparseable_time_is_kept_in_meta_not_guessed():
    responses, _ = import_form(_export(), mapping=MAPPING, round_id="r1", source="raw/x.csv")
    row = responses[responses["source_key"] == "a2"].iloc[0]
    assert pd.isna(row["received_at"])
    assert json.loads(row["meta"])["unparsed_received_at"] == "not a date"
    assert row["respondent_type"] == "organisation"
    assert row["organisation"] == "Taxi Union 計程車工會"


def test_reimport_gives_the_same_ids():
    a, _ = import_form(_export(), mapping=MAPPING, round_id="r1", source="raw/x.csv")
    b, _ = import_form(_export(), mapping=MAPPING, round_id="r1", source="raw/x.csv")
    assert a["response_id"].tolist() == b["response_id"].tolist()


def test_mapping_error_lists_the_columns():
    bad = FormMapping(text="comments", id="no")
    with pytest.raises(SourceError, match=r"\['no', 'when'"):
        import_form(_export(), mapping=bad, round_id="r1", source="raw/x.csv")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "big5hkscs", "gb18030"])
def test_csv_encodings_of_hong_kong_exports(encoding, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(f"no,views\n1,{ZH}\n".encode(encoding))
    assert [r.cells for r in iter_csv(path)] == [["no", "views"], ["1", ZH]]


def test_undecodable_row_is_rejected_with_a_reason_and_the_rest_kept(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(f"no,views\n1,{ZH}\n".encode() + b"2,\x80\xff bad\n")
    rows = list(iter_csv(path))
    assert rows[1].cells == ["1", ZH]
    assert rows[2].cells is None and rows[2].reason.startswith("undecodable bytes")


def test_empty_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match="x.csv: empty file"):
        list(iter_csv(path))


@pytest.mark.parametrize(
    ("answer", "org", "expected"),
    [
        ("Individual", "", "individual"),
        ("團體", "", "organisation"),
        ("", "香港個人資料私隱專員公署", "organisation"),
        ("匿名", "", "anonymous"),
        ("", "", "unknown"),
    ],
)
def test_respondent_type_rule(answer, org, expected):
    assert respondent_type(answer, org) == expected


def test_bad_row_after_the_fast_path_started_is_rejected_and_later_rows_kept(tmp_path, monkeypatch):
    import collect.tables

    monkeypatch.setattr(collect.tables, "ARROW_BLOCK_BYTES", 256)  # several Arrow blocks in a small file
    path = tmp_path / "x.csv"
    good = [f"{i},{ZH}\n".encode() for i in range(1, 11)]
    path.write_bytes(b"no,views\n" + b"".join(good) + b"11,\x80\xff\n" + "12,again 再次\n".encode())
    blocks = list(collect.tables.iter_blocks(path, size=4))
    lines = [line for b in blocks for line in b.lines]
    rejects = [r for b in blocks for r in b.rejects]
    assert lines == list(range(1, 12)) + [13]  # header, rows 2-11 (records 1-10), then record 12 after the reject
    assert [(r.line, r.reason.split(" (")[0]) for r in rejects] == [(12, "undecodable bytes")]
