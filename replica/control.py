"""The control API under `/__replica/` (platforms README section 5.1, plus truth)."""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

from replica import faults as fl
from replica.model import SLUGS
from replica.truth import truth_of

_SLUG_PATH = re.compile(r"^/__replica/([a-z]+)/(faults|log)$")


def valid_date(text: object) -> str:
    """``text`` if it is an ISO date (YYYY-MM-DD), else ValueError."""
    if not isinstance(text, str) or len(text) != 10:
        raise ValueError(f"as_of must be an ISO date (YYYY-MM-DD), not {text!r}")
    return date.fromisoformat(text).isoformat()


def handle(state, method: str, path_qs: str, body: bytes) -> tuple[int, object]:
    """(HTTP status, JSON payload) of one control request."""
    parts = urlsplit(path_qs)
    path, query = parts.path, parse_qs(parts.query)
    try:
        if path == "/__replica/clock":
            return _clock(state, method, body)
        if path == "/__replica/reset" and method == "POST":
            state.reset()
            return 200, {"as_of": state.as_of, "reset": True}
        if path == "/__replica/truth" and method == "GET":
            as_of = valid_date(query.get("as_of", [state.as_of])[0])
            faults = {slug: state.faults[slug].current() for slug in SLUGS}
            return 200, truth_of(state.catalog, as_of, faults)
        found = _SLUG_PATH.match(path)
        if found and found.group(1) in SLUGS:
            slug, what = found.groups()
            if what == "log" and method == "GET":
                return 200, list(state.logs[slug])
            if what == "faults":
                return _faults(state, slug, method, body)
    except (ValueError, fl.FaultError) as exc:  # JSONDecodeError is a ValueError
        return 400, {"error": str(exc)}
    return 404, {"error": f"no control endpoint {method} {path}"}


def _clock(state, method: str, body: bytes) -> tuple[int, object]:
    if method == "PUT":
        state.as_of = valid_date(json.loads(body or b"{}").get("as_of"))
    elif method != "GET":
        return 405, {"error": "use GET or PUT"}
    return 200, {"as_of": state.as_of}


def _faults(state, slug: str, method: str, body: bytes) -> tuple[int, object]:
    if method == "PUT":
        state.faults[slug].set(fl.parse(json.loads(body or b"null")))
    elif method == "DELETE":
        state.faults[slug].clear()
    elif method != "GET":
        return 405, {"error": "use GET, PUT or DELETE"}
    return 200, state.faults[slug].current()
