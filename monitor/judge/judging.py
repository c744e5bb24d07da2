"""Judging at scale: ``classify`` called once per distinct set of the fields it
reads (SQL groups the versions and writes each group's verdict), and a rule run
once per group of the crawl's bundles agreeing on the fields it reads."""

from __future__ import annotations

import json
from collections.abc import Callable

from storage import findings, judgments, rule_groups
from storage.classifier import CLASSIFIER_VERSION, classify
from storage.findings import decode_row


class Reads(dict):
    """A row dict that records which keys were read (``get``, ``[]``, ``in``;
    iterating marks every key read)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def _all(self):
        self.read.update(super().keys())

    def __iter__(self):
        self._all()
        return super().__iter__()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()


def judge_crawl(db, crawl_id: int, decide: Callable = classify) -> dict:
    """Judge every version of the crawl without a judgment of this classifier.

    Versions are grouped in SQL by every row field the classifier has read so far;
    it runs on one representative per group. Agreeing on those fields, a
    deterministic classifier reads the same fields and decides the same for the
    whole group. A call that reads a field outside the grouping widens it and
    starts again (the groups judged so far stay valid). Returns counts.
    """
    columns = judgments.row_columns(db)
    first = judgments.one_unjudged(db, crawl_id, CLASSIFIER_VERSION)
    stats = {"versions": 0, "calls": 0, "passes": 0}
    if first is None:
        return stats
    row = Reads(decode_row(columns, first))
    decide(row)
    fields = sorted(row.read & set(columns)) or ["id"]
    while fields:
        stats["passes"] += 1
        fields, written, calls = _one_pass(db, crawl_id, columns, fields, decide)
        stats["versions"] += written
        stats["calls"] += calls
    return stats


def _one_pass(db, crawl_id, columns, fields, decide):
    """Judge the groups of ``fields``; (wider fields or None, written, calls)."""
    judgments.group_unjudged(db, crawl_id, CLASSIFIER_VERSION, fields)
    calls, wider, id_at = 0, None, columns.index("id")
    for page in judgments.representatives(db):
        verdicts, parsed = [], {}  # the page's distinct JSON texts, parsed once
        for raw in page:
            row = Reads(decode_row(columns, raw, parsed))
            verdict = decide(row)
            calls += 1
            new = (row.read & set(columns)) - set(fields)
            if new:
                wider = sorted(set(fields) | new)
                continue  # this group's members may differ in the new field
            reasons = json.dumps(verdict.reasons, ensure_ascii=False)
            verdicts.append((raw[id_at], int(verdict.is_bundle), reasons))
        judgments.add_verdicts(db, verdicts)
        if wider:
            break
    written = judgments.apply_verdicts(db, CLASSIFIER_VERSION)
    return wider, written, calls


def rule_rows(db, crawl_id: int, rule_id: str, decide: Callable, acts: Callable):
    """The crawl's rows the rule can change something for, as
    ``findings.rows_to_evaluate`` gives them: listings with a finding of the rule,
    and the bundles without one whose group the rule acts on (``acts(decide(row))``
    for the group's first row). Groups agree on every row field ``decide`` has read
    so far; a call that reads one outside them widens the grouping and starts again.
    A bundle left out would have been evaluated only to change nothing."""
    if rule_groups.candidates(db, crawl_id, rule_id):
        fields: list[str] | None = []
        while fields is not None:
            fields = _rule_pass(db, crawl_id, fields, decide, acts)
    return findings.rows_to_evaluate(db, crawl_id, rule_id, keys=True)


def _rule_pass(db, crawl_id, fields, decide, acts) -> list[str] | None:
    """Keep the groups of ``fields`` the rule acts on; wider fields or None."""
    rule_groups.group(db, crawl_id, fields)
    kept, pages = [], rule_groups.representatives(db, crawl_id)
    try:
        for page in pages:
            for rep, raw in page:
                row = Reads(raw)
                outcome = decide(row)
                new = (row.read & set(rule_groups.COLUMNS)) - set(fields)
                if new:
                    return sorted(set(fields) | new)
                if acts(outcome):
                    kept.append(rep)
    finally:
        pages.close()  # its cursor reads temp.rule_groups, rebuilt by the next pass
    rule_groups.keep(db, kept)
    return None
