"""What the spider contract asks differently of each platform, as a table."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from helpers import Edit, expected, move_column

from spiders.platforms.bukalapak import BukalapakSpider
from spiders.platforms.maubelajarapa import MaubelajarapaSpider
from spiders.platforms.pijarmahir import PijarmahirSpider
from spiders.platforms.pintaria import PintariaSpider
from spiders.platforms.sekolahmu import SekolahmuSpider
from spiders.platforms.sisnaker import SisnakerSpider
from spiders.platforms.skillacademy import SkillacademySpider
from spiders.platforms.tokopedia import TokopediaSpider


@dataclass(frozen=True)
class Platform:
    """What differs between platforms; paths are relative to the base URL."""

    spider: type
    real: str  # the real base URL, the default
    listing_path: str  # the request the listing sample answers
    page_path: str  # listing page n >= 2
    v2_listing: list[Edit]  # the contract's "Layout v2" on the listing sample
    empty: list[Edit]  # the contract's empty state, from the listing sample
    start_path: str = ""  # the first request, when not listing_path
    detail_path: str = ""  # a pattern of detail request paths, "{id}" for the id
    detail_meta: bool = True  # detail requests carry meta["listing_id"]
    detail_at_item_url: bool = True  # the detail request goes to the item's url
    v2_detail: list[Edit] = field(default_factory=list)
    v2_details: tuple[str, ...] = ()  # the details v2_detail applies to, if not all
    unavailable: list[Edit] = field(default_factory=list)  # on the first detail
    error_body: dict | None = None  # an error envelope of the listing API


def pijarmahir_v2(text: str) -> str:
    """courses -> items, fullname -> title, paymentMethods -> payment.methods."""
    text = text.replace('"courses"', '"items"').replace('"fullname"', '"title"')
    out = json.loads(text)
    if "paymentMethods" in out["data"]:
        out["data"]["payment"] = {"methods": out["data"].pop("paymentMethods")}
    return json.dumps(out)


def skillacademy_v2(text: str) -> str:
    """The gateway envelope: data.courses and data.pagination; tags -> tagSerials."""
    data = json.loads(text.replace('"tags"', '"tagSerials"'))["data"]
    paging = {"page": 1, "pageSize": 20, "total": data["totalCourse"]}
    body = {"data": {"courses": data["data"], "pagination": paging}}
    return json.dumps({**body, "status": "success"})


def sekolahmu_v2(text: str) -> str:
    """The Nuxt state as a minified IIFE."""
    state = re.search(r"window\.__NUXT__=(\{.*\});</script>", text).group(1)
    iife = (
        f"window.__NUXT__=(function(a,b,c,d){{return {state}}}"
        '(false,null,"Kartu Prakerja",true));'
    )
    return text.replace(f"window.__NUXT__={state};", iife)


def body(data: dict) -> Edit:
    """An edit replacing the whole sample by ``data`` as JSON."""
    return lambda text: json.dumps(data)


SEARCH = "/api/skillacademy/discovery/search?searchQuery=prakerja&page={n}&pageSize="
PIJAR_LIST = "/api/v1/courses?category=kartu-prakerja&page={n}&limit=8"
PLATFORMS = {
    "bukalapak": Platform(
        BukalapakSpider,
        real="https://www.bukalapak.com",
        listing_path="/kartu-prakerja",
        page_path="/kartu-prakerja?page={n}",
        detail_path="/p/kartu-prakerja/pelatihan/{id}-jual-[a-z0-9-]+",
        v2_listing=[
            (
                'class="bl-product-card" ',
                'class="bl-product-card-new" data-testid="product-card" ',
            )
        ],
        v2_detail=[
            ('"@type": "Product"', '"@graph": [{"@type": "Product"'),
            ("}</script>", "}]}</script>"),
            ("c-prakerja-badge", "prakerja-tag"),
        ],
        # The non-Prakerja bundle has no badge to rename.
        v2_details=("detail_single.html", "detail_bundle_prakerja.html"),
        empty=[
            (re.compile(r'<div class="bl-product-card" .*?\n</div>\n', re.S), ""),
            (
                "Menampilkan 1 - 8 dari 61 pelatihan",
                "Menampilkan 0 - 0 dari 0 pelatihan",
            ),
            (
                "</main>",
                '<p class="c-prakerja-page__empty">Pelatihan tidak ditemukan</p>'
                "</main>",
            ),
        ],
    ),
    "maubelajarapa": Platform(
        MaubelajarapaSpider,
        real="https://maubelajarapa.com",
        listing_path="/kartuprakerja/",
        page_path="/kartuprakerja/page/{n}/",
        detail_path="/kelas/[a-z0-9-]+/",  # the id is only in meta
        # The theme switch: product loop items without a.post-title, and no
        # div.mba-payment-methods on the detail page.
        v2_listing=[
            ("<article ", "<li "),
            ("</article>", "</li>"),
            ('class="post-title"', 'class="woocommerce-LoopProduct-link"'),
        ],
        v2_detail=[
            (
                re.compile(r'<div class="mba-payment-methods">.*?</ul>.*?</div>', re.S),
                "",
            )
        ],
        # WooCommerce's no-products notice instead of the posts and result count.
        empty=[
            (re.compile(r"<article .*?</article>\n", re.S), ""),
            (re.compile(r'<p class="woocommerce-result-count">.*?</p>'), ""),
            (
                "</main>",
                '<p class="woocommerce-info">Tidak ditemukan produk yang sesuai'
                " dengan pilihan Anda.</p></main>",
            ),
        ],
    ),
    "pijarmahir": Platform(
        PijarmahirSpider,
        real="https://pijarmahir.id",
        listing_path=PIJAR_LIST.format(n=1),
        page_path=PIJAR_LIST,
        detail_path="/api/v1/courses/{id}",
        detail_meta=False,
        detail_at_item_url=False,
        v2_listing=[pijarmahir_v2],
        v2_detail=[pijarmahir_v2],
        empty=[
            body(
                {
                    "status": True,
                    "code": 200,
                    "message": "success",
                    "data": {
                        "courses": [],
                        "pagination": {
                            "page": 1,
                            "limit": 8,
                            "total": 0,
                            "totalPage": 0,
                        },
                    },
                }
            )
        ],
        error_body={
            "status": False,
            "code": 500,
            "message": "internal error",
            "data": None,
        },
    ),
    "pintaria": Platform(
        PintariaSpider,
        real="https://www.pintaria.com",
        listing_path="/kartuprakerja",
        page_path="/kartuprakerja?page={n}",
        detail_path="/kartuprakerja/kursus/{id}-[a-z0-9-]+",
        # Vue-rendered cards; the price in microdata, the payment options behind
        # a modal, absent from the HTML.
        v2_listing=[
            ('class="course-card" data-course-id=', 'class="pt-card" data-id=')
        ],
        v2_detail=[
            (
                re.compile(
                    r'<span class="course-detail__price--final">Rp ([\d.]+)</span>'
                ),
                lambda m: (
                    '<div itemprop="offers"><meta itemprop="price" content="'
                    + m.group(1).replace(".", "")
                    + '"></div>'
                ),
            ),
            (
                re.compile(r'<div id="payment-options".*?</ul>.*?</div>', re.S),
                '<button class="btn btn-link">Lihat metode pembayaran</button>',
            ),
        ],
        empty=[
            (
                re.compile(
                    r'<div class="col-md-4 col-sm-6">.*?</div></div></div>\n', re.S
                ),
                "",
            ),
            ("<strong>38</strong>", "<strong>0</strong>"),
            (
                '<ul class="pagination">',
                '<p class="prakerja-listing__empty">Pelatihan tidak ditemukan</p>'
                '<ul class="pagination">',
            ),
        ],
        unavailable=[
            (
                re.compile(r'<a class="btn btn-primary btn-beli"[^>]*>.*?</a>'),
                '<span class="course-detail__status--closed">'
                "Pendaftaran ditutup</span>",
            )
        ],
    ),
    "sekolahmu": Platform(
        SekolahmuSpider,
        real="https://www.sekolah.mu",
        listing_path="/kartuprakerja/",  # page 1 without a page parameter
        page_path="/kartuprakerja/?page={n}",
        v2_listing=[sekolahmu_v2],
        empty=[
            (
                re.compile(r"programs:\[.*\]\}\},serverRendered"),
                "programs:[]}},serverRendered",
            ),
            ("total:52,lastPage:7", "total:0,lastPage:0"),
        ],
    ),
    "sisnaker": Platform(
        SisnakerSpider,
        real="https://prakerja.kemnaker.go.id",
        listing_path="/pelatihan",
        page_path="/pelatihan?page={n}",
        detail_path="/pelatihan/detail/{id}",
        # #tbl-pelatihan with Jenis last before Aksi; table.table-detail, no dl.
        v2_listing=[
            lambda text: move_column(text, 4, 6),
            ('id="tabel-pelatihan"', 'id="tbl-pelatihan"'),
        ],
        v2_detail=[
            (
                re.compile(r"<dt>(.*?)</dt>\n<dd>(.*?)</dd>"),
                r"<tr><th>\1</th><td>\2</td></tr>",
            ),
            (
                '<dl class="dl-horizontal" id="detail-pelatihan">',
                '<table class="table table-detail">',
            ),
            ("</dl>", "</table>"),
        ],
        empty=[
            (
                re.compile(r"<tbody>.*?</tbody>", re.S),
                '<tbody>\n<tr><td colspan="8" class="text-center">'
                "Tidak ada data pelatihan</td></tr>\n</tbody>",
            ),
            (
                "Menampilkan 1 sampai 10 dari 38 data",
                "Menampilkan 0 sampai 0 dari 0 data",
            ),
        ],
        unavailable=[("<dd>Aktif</dd>", "<dd>Tidak Aktif</dd>")],
    ),
    "skillacademy": Platform(
        SkillacademySpider,
        real="https://skillacademy.com",
        listing_path=SEARCH.format(n=1) + "6",
        start_path=SEARCH.format(n=1) + "20",
        page_path=SEARCH + "6",  # the sample's page size, kept
        v2_listing=[skillacademy_v2],
        empty=[
            body(
                {
                    "data": {
                        "data": [],
                        "page": 1,
                        "pageSize": 20,
                        "totalCourse": 0,
                        "totalPage": 0,
                    },
                    "status": "success",
                    "message": "success",
                }
            )
        ],
        error_body={"data": None, "status": "error", "message": "upstream timeout"},
    ),
    "tokopedia": Platform(
        TokopediaSpider,
        real="https://www.tokopedia.com",
        listing_path="/discovery/kartu-prakerja/",  # without a page parameter
        page_path="/discovery/kartu-prakerja/?page={n}",
        detail_path="/kartu-prakerja/pelatihan/{id}",
        # A renamed cache variable and list root; kebab-case pdp- test ids.
        v2_listing=[
            ("window.__cache=", "window.__APOLLO_STATE__="),
            ("prakerjaProductList(", "searchPrakerja("),
        ],
        v2_detail=[
            ("lblPDPDetailProductName", "pdp-product-name"),
            ("lblPDPPartnerName", "pdp-partner-name"),
            ("lblPDPDetailProductPrice", "pdp-product-price"),
            ('data-testid="paymentGroup"', 'data-testid="pdp-payment-group"'),
        ],
        empty=[
            (
                re.compile(
                    r'"totalData":83.*?"__typename":"PrakerjaProductList"\}', re.S
                ),
                '"totalData":0,"page":1,"perPage":8,"hasNext":false,"products":[],'
                '"__typename":"PrakerjaProductList"}',
            )
        ],
        unavailable=[('data-testid="btnPDPBuy"', 'data-testid="btnPDPBuy" disabled')],
    ),
}
SLUGS = list(PLATFORMS)
# The samples, as expected.json names them: listing page 1, and the detail page
# each item of a platform with detail pages comes from (the single first, then
# the Prakerja bundle).
LISTING = {slug: next(iter(expected(slug)["listing_pages"])) for slug in SLUGS}
DETAILS = {
    slug: {
        sources[-1]: listing_id
        for listing_id, sources in expected(slug)["item_sources"].items()
        if sources[-1] != LISTING[slug]
    }
    for slug in SLUGS
}
