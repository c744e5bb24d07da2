"""What the commands print: crawl and check tables, query rows, network causes
(the live crawl progress is ``monitor.outputs.progress``)."""

from __future__ import annotations

import json
import sys

from monitor.config import DISPLAY_NAMES
from monitor.run.crawl import CrawlResult

CELL = 80  # characters of a table cell; longer ones are cut and marked
CUT = "\u2026"
# Scrapy/Twisted exception names in a crawl's stats -> the network cause.
NETWORK_CAUSES = (
    ("ConnectionRefused", "connection refused"),
    ("DNSLookup", "DNS lookup failed (host name not found)"),
    ("SSL", "TLS handshake failed"),
    ("TLS", "TLS handshake failed"),
    ("TimeoutError", "timed out"),
    ("TCPTimedOut", "timed out"),
    ("ConnectionLost", "connection lost"),
    ("ResponseNeverReceived", "no response (connection dropped)"),
    ("NoRoute", "no route to host"),
)


def network_cause(stats: dict | None) -> str | None:
    """The network failure behind a crawl's download errors, if there was one:
    e.g. "network: connection refused (10 attempts)"."""
    counts: dict[str, int] = {}
    for key, value in (stats or {}).items():
        if not key.startswith("downloader/exception_type_count/"):
            continue
        name = key.rsplit("/", 1)[-1]
        for marker, cause in NETWORK_CAUSES:
            if marker in name:
                counts[cause] = counts.get(cause, 0) + int(value or 0)
                break
    if not counts:
        return None
    cause, n = max(counts.items(), key=lambda kv: kv[1])
    return f"network: {cause} ({n} attempt{'s' if n != 1 else ''})"


def print_crawl_table(results: list[CrawlResult], out=None, width=None) -> None:
    """One row per platform; the status and reasons wrap within the width."""
    import shutil
    import textwrap

    out = out or sys.stdout
    width = width or max(60, shutil.get_terminal_size((100, 24)).columns)
    out.write(f"{'platform':<14} {'crawl':>5} {'items':>6} {'pages':>6}  status\n")
    indent = " " * 36
    for r in results:
        reasons = "; ".join(r.reasons)
        head = (
            f"{DISPLAY_NAMES[r.platform]:<14} {r.crawl_id or '-':>5} {r.items:>6}"
            f" {r.pages:>6}  "
        )
        status = f"{r.status}{': ' + reasons if reasons else ''}"
        lines = textwrap.wrap(status, max(20, width - len(indent))) or [""]
        out.write(head + lines[0] + "\n")
        for line in lines[1:]:
            out.write(indent + line + "\n")


def print_check(reports, out=None) -> None:
    out = out or sys.stdout
    if not reports:
        out.write("nothing to check: no new complete crawl\n")
        return
    for r in reports:
        against = f"crawl {r.previous_id}" if r.previous_id else "nothing (first)"
        out.write(
            f"{DISPLAY_NAMES[r.platform]:<14} crawl {r.crawl_id} vs {against}:"
            f" +{r.added} added, {r.changed} field changes, -{r.removed} removed;"
            f" findings {len(r.opened)} new, {len(r.reopened)} reopened,"
            f" {len(r.resolved)} resolved; {len(r.needs_review)} need review\n"
        )


def format_rows(result, fmt: str, out) -> None:
    import csv

    if fmt == "json":
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        out.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        write_table(result.columns, result.rows, out)


def cut(value) -> tuple[str, bool]:
    text = "" if value is None else str(value).replace("\n", " ")
    if len(text) > CELL:
        return text[: CELL - 1] + CUT, True
    return text, False


def write_table(columns, rows, out) -> int:
    """Aligned columns; a cell over CELL characters is cut and ends in "…".
    Returns how many cells were cut (a note on stderr says so)."""
    cells, cuts = [], 0
    for row in rows:
        pairs = [cut(v) for v in row]
        cuts += sum(was_cut for _, was_cut in pairs)
        cells.append([text for text, _ in pairs])
    widths = [
        max([len(col)] + [len(row[i]) for row in cells])
        for i, col in enumerate(columns)
    ]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        out.write(text.rstrip() + "\n")
    out.write(f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n")
    if cuts:
        sys.stderr.write(
            f"note: {cuts} cell{'s' if cuts != 1 else ''} longer than {CELL}"
            f" characters cut (marked {CUT}); --format csv or json shows them whole\n"
        )
    return cuts
