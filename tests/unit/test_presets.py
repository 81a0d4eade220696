from pathlib import Path

import pytest

from collect.forms import file_layout, import_form_file
from collect.roundfile import FormMapping
from collect.tables import MappingError, SourceError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"


@pytest.mark.parametrize(
    ("name", "preset", "questions"),
    [
        ("google_forms.csv", "google", ["你對規管網約車有何意見？", "Any other comments?"]),
        ("microsoft_forms.xlsx", "microsoft", ["What should the city do next?"]),
        (
            "surveymonkey_big5hkscs.csv",
            "surveymonkey",
            ["你對呢間餐廳有咩意見？", "你會唔會再去？ / 會", "你會唔會再去？ / 唔會"],
        ),
        ("qualtrics.csv", "qualtrics", ["QID1", "QID2_TEXT"]),
        ("generic_gb18030.csv", "generic", ["意見"]),
    ],
)
def test_vendor_export_is_detected_and_its_answer_columns_found(name, preset, questions):
    layout = file_layout(FIX / name)
    assert layout.preset == preset
    assert [a.question_id for a in layout.answers] == questions


def test_qualtrics_keeps_question_texts_and_skips_its_three_header_rows():
    responses = next(import_form_file(FIX / "qualtrics.csv", round_id="r1", source="raw/q.csv"))[0]
    assert responses["source_key"].tolist() == ["R_0009", "R_0009", "R_0002", "R_0002", "R_0003", "R_0003"]
    assert responses["question_id"].tolist() == ["QID1", "QID2_TEXT"] * 3
    assert '"question": "Please explain your view."' in responses["meta"].iloc[1]
    assert responses["received_at"].notna().all()


def test_google_forms_respondent_fields_and_organisation():
    responses, rejects = next(import_form_file(FIX / "google_forms.csv", round_id="r1", source="raw/g.csv"))
    org = responses[responses["organisation"].notna()]
    assert org["organisation"].unique().tolist() == ["香港的士商會"]
    assert set(org["respondent_type"]) == {"organisation"}
    assert set(responses[responses["organisation"].isna()]["respondent_type"]) == {"individual"}
    assert rejects["reason"].tolist() == ["no answer text"]
    assert "person0@gmail.com" in responses["meta"].iloc[0]  # personal fields go to meta, never to text


def test_mapping_that_does_not_fit_lists_the_columns():
    with pytest.raises(MappingError, match=r"google_forms.csv: mapping names column\(s\) \['views'\].*Timestamp"):
        file_layout(FIX / "google_forms.csv", mapping=FormMapping(text="views"))


def test_explicit_mapping_over_a_vendor_layout():
    mapping = FormMapping(text={"你對呢間餐廳有咩意見？": "q1"}, id="Respondent ID")
    layout = file_layout(FIX / "surveymonkey_big5hkscs.csv", mapping=mapping)
    assert layout.header_rows == 2 and [a.question_id for a in layout.answers] == ["q1"]


def _lookup_table(tmp_path):
    """A table with no free text (district codes), as a folder of exports often holds next to them."""
    path = tmp_path / "districts.csv"
    path.write_text("code,district\nCW,Central\nWC,Wanchai\nST,Shatin\n", encoding="utf-8")
    return path


def test_no_free_text_column_is_a_file_problem_when_detected_and_a_mistake_when_named(tmp_path):
    path = _lookup_table(tmp_path)
    with pytest.raises(SourceError, match="districts.csv: preset 'generic' finds no answer columns") as detected:
        file_layout(path)
    assert not isinstance(detected.value, MappingError)  # so a folder import rejects this file and goes on
    with pytest.raises(MappingError, match="finds no answer columns"):
        file_layout(path, preset="generic")


def test_a_mapping_may_name_answer_columns_the_preset_would_not_pick(tmp_path):
    layout = file_layout(_lookup_table(tmp_path), mapping=FormMapping(text={"district": "q1"}, id="code"))
    assert [(a.col, a.question_id) for a in layout.answers] == [(1, "q1")] and layout.id_col == 0
