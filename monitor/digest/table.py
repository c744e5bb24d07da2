"""The digest's summary table headers and plain-text lines, and the text part's
field labels (what the plain-text layout needs beyond ``view``)."""

from __future__ import annotations

from monitor.i18n import gettext


def text_labels(lang: str) -> dict[str, str]:
    """The plain-text part's field labels, padded to one column."""
    labels = {
        "status": gettext("Status", lang),
        "reasons": gettext("Why a bundle", lang),
        "price": gettext("Price", lang),
        "classes": gettext("Classes", lang),
        "payment": gettext("Payment methods", lang),
        "provider": gettext("Training provider", lang),
        "first_seen": gettext("First seen", lang),
        "last_seen": gettext("Last seen", lang),
        "listing": gettext("Listing", lang),
        "evidence": gettext("Evidence", lang),
    }
    width = max(len(v) for v in labels.values()) + 2
    return {k: f"{v}:".ljust(width) for k, v in labels.items()}


def summary_headers(lang: str) -> list[str]:
    return [
        gettext("Platform", lang),
        gettext("New", lang),
        gettext("Still open", lang),
        gettext("Resolved", lang),
        gettext("Cannot verify", lang),
    ]


def summary_lines(rows: list[dict], lang: str) -> list[str]:
    """The summary table as aligned plain text."""
    head = summary_headers(lang)
    body = [
        [r["platform"], str(r["new"]), str(r["still_open"]), str(r["resolved"])]
        + [r["unverified"]]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(4)]

    def line(cells):
        first = cells[0].ljust(widths[0])
        middle = [c.rjust(w) for c, w in zip(cells[1:4], widths[1:4], strict=True)]
        return "  ".join([first, *middle, cells[4]]).rstrip()

    rule = "-" * len(line(head))
    return [line(head), rule, *(line(cells) for cells in body)]
