"""gunicorn's workers × threads side by side: the baseline (and the floors) under each shape, in one run.

    .venv/bin/python bench/shapes.py                                   # 2×4, 4×2, 3×2, 2×2
    .venv/bin/python bench/shapes.py --shapes 2x4,4x2 --requests 1200 --paths orgs,floor,chats

One database for all the shapes (`portal_bench_shapes`, recreated, dropped at the end — also on an error or Ctrl-C —
unless --keep-db): the school, class 5А and its chat of 40 of bench/messages.py (without the messages), API tokens
for the 40. Then for each shape in turn: gunicorn (bench/gunicorn_bench.py with the floors' URLs), a warm-up, and
`--requests` GETs of each path from `--concurrency` keep-alive connections; gunicorn stopped before the next shape.
Prints requests/s and p50/p95 of each path under each shape side by side. Loopback PostgreSQL only.
Exit status 1 on a connection error or a status other than 200.
"""

import argparse
import sys

from _common import add_server_args, bench_run, finish, run_phase

DB_NAME = "portal_bench_shapes"
SHAPES = "2x4,4x2,3x2,2x2"
PATHS = {
    "orgs": ("/api/v1/orgs/", "GET /api/v1/orgs/ (baseline)"),
    "floor": ("/bench/floor/", "GET /bench/floor/ (bare Django)"),
    "floor_api": ("/bench/floor-api/", "GET /bench/floor-api/ (DRF, token)"),
    "chats": ("/api/v1/orgs/{org}/chats/", "GET /api/v1/orgs/{org}/chats/"),
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shapes", default=SHAPES, help=f"workers×threads to compare, e.g. {SHAPES}")
    p.add_argument("--paths", default="orgs,floor", help=f"comma-separated, of {', '.join(PATHS)}")
    p.add_argument("--requests", type=int, default=600, help="GETs of each path under each shape")
    p.add_argument("--db", default=DB_NAME, help="the throw-away database (portal_bench…)")
    add_server_args(p, concurrency=40, phase_seconds=15)
    args = p.parse_args(argv)
    try:
        args.shape_list = [tuple(int(n) for n in s.lower().split("x")) for s in args.shapes.split(",")]
    except ValueError:
        p.error("--shapes: workers×threads pairs such as 2x4,4x2")
    if any(len(s) != 2 or not (1 <= s[0] <= 16 and 1 <= s[1] <= 16) for s in args.shape_list):
        p.error("--shapes: workers and threads 1–16 each")
    args.path_list = args.paths.split(",")
    if unknown := set(args.path_list) - set(PATHS):
        p.error(f"--paths: unknown {', '.join(sorted(unknown))}")
    if not 1 <= args.concurrency <= 64 or len(args.shape_list) * len(args.path_list) * args.requests > 40_000:
        p.error("keep the run bounded: concurrency 1–64, at most 40 000 requests in all")
    return args


def seed() -> dict:
    import messages as bench_messages
    from rest_framework.authtoken.models import Token

    people = bench_messages.seed_people()
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in people["members"]])
    return {"org": people["org"].pk, "tokens": [t.key for t in tokens]}


def main(argv=None) -> int:
    args = parse_args(argv)
    results, problems = {}, []
    with bench_run(args, args.db, extra_env={"PORTAL_BENCH_FLOOR": "1"}) as run:
        from django.db import connections

        run.step("seeding a school, a chat of 40 and their tokens")
        data = seed()
        run.analyze()
        connections.close_all()
        tokens = data["tokens"]
        for workers, threads in args.shape_list:
            args.workers, args.threads = workers, threads
            run.start_gunicorn()
            for name in args.path_list:
                path = PATHS[name][0].format(org=data["org"])

                def make(token, path=path):
                    return "GET", path, {"Authorization": f"Token {token}"}, None

                warm = [tokens[i % len(tokens)] for i in range(4 * workers * threads)]
                run_phase("warm-up", run.port, warm, make, workers * threads, 20)
                jobs = [tokens[i % len(tokens)] for i in range(args.requests)]
                run.step(f"{workers}×{threads}: {PATHS[name][1]}")
                phase = run_phase(name, run.port, jobs, make, args.concurrency, args.phase_seconds)
                results[(workers, threads, name)] = phase.summary()
                if phase.errors or set(phase.statuses) - {200} or not phase.done:
                    problems.append(f"{workers}×{threads} {name}: {phase.statuses} errors {phase.errors}")
            run.stop_gunicorn()
            run.proc = None

    print(
        f"\ngunicorn shapes, {args.concurrency} concurrent keep-alive clients, {args.requests} requests a path "
        "(req/s, p50 / p95 ms)"
    )
    print(f"{'path':36}" + "".join(f"{f'{w}×{t}':>24}" for w, t in args.shape_list))
    for name in args.path_list:
        cells = []
        for w, t in args.shape_list:
            s = results.get((w, t, name))
            cells.append(f"{s['rps']:>8} {s['p50_ms']:>7} / {s['p95_ms']:>7}" if s else "—")
        print(f"{PATHS[name][1]:36}" + "".join(f"{c:>24}" for c in cells))
    rows = [{"workers": w, "threads": t, "path": n, **s} for (w, t, n), s in results.items()]
    return finish(args, {"runs": rows}, problems)


if __name__ == "__main__":
    sys.exit(main())
