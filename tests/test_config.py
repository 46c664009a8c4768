"""Settings from the environment: defaults, and one clear error per malformed variable."""

from __future__ import annotations

import pytest

from assistant.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


def test_defaults_use_the_embedded_sqlite_database():
    settings = load_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.endswith("data/assistant.db")
    assert settings.telegram_token is None and settings.admin_ids == frozenset()


def test_all_settings_are_read():
    settings = load_settings(
        {
            "TELEGRAM_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "ADMIN_IDS": "11, 22,33",
        }
    )
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/test"
    assert settings.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == {11, 22, 33}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_TOKEN", "not-a-token"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("TELEGRAM_BASE_URL", "ftp://example"),
        ("ADMIN_IDS", "12,abc"),
        ("ADMIN_IDS", "12,፩"),  # a digit to str.isdigit(), not to int()
    ],
)
def test_a_malformed_variable_is_named(variable, value):
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    assert str(caught.value).startswith(variable)


async def test_the_base_url_reaches_the_bot_as_ptb_appends_the_token(assistant):
    from assistant.config import Settings
    from bot import build_application

    settings = Settings(
        telegram_token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        telegram_base_url="http://127.0.0.1:8081/bot",
    )
    application = build_application(settings, assistant=assistant)
    assert application.bot.base_url == "http://127.0.0.1:8081/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
