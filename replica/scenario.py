"""The replica's timeline: what each listing looks like on a given ``as_of`` date.

Dates (ISO strings compare in date order):

- ``HALT`` 2020-06-30: letter S-148 stops the sale of bundles ("paket pelatihan")
  with Kartu Prakerja. The truth counts violations from this date on.
- ``CHANGE`` 2020-07-01: the platforms react (below). On and before 2020-06-30
  every bundle on every platform is payable with Kartu Prakerja and available.
- ``RELIST`` 2020-07-02: maubelajarapa relists a withdrawn bundle under a new id.
- ``PINTARIA_V2`` 2020-07-15: pintaria serves its Layout v2 without any fault.
- ``SKILLACADEMY_EXIT`` 2020-09-04: Skill Academy leaves the programme. Its pages
  stay unchanged (residual tags); the truth stops calling its listings violations.

What each platform does with its *generated* bundles from 2020-07-01 (the sample
listings follow their contracts' "Timeline (replica)" sections instead: the
``bundle_nonprakerja`` one drops Kartu Prakerja, the ``bundle_prakerja`` one stays
payable and is a violation):

- tokopedia: all withdrawn (gone from the listings, detail 410).
- skillacademy: all kept listed, TAG-PRAKERJA removed (what it really did).
- bukalapak: about 40% still payable (violations); the rest drop Kartu Prakerja.
- sisnaker: about 40% still payable (violations), 45% drop Kartu Prakerja, 15% set
  "Tidak Aktif" (listed and payable but unavailable).
- maubelajarapa: all withdrawn (410). The first one is relisted on 2020-07-02 under
  a new id, with a title free of bundle words and the same components, payable
  with Kartu Prakerja: a violation, linked by ``relisted_from`` in the truth.
- pintaria: about 60% drop Kartu Prakerja, 40% withdrawn (410).
- pijarmahir: about 70% drop Kartu Prakerja, 30% withdrawn (the API answers 404).
- sekolahmu: about 60% keep the PRAKERJA option but disabled, 40% leave the listing.

Singles never change with the clock. Among them, on every platform: hard negatives
(titles such as "Paket Data Internet: ..." or "... Pengiriman Paket ...", and
descriptions that mention "paket"), unavailable ones, a few not payable with
Kartu Prakerja, and on sekolahmu a few with unknown payment (``paymentOptions``
null). A few singles are created after the halt and appear then. ``updated_at``
moves to the change date when a change applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from replica.model import Listing

HALT = "2020-06-30"
CHANGE = "2020-07-01"
RELIST = "2020-07-02"
PINTARIA_V2 = "2020-07-15"
SKILLACADEMY_EXIT = "2020-09-04"
DEFAULT_AS_OF = "2020-07-08"
PARTNER_UNTIL = {"skillacademy": "2020-09-03"}  # last day as a Prakerja partner

# roles of catalog entries
SAMPLE = 0
SINGLE = 1
SINGLE_OFF = 2  # unavailable (stock empty, class closed, Tidak Aktif)
SINGLE_NOPAY = 3  # listed but not payable with Kartu Prakerja
SINGLE_UNKNOWN = 4  # the page says nothing about payment (sekolahmu only)
TRAP = 5  # a single whose title looks like a bundle
KEEP = 6  # bundle still payable with Kartu Prakerja after the halt
DROP = 7  # bundle kept listed, Kartu Prakerja removed
WITHDRAW = 8  # bundle removed from the listings
RELIST_SOURCE = 9  # withdrawn bundle that comes back under a new id
INACTIVE = 10  # bundle set unavailable (sisnaker "Tidak Aktif")
RELISTED = 11  # the new listing of a relisted bundle
BUNDLE_ROLES = frozenset({KEEP, DROP, WITHDRAW, RELIST_SOURCE, INACTIVE, RELISTED})
GONE_ROLES = frozenset({WITHDRAW, RELIST_SOURCE})

# share of bundles among generated listings, and what happens to them at the halt
BUNDLE_SHARE = {
    "bukalapak": 0.2,
    "maubelajarapa": 0.22,
    "pijarmahir": 0.18,
    "pintaria": 0.2,
    "sekolahmu": 0.2,
    "sisnaker": 0.25,
    "skillacademy": 0.15,
    "tokopedia": 0.18,
}
AFTER_HALT = {  # cumulative (threshold, role) pairs over a uniform draw
    "bukalapak": ((0.4, KEEP), (1.0, DROP)),
    "maubelajarapa": ((1.0, WITHDRAW),),
    "pijarmahir": ((0.7, DROP), (1.0, WITHDRAW)),
    "pintaria": ((0.6, DROP), (1.0, WITHDRAW)),
    "sekolahmu": ((0.6, DROP), (1.0, WITHDRAW)),
    "sisnaker": ((0.4, KEEP), (0.85, DROP), (1.0, INACTIVE)),
    "skillacademy": ((1.0, DROP),),
    "tokopedia": ((1.0, WITHDRAW),),
}
WITHDRAW_STATUS = {"pijarmahir": 404}  # others answer 410 Gone

# the payment method entry that means "payable with Kartu Prakerja" per platform;
# skillacademy lists no methods (its TAG-PRAKERJA tag is the signal)
PRAKERJA_METHOD = {
    "bukalapak": ("", "Kartu Prakerja"),
    "maubelajarapa": ("", "Kartu Prakerja"),
    "pijarmahir": ("Program Pemerintah", "Kartu Prakerja"),
    "pintaria": ("", "Kartu Prakerja"),
    "sekolahmu": ("", "Kartu Prakerja"),
    "sisnaker": ("", "Kartu Prakerja"),
    "skillacademy": None,
    "tokopedia": ("Program Pemerintah", "Kartu Prakerja"),
}


@dataclass(frozen=True)
class Entry:
    """A catalog listing before the clock: its role and its state before the halt
    (generated) or as the samples show it on 2020-07-08 (samples)."""

    listing: Listing
    role: int
    changed_at_halt: bool = False  # samples: the compliant bundle of the contract
    sample_updated: str | None = None  # samples: updated date shown in the sample
    relisted_from: str | None = None


def assign(slug: str, u_bundle: float, u_kind: float) -> int:
    """The role of a generated listing from two uniform draws."""
    if u_bundle < BUNDLE_SHARE[slug]:
        for threshold, role in AFTER_HALT[slug]:
            if u_kind < threshold:
                return role
        return AFTER_HALT[slug][-1][1]
    if u_kind < 0.04:
        return TRAP
    if u_kind < 0.09:
        return SINGLE_OFF
    if u_kind < 0.13:
        return SINGLE_NOPAY
    if slug == "sekolahmu" and u_kind < 0.19:
        return SINGLE_UNKNOWN
    return SINGLE


def is_partner(slug: str, as_of: str) -> bool:
    return as_of <= PARTNER_UNTIL.get(slug, "9999-12-31")


def variant(slug: str, as_of: str) -> str:
    """The layout a platform serves on ``as_of`` without any fault."""
    return "v2" if slug == "pintaria" and as_of >= PINTARIA_V2 else "v1"


def withdrawn_status(slug: str) -> int:
    return WITHDRAW_STATUS.get(slug, 410)


def is_withdrawn(role: int, as_of: str) -> bool:
    return role in GONE_ROLES and as_of >= CHANGE


def on_date(entry: Entry, as_of: str) -> Listing | int | None:
    """The listing as shown on ``as_of``; an HTTP status once withdrawn; None
    before it was created."""
    item = entry.listing
    if as_of < item.created_at:
        return None
    if is_withdrawn(entry.role, as_of):
        return withdrawn_status(item.platform)
    if entry.role == SAMPLE:
        return _sample_on(entry, as_of)
    if as_of < CHANGE or entry.role not in (DROP, INACTIVE):
        return item
    if entry.role == INACTIVE:
        return replace(item, available=False, updated_at=CHANGE)
    return _drop_prakerja(item, CHANGE)


def _sample_on(entry: Entry, as_of: str) -> Listing:
    item = entry.listing
    updated = item.created_at
    if entry.changed_at_halt and as_of >= CHANGE:
        updated = CHANGE
    if entry.sample_updated and as_of >= entry.sample_updated:
        updated = entry.sample_updated
    if entry.changed_at_halt and as_of < CHANGE:
        return _add_prakerja(item, updated)
    return replace(item, updated_at=updated)


def _add_prakerja(item: Listing, updated: str) -> Listing:
    method = PRAKERJA_METHOD[item.platform]
    methods = item.payment_methods
    if method and method not in methods:
        methods = (method, *methods)
    extra = {k: v for k, v in item.extra.items() if k != "dropped_prakerja"}
    return replace(
        item,
        payment_methods=methods,
        prakerja_payment=True,
        available=True,
        updated_at=updated,
        extra=extra,
    )


def _drop_prakerja(item: Listing, updated: str) -> Listing:
    method = PRAKERJA_METHOD[item.platform]
    methods = tuple(m for m in item.payment_methods if m != method)
    extra = {**item.extra, "dropped_prakerja": True}
    return replace(
        item,
        payment_methods=methods,
        prakerja_payment=False,
        updated_at=updated,
        extra=extra,
    )


def structural(item: Listing) -> bool:
    """Bundle evidence a finding may rest on: the platform's own label or type, or
    two or more listed classes (a title word alone only raises a question)."""
    return item.bundle_label is not None or len(set(item.components)) >= 2


def violation(item: Listing, as_of: str) -> bool:
    """The ground truth the monitor is scored against."""
    return (
        item.is_bundle
        and structural(item)
        and item.prakerja_payment is True
        and item.available
        and as_of >= HALT
        and is_partner(item.platform, as_of)
    )


def needs_review(item: Listing, as_of: str) -> bool:
    """A payable, available bundle after the halt that the monitor cannot accuse:
    its payment is unknown, or only a title word says it is a bundle."""
    if not (item.is_bundle and item.available and as_of >= HALT):
        return False
    if not is_partner(item.platform, as_of):
        return False
    return item.prakerja_payment is None or (
        item.prakerja_payment is True and not structural(item)
    )
