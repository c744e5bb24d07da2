"""``python -m bench [NAME ...] [--size N]``: run the benchmarks.

NAME: crawl, check, storage, history, archive (default: all).

Each benchmark prints a ratio against a baseline measured in the same run and
writes ``bench/results/<name>.json``; a final table lists the ratios.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.common import say

BENCHMARKS = ("crawl", "check", "storage", "history", "archive")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of prakerja-monitor, each against a baseline.",
        epilog="example: python -m bench check --size 200000",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="crawl, check, storage, history, archive (default: all)",
    )
    parser.add_argument(
        "--size",
        type=int,
        help="listings (crawl: replica size 20000; check: listings per snapshot"
        " 1000000; storage and archive: replica size 1900)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs of each measured side, the best counts (crawl: 1; check and"
        " storage: 3)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark {unknown[0]!r}: choose from {', '.join(BENCHMARKS)}"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.names or list(BENCHMARKS)
    results, started = {}, time.perf_counter()
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        say(f"\n== {name} ==")
        results[name] = module.run(args.size, args.repeat)
    say(f"\n== ratios (all benchmarks: {time.perf_counter() - started:.0f} s) ==")
    say(f"{'benchmark':<10}{'ratio':>8}{'goal met':>10}  goal; ratio")
    for name, r in results.items():
        met = "yes" if r["goal_met"] else "NO"
        say(f"{name:<10}{r['ratio']:>8.3f}{met:>10}  {r['goal']}")
        say(f"{'':<30}{r['ratio_means']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
