from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ENV_NAMES = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "TIMEZONE",
    "CURRENT_PLAN",
    "ADMINS",
    "LOG_LEVEL",
    "PORT",
    "PLANS_FILE",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert str(settings.slack_api_url) == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///ofsted-bot.db"
    assert settings.timezone == "Europe/London"
    assert settings.admins == ()
    assert not settings.has_slack_tokens


def test_reads_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=from-dotenv\nADMINS=U1, U2\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8999/api")
    settings = load_settings()
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "from-dotenv"
    assert settings.admins == ("U1", "U2")
    assert str(settings.slack_api_url) == "http://127.0.0.1:8999/api/"
    assert settings.has_slack_tokens


def test_blank_values_mean_not_set(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((Path(__file__).parent.parent / ".env.example").read_text())
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.current_plan is None
    assert not settings.has_slack_tokens


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "sign-very-secret")
    settings = load_settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "very-secret" not in text


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("TIMEZONE", "Europe/Londn", "unknown timezone"),
        ("DATABASE_URL", "not a url", "not a database URL"),
        ("DATABASE_URL", "mysql://x@y/z", "only sqlite"),
        ("SLACK_API_URL", "slack dot com", "URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("PORT", "0", "PORT"),
    ],
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"invalid setting {name}:")
    assert words in message
    assert "\n" not in message


def test_cli_stops_with_one_line_and_status_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["TIMEZONE"] = "Mars/Olympus"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "plan", "list"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "ofsted-bot: invalid setting TIMEZONE: unknown timezone 'Mars/Olympus' (try Europe/London)"
    ]


def test_env_example_lists_every_setting() -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    names = {
        line.split("=")[0].lstrip("# ").strip() for line in example.splitlines() if "=" in line
    }
    assert {name.upper() for name in Settings.model_fields} <= names
