"""B6, foidesk beside the flow a Prefect user would write first:
`python -m bench.peer [--sizes 1000 10000] [--runs 3] [--postgres]`.

In one sitting, against PostgreSQL (Prefect's database and the registers), `prefect
server start`, Dovecot and aiosmtpd: for each backlog size and register backend, the
floor (B1's: FETCH, the very messages foidesk sent over one SMTP connection, MOVE),
foidesk's intake flow until everything is registered, sent and moved, and the naive peer
(bench/naive_peer.py) until it has done the same for its one message per request. Prints
medians, the foidesk/peer and foidesk/floor ratios, and the rows each leaves in
Prefect's database per 1,000 requests. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration"),
                str(ROOT / "tests" / "topology")]

from bench.__main__ import USER, _floor, reset_folders, seed  # noqa: E402
from bench.prefect_cost import TABLES, settle, start_prefect_server, write_results  # noqa: E402


def rows(after: dict, before: dict, requests: int) -> int:
    """Rows added to Prefect's database, per 1,000 requests."""
    return round(sum(after[t][0] - before[t][0] for t in TABLES) * 1000 / requests)


def foidesk_run(config: Path, smtp, count: int, profile: Path | None = None) -> float:
    import cProfile

    from flows.intake import intake

    smtp.handler.received.clear()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    counts = intake(config_path=str(config), max_batches=10_000)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    assert counts.get("new_request") == count, counts
    assert counts.get("sent") == len(smtp.handler.received) == 2 * count, counts
    return seconds


def peer_run(url: str, dovecot, smtp, folder: str, count: int) -> float:
    import asyncio

    from bench.naive_peer import naive_intake

    smtp.handler.received.clear()
    started = time.perf_counter()
    done = asyncio.run(naive_intake(url, dovecot.host, dovecot.imap_port, USER["foi"], folder,
                                    smtp.host, smtp.port))
    seconds = time.perf_counter() - started
    assert done == count and len(smtp.handler.received) == count, (done, count)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="registers on PostgreSQL too")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="cProfile foidesk's first run into this")
    parser.add_argument("--no-peer", action="store_true", help="foidesk and the floor only")
    args = parser.parse_args()

    from imapclient import IMAPClient
    from intake_support import server_config
    from servers import create_database, dovecot_server, restartable_postgres
    from servers import smtp_server as smtp_context

    tmp = Path(tempfile.mkdtemp(prefix="foidesk-peer-"))
    results: dict[str, dict] = {}
    with restartable_postgres() as postgres, dovecot_server(USER) as dovecot, \
            smtp_context() as smtp:
        server, prefect_db = start_prefect_server(postgres.url, tmp, USER["foi"],
                                                  PREFECT_LOGGING_LEVEL="WARNING")
        admin = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False)
        admin.login("foi", USER["foi"])
        backends = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
        for backend in backends:
            for count in args.sizes:
                runs = []
                for n in range(args.runs):
                    stamp = f"{backend}-{count}-{n}-{time.time_ns()}"
                    if backend == "sqlite":
                        register_url = f"sqlite:///{tmp / f'foidesk-{stamp}.db'}"
                        peer_url = f"sqlite:///{tmp / f'peer-{stamp}.db'}"
                    else:
                        register_url = create_database(postgres.url, "foidesk")
                        peer_url = create_database(postgres.url, "peer")
                    config = tmp / f"{stamp}.toml"
                    config.write_text(server_config(
                        dovecot, smtp, "", "Backlog", imap_password_env="FOIDESK_BENCH_PASSWORD",
                        routing=True).replace('url = "sqlite:///"', f'url = "{register_url}"'))
                    reset_folders(admin, "Backlog")
                    seed(admin, "Backlog", count)
                    before = settle(prefect_db, 3)
                    ours = foidesk_run(config, smtp, count, args.profile if not runs else None)
                    ours_rows = rows(settle(prefect_db, 3), before, count)
                    sent = list(smtp.handler.received)
                    floor = _floor(dovecot, smtp, admin, "Backlog", count, sent)
                    theirs, peer_rows = float("nan"), 0
                    if not args.no_peer:
                        reset_folders(admin, "Backlog")
                        seed(admin, "Backlog", count)
                        before = settle(prefect_db, 3)
                        theirs = peer_run(peer_url, dovecot, smtp, "Backlog", count)
                        peer_rows = rows(settle(prefect_db, 3), before, count)
                    runs.append({"floor_s": floor, "foidesk_s": ours, "peer_s": theirs,
                                 "foidesk_per_s": count / ours, "peer_per_s": count / theirs,
                                 "foidesk_over_floor": ours / floor,
                                 "throughput_foidesk_over_peer": theirs / ours,
                                 "prefect_rows_per_1000_foidesk": ours_rows,
                                 "prefect_rows_per_1000_peer": peer_rows})
                    print(f"  {backend} {count} run {n + 1}: " + ", ".join(
                        f"{k}={v:.3g}" for k, v in runs[-1].items()), flush=True)
                results[f"B6 {count} requests ({backend})"] = {
                    key: statistics.median(r[key] for r in runs) for key in runs[0]}
        admin.logout()
        server.stop()
    write_results(results, args.json)


if __name__ == "__main__":
    main()
