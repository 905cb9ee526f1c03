"""Named leases in the register: one holder at a time across processes and machines.

A holder is `host:pid:token`. A lease is free when it has run out, or when its holder
was a process on this host that no longer exists (killed, crashed), so a rerun after
a crash does not wait for the lease to run out.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from foidesk.register.models import Lease
from foidesk.register.unit_of_work import SqlUnitOfWork

TTL = timedelta(minutes=10)


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def acquire(uow_factory: Callable[[], SqlUnitOfWork], name: str, holder: str) -> bool:
    """Take the lease `name` for `holder`; False while someone alive holds it."""
    now = datetime.now(UTC)
    with uow_factory() as uow:
        lease = uow.session.get(Lease, name)
        if lease is None:
            uow.session.add(Lease(name=name, holder=holder, expires_at=now + TTL))
            try:
                uow.commit()
            except IntegrityError:
                return False  # another process inserted it first
            return True
        if lease.holder != holder and lease.expires_at > now and _alive(lease.holder):
            return False
        # Compare-and-set on the holder we read: of two takers, one wins.
        taken = uow.session.execute(
            update(Lease).where(Lease.name == name, Lease.holder == lease.holder)
            .values(holder=holder, expires_at=now + TTL)
            .execution_options(synchronize_session=False)
        ).rowcount
        uow.commit()
        return taken == 1


def acquire_within(uow_factory: Callable[[], SqlUnitOfWork], name: str, holder: str,
                   seconds: float, *, sleep: Callable[[float], None] = time.sleep,
                   clock: Callable[[], float] = time.monotonic) -> bool:
    """Take the lease `name`, waiting up to `seconds` while someone else holds it."""
    end = clock() + seconds
    while not acquire(uow_factory, name, holder):
        if clock() >= end:
            return False
        sleep(min(0.05, max(0.0, end - clock())))
    return True


def renew(uow: SqlUnitOfWork, name: str, holder: str) -> None:
    """Push the expiry on, inside the caller's transaction."""
    uow.session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                        .values(expires_at=datetime.now(UTC) + TTL)
                        .execution_options(synchronize_session=False))


def release(uow_factory: Callable[[], SqlUnitOfWork], name: str, holder: str) -> None:
    with uow_factory() as uow:
        uow.session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                            .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
                            .execution_options(synchronize_session=False))
        uow.commit()


def _alive(holder: str) -> bool:
    """False only when the holder was a process on this host that has gone."""
    host, _, rest = holder.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: trust the expiry
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
