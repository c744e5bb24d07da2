"""``demo``: the whole chain against the replica, before and after the halt."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from monitor.cli.options import COUNT, lang_option
from monitor.config import DISPLAY_NAMES, SLUGS, load_config
from monitor.preconditions import UserError, ask_on_terminal

NAME = "demo"
SUMMARY = "run the whole chain against the local replica"
EXAMPLE = "prakerja-monitor demo --dir prakerja-demo"
DESCRIPTION = """
Start the replica on a free loopback port, crawl all eight platforms as of
2020-06-29 (before the halt) and 2020-07-02 (after it), check, write the
digest to the outbox, and print per platform: listings, bundles, bundles
payable with Kartu Prakerja, open findings and crawl status.
"""

BEFORE, AFTER = "2020-06-29", "2020-07-02"
# What the demo writes into its folder, and so the only names it may remove.
OUTPUTS = ("prakerja.db", "prakerja.db-wal", "prakerja.db-shm", "report.html")
OUTPUT_FOLDERS = ("outbox", "evidence")


class DemoFolderError(Exception):
    """The demo's folder holds something it did not write; nothing was touched."""


def add_arguments(p) -> None:
    p.add_argument(
        "--dir",
        default="prakerja-demo",
        help="output folder (prakerja-demo): created, or reused when the demo made"
        " it; a non-empty folder it did not make is refused",
    )
    p.add_argument("--size", type=COUNT, default=1900, help="replica catalog size")
    p.add_argument("--seed", type=int, default=1, help="replica catalog seed")
    lang_option(p)


def run(args) -> int:
    try:
        result = run_demo(
            args.dir,
            size=args.size,
            seed=args.seed,
            ask=ask_on_terminal,
            language=args.lang,
        )
    except DemoFolderError as exc:
        raise UserError(str(exc)) from None
    crawls = [r for results in result["results"].values() for r in results]
    return 0 if all(r.status == "complete" for r in crawls) else 1


def prepare_folder(folder: Path, ask=None) -> None:
    """Make ``folder`` ready: create and mark it, or clear the demo's own outputs
    from a folder it marked earlier. A non-empty folder the demo did not make is
    refused (on a terminal, ``ask`` may allow adding to it when none of the
    demo's file names is taken); other files are never deleted."""
    from storage import fs

    if not folder.exists():
        folder.mkdir(parents=True)
        fs.mark_folder(folder, "demo")
        return
    if not folder.is_dir():
        raise DemoFolderError(f"{folder} is a file, not a folder; choose another --dir")
    if fs.is_marked(folder):
        for name in OUTPUTS:
            fs.remove_file(folder / name, within=folder)
        for name in OUTPUT_FOLDERS:
            fs.remove_tree(folder / name, owner=folder)
        return
    entries = sorted(p.name for p in folder.iterdir())
    if entries:
        taken = [n for n in (*OUTPUTS, *OUTPUT_FOLDERS) if n in entries]
        why = (
            f"{folder} already holds {len(entries)}"
            f" entr{'y' if len(entries) == 1 else 'ies'} the demo did not create"
            f" ({', '.join(entries[:3])}{', ...' if len(entries) > 3 else ''})"
        )
        if taken or ask is None or not ask(f"{why}; add the demo's files next to them"):
            raise DemoFolderError(
                f"{why}; nothing was changed. Choose an empty or new folder with --dir"
            )
    fs.mark_folder(folder, "demo")


EXAMPLE_QUERIES = (
    (
        "bundles payable with Kartu Prakerja after the halt",
        "prakerja-monitor query --db {db} --saved bundles-payable-after-halt",
    ),
    (
        "open findings per platform",
        'prakerja-monitor query --db {db} "select platform, count(*) as open'
        " from findings where status = 'open' group by platform\"",
    ),
    (
        "what changed between the two crawls",
        'prakerja-monitor query --db {db} "select platform, kind, field,'
        ' count(*) as n from changes group by 1, 2, 3 order by n desc limit 10"',
    ),
)


def demo_config(folder: Path, language: str | None = None):
    cfg = load_config(env={})
    cfg.data["language"] = language or cfg["language"]
    cfg.data["database"] = str(folder / "prakerja.db")
    cfg.data["outbox"] = str(folder / "outbox")
    cfg.data["evidence_dir"] = str(folder / "evidence")
    cfg.data["smtp"]["host"] = ""  # the demo writes to the outbox, never mails
    return cfg


def summary_table(rows: list[dict]) -> str:
    head = (
        f"{'platform':<14} {'listings':>8} {'bundles':>8} {'payable':>8}"
        f" {'open findings':>13}  crawl"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{DISPLAY_NAMES[r['platform']]:<14} {r['listings']:>8} {r['bundles']:>8}"
            f" {r['payable_bundles']:>8} {r['open_findings']:>13}  {r['status']}"
        )
    return "\n".join(lines)


def run_demo(
    folder: str, size: int = 1900, seed: int = 1, out=None, ask=None, language=None
) -> dict:
    """Run the demo in ``folder`` (see prepare_folder); returns what it found.

    Two cycles against the replica (before and after the halt; removal probes
    off), the second one alerting, then the summary table and the report."""
    from monitor.outputs import display
    from monitor.outputs.report import write_report
    from monitor.run.cycle import run_cycle
    from replica.server import start_replica

    out = out or sys.stdout
    started = time.monotonic()
    folder = Path(folder)
    prepare_folder(folder, ask)
    cfg = demo_config(folder, language)
    with start_replica(seed=seed, size=size, as_of=BEFORE) as replica:
        out.write(
            f"replica of the eight platforms on {replica.root} ({size} listings)\n"
        )
        results = {}
        for as_of in (BEFORE, AFTER):
            replica.set_clock(as_of)
            out.write(f"\ncrawling all platforms as of {as_of} ...\n")
            out.flush()
            cycle = run_cycle(
                cfg,
                list(SLUGS),
                base_urls=replica.base_urls,
                now=f"{as_of}T10:00:00+07:00",
                probe=lambda url: False,
                alert=as_of == AFTER,  # one digest, after both crawls
            )
            results[as_of] = cycle.results
            display.print_crawl_table(cycle.results, out)
            display.print_check(cycle.reports, out)
        truth = replica.truth(AFTER)
    rows = summary_rows(cfg)
    report = folder / "report.html"
    write_report(cfg.database, report, language=cfg["language"], halt=cfg["halt"])
    out.write("\n" + summary_table(rows) + "\n\n")
    for alert in cycle.delivery:
        out.write(f"digest written: {alert}\n")
    write_footer(out, cfg, report, started)
    return {
        "rows": rows,
        "truth": truth,
        "results": results,
        "config": cfg,
        "report": str(report),
    }


def summary_rows(cfg) -> list[dict]:
    from storage.db import open_db
    from storage.summary import platform_summary

    db = open_db(cfg.database)
    try:
        return platform_summary(db)
    finally:
        db.close()


def write_footer(out, cfg, report: Path, started: float) -> None:
    out.write(
        f"\ndatabase: {cfg.database}\noutbox:   {cfg['outbox']}\n"
        f"report:   {report}\nevidence: {cfg['evidence_dir']}\n"
        f"finished in {time.monotonic() - started:.1f} s\n\nTry:\n"
    )
    for what, query in EXAMPLE_QUERIES:
        out.write(f"  # {what}\n  {query.format(db=cfg.database)}\n")
