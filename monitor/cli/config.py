"""``config``: validate and show the effective configuration."""

from __future__ import annotations

import json

from monitor.cli.options import common
from monitor.config import load_config

NAME = "config"
SUMMARY = "show the effective configuration"
EXAMPLE = "prakerja-monitor config --show --config prakerja-monitor.example.toml"
DESCRIPTION = """
Validate the configuration (file, defaults, environment overrides) and, with
--show, print it with secrets masked.
"""


def add_arguments(p) -> None:
    common(p, db=False)
    p.add_argument("--show", action="store_true", help="print the effective settings")


def run(args) -> int:
    cfg = load_config(args.config)
    if args.show:
        print(f"# effective configuration (from {cfg.source})")
        print(json.dumps(cfg.masked(), indent=2, ensure_ascii=False))
    else:
        print(f"configuration OK ({cfg.source})")
    return 0
