"""``crawl``: crawl platforms into the snapshot database."""

from __future__ import annotations

from monitor.cli.options import COUNT, backfill, common, now_arg, settings
from monitor.config import SLUGS
from monitor.preconditions import UserError, check_time_order, preflight, unknown_slug

NAME = "crawl"
SUMMARY = "crawl platforms into the snapshot database"
EXAMPLE = (
    "prakerja-monitor crawl tokopedia --base-url"
    " tokopedia=http://127.0.0.1:8400/tokopedia"
)
FIRST = "prakerja-monitor replica --port 8400, in another terminal"
DESCRIPTION = """
Run the chosen platforms' spiders (all enabled ones by default), each in its
own process, store their listings, and print per platform the items, pages,
trust status and reasons. Exits 1 when a crawl could not be trusted.
"""


def add_arguments(p) -> None:
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
    p.add_argument("--parallel", type=COUNT, help="crawls at a time (default 4)")
    backfill(p)


def parse_base_urls(pairs: list[str]) -> dict[str, str]:
    from urllib.parse import urlsplit

    urls = {}
    for pair in pairs:
        slug, sep, url = pair.partition("=")
        if not sep:
            raise UserError(f"--base-url wants SLUG=http(s)://..., got {pair!r}")
        if slug not in SLUGS:
            raise UserError(f"--base-url: {unknown_slug(slug)}")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError(f"--base-url wants SLUG=http(s)://HOST/..., got {pair!r}")
        urls[slug] = url.rstrip("/")
    return urls


def run(args) -> int:
    from monitor.outputs.display import print_crawl_table
    from monitor.run.cycle import run_crawls

    cfg = settings(args)
    slugs = args.platforms or cfg.enabled_platforms()
    unknown = [s for s in slugs if s not in SLUGS]
    if unknown:
        raise UserError(unknown_slug(unknown[0]))
    base_urls, now = parse_base_urls(args.base_url), now_arg(args)
    preflight(cfg)
    check_time_order(cfg, slugs, now, args.backfill)
    results = run_crawls(cfg, slugs, base_urls, now, args.parallel)
    print_crawl_table(results)
    return 0 if all(r.status == "complete" for r in results) else 1
