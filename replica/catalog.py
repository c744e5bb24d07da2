"""The replica's catalog: listings generated lazily and deterministically from a seed.

Each platform's listings are indexed 0..n-1 in listing-page order. The first ones
are the platform's sample listings (``replica/data/samples.json``, built from the
contract samples: same ids and values). Listing ``i`` after them is generated on
demand from ``random.Random(f"{seed}/{slug}/{i}")``; only two small arrays per
platform (role and creation day) are kept, so catalogs of 100,000+ listings
cost little memory. maubelajarapa has one more index, n, for its relisted bundle.

``Listing.extra`` keys the renderers may use: ``sample`` (the sample file a sample
listing comes from, under ``replica/data/<slug>/``), ``component_prices`` (ints,
bundles), ``dropped_prakerja`` (True when Kartu Prakerja was removed at the halt:
show the platform's note, or sekolahmu's PRAKERJA option with enabled false),
``relisted_from`` (the old listing id of a relisted bundle).
"""

from __future__ import annotations

import json
import random
import threading
from array import array
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from replica import names
from replica import scenario as sc
from replica.generate import generate
from replica.ids import generated_number
from replica.model import SLUGS, Listing

DATA = Path(__file__).parent / "data"
SHARE = {  # uneven, roughly like the 2020 catalogues
    "bukalapak": 0.16,
    "maubelajarapa": 0.09,
    "pijarmahir": 0.10,
    "pintaria": 0.10,
    "sekolahmu": 0.12,
    "sisnaker": 0.08,
    "skillacademy": 0.14,
    "tokopedia": 0.21,
}
DAY0 = date(2020, 3, 1)


def day(offset: int) -> str:
    return (DAY0 + timedelta(days=offset)).isoformat()


@lru_cache(maxsize=1)
def load_samples() -> dict[str, list[sc.Entry]]:
    raw = json.loads((DATA / "samples.json").read_text("utf-8"))
    return {slug: [_sample_entry(slug, row) for row in raw[slug]] for slug in SLUGS}


def _sample_entry(slug: str, row: dict) -> sc.Entry:
    changed = row["changed_at_halt"]
    extra = {"sample": row["sample"]}
    if changed:
        extra["dropped_prakerja"] = True
    item = Listing(
        platform=slug,
        listing_id=row["listing_id"],
        slug=row["slug"],
        title=row["title"],
        provider=row["provider"],
        price_idr=row["price_idr"],
        list_price_idr=row["list_price_idr"],
        is_bundle=row["is_bundle"],
        bundle_label=row["bundle_label"],
        components=tuple(row["components"]),
        payment_methods=tuple(tuple(m) for m in row["payment_methods"]),
        prakerja_payment=row["prakerja_payment"],
        available=row["available"],
        category=row["category"],
        rating=row["rating"],
        rating_count=row["rating_count"],
        created_at=row.get("created_at", "2020-04-01"),
        updated_at=row.get("created_at", "2020-04-01"),
        extra=extra,
    )
    return sc.Entry(item, sc.SAMPLE, changed, row.get("updated_at"))


def platform_counts(size: int) -> dict[str, int]:
    """Listings per platform (samples included), summing to ``size`` when it can."""
    samples = {slug: len(rows) for slug, rows in load_samples().items()}
    exact = {slug: size * SHARE[slug] for slug in SLUGS}
    counts = {slug: int(exact[slug]) for slug in SLUGS}
    by_remainder = sorted(SLUGS, key=lambda s: counts[s] - exact[s])
    for slug in by_remainder[: size - sum(counts.values())]:
        counts[slug] += 1
    return {slug: max(counts[slug], samples[slug]) for slug in SLUGS}


class Catalog:
    """All listings of the eight platforms for one (seed, size)."""

    def __init__(self, seed: int = 1, size: int = 1900):
        self.seed = seed
        self.size = size
        self.samples = load_samples()
        self.counts = platform_counts(size)
        self._lock = threading.Lock()
        self._arrays: dict[str, tuple[array, array, int | None]] = {}
        self._visible: dict[tuple[str, str], array] = {}
        self.entry = lru_cache(maxsize=16384)(self._entry)
        self._providers = self._provider_pool()

    # -- index arrays -------------------------------------------------------
    def arrays(self, slug: str) -> tuple[array, array, int | None]:
        """(roles, creation days, relist source index) of a platform."""
        with self._lock:
            if slug not in self._arrays:
                self._arrays[slug] = self._build_arrays(slug)
            return self._arrays[slug]

    def _build_arrays(self, slug: str) -> tuple[array, array, int | None]:
        rng = random.Random(f"{self.seed}/{slug}/roles")
        roles, days, source = array("b"), array("H"), None
        for entry in self.samples[slug]:
            roles.append(sc.SAMPLE)
            days.append((date.fromisoformat(entry.listing.created_at) - DAY0).days)
        for _ in range(self.counts[slug] - len(roles)):
            role = sc.assign(slug, rng.random(), rng.random())
            late = role in (sc.SINGLE, sc.SINGLE_NOPAY) and rng.random() < 0.04
            days.append(rng.randrange(124, 190) if late else rng.randrange(15, 115))
            if slug == "maubelajarapa" and source is None and role == sc.WITHDRAW:
                role, source = sc.RELIST_SOURCE, len(roles)
            roles.append(role)
        if source is not None:
            roles.append(sc.RELISTED)
            days.append((date.fromisoformat(sc.RELIST) - DAY0).days)
        return roles, days, source

    def visible(self, slug: str, as_of: str) -> array:
        """Indices of the listings shown on ``as_of``, in listing order."""
        key = (slug, as_of)
        with self._lock:
            found = self._visible.get(key)
        if found is not None:
            return found
        roles, days, _ = self.arrays(slug)
        today = (date.fromisoformat(as_of) - DAY0).days
        after = as_of >= sc.CHANGE
        shown = array(
            "l",
            (
                i
                for i in range(len(roles))
                if days[i] <= today and not (after and roles[i] in sc.GONE_ROLES)
            ),
        )
        with self._lock:
            if len(self._visible) > 64:
                self._visible.clear()
            self._visible[key] = shown
        return shown

    # -- lookups ------------------------------------------------------------
    def index_of(self, slug: str, listing_id: str) -> int | None:
        for i, entry in enumerate(self.samples[slug]):
            if entry.listing.listing_id == listing_id:
                return i
        g = generated_number(slug, listing_id)
        if g is None:
            return None
        i = g + len(self.samples[slug])
        return i if i < len(self.arrays(slug)[0]) else None

    def index_of_slug(self, slug: str, url_slug: str) -> int | None:
        for i, entry in enumerate(self.samples[slug]):
            if entry.listing.slug == url_slug:
                return i
        tail = url_slug.rsplit("-", 1)[-1]
        candidate = "PROG-" + tail.upper() if slug == "skillacademy" else tail
        i = self.index_of(slug, candidate)
        if i is None or self.entry(slug, i).listing.slug != url_slug:
            return None
        return i

    def _entry(self, slug: str, i: int) -> sc.Entry:
        samples = self.samples[slug]
        if i < len(samples):
            return samples[i]
        roles, days, source = self.arrays(slug)
        if roles[i] == sc.RELISTED:
            return generate(self, slug, i, sc.RELISTED, day(days[i]), source)
        return generate(self, slug, i, roles[i], day(days[i]), None)

    def _provider_pool(self) -> list[str]:
        rng = random.Random(f"{self.seed}/providers")
        pool: list[str] = []
        seen: set[str] = set()
        wanted = min(60 + self.size // 20, 1500)  # about 2,400 names can be made
        while len(pool) < wanted:
            form = rng.choice(names.PROVIDER_FORMS)
            a, b = rng.choice(names.PROVIDER_A), rng.choice(names.PROVIDER_B)
            name = form.format(a=a, b=b)
            if name not in seen:
                seen.add(name)
                pool.append(name)
        return pool

    def provider(self, rng: random.Random) -> str:
        return rng.choice(self._providers)
