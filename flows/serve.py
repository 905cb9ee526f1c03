"""Every deployment of prefect.yaml, served from one process (a single-machine install)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect.schedules import Cron, Interval

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"


def deployment_specs(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The deployments as prefect.yaml declares them (the one source of truth)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def load_flow(entrypoint: str):
    """`flows/intake.py:intake` -> the flow object."""
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def runner_deployments(config_path: str | None = None) -> list:
    """RunnerDeployments for `prefect.serve`, schedules and concurrency as in prefect.yaml."""
    made = []
    for spec in deployment_specs():
        schedules = []
        for schedule in spec.get("schedules") or []:
            zone = schedule.get("timezone", "Europe/London")
            if "cron" in schedule:
                schedules.append(Cron(schedule["cron"], timezone=zone))
            else:
                schedules.append(Interval(timedelta(seconds=schedule["interval"]),
                                          timezone=zone))
        parameters = dict(spec.get("parameters") or {})
        if "config_path" in parameters or config_path:
            parameters["config_path"] = config_path
        made.append(load_flow(spec["entrypoint"]).to_deployment(
            name=spec["name"], schedules=schedules or None,
            concurrency_limit=spec.get("concurrency_limit"),
            parameters=parameters or None, description=spec.get("description"),
        ))
    return made


def serve_all(config_path: str | None = None) -> None:
    """Serve every deployment until stopped; schedules stay active on shutdown."""
    from prefect import serve

    serve(*runner_deployments(config_path), pause_on_shutdown=False)
