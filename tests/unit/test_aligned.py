import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analyze.aligned import factorize_sorted, ids_like, merge_ids, sort_ids, unique_rows


def _frame(ids, **columns) -> pd.DataFrame:
    return pd.DataFrame({"response_id": pd.array(ids, dtype="str"), **columns})


@pytest.mark.parametrize("how", ["inner", "left"])
@pytest.mark.parametrize(
    "right_ids",
    [
        ["r1", "r2", "r3"],  # lined up: joined by position
        ["r3", "r1", "r2"],  # other order
        ["r1", "r2", "r2"],  # a repeated id
        ["r1", "r2", "r9"],  # an id missing on one side
        ["r1", "r2", None],
        ["r1", "r2"],
    ],
)
def test_merge_ids_equals_merge(how, right_ids):
    left = _frame(["r1", "r2", "r3"], a=[1, 2, 3]).set_axis([5, 6, 7])
    right = _frame(right_ids, b=list("xyz"[: len(right_ids)]))
    pd.testing.assert_frame_equal(merge_ids(left, right, how=how), left.merge(right, on="response_id", how=how))


def test_merge_ids_with_a_shared_column_merges():
    left, right = _frame(["r1", "r2"], a=[1, 2]), _frame(["r1", "r2"], a=[3, 4])
    pd.testing.assert_frame_equal(merge_ids(left, right), left.merge(right, on="response_id"))


@pytest.mark.parametrize("ids", [["r2", "r10", "r1", "中", "é"], ["r2", "r1", "r2"], ["r2", None, "r1"], []])
def test_sort_ids_and_unique_rows_equal_pandas(ids):
    frame = _frame(ids, a=range(len(ids))).set_axis(range(10, 10 + len(ids)))
    pd.testing.assert_frame_equal(sort_ids(frame), frame.sort_values("response_id", ignore_index=True))
    pd.testing.assert_frame_equal(unique_rows(frame), frame.drop_duplicates("response_id"))


def test_merge_ids_of_two_string_dtypes_gives_what_merge_gives():
    left = _frame(["r1", "r2"], a=[1, 2])
    right = pd.DataFrame({"response_id": pd.array(["r1", "r2"], dtype="string"), "b": [3, 4]})  # the collect table's
    merged = merge_ids(left, right)
    pd.testing.assert_frame_equal(merged, left.merge(right, on="response_id"))
    assert merged["response_id"].dtype == object
    aligned = merge_ids(left, ids_like(right, left))
    assert aligned["response_id"].dtype == left["response_id"].dtype and aligned["b"].tolist() == [3, 4]


@pytest.mark.parametrize("second_ids", [["r1", "r2", "r3"], ["r3", "r2", "r1"], ["r1", "r1", "r2"]])
def test_merge_ids_chains_as_merges_do(second_ids):
    left = _frame(["r1", "r2", "r3"], a=[1, 2, 3])
    first, second = _frame(["r1", "r2", "r3"], b=[4, 5, 6]), _frame(second_ids, c=[7, 8, 9])
    expected = left.merge(first, on="response_id", how="left").merge(second, on="response_id", how="left")
    pd.testing.assert_frame_equal(merge_ids(left, first, second, how="left"), expected)


@pytest.mark.parametrize(
    "ids",
    [
        pd.Series(["r-b", "r-a", "r-é", "r-z", "r-a", "回應", "r-B"], dtype=object),
        pd.Series(["r-b", "r-a", "r-é", "r-a"], dtype="str"),
        pd.Series([3, 1, 2, 1]),
        pd.Series(["b", None, "a"], dtype=object),
    ],
)
def test_factorize_sorted_is_pandas_sorted_factorization(ids):
    codes, uniques = factorize_sorted(ids)
    expected_codes, expected_uniques = pd.factorize(ids, sort=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques)


def test_factorize_sorted_takes_lists_and_arrow_arrays_of_keys():
    keys = ["b", "", "回應", "a", "b", "\ud800"]  # a lone surrogate: no Arrow string, sorted by pandas
    for values in (keys[:-1], pa.chunked_array([keys[:2], keys[2:-1]]), pa.array(keys[:-1]), keys):
        codes, uniques = factorize_sorted(values)
        expected_codes, expected_uniques = pd.factorize(np.array(keys[: len(values)], dtype=object), sort=True)
        np.testing.assert_array_equal(codes, expected_codes)
        assert list(uniques) == list(expected_uniques)


def test_factorize_sorted_keeps_arrow_sorted_uniques_in_arrow_when_asked():
    keys = ["b", "", "回應", "a", "b"]
    codes, uniques = factorize_sorted(pa.array(keys), arrow=True)
    expected_codes, expected_uniques = pd.factorize(np.array(keys, dtype=object), sort=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert isinstance(uniques, pa.Array) and uniques.to_pylist() == list(expected_uniques)
    assert isinstance(factorize_sorted([*keys, "\ud800"], arrow=True)[1], np.ndarray)  # sorted by pandas
