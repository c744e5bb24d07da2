"""The ``prakerja-monitor`` command line: one entry point, one sub-command per job."""

from __future__ import annotations

import argparse
import sys
import textwrap

from monitor import commands
from monitor.config import SLUGS, ConfigError


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def add(sub, name: str, func, summary: str, example: str, description: str = ""):
    """Register a sub-command whose help text ends with an example."""
    text = textwrap.dedent(description).strip() or summary
    parser = sub.add_parser(
        name,
        help=summary,
        description=text,
        epilog="Example:\n  " + example,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def common(parser, db: bool = True, now: bool = False, config: bool = True) -> None:
    if config:
        parser.add_argument(
            "--config",
            help="TOML configuration file (default: $PRAKERJA_MONITOR_CONFIG"
            " or ./prakerja-monitor.toml if present)",
        )
    if db:
        parser.add_argument(
            "--db", help="SQLite database (default from config: prakerja.db)"
        )
    if now:
        parser.add_argument(
            "--now",
            help="ISO time the run counts as observed at, e.g. 2020-07-02T10:00+07:00"
            " (default: $PRAKERJA_MONITOR_NOW or the wall clock)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prakerja-monitor",
        description="Crawl the eight Kartu Prakerja platforms, keep SQLite snapshots,"
        " and alert the PMO about training bundles still payable with Kartu Prakerja"
        " after the halt of 30 June 2020 (letter S-148/Dir-Eks/06/2020).",
        epilog="Example:\n  prakerja-monitor demo",
        formatter_class=HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = add(
        sub,
        "crawl",
        commands.crawl,
        "crawl platforms into the snapshot database",
        "prakerja-monitor crawl tokopedia --base-url"
        " tokopedia=http://127.0.0.1:8400/tokopedia",
        """
        Run the chosen platforms' spiders (all enabled ones by default), each in its
        own process, store their listings, and print per platform the items, pages,
        trust status and reasons. Exits 1 when a crawl could not be trusted.
        """,
    )
    p.add_argument(
        "platforms", nargs="*", metavar="SLUG", help=f"one of {', '.join(SLUGS)}"
    )
    common(p, now=True)
    p.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="SLUG=URL",
        help="base URL of a platform (repeatable), e.g. a replica or a recorded site",
    )
    p.add_argument("--parallel", type=int, help="crawls at a time (default 4)")

    p = add(
        sub,
        "replica",
        commands.replica,
        "serve the local stand-in of the platforms",
        "prakerja-monitor replica --port 8400 --as-of 2020-07-02",
        """
        Serve the eight platforms' public Prakerja pages from a generated catalog on
        127.0.0.1, for the demo, tests and benchmarks. Prefix mode puts every
        platform under /<slug>/ on one port; port mode gives each its own port.
        Control API under /__replica/ (clock, faults, log, reset, truth).
        """,
    )
    p.add_argument("--port", type=int, default=8400)
    p.add_argument("--as-of", default="2020-07-08", help="the replica's clock (a date)")
    p.add_argument("--size", type=int, default=1900, help="listings over all platforms")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mode", choices=("prefix", "port"), default="prefix")

    p = add(
        sub,
        "config",
        commands.config,
        "show the effective configuration",
        "prakerja-monitor config --show --config prakerja-monitor.toml",
        """
        Validate the configuration (file, defaults, environment overrides) and, with
        --show, print it with secrets masked.
        """,
    )
    common(p, db=False)
    p.add_argument("--show", action="store_true", help="print the effective settings")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except ConfigError as exc:
        print(f"prakerja-monitor: configuration error: {exc}", file=sys.stderr)
        return 2
    except commands.UserError as exc:
        print(f"prakerja-monitor {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
