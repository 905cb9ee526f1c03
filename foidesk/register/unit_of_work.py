"""Unit of work: one database transaction per use case, committed explicitly.

Leaving the `with` block without `commit()` rolls back, so a use case that
fails half-way leaves nothing behind (cosmicpython, chapter 6).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from foidesk.register.repository import CaseRepository


class SqlUnitOfWork:
    """A session and the repositories over it, for one transaction."""

    session: Session
    cases: CaseRepository

    def __init__(self, engine: Engine) -> None:
        self._session_factory = sessionmaker(bind=engine, expire_on_commit=False)

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.cases = CaseRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and detaches what was loaded
        # without expiring it, so a caller may still read the rows it fetched.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
