"""check: diff two synthetic 1,000,000-listing snapshots vs a plain SQL join diff.

``bench.synth`` writes two complete crawls of one platform (10% changed, 1%
removed, 1% added; crawl 1 already checked) into a fresh database. Each phase
then runs in its own process (``bench.check_phase``) for a clean peak RSS:

* baseline: the changed, added and removed listing keys by a join of the two
  crawls' sightings (and NOT EXISTS), into temp tables;
* ``diff_crawls`` (field-by-field changes into ``changes``) and
  ``removal_candidates``: the SQL part of ``check`` that scales with listings.
  ratio = their seconds / the baseline's (goal <= 2, peak <= 200 MB);
  Each of these runs ``--repeat`` times (default 3), alternating; the fastest
  run counts, with the highest peak;
* the full ``check_crawl`` (diff, classification of the new versions once per
  distinct set of the fields the classifier reads, the rule's rows in pages,
  findings, removals) with a breakdown: its own ratio to the join (goal <= 3,
  peak <= 100 MB above the process ready to check).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import synth
from bench.common import Timer, file_bytes, load_average, run_json, say, write_result

DEFAULT_SIZE = 1_000_000
GOAL_RATIO, GOAL_PEAK_MB = 2.0, 200
GOAL_FULL_RATIO, GOAL_FULL_PEAK_MB = 3.0, 100


SQL_PHASES = ("join", "diff", "removals")


def best(runs: list[dict]) -> dict:
    """The fastest run of a phase, with the highest peak of all and every time."""
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["peak_delta_mb"] = max(r["peak_delta_mb"] for r in runs)
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    out["all_seconds"] = [r["seconds"] for r in runs]
    return out


def show(phase: str, p: dict) -> None:
    say(
        f"  {phase:<9}{p['seconds']:>9.2f} s  peak RSS {p['peak_rss_mb']:>7.1f}"
        f" MB (+{p['peak_delta_mb']:.1f})  {p['found']}"
    )


def run(size: int | None = None, repeat: int | None = None) -> dict:
    size, load_at_start = size or DEFAULT_SIZE, load_average()
    repeat = repeat or 3
    say(f"check: two synthetic snapshots of {size} listings of {synth.PLATFORM}")
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        db = Path(tmp) / "check.db"
        with Timer() as t:
            data = synth.build(db, size)
        data["bytes"] = file_bytes(db)
        say(f"  written in {t.seconds:.1f} s ({data['bytes'] / 1e6:.0f} MB): {data}")
        runs: dict[str, list[dict]] = {p: [] for p in SQL_PHASES}
        for _ in range(repeat):
            for phase in SQL_PHASES:
                runs[phase].append(run_json(["bench.check_phase", phase, str(db)]))
                show(phase, runs[phase][-1])
        phases = {p: best(found) for p, found in runs.items()}
        phases["check"] = run_json(["bench.check_phase", "check", str(db)])
        show("check", phases["check"])
    scaled = phases["diff"]["seconds"] + phases["removals"]["seconds"]
    peak = max(phases[p]["peak_delta_mb"] for p in ("diff", "removals"))
    ratio = scaled / phases["join"]["seconds"]
    full = phases["check"]
    full_ratio = full["seconds"] / phases["join"]["seconds"]
    result = {
        "size": size,
        "repeat": repeat,
        "data": {**data, "seconds_to_write": round(t.seconds, 1)},
        "baseline_join_s": phases["join"]["seconds"],
        "diff_crawls_s": phases["diff"]["seconds"],
        "removal_candidates_s": phases["removals"]["seconds"],
        "diff_plus_removals_s": round(scaled, 3),
        "peak_delta_mb": peak,
        "ratio": round(ratio, 3),
        "ratio_means": "(diff_crawls + removal_candidates) s / SQL join diff s,"
        " lower is better",
        "goal": f"<= {GOAL_RATIO:g}x the join, <= {GOAL_PEAK_MB} MB peak; full"
        f" check <= {GOAL_FULL_RATIO:g}x, <= {GOAL_FULL_PEAK_MB} MB",
        "diff_goal_met": ratio <= GOAL_RATIO and peak <= GOAL_PEAK_MB,
        "goal_met": ratio <= GOAL_RATIO
        and peak <= GOAL_PEAK_MB
        and full_ratio <= GOAL_FULL_RATIO
        and full["peak_delta_mb"] <= GOAL_FULL_PEAK_MB,
        "full_check": {
            "seconds": full["seconds"],
            "peak_delta_mb": full["peak_delta_mb"],
            "peak_rss_mb": full["peak_rss_mb"],
            "listings_per_s": round(data["new_listings"] / full["seconds"], 1),
            "found": full["found"],
            "breakdown_s": full.get("breakdown_s", {}),
            "interrupted": full.get("interrupted", []),
            "ratio": round(full_ratio, 3),
            "ratio_means": "check_crawl s / SQL join diff s, lower is better",
            "goal": f"<= {GOAL_FULL_RATIO:g}x the join, peak <= {GOAL_FULL_PEAK_MB}"
            " MB above the process ready to check",
            "goal_met": full_ratio <= GOAL_FULL_RATIO
            and full["peak_delta_mb"] <= GOAL_FULL_PEAK_MB,
        },
        "phases": phases,
    }
    result["load_average_at_start"] = load_at_start
    report(result)
    write_result("check", result)
    return result


def report(r: dict) -> None:
    f = r["full_check"]
    say(
        f"diff_crawls {r['diff_crawls_s']:.2f} s + removal_candidates"
        f" {r['removal_candidates_s']:.2f} s vs join {r['baseline_join_s']:.2f} s:"
        f" ratio {r['ratio']} (goal <= {GOAL_RATIO:g}, <= {GOAL_PEAK_MB} MB; peak"
        f" +{r['peak_delta_mb']} MB):"
        f" {'met' if r['diff_goal_met'] else 'MISSED'}"
    )
    say(
        f"full check_crawl: {f['seconds']:.1f} s, {f['listings_per_s']} listings/s,"
        f" peak +{f['peak_delta_mb']} MB: ratio {f['ratio']} (goal {f['goal']}):"
        f" {'met' if f['goal_met'] else 'MISSED'}"
        + (f" (interrupted: {', '.join(f['interrupted'])})" if f["interrupted"] else "")
    )
    for part, secs in sorted(f["breakdown_s"].items(), key=lambda kv: -kv[1]):
        say(f"    {part:<34}{secs:>9.2f} s")
