"""prefect.yaml declares every deployment the desk needs, and each one can be built."""

from __future__ import annotations

from flows.serve import deployment_specs, load_flow, runner_deployments


def test_prefect_yaml_declares_the_seven_deployments_on_the_foidesk_pool():
    specs = {spec["name"]: spec for spec in deployment_specs()}
    assert set(specs) == {"intake", "chase", "escalate", "dashboard", "report",
                          "review-decision", "respond"}
    assert specs["report"]["schedules"][0]["cron"] == "0 8 * * 1"  # Mondays 08:00
    assert all(spec["work_pool"]["name"] == "foidesk" for spec in specs.values())
    assert specs["intake"]["schedules"] == [{"interval": 120, "timezone": "Europe/London"}]
    assert specs["chase"]["schedules"][0]["cron"] == "0 8 * * 1-5"
    assert specs["escalate"]["schedules"][0]["cron"] == "0 8 * * 1-5"
    assert specs["dashboard"]["schedules"][0]["cron"] == "0 8-18 * * 1-5"
    assert "schedules" not in specs["respond"] and "schedules" not in specs["review-decision"]
    for name in ("intake", "chase", "escalate", "dashboard"):
        assert specs[name]["concurrency_limit"] == 1, name


def test_every_entrypoint_is_a_prefect_flow_with_the_deployment_s_flow_name():
    for spec in deployment_specs():
        flow = load_flow(spec["entrypoint"])
        assert flow.name == spec["name"] or (spec["name"] == "escalate" and flow.name == "escalate")


def test_foidesk_serve_builds_every_deployment_with_its_schedule():
    made = {d.name: d for d in runner_deployments("/etc/foidesk/foidesk.toml")}
    assert set(made) == {"intake", "chase", "escalate", "dashboard", "report",
                         "review-decision", "respond"}
    [intake_schedule] = made["intake"].schedules
    assert intake_schedule.schedule.interval.total_seconds() == 120
    assert made["chase"].schedules[0].schedule.cron == "0 8 * * 1-5"
    assert made["chase"].schedules[0].schedule.timezone == "Europe/London"
    assert made["intake"].parameters == {"config_path": "/etc/foidesk/foidesk.toml"}


def _automation(file_name: str):
    """One of automations/, validated as Prefect validates it."""
    from pathlib import Path

    import yaml
    from prefect.automations import Automation

    path = Path(__file__).resolve().parents[2] / "automations" / file_name
    return Automation.model_validate(yaml.safe_load(path.read_text()))


def test_the_failure_automation_is_a_valid_prefect_automation():
    automation = _automation("notify-foi-team-on-failure.yaml")
    assert automation.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert automation.actions[0].type == "send-notification"


def test_the_crashed_run_automation_is_armed_by_every_pending_state_prefect_names():
    """A run left in any Pending state (Submitting, InfrastructurePending: each event is
    named after its state) by a worker that lost the server is caught, as is a silent
    Running one; every sign of life and every end disarms it."""
    import inspect

    import prefect.states as states
    from prefect.client.schemas.objects import StateType

    automation = _automation("crash-unresponsive-flow-runs.yaml")
    pending = {made().name for name, made in inspect.getmembers(states, inspect.isfunction)
               if name[0].isupper() and made.__module__ == states.__name__
               and made().type == StateType.PENDING}
    assert {"Pending", "Submitting"} <= pending
    armed_by = {event.removeprefix("prefect.flow-run.") for event in automation.trigger.after}
    disarmed_by = {event.removeprefix("prefect.flow-run.") for event in automation.trigger.expect}
    assert pending | {"Running", "heartbeat"} <= armed_by
    assert (pending - {"Pending"}) | {"Running", "heartbeat", "Completed", "Failed",
                                       "Cancelled", "Crashed"} <= disarmed_by
    assert automation.actions[0].type == "change-flow-run-state"
