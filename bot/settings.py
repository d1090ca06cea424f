"""Settings, read from the environment and `.env` (pydantic-settings).

Secrets are `SecretStr`: their repr is masked, and nothing here logs them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.session import missing_sqlite_folder

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLANS_FILE = REPO_ROOT / "plans" / "surrey.yaml"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    database_url: str = "sqlite:///ofsted-bot.db"
    timezone: str = "Europe/London"
    current_plan: str | None = None
    admins: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: LogLevel = "INFO"
    port: int = Field(default=3000, ge=1, le=65535)
    plans_file: Path | None = DEFAULT_PLANS_FILE
    send_interval: float = Field(default=1.0, ge=0, le=60)
    tick_seconds: float = Field(default=60.0, ge=1, le=3600)
    # the outbox: how long a sender's claim holds without being renewed, and how long after a
    # send whose answer was lost Slack has certainly finished with it (then it is looked for)
    send_lease_seconds: float = Field(default=120.0, ge=0.1, le=3600)
    send_settle_seconds: float = Field(default=120.0, ge=0, le=3600)
    scheduler: bool = True

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL ({exc})") from None
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        folder = missing_sqlite_folder(url)
        if folder is not None:
            raise ValueError(f"the folder {folder} does not exist (create it, or fix the path)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (try Europe/London)") from None
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                part.strip() for part in value.replace(" ", ",").split(",") if part.strip()
            )
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "current_plan",
        "plans_file",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_api_url", mode="after")
    @classmethod
    def _api_url_ends_with_slash(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        text = str(value)
        return value if text.endswith("/") else AnyHttpUrl(text + "/")

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_slack_tokens(self) -> bool:
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @property
    def slack_tokens_set(self) -> list[str]:
        """The names of the Slack tokens that are set."""
        return [
            name.upper()
            for name in ("slack_bot_token", "slack_app_token", "slack_signing_secret")
            if getattr(self, name) is not None
        ]

    def slack_mode(self, requested: str | None = None) -> Literal["socket", "http"]:
        """How `run` reaches Slack: Socket Mode with SLACK_APP_TOKEN, else HTTP.

        Raises SettingsError saying exactly which token is missing.
        """
        present = self.slack_tokens_set
        if self.slack_bot_token is None:
            if not present:
                raise SettingsError(
                    "SLACK_BOT_TOKEN is not set: set the Slack tokens (README, Installing in "
                    "Slack), or run `ofsted-bot console` to try the bot without Slack"
                )
            raise SettingsError(
                f"{' and '.join(present)} {'is' if len(present) == 1 else 'are'} set but "
                "SLACK_BOT_TOKEN is not: set it too (the app's Bot User OAuth Token, xoxb-…), "
                "or unset them all for the offline console"
            )
        mode = requested or ("socket" if self.slack_app_token else "http")
        if mode == "socket" and self.slack_app_token is None:
            raise SettingsError(
                "Socket Mode is asked for but SLACK_APP_TOKEN is not set (an xapp- token "
                "with connections:write)"
            )
        if mode == "http" and self.slack_signing_secret is None:
            if requested is None:
                raise SettingsError(
                    "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor "
                    "SLACK_SIGNING_SECRET (HTTP) is: set one of them, or unset SLACK_BOT_TOKEN "
                    "for the offline console"
                )
            raise SettingsError(
                "HTTP mode is asked for but SLACK_SIGNING_SECRET is not set (it verifies "
                "that requests come from Slack)"
            )
        return "socket" if mode == "socket" else "http"


class SettingsError(Exception):
    """A setting could not be read; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
