"""The ``prakerja-monitor`` command line: the parser made of one module per
command, and the error path (known failures become one line, exit 2)."""

from __future__ import annotations

import argparse
import sqlite3
import sys

import monitor.cli.alert
import monitor.cli.check
import monitor.cli.config
import monitor.cli.crawl
import monitor.cli.demo
import monitor.cli.evidence
import monitor.cli.query
import monitor.cli.replica
import monitor.cli.report
import monitor.cli.run
import monitor.cli.schedule
import monitor.cli.serve
from monitor.cli.errors import explain
from monitor.cli.options import HelpFormatter, register
from monitor.config import ConfigError
from monitor.preconditions import UserError
from monitor.run.crawl import terminate_as_interrupt

# In the order of ``--help``.
COMMANDS = (
    monitor.cli.crawl,
    monitor.cli.replica,
    monitor.cli.config,
    monitor.cli.check,
    monitor.cli.alert,
    monitor.cli.run,
    monitor.cli.schedule,
    monitor.cli.demo,
    monitor.cli.query,
    monitor.cli.evidence,
    monitor.cli.serve,
    monitor.cli.report,
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
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__()}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        register(sub, command)
    return parser


def check_usage(parser, args) -> None:
    """The chosen command's own checks of option combinations (exit 2)."""
    for command in COMMANDS:
        if args.command == command.NAME and hasattr(command, "check_usage"):
            command.check_usage(parser, args)


def __version__() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prakerja-monitor")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    terminate_as_interrupt()  # SIGTERM stops a command like Ctrl-C, children too
    check_usage(parser, args)
    try:
        return args.func(args) or 0
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"prakerja-monitor: configuration error: {line}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"prakerja-monitor {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (sqlite3.Error, OSError) as exc:  # known failures become one line
        message = explain(exc, args)
        if message is None:
            raise
        print(f"prakerja-monitor {args.command}: {message}", file=sys.stderr)
        return 2
