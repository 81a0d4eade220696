import pandas as pd
import pytest

from collect.schema import (
    RESPONSE_COLUMNS,
    SchemaError,
    coerce_responses,
    make_response_id,
    make_submission_id,
    to_meta,
)


def _row(**over):
    row = {
        "response_id": make_response_id("r1", "raw/a.csv", "row 2", "general"),
        "submission_id": make_submission_id("r1", "raw/a.csv", "row 2"),
        "round": "r1",
        "channel": "form",
        "source": "raw/a.csv",
        "source_key": "row 2",
        "question_id": "general",
        "received_at": "2015-06-30T08:49:52Z",
        "respondent_type": "individual",
        "organisation": None,
        "text": "我有用過 Uber 叫車。",
        "meta": "{}",
    }
    return row | over


def test_ids_are_stable_and_depend_on_every_part():
    a = make_response_id("r1", "raw/a.csv", "row 2", "q1")
    assert a == make_response_id("r1", "raw/a.csv", "row 2", "q1")
    others = {
        make_response_id("r2", "raw/a.csv", "row 2", "q1"),
        make_response_id("r1", "raw/b.csv", "row 2", "q1"),
        make_response_id("r1", "raw/a.csv", "row 3", "q1"),
        make_response_id("r1", "raw/a.csv", "row 2", "q2"),
    }
    assert a not in others and len(others) == 4


def test_id_parts_cannot_run_together():
    assert make_response_id("r", "ab", "c", "q") != make_response_id("r", "a", "bc", "q")


def test_coerce_gives_contract_columns_and_utc_times():
    df = coerce_responses([_row()])
    assert list(df.columns) == list(RESPONSE_COLUMNS)
    assert str(df["received_at"].dt.tz) == "UTC"
    assert df.loc[0, "text"] == "我有用過 Uber 叫車。"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"channel": "fax"}, "unknown channel"),
        ({"respondent_type": "robot"}, "unknown respondent_type"),
        ({"question_id": None}, "question_id has empty values"),
    ],
)
def test_validation_names_the_broken_rule(override, message):
    with pytest.raises(SchemaError, match=message):
        coerce_responses([_row(**override)])


def test_duplicate_ids_are_refused():
    with pytest.raises(SchemaError, match="not unique"):
        coerce_responses([_row(), _row()])


def test_meta_is_sorted_json_with_chinese_unescaped():
    assert to_meta({"b": 1, "a": "九龍", "c": float("nan")}) == '{"a": "九龍", "b": 1, "c": null}'


def test_missing_columns_are_named():
    with pytest.raises(SchemaError, match="text"):
        coerce_responses(pd.DataFrame([{k: v for k, v in _row().items() if k != "text"}]))
