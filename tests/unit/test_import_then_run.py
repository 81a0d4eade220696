from analyze.pipeline import run_collect
from collect.roundfile import RoundPaths, load_round
from collect.schema import coerce_responses, make_response_id, make_submission_id
from collect.storage import read_table, write_table


def test_a_round_without_sources_keeps_what_consult_import_wrote(tmp_path):
    (tmp_path / "round.yaml").write_text("round: r1\ntitle: {en: a, zh: 甲}\nsources: []\n", encoding="utf-8")
    cfg, root = load_round(tmp_path)
    paths = RoundPaths(root, cfg.round)
    imported = coerce_responses(
        [
            {
                "response_id": make_response_id("r1", "mail/a.eml", "<m1@x>", "general"),
                "submission_id": make_submission_id("r1", "mail/a.eml", "<m1@x>"),
                "round": "r1",
                "channel": "email",
                "source": "mail/a.eml",
                "source_key": "<m1@x>",
                "question_id": "general",
                "received_at": None,
                "respondent_type": "unknown",
                "organisation": None,
                "text": "反對在公眾地方使用人臉識別。",
                "meta": "{}",
            }
        ]
    )
    write_table(imported, paths.responses)
    result = run_collect(cfg, paths)
    assert result.rows_out == 1
    assert read_table(paths.responses)["text"].tolist() == ["反對在公眾地方使用人臉識別。"]
