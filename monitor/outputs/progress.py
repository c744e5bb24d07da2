"""Crawl progress: a live table (rich) on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import threading
import time

from monitor.config import DISPLAY_NAMES


def pages_text(event: dict) -> str:
    done = event.get("listing_pages", 0)
    total = event.get("listing_pages_announced", 0)
    return f"{done}/{total}" if total else str(done)


def elapsed_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class Progress:
    """Per platform: listing pages, responses, items; totals and elapsed time.

    On a terminal a rich live table that fits its width; without one a plain
    line every ``every`` seconds, only when something moved, and one line per
    platform when it finishes."""

    def __init__(self, stream=None, every: float = 10.0, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.state: dict[str, dict] = {}
        self.every = every
        self.started = time.monotonic()
        self.last_line = 0.0
        self.last_text = ""
        self.lock = threading.Lock()
        self.live = None

    def __call__(self, event: dict) -> None:
        slug = event.get("platform")
        if not slug:
            return
        with self.lock:
            previous = self.state.get(slug, {})
            self.state[slug] = {**previous, **event}
            if self.tty:
                self._refresh()
            elif event.get("event") == "done":
                self._write(f"  {self._platform_text(slug)}: done\n")
            elif time.monotonic() - self.last_line >= self.every:
                self._periodic()

    def _platform_text(self, slug: str) -> str:
        e = self.state[slug]
        if not (e.get("items") or e.get("pages")) and e.get("event") != "done":
            return f"{DISPLAY_NAMES.get(slug, slug)} starting"
        return (
            f"{DISPLAY_NAMES.get(slug, slug)} {e.get('items', 0)} items,"
            f" listing pages {pages_text(e)}, {e.get('pages', 0)} responses"
        )

    def totals(self) -> tuple[int, int]:
        items = sum(e.get("items", 0) for e in self.state.values())
        pages = sum(e.get("pages", 0) for e in self.state.values())
        return items, pages

    def _periodic(self) -> None:
        running = [s for s, e in sorted(self.state.items()) if e.get("event") != "done"]
        items, pages = self.totals()
        if not (items or pages):
            return  # nothing fetched yet: no line of zeros
        text = "; ".join(self._platform_text(s) for s in running)
        if text == self.last_text:
            return
        self.last_text, self.last_line = text, time.monotonic()
        elapsed = elapsed_text(time.monotonic() - self.started)
        self._write(
            f"[{elapsed}] {len(running)} running: {text or '-'}"
            f" (total {items} items, {pages} responses)\n"
        )

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def table(self):
        from rich.table import Table

        items, pages = self.totals()
        elapsed = elapsed_text(time.monotonic() - self.started)
        table = Table(
            title=f"crawling, {elapsed} elapsed", title_justify="left", expand=False
        )
        for name, justify in (
            ("platform", "left"),
            ("listing pages", "right"),
            ("responses", "right"),
            ("items", "right"),
            ("", "left"),
        ):
            table.add_column(name, justify=justify, overflow="ellipsis", no_wrap=True)
        for slug, e in sorted(self.state.items()):
            done = "done" if e.get("event") == "done" else "running"
            table.add_row(
                DISPLAY_NAMES.get(slug, slug),
                pages_text(e),
                str(e.get("pages", 0)),
                str(e.get("items", 0)),
                done,
            )
        table.add_row("total", "", str(pages), str(items), "", style="bold")
        return table

    def _refresh(self) -> None:
        if self.live is None:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.stream, force_terminal=True)
            self.live = Live(
                self.table(), console=console, refresh_per_second=4, transient=True
            )
            self.live.start()
        else:
            self.live.update(self.table())

    def done(self) -> None:
        with self.lock:
            if self.live is not None:
                self.live.stop()
                self.live = None
