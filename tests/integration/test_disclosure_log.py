"""The disclosure log never identifies a requester, whatever they wrote about themselves."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from intake_support import settings
from report_support import add_case

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.disclosure import write_log

D = date
IDENTITIES = [
    ("Margaret Thistlewood", "m.thistlewood@example.org",
     "14 Larkspur Crescent, Exampleton, EX4 9QT"),
    ("Dr Olu Adebayo-Smith", "olu.as@example.net", "Flat 2, 7 Mill Lane, Norwich NR2 4AB"),
]
SECRETS = ["Thistlewood", "Margaret", "m.thistlewood", "Larkspur", "EX4 9QT", "Adebayo",
           "olu.as@example.net", "Mill Lane", "NR2 4AB", "07700 900123", "01603 765432",
           "@example"]


@pytest.fixture
def register(database_url):
    engine = create_register_engine(database_url)
    upgrade(engine)
    uow = SqlUnitOfWork(engine)
    with uow:
        for n, (name, email, postal) in enumerate(IDENTITIES, start=1):
            add_case(
                uow, n, received=D(2026, 7, 1), status="closed", due=D(2026, 7, 29),
                responded=D(2026, 7, 20 + n), in_time=True, outcome="granted",
                requester=(name, email, postal),
                request_text=(
                    f"Dear FOI team,\n\nI am {name} of {postal}. You can call me on "
                    f"07700 900123 or 01603 765432, or write to {email}.\n\n"
                    "Please tell me how many potholes were repaired in 2025.\n\n"
                    f"Yours sincerely,\n{name}\n{postal}\n"
                ),
                response_text=(
                    f"{name}\n{postal}\n\nFreedom of Information Request Reference No: "
                    f"FOI {n:06d}/26\n\nThank you {name.split()[0]}. 1,010 potholes were "
                    f"repaired. We have replied to {email}.\n"
                ),
            )
        add_case(uow, 3, received=D(2026, 7, 1), status="drafting", due=D(2026, 7, 29))
        uow.commit()
    yield engine
    engine.dispose()


def test_no_requester_identity_reaches_the_html_or_the_csv(register, tmp_path):
    base = settings()
    count = write_log(SqlUnitOfWork(register), tmp_path, base.renderer, base.authority)
    assert count == 2  # the open case is not published
    html = (tmp_path / "index.html").read_text()
    text = (tmp_path / "disclosure-log.csv").read_text()
    for secret in SECRETS:
        assert secret.lower() not in html.lower(), secret
        assert secret.lower() not in text.lower(), secret
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["reference"] for r in rows] == ["FOI 000002/26", "FOI 000001/26"]
    assert "how many potholes were repaired in 2025" in rows[0]["request"]
    assert "1,010 potholes were repaired" in rows[0]["response"]
    assert rows[0]["outcome"] == "Information granted in full"
    assert "FOI 000001/26" in html and "<pre>" in html
