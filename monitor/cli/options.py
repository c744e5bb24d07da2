"""What the commands share: option types and groups, the help layout, and the
settings a command's options make of the configuration."""

from __future__ import annotations

import argparse
import os
import textwrap

from monitor.config import load_config
from monitor.preconditions import UserError


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def number(kind, low=None, high=None, what="a number"):
    """An argparse type: ``kind`` (int/float) within [low, high]."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({bounds})")
        return value

    return parse


COUNT = number(int, 1, what="a whole number")  # --parallel, --size, --max-rows
PORT = number(int, 0, 65535, what="a port number")
DAYS = number(int, 1, what="a whole number of days")
SECONDS = number(float, 0.001, 86400, what="a number of seconds")


def register(sub, command) -> argparse.ArgumentParser:
    """Add the sub-command of module ``command`` (NAME, SUMMARY, EXAMPLE,
    DESCRIPTION, optional FIRST: what the example needs, add_arguments, run);
    its help text ends with the example."""
    text = textwrap.dedent(command.DESCRIPTION).strip() or command.SUMMARY
    first = getattr(command, "FIRST", "")
    parser = sub.add_parser(
        command.NAME,
        help=command.SUMMARY,
        description=text,
        epilog="Example:"
        + (f" (first: {first})" if first else "")
        + "\n  "
        + command.EXAMPLE,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(func=command.run)
    command.add_arguments(parser)
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


def lang_option(parser) -> None:
    parser.add_argument(
        "--lang",
        choices=("id", "en"),
        help="language of the digest and report (default from config: id)",
    )


def backfill(parser) -> None:
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="allow --now earlier than a platform's newest checked crawl (stored"
        " as an older observation; findings decided later stay as they are)",
    )


def settings(args):
    """The configuration with this command's --db applied."""
    cfg = load_config(getattr(args, "config", None))
    if getattr(args, "db", None):
        cfg.data["database"] = args.db
    if getattr(args, "lang", None):
        cfg.data["language"] = args.lang
    return cfg


def now_arg(args) -> str | None:
    from datetime import datetime

    value = getattr(args, "now", None) or os.environ.get("PRAKERJA_MONITOR_NOW")
    if value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise UserError(f"--now wants an ISO 8601 time, got {value!r}") from None
        if parsed.tzinfo is None:
            raise UserError(f"--now needs a UTC offset, e.g. {value}+07:00")
        from storage.times import normalize

        return normalize(parsed.isoformat())
    return None
