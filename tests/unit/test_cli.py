import pytest
from typer.main import get_command
from typer.testing import CliRunner

from analyze.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("consultkit ")


@pytest.mark.parametrize("name", sorted(get_command(app).commands))
def test_every_command_has_help_with_an_example(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_missing_round_file_is_one_line_and_non_zero(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no round file" in result.output
    assert "Traceback" not in result.output


def test_unreadable_source_is_named(tmp_path):
    (tmp_path / "round.yaml").write_text(
        "round: r1\ntitle: {en: a, zh: b}\nsources:\n  - {name: f, kind: form, path: raw/a.csv, mapping: {text: v}}\n"
    )
    result = runner.invoke(app, ["collect", str(tmp_path)])
    assert result.exit_code == 2
    assert "file not found: raw/a.csv" in result.output


def test_init_scaffolds_a_loadable_round(tmp_path):
    from collect.roundfile import load_round

    result = runner.invoke(app, ["init", "ai-r1", "--dir", str(tmp_path)])
    assert result.exit_code == 0
    cfg, _ = load_round(tmp_path / "ai-r1")
    assert cfg.round == "ai-r1"
    again = runner.invoke(app, ["init", "ai-r1", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
