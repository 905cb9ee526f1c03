"""Find, read and validate `foidesk.toml`, turning every problem into a key-named line."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url

from foidesk.config.models import Settings

DEFAULT_NAME = "foidesk.toml"
ENV_VAR = "FOIDESK_CONFIG"


class ConfigError(Exception):
    """A config that cannot be used; `problems` holds one line per error."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def find_config(explicit: Path | None = None) -> Path | None:
    """`--config`, else $FOIDESK_CONFIG, else ./foidesk.toml if present."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    default = Path(DEFAULT_NAME)
    return default if default.exists() else None


def load_settings(path: Path) -> Settings:
    """Read and validate the file; ConfigError lists every problem with its key path."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found (run `foidesk init` to write one)"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [f"cannot be read: {error}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"is not valid TOML: {error}"]) from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(path, describe_errors(error, data)) from None
    return _resolve_paths(settings, path.parent)


def describe_errors(error: ValidationError, data: Mapping[str, Any]) -> list[str]:
    """One line per error: `mailbox.port: must be an integer between 1 and 65535, got "abc"`."""
    return [_describe(detail, data) for detail in error.errors(include_url=False)]


def _describe(detail: ErrorDetails, data: Mapping[str, Any]) -> str:
    path, sections = _key_path(detail["loc"], data)
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    got = detail.get("input")
    if kind == "missing":
        text = "is required"
    elif kind == "extra_forbidden":
        text = "is not a known setting"
        known = [name for section in sections for name in section.model_fields]
        close = difflib.get_close_matches(path.rsplit(".", 1)[-1], known, n=1)
        if close:
                text += f" (did you mean {close[0]}?)"
    elif kind == "literal_error" or kind == "enum":
        text = f"must be one of {ctx.get('expected')}, got {_shown(got)}"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ctx.get("expected_tags", "")
        path = f"{path}.kind" if path else "kind"
        text = f"must be one of {tags}, got {_shown(ctx.get('tag'))}"
        if kind == "union_tag_not_found":
            text = f"is required (one of {tags})"
    elif kind == "value_error":
        text = str(ctx.get("error", detail["msg"])).rstrip(".")
        if isinstance(got, str | int | float):
            text += f", got {_shown(got)}"
    elif kind in ("bounded_int", "literal_secret"):
        text = detail["msg"]
    else:
        message = detail["msg"]
        text = f"{message[0].lower()}{message[1:]}, got {_shown(got)}"
    return f"{path or '(top level)'}: {text}"


def _key_path(
    loc: tuple[int | str, ...], data: Mapping[str, Any]
) -> tuple[str, list[type[BaseModel]]]:
    """The dotted key path as written in the file, and the sections that hold its last key.

    For `[mailbox] kind = "imap"` pydantic reports ("mailbox", "imap", "port");
    the user wrote `mailbox.port`. A loc element that is not a key of the input at
    that point, but is its `kind`, is such a tag and is dropped.
    """
    parts: list[str] = []
    node: Any = data
    models: list[type[BaseModel]] = [Settings]
    parents = models
    for element in loc:
        if isinstance(node, Mapping) and element not in node and node.get("kind") == element:
            models = [m for m in models if element in get_args(_kind_of(m))]
        elif isinstance(element, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{element}]"]
            node = node[element] if isinstance(node, list) and element < len(node) else None
        else:
            parts.append(element)
            node = node.get(element) if isinstance(node, Mapping) else None
            parents = models
            models = [
                found
                for model in models
                if element in model.model_fields
                for found in _models_in(model.model_fields[element].annotation)
            ]
    return ".".join(parts), parents


def _kind_of(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("kind")
    return field.annotation if field is not None else None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every section class inside an annotation (through unions, lists and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    """Make relative paths in the file relative to the file, not to the caller's directory."""
    updates: dict[str, Any] = {}
    url = make_url(settings.database.url)
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if is_file and not Path(url.database).is_absolute():  # type: ignore[arg-type]
        resolved = url.set(database=str((base / url.database).resolve()))  # type: ignore[operator]
        updates["database"] = settings.database.model_copy(
            update={"url": resolved.render_as_string(hide_password=False)}
        )
    for section in ("mailbox", "sender"):
        value = getattr(settings, section)
        if value is not None and hasattr(value, "path") and not Path(value.path).is_absolute():
            updates[section] = value.model_copy(update={"path": str((base / value.path).resolve())})
    named = {name: box.model_copy(update={"path": str((base / box.path).resolve())})
             for name, box in settings.mailboxes.items()
             if hasattr(box, "path") and not Path(box.path).is_absolute()}
    if named:
        updates["mailboxes"] = {**settings.mailboxes, **named}
    override = settings.templates.override_dir
    if override and not Path(override).is_absolute():
        updates["templates"] = settings.templates.model_copy(
            update={"override_dir": str((base / override).resolve())}
        )
    return settings.model_copy(update=updates)
