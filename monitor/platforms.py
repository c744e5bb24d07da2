"""The eight Prakerja platforms: slugs, display names, real hosts, partnership dates,
the halt and the programme's time zone."""

from datetime import timedelta, timezone

# The programme's time zone: its name for the scheduler, its offset for naive times.
TIMEZONE = "Asia/Jakarta"
JAKARTA = timezone(timedelta(hours=7), "WIB")  # Indonesia has no daylight saving

SLUGS = (
    "bukalapak",
    "maubelajarapa",
    "pijarmahir",
    "pintaria",
    "sekolahmu",
    "sisnaker",
    "skillacademy",
    "tokopedia",
)
DISPLAY_NAMES = {
    "bukalapak": "Bukalapak",
    "maubelajarapa": "MauBelajarApa",
    "pijarmahir": "Pijar Mahir",
    "pintaria": "Pintaria",
    "sekolahmu": "SekolahMu",
    "sisnaker": "Sisnaker",
    "skillacademy": "Skill Academy",
    "tokopedia": "Tokopedia",
}
REAL_BASES = {
    "bukalapak": "https://www.bukalapak.com",
    "maubelajarapa": "https://maubelajarapa.com",
    "pijarmahir": "https://pijarmahir.id",
    "pintaria": "https://www.pintaria.com",
    "sekolahmu": "https://www.sekolah.mu",
    "sisnaker": "https://prakerja.kemnaker.go.id",
    "skillacademy": "https://skillacademy.com",
    "tokopedia": "https://www.tokopedia.com",
}
# Letter S-148/Dir-Eks/06/2020: bundle sales with Kartu Prakerja halted.
HALT = "2020-06-30T00:00:00+07:00"
PROGRAMME_START = "2020-03-01T00:00:00+07:00"
# Skill Academy left the programme on 4 Sep 2020 (end is exclusive).
PARTNER_EXITS = {"skillacademy": "2020-09-04T00:00:00+07:00"}
