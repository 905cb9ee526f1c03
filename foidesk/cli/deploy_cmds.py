"""`foidesk deployments`: one prefect.yaml for every authority and mailbox a Prefect server
runs, and the commands that create its work queues and concurrency limits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from foidesk.cli.common import EXIT_USAGE, fail, out, settings_from


def deployments(
    config: Annotated[
        list[Path], typer.Option("--config", "-c", metavar="FILE",
                                 help="One authority's config; repeat for each authority.")
    ],
    output: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the prefect.yaml here "
                                  "(default: print it).")
    ] = None,
    worker_slots: Annotated[
        int | None, typer.Option(min=3, help="Workers x each worker's --limit: intake may "
                                 "hold all but two slots, so chasing always finds one.")
    ] = None,
    setup: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the Prefect commands that "
                                  "create the pool, queues and limits here.")
    ] = None,
) -> None:
    """Lay out every authority's deployments for one Prefect server: an intake (or watch)
    per mailbox, chase, escalate, dashboard, report, respond and review-decision per
    authority, on work queues by priority. Deploy with `prefect deploy --all
    --prefect-file FILE`.

    Example: foidesk deployments -c norfolk.toml -c suffolk.toml --output prefect.yaml
    """
    from flows.serve import PREFECT_YAML, deployment_specs
    from foidesk.deployments.plan import Desk, PlanError, plan, setup_commands

    desks = []
    for path in config:
        settings = settings_from(path)
        assert settings is not None
        desks.append(Desk(str(path.resolve()), settings))
    try:
        made = plan(desks, deployment_specs(), worker_slots=worker_slots)
    except PlanError as error:
        fail(str(error), EXIT_USAGE)
    template = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    document = {key: template[key] for key in ("name", "prefect-version", "pull")}
    document["deployments"] = made.deployments
    text = ("# Written by `foidesk deployments`; deploy with "
            "`prefect deploy --all --prefect-file THIS`.\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    commands = "\n".join(setup_commands(made)) + "\n"
    if made.limits and not all(d.settings.deployment.concurrency_limits for d in desks):
        commands += ("# Once the limits exist, set [deployment] concurrency_limits = true in "
                     "each config so intake takes them.\n")
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"{len(made.deployments)} deployments written to {output}", markup=False)
    else:
        out.print(text, markup=False, end="")
    if setup:
        setup.write_text("#!/bin/sh\n# Create the pool, its queues and the mail servers' "
                         "limits (safe to run again).\n" + commands, encoding="utf-8")
    elif output:
        out.print("Then create the pool, its queues and limits:\n" + commands, markup=False,
                  end="")


def register(app: typer.Typer) -> None:
    app.command()(deployments)
