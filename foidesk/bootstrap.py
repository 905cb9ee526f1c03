"""Wire the register to one config: the only place engines are built (never at import)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from foidesk.config import Settings
from foidesk.references import ReferenceFormat
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import DeadlinePolicy


@dataclass
class Desk:
    """Everything a use case needs, built from one config."""

    settings: Settings
    engine: Engine
    policy: DeadlinePolicy
    reference_format: ReferenceFormat

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, migrate: bool = True) -> Desk:
    """Open the register named by `settings` (bringing its schema up to date)."""
    engine = create_register_engine(settings.database.url)
    if migrate:
        upgrade(engine)
    return Desk(
        settings=settings,
        engine=engine,
        policy=DeadlinePolicy(
            receipt_rule=settings.calendar.receipt_rule,
            overrides=settings.calendar.overrides(),
        ),
        reference_format=settings.reference.reference_format(),
    )
