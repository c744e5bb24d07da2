"""What the commands print: crawl progress, crawl and check tables, query rows."""

from __future__ import annotations

import json
import sys
import threading
import time

from monitor.config import DISPLAY_NAMES
from monitor.crawl import CrawlResult


class Progress:
    """Crawl progress on stderr: one refreshing line on a terminal, else a line
    per platform every few seconds."""

    def __init__(self, stream=None, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.state: dict[str, dict] = {}
        self.last: dict[str, float] = {}
        self.every = every
        self.lock = threading.Lock()

    def __call__(self, event: dict) -> None:
        slug = event.get("platform")
        with self.lock:
            self.state[slug] = event
            if self.tty:
                line = "  ".join(
                    f"{s}: {e.get('items', 0)} items/{e.get('pages', 0)} pages"
                    for s, e in sorted(self.state.items())
                )
                self.stream.write("\r\033[K" + line[:200])
            elif time.monotonic() - self.last.get(slug, 0) >= self.every:
                self.last[slug] = time.monotonic()
                done = event.get("listing_pages", 0)
                total = event.get("listing_pages_announced", 0) or "?"
                self.stream.write(
                    f"  {slug}: {event.get('items', 0)} items, listing pages"
                    f" {done}/{total}, {event.get('pages', 0)} responses\n"
                )
            self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()


def print_crawl_table(results: list[CrawlResult], out=None) -> None:
    out = out or sys.stdout
    out.write(f"{'platform':<14} {'crawl':>5} {'items':>6} {'pages':>6}  status\n")
    for r in results:
        reasons = "; ".join(r.reasons)
        out.write(
            f"{DISPLAY_NAMES[r.platform]:<14} {r.crawl_id or '-':>5} {r.items:>6}"
            f" {r.pages:>6}  {r.status}{': ' + reasons if reasons else ''}\n"
        )


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
        cells = [[("" if v is None else str(v)) for v in row] for row in result.rows]
        cells = [[c.replace("\n", " ")[:80] for c in row] for row in cells]
        widths = [
            max([len(col)] + [len(row[i]) for row in cells])
            for i, col in enumerate(result.columns)
        ]
        line = "  ".join(
            c.ljust(w) for c, w in zip(result.columns, widths, strict=True)
        )
        out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
        for row in cells:
            text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            out.write(text.rstrip() + "\n")
        out.write(f"({len(result.rows)} rows)\n")
