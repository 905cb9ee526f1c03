"""Configuration: one TOML file validated by pydantic."""

from pathlib import Path

from foidesk.config.loading import ConfigError, describe_errors, find_config, load_settings
from foidesk.config.models import Settings

EXAMPLE = Path(__file__).with_name("example.toml")

__all__ = ["EXAMPLE", "ConfigError", "Settings", "describe_errors", "find_config", "load_settings"]
