"""`foidesk deployments`' plan: deployments per mailbox and authority, queues, limits."""

from __future__ import annotations

import pytest

from flows.serve import deployment_specs
from foidesk.config import Settings
from foidesk.deployments.limits import limits_of, limits_taken
from foidesk.deployments.plan import Desk, PlanError, plan, setup_commands


def settings(key: str, **deployment) -> Settings:
    return Settings.model_validate({
        "authority": {"name": f"{key.title()} Council", "key": key,
                      "foi_address": f"foi@{key}.gov.uk"},
        "mailbox": {"kind": "graph", "tenant_id": "tenant-1", "client_id": "c",
                    "client_secret": {"env": "S"}, "mailbox": f"foi@{key}.gov.uk"},
        "mailboxes": {"environment": {"kind": "imap", "host": "imap.shared.gov.uk",
                                      "username": f"eir@{key}.gov.uk",
                                      "password": {"env": "P"}}},
        "sender": {"kind": "smtp", "host": "relay.shared.gov.uk"},
        "deployment": deployment,
    })


def test_a_shared_server_shares_one_limit_per_mail_server():
    desks = [Desk(f"/etc/foidesk/{k}.toml", settings(k)) for k in ("norfolk", "suffolk")]
    made = plan(desks, deployment_specs(), worker_slots=8)
    assert [(lim.name, lim.slots) for lim in made.limits] == [
        ("mail-graph-tenant-1", 4), ("mail-imap-imap-shared-gov-uk", 4),
        ("send-smtp-relay-shared-gov-uk", 2)]  # two councils, one tenant, one limit
    commands = setup_commands(made)
    assert "prefect work-queue create casework --pool foidesk --priority 1" in commands
    assert "prefect work-queue create intake --pool foidesk --priority 2 --limit 6" in commands
    assert "prefect gcl create mail-graph-tenant-1 --limit 4" in commands
    assert ("# PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE="
            "prefect.server.concurrency.lease_storage.filesystem") in commands
    names = sorted(d["name"] for d in made.deployments
                   if d["entrypoint"] == "flows/intake.py:intake")
    assert names == ["norfolk", "norfolk-environment", "suffolk", "suffolk-environment"]
    assert all(d["parameters"]["config_path"].startswith("/etc/foidesk/")
               for d in made.deployments)


def test_watching_adds_a_watch_per_mailbox_and_slows_the_poll_to_a_fallback():
    made = plan([Desk("n.toml", settings("norfolk", watch=True))], deployment_specs())
    watches = [d for d in made.deployments if d["entrypoint"] == "flows/watch.py:watch"]
    assert [(w["name"], w["parameters"].get("mailbox")) for w in watches] == [
        ("norfolk", None), ("norfolk-environment", "environment")]
    intakes = [d for d in made.deployments if d["entrypoint"] == "flows/intake.py:intake"]
    assert {i["schedules"][0]["interval"] for i in intakes} == {1800}
    assert {d["work_pool"]["work_queue_name"] for d in watches} == {"intake"}


def test_two_configs_with_one_key_are_refused():
    with pytest.raises(PlanError, match='"norfolk" is used by two configs'):
        plan([Desk("a.toml", settings("norfolk")), Desk("b.toml", settings("norfolk"))],
             deployment_specs())


def test_intake_takes_the_limits_only_once_the_config_says_they_exist():
    assert limits_taken(settings("norfolk")) == (None, None)
    on = settings("norfolk", concurrency_limits=True)
    mail, relay = limits_taken(on)
    assert mail.name == "mail-graph-tenant-1" and relay.name == "send-smtp-relay-shared-gov-uk"
    assert len(limits_of(on)) == 3
