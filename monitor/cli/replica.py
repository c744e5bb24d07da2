"""``replica``: serve the local stand-in of the platforms."""

from __future__ import annotations

from monitor.cli.options import COUNT, PORT

NAME = "replica"
SUMMARY = "serve the local stand-in of the platforms"
EXAMPLE = "prakerja-monitor replica --port 8400 --as-of 2020-07-02"
DESCRIPTION = """
Serve the eight platforms' public Prakerja pages from a generated catalog on
127.0.0.1, for the demo, tests and benchmarks. Prefix mode puts every
platform under /<slug>/ on one port; port mode gives each its own port.
Control API under /__replica/ (clock, faults, log, reset, truth).
"""


def add_arguments(p) -> None:
    p.add_argument("--port", type=PORT, default=8400)
    p.add_argument("--as-of", default="2020-07-08", help="the replica's clock (a date)")
    p.add_argument(
        "--size", type=COUNT, default=1900, help="listings over all platforms"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mode", choices=("prefix", "port"), default="prefix")


def run(args) -> int:
    from replica.server import serve

    serve(
        port=args.port, as_of=args.as_of, size=args.size, seed=args.seed, mode=args.mode
    )
    return 0
