"""Indonesian words the catalog builds training titles, providers and prices from."""

from __future__ import annotations

# category -> (skills that make single trainings, themes that name bundles)
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Bisnis & Pemasaran": (
        (
            "Strategi Jualan Online di Instagram",
            "Digital Marketing untuk Toko Online",
            "Copywriting untuk Jualan Online",
            "Beriklan dengan Facebook Ads",
            "Membangun Toko Online di Marketplace",
            "Teknik Negosiasi dan Closing Penjualan",
            "Mengelola Reseller dan Dropshipper",
            "Riset Pasar Sederhana untuk Usaha Kecil",
            "Membuat Konten Promosi di TikTok",
            "Dasar-Dasar SEO untuk Website Usaha",
            "Layanan Pelanggan lewat WhatsApp Business",
        ),
        (
            "Digital Marketing untuk UMKM",
            "Jualan Online dari Rumah",
            "Pemasaran Media Sosial",
            "Wirausaha Pemula",
        ),
    ),
    "Kuliner": (
        (
            "Membuat Kue Kering untuk Dijual",
            "Resep dan Produksi Frozen Food Rumahan",
            "Menghitung Harga Pokok Produksi Makanan",
            "Membuat Roti Manis dan Roti Tawar",
            "Teknik Seduh Kopi Manual untuk Barista",
            "Usaha Katering Rumahan",
            "Membuat Minuman Kekinian Berbahan Susu",
            "Higiene dan Sanitasi Pengolahan Pangan",
            "Memasak Masakan Nusantara untuk Usaha Warung",
            "Membuat Sambal Kemasan Tahan Lama",
        ),
        (
            "Wirausaha Kuliner Rumahan",
            "Barista dan Usaha Kedai Kopi",
            "Usaha Kue dan Roti",
            "Tata Boga Profesional",
        ),
    ),
    "Teknologi": (
        (
            "Dasar Pemrograman Web dengan HTML dan CSS",
            "Belajar Python untuk Analisis Data",
            "Membuat Aplikasi Android Sederhana",
            "Dasar Jaringan Komputer",
            "Mengelola Database dengan MySQL",
            "Keamanan Siber untuk Pengguna Kantor",
            "Membuat Website dengan WordPress",
            "Dasar JavaScript untuk Pemula",
            "Merakit dan Merawat Komputer",
            "Pengantar Cloud Computing",
        ),
        (
            "Programmer Web Pemula",
            "Data Analyst Pemula",
            "Teknisi Komputer dan Jaringan",
        ),
    ),
    "Desain & Multimedia": (
        (
            "Desain Grafis dengan Canva untuk Konten Media Sosial",
            "Fotografi Produk dengan Smartphone",
            "Editing Video Pendek di Smartphone",
            "Dasar Adobe Photoshop untuk Desainer Pemula",
            "Membuat Ilustrasi Digital",
            "Editing Foto Produk dengan Aplikasi Gratis",
            "Membuat Animasi Sederhana untuk Promosi",
            "Desain Logo dan Identitas Merek",
            "Teknik Pencahayaan untuk Fotografi",
        ),
        (
            "Konten Kreator Media Sosial",
            "Fotografi dan Videografi Produk",
            "Desain Grafis Profesional",
        ),
    ),
    "Bahasa": (
        (
            "Bahasa Inggris Percakapan untuk Pekerja Migran",
            "Bahasa Inggris untuk Customer Service",
            "Bahasa Jepang Dasar untuk Calon Pekerja Magang",
            "Bahasa Korea Dasar untuk Pekerja",
            "Bahasa Inggris untuk Wawancara Kerja",
            "Menulis Email Bisnis dalam Bahasa Inggris",
            "Bahasa Mandarin untuk Pemandu Wisata",
            "Persiapan Tes TOEFL ITP",
        ),
        (
            "Bahasa Inggris Bisnis",
            "Bahasa Jepang untuk Kerja",
            "Bahasa Asing untuk Pariwisata",
        ),
    ),
    "Perkantoran": (
        (
            "Microsoft Excel untuk Administrasi Perkantoran",
            "Microsoft Word untuk Dokumen Bisnis",
            "Teknik Surat Menyurat dan Korespondensi Kantor",
            "Membuat Presentasi dengan PowerPoint",
            "Manajemen Arsip Digital",
            "Rumus dan Fungsi Excel Tingkat Lanjut",
            "Mengetik Cepat Sepuluh Jari",
            "Administrasi Kepegawaian",
        ),
        (
            "Admin Perkantoran",
            "Staf Administrasi Profesional",
            "Microsoft Office Lengkap",
        ),
    ),
    "Keuangan": (
        (
            "Membuat Laporan Keuangan Sederhana untuk UMKM",
            "Dasar Akuntansi dan Pembukuan Usaha Kecil",
            "Perencanaan Keuangan Keluarga",
            "Menghitung dan Melaporkan Pajak UMKM",
            "Literasi Keuangan untuk Pekerja",
            "Mengelola Arus Kas Usaha",
            "Akuntansi dengan Aplikasi Kasir Digital",
        ),
        (
            "Akuntansi untuk UMKM",
            "Keuangan Usaha Kecil",
        ),
    ),
    "Pengembangan Diri": (
        (
            "Public Speaking: Percaya Diri Berbicara di Depan Umum",
            "Menyusun CV dan Surat Lamaran yang Efektif",
            "Teknik Menghadapi Wawancara Kerja",
            "Manajemen Waktu untuk Produktivitas",
            "Etika dan Komunikasi di Lingkungan Kantor",
            "Kepemimpinan untuk Supervisor Baru",
            "Berpikir Kritis dan Memecahkan Masalah",
            "Kerja Tim yang Efektif",
        ),
        (
            "Persiapan Kerja",
            "Komunikasi Efektif",
            "Soft Skill untuk Karier",
        ),
    ),
    "Keterampilan": (
        (
            "Teknik Dasar Menjahit Pakaian",
            "Membuat Pola Busana Wanita",
            "Memulai Bisnis Konveksi dari Rumah",
            "Membuat Kerajinan Tangan dari Kain Perca",
            "Merangkai Bunga untuk Usaha Florist",
            "Membuat Sabun dan Lilin Aromaterapi",
            "Teknik Sablon Kaos Manual",
        ),
        (
            "Menjahit dan Konveksi Rumahan",
            "Kerajinan Tangan untuk Usaha",
        ),
    ),
    "Kecantikan": (
        (
            "Merias Wajah untuk Pemula",
            "Tata Rias Pengantin Modern",
            "Perawatan Kuku dan Nail Art",
            "Potong Rambut dan Penataan Gaya",
            "Membuka Usaha Salon Rumahan",
            "Perawatan Wajah untuk Terapis Kecantikan",
        ),
        (
            "Make Up Artist Profesional",
            "Usaha Salon Kecantikan",
        ),
    ),
    "Teknik & Otomotif": (
        (
            "Pelatihan Teknisi AC Rumah Tangga",
            "Instalasi Listrik Rumah Tinggal",
            "Perawatan Sepeda Motor Injeksi",
            "Pengelasan SMAW untuk Pemula",
            "Memperbaiki Telepon Seluler",
            "Keselamatan dan Kesehatan Kerja (K3)",
            "Perawatan Mesin Diesel",
        ),
        (
            "Teknisi Listrik dan Pendingin",
            "Mekanik Sepeda Motor",
            "Las dan Fabrikasi Logam",
        ),
    ),
    "Pertanian & Peternakan": (
        (
            "Budidaya Ikan Lele Sistem Bioflok",
            "Budidaya Hidroponik Sayuran",
            "Beternak Ayam Kampung Petelur",
            "Membuat Pupuk Organik Cair",
            "Budidaya Jamur Tiram",
            "Memasarkan Hasil Panen secara Online",
        ),
        (
            "Pertanian Modern",
            "Budidaya Perikanan Air Tawar",
        ),
    ),
    "Logistik": (
        (
            "Manajemen Gudang untuk UMKM",
            "Dasar Rantai Pasok dan Distribusi",
            "Menjadi Pengemudi Ojek Online yang Andal",
            "Keselamatan Berkendara untuk Pengemudi",
            "Navigasi Peta Digital dan Efisiensi Rute",
        ),
        (
            "Pengemudi Profesional",
            "Logistik dan Pergudangan",
        ),
    ),
    "Pendidikan": (
        (
            "Menjadi Guru PAUD Kreatif dan Menyenangkan",
            "Teknik Mengajar Daring untuk Guru Les",
            "Membuat Media Pembelajaran Interaktif",
            "Mendampingi Anak Belajar di Rumah",
            "Menjadi Tutor Privat Profesional",
        ),
        (
            "Guru dan Tutor Daring",
            "Pendidikan Anak Usia Dini",
        ),
    ),
}

# words a bundle title starts with, as the platforms wrote them (R-KW matches all)
BUNDLE_PREFIXES = (
    "Paket Pelatihan",
    "Paket Pelatihan",
    "Paket Hemat",
    "Bundling Kelas",
    "Paket Kelas",
    "Paket Belajar",
    "Paket Lengkap",
    "Paket",
)
# a bundle named without any keyword: only the components tell (sekolahmu 1082)
PLAIN_BUNDLE_PREFIXES = ("Kelas Online", "Program Intensif", "Sekolah Singkat")

SINGLE_PREFIXES = ("", "", "", "Belajar", "Pelatihan", "Kelas", "Menguasai")
AUDIENCES = (
    "",
    "",
    "",
    "untuk Pemula",
    "untuk UMKM",
    "bagi Ibu Rumah Tangga",
    "bagi Lulusan Baru",
    "untuk Karyawan",
    "Tingkat Lanjut",
    "dari Nol",
    "untuk Pencari Kerja",
)

# single trainings that only look like bundles (titles with "Paket"/"Bundle")
TRAPS = (
    ("Paket Data Internet: Strategi Jualan Pulsa dan Paket Data", "Bisnis & Pemasaran"),
    ("Manajemen Pengiriman Paket untuk Kurir", "Logistik"),
    ("Manajemen Pengiriman Paket untuk Kurir Ekspedisi", "Logistik"),
    ("Paket Wisata Lokal: Menjadi Pemandu Wisata Profesional", "Bahasa"),
    ("Usaha Jasa Pengiriman Paket dan Dokumen", "Logistik"),
    ("Teknik Mengemas Paket Pesanan Online agar Aman", "Logistik"),
    ("Bisnis Paket Katering Harian untuk Kantor", "Kuliner"),
    ("Paket Aplikasi Perkantoran: Microsoft Office untuk Pemula", "Perkantoran"),
    ("Bundle Pricing: Strategi Harga untuk Toko Online", "Bisnis & Pemasaran"),
)
TRAP_DESCRIPTIONS = (
    "Materi mencakup cara memilih paket internet hemat untuk berjualan online.",
    "Peserta mendapat paket materi berupa video, modul PDF dan lembar kerja.",
    "Cocok untuk usaha yang mengirim paket pesanan ke pelanggan setiap hari.",
)
DESCRIPTIONS = (
    "Pelatihan daring mandiri melalui video pembelajaran dan kuis.",
    "Kelas daring dengan video, modul dan sertifikat penyelesaian.",
    "Webinar interaktif bersama instruktur berpengalaman di bidangnya.",
    "Belajar mandiri kapan saja, dilengkapi tugas praktik dan umpan balik.",
)

PROVIDER_FORMS = (
    "LPK {a} {b}",
    "LPK {a} {b}",
    "LKP {a} {b}",
    "PT {a} {b} Edukasi",
    "Yayasan {a} {b}",
    "{a} {b} Academy",
    "Lembaga Kursus {a} {b}",
    "Rumah Belajar {a}",
    "Akademi {a} {b}",
    "{a} {b} Institute",
    "Sekolah {a} {b}",
)
PROVIDER_A = (
    "Cendekia",
    "Karya",
    "Bina",
    "Insan",
    "Mitra",
    "Cipta",
    "Prima",
    "Nusa",
    "Tunas",
    "Mandala",
    "Sinar",
    "Harapan",
    "Duta",
    "Gemilang",
    "Persada",
    "Widya",
)
PROVIDER_B = (
    "Terampil",
    "Mandiri",
    "Nusantara",
    "Kompetensi",
    "Kreasi",
    "Sejahtera",
    "Utama",
    "Digital",
    "Bangsa",
    "Jaya",
    "Indonesia",
    "Cemerlang",
    "Unggul",
    "Kencana",
)

# the category names some platforms show instead of the common ones
PLATFORM_CATEGORIES = {
    "pijarmahir": {
        "Bisnis & Pemasaran": "Mahir Marketing",
        "Teknologi": "Mahir Teknologi",
        "Desain & Multimedia": "Mahir Digital",
        "Bahasa": "Mahir Bahasa",
        "Keuangan": "UMKM",
        "Kuliner": "UMKM",
    },
    "sisnaker": {
        "Bisnis & Pemasaran": "Bisnis dan Manajemen",
        "Kuliner": "Pariwisata dan Tata Boga",
        "Teknologi": "Teknologi Informasi",
        "Desain & Multimedia": "Teknologi Informasi",
        "Teknik & Otomotif": "Teknik Manufaktur",
        "Keterampilan": "Garmen",
        "Pertanian & Peternakan": "Pertanian",
    },
}
