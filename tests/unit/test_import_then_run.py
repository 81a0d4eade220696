from analyze import stagestate
from analyze.pipeline import run_collect, run_round
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


def test_the_manifest_takes_the_digest_the_collect_fingerprint_hashed(tmp_path, monkeypatch):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("views\n反對在公眾地方使用人臉識別。\n", encoding="utf-8")
    (tmp_path / "round.yaml").write_text(
        "round: r1\ntitle: {en: a, zh: 甲}\nsources:\n  - {name: web, path: raw/a.csv, mapping: {text: views}}\n",
        encoding="utf-8",
    )
    hashed = []
    monkeypatch.setattr(stagestate, "sha256_file", lambda p: hashed.append(p.name) or f"digest of {p.name}")
    run_round(tmp_path, stages=("collect",))
    cfg, root = load_round(tmp_path)
    manifest = read_table(RoundPaths(root, cfg.round).manifest)
    assert manifest["sha256"].tolist() == ["digest of a.csv"]  # not hashed again by the manifest
    assert hashed.count("a.csv") == 1
