"""What each sub-command does; the parser lives in monitor/cli.py."""

from __future__ import annotations

import io
import json
import os
import sys

from monitor.config import DISPLAY_NAMES, SLUGS, load_config
from monitor.outputs.display import (
    Progress,
    format_rows,
    print_check,
    print_crawl_table,
)
from monitor.preconditions import (  # noqa: F401 - UserError is re-exported
    UserError,
    add_network_causes,
    ask_on_terminal,
    check_time_order,
    open_database,
    preflight,
    require_database,
    unknown_slug,
)
from monitor.run.crawl import runner_for


def settings(args):
    """The configuration with this command's --db applied."""
    cfg = load_config(getattr(args, "config", None))
    if getattr(args, "db", None):
        cfg.data["database"] = args.db
    if getattr(args, "lang", None):
        cfg.data["language"] = args.lang
    return cfg


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


def run_crawls(cfg, slugs, base_urls=None, now=None, parallel=None, quiet=False):
    progress = Progress(io.StringIO() if quiet else None)
    runner = runner_for(cfg, base_urls, now, parallel, on_progress=progress)
    try:
        results = runner.run(slugs)
    except KeyboardInterrupt:
        runner.stop()
        raise
    finally:
        progress.done()
    add_network_causes(cfg.database, results)
    return results


def crawl(args) -> int:
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


def replica(args) -> int:
    from replica.server import serve

    serve(
        port=args.port, as_of=args.as_of, size=args.size, seed=args.seed, mode=args.mode
    )
    return 0


def config(args) -> int:
    cfg = load_config(args.config)
    if args.show:
        print(f"# effective configuration (from {cfg.source})")
        print(json.dumps(cfg.masked(), indent=2, ensure_ascii=False))
    else:
        print(f"configuration OK ({cfg.source})")
    return 0


def check(args) -> int:
    from monitor.judge.check import check_all
    from storage.findings import count_open

    cfg = settings(args)
    db = open_database(cfg)
    try:
        reports = check_all(db, cfg, now=now_arg(args))
        print_check(reports)
        print(f"open findings: {count_open(db)}")
    finally:
        db.close()
    return 0


def alert(args) -> int:
    from monitor.digest.send import send_alerts

    cfg = settings(args)
    if args.outbox:
        cfg.data["outbox"] = args.outbox
    db = open_database(cfg)
    try:
        lines = send_alerts(db, cfg, dry_run=args.dry_run)
    finally:
        db.close()
    if not lines:
        print("nothing to announce and nothing pending")
    for line in lines:
        print(line)
    return 1 if any("NOT delivered" in line for line in lines) else 0


def demo(args) -> int:
    from monitor.demo import DemoFolderError, run_demo

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


def run_once(cfg, now=None, slugs=None, quiet=False, out=None) -> int:
    """Crawl every enabled platform, check, alert; one line per platform.

    Returns 0 when every platform was verified, 1 otherwise."""
    from monitor.digest.send import send_alerts
    from monitor.judge.check import check_all

    out = out or sys.stdout
    preflight(cfg)
    results = run_crawls(cfg, slugs or cfg.enabled_platforms(), now=now, quiet=quiet)
    db = open_database(cfg, create=True)
    try:
        reports = {r.platform: r for r in check_all(db, cfg)}
        lines = send_alerts(db, cfg)
    finally:
        db.close()
    for r in results:
        rep = reports.get(r.platform)
        found = (
            f"{len(rep.opened)} new, {len(rep.resolved)} resolved findings"
            if rep
            else "not compared"
        )
        why = f" ({'; '.join(r.reasons)})" if r.reasons else ""
        out.write(
            f"{DISPLAY_NAMES[r.platform]:<14} crawl {r.crawl_id}: {r.status}{why},"
            f" {r.items} listings, {found}\n"
        )
    for line in lines:
        out.write(f"alert: {line}\n")
    out.flush()
    return 0 if all(r.status == "complete" for r in results) else 1


def run(args) -> int:
    cfg, now = settings(args), now_arg(args)
    check_time_order(cfg, cfg.enabled_platforms(), now, args.backfill)
    return run_once(cfg, now=now)


def schedule(args) -> int:
    import logging

    from monitor.run.schedule import Monitor

    cfg = settings(args)
    monitor = Monitor(cfg)
    if args.list:
        for job, next_run in monitor.jobs():
            print(f"{job:<22} next run {next_run}")
        return 0
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    monitor.outputs.serve()
    return 0


def query(args) -> int:
    from storage.queries import SAVED, QueryError, run_query, saved_params

    if args.list:
        for q in SAVED.values():
            params = (
                f"  [--param {'=... --param '.join(q.params)}=...]" if q.params else ""
            )
            print(f"{q.name:<30} {q.title}{params}")
        return 0
    cfg = settings(args)
    params = dict(p.partition("=")[::2] for p in args.param)
    if args.saved:
        if args.sql:
            raise UserError("give either SQL or --saved NAME, not both")
        if args.saved not in SAVED:
            raise UserError(
                f"no saved query {args.saved!r}; see prakerja-monitor query --list"
            )
        sql = SAVED[args.saved].sql
        try:
            params = saved_params(SAVED[args.saved], params)
        except QueryError as exc:
            raise UserError(str(exc)) from None
    elif args.sql:
        sql = args.sql
    else:
        raise UserError('give SQL, e.g. "select * from crawls", or --saved NAME')
    require_database(cfg)
    try:
        result = run_query(
            cfg.database,
            sql,
            params,
            timeout=args.timeout or cfg["query"]["timeout"],
            max_rows=args.max_rows or cfg["query"]["max_rows"],
        )
    except QueryError as exc:
        raise UserError(str(exc)) from None
    if result.note:
        print(result.note, file=sys.stderr)
    format_rows(result, args.format, sys.stdout)
    if result.truncated:
        print(
            f"note: output cut at {len(result.rows)} rows (--max-rows to change)",
            file=sys.stderr,
        )
    return 0


def evidence(args) -> int:
    from monitor.evidence import actions as evidence_cli
    from monitor.evidence.records import EvidenceError, extract, prune
    from storage.findings import get_finding

    cfg = settings(args)
    if evidence_cli.handles(args):
        return evidence_cli.run(args, cfg, open_database, UserError)
    args.finding = evidence_cli.finding_id(args, UserError)
    db = open_database(cfg)
    try:
        if args.prune:
            days = cfg["evidence"]["retention_days"] if args.days is None else args.days
            done = prune(db, cfg["evidence_dir"], days)
            print(
                f"kept {done['kept']} cited records, dropped {done['dropped']},"
                f" removed {done['files_removed']} archive files (older than {days} d)"
            )
            return 0
        if args.finding is None:
            raise UserError("give a FINDING_ID, or --prune")
        finding = get_finding(db, args.finding)
        if finding is None:
            raise UserError(f"no finding {args.finding}")
        try:
            found = extract(db, args.finding, args.out)
        except EvidenceError as exc:
            hint = ""
            if "missing" in str(exc):
                hint = (
                    "; restore the evidence folder (evidence_dir) from a backup,"
                    " or give --config with the evidence_dir the crawl used"
                )
            raise UserError(f"{exc}{hint}") from None
    finally:
        db.close()
    f = finding
    print(f"finding {f['id']}: {f['platform']} {f['listing_id']} ({f['status']},")
    print(f"  rule {f['rule']} v{f['rule_version']})")
    print(f"  opened {f['opened_at']}, last seen {f['last_seen_at']}")
    print(f"  archived response: {found['url']} at {found['date']}")
    print(f"  record {found['record_id']} (crawl {found['crawl_id']})")
    print(f"  in {found['warc_file']}")
    print(f"  written to {found['path']}")
    if not found["verified"]:
        print(
            f"  DIGEST MISMATCH: stored sha256 {found['sha256']},"
            f" archive has {found['actual_sha256']}"
        )
        return 1
    print(f"  sha256 {found['sha256']} verified")
    return 0


def serve(args) -> int:
    from monitor.outputs.serve import serve as serve_datasette
    from storage.db import check_database

    cfg = settings(args)
    check_database(require_database(cfg), write=False)
    try:
        serve_datasette(
            cfg.database,
            host=args.host,
            port=args.port,
            sql_time_limit_ms=int(cfg["query"]["timeout"] * 1000),
            out=sys.stdout,
            language=cfg["language"],
        )
    except FileNotFoundError as exc:
        raise UserError(f"{exc}; run crawl or demo first") from None
    return 0


def report(args) -> int:
    from monitor.outputs.report import write_report
    from storage.db import check_database

    cfg = settings(args)
    check_database(require_database(cfg), write=False)
    try:
        context = write_report(cfg.database, args.out, language=cfg["language"])
    except FileNotFoundError as exc:
        raise UserError(f"{exc}; run crawl or demo first") from None
    print(
        f"report written: {args.out} ({len(context['platforms'])} platforms,"
        f" {context['open_total']} open findings)"
    )
    return 0
