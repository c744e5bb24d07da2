"""The schema, as sqlite-utils migrations. Never edit an applied migration; add one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("prakerja-monitor")

FACT_COLUMNS = (
    "url",
    "title",
    "provider",
    "price_idr",
    "list_price_idr",
    "bundle_label",
    "bundle_keywords",
    "components",
    "payment_methods",
    "payment_channels",
    "prakerja_payment",
    "prakerja_evidence",
    "available",
    "category",
    "rating",
    "rating_count",
)


@migrations()
def m001_snapshots(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE crawls (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            observed_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'complete', 'incomplete', 'failed')),
            finish_reason TEXT,
            items INTEGER NOT NULL DEFAULT 0,
            pages INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            health TEXT NOT NULL DEFAULT '[]',
            stats TEXT,
            base_url TEXT,
            pid INTEGER,
            checked_at TEXT
        );
        CREATE INDEX crawls_platform_status ON crawls (platform, status, id);

        -- every listing ever seen; the integer key keeps sightings narrow
        CREATE TABLE listings (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            url TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            first_crawl_id INTEGER REFERENCES crawls (id),
            last_crawl_id INTEGER REFERENCES crawls (id),
            UNIQUE (platform, listing_id)
        );

        -- a listing's observed fields, stored again only when they change
        CREATE TABLE listing_versions (
            id INTEGER PRIMARY KEY,
            listing_key INTEGER NOT NULL REFERENCES listings (id),
            digest BLOB NOT NULL,
            first_crawl_id INTEGER NOT NULL REFERENCES crawls (id),
            url TEXT,
            title TEXT,
            provider TEXT,
            price_idr INTEGER,
            list_price_idr INTEGER,
            bundle_label TEXT,
            bundle_keywords TEXT NOT NULL DEFAULT '[]',
            components TEXT NOT NULL DEFAULT '[]',
            payment_methods TEXT NOT NULL DEFAULT '[]',
            payment_channels TEXT NOT NULL DEFAULT '[]',
            prakerja_payment INTEGER,
            prakerja_evidence TEXT NOT NULL DEFAULT '[]',
            available INTEGER,
            category TEXT,
            rating REAL,
            rating_count INTEGER,
            UNIQUE (listing_key, digest)
        );

        -- which version of which listing a crawl saw: one narrow row each
        CREATE TABLE sightings (
            crawl_id INTEGER NOT NULL,
            listing_key INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            PRIMARY KEY (crawl_id, listing_key)
        ) WITHOUT ROWID;

        -- judgments of the monitor, recomputable: keyed by the observed version
        CREATE TABLE judgments (
            version_id INTEGER PRIMARY KEY REFERENCES listing_versions (id),
            classifier_version TEXT NOT NULL,
            is_bundle INTEGER NOT NULL,
            bundle_reasons TEXT NOT NULL DEFAULT '[]'
        );

        CREATE VIEW snapshots AS
        SELECT
            s.crawl_id, l.platform, l.listing_id, c.observed_at, v.url, v.title,
            v.provider, v.price_idr, v.list_price_idr, v.components,
            v.payment_methods, v.prakerja_payment, v.available, v.category,
            v.rating, v.rating_count, j.is_bundle, j.bundle_reasons,
            v.bundle_label, v.bundle_keywords, v.payment_channels,
            v.prakerja_evidence, s.version_id, c.status AS crawl_status
        FROM sightings s
        JOIN crawls c ON c.id = s.crawl_id
        JOIN listings l ON l.id = s.listing_key
        JOIN listing_versions v ON v.id = s.version_id
        LEFT JOIN judgments j ON j.version_id = s.version_id;
        """
    )


@migrations()
def m002_monitor(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            from_crawl_id INTEGER,
            to_crawl_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'changed')),
            field TEXT,
            old_value TEXT,
            new_value TEXT
        );
        CREATE INDEX changes_to_crawl ON changes (to_crawl_id);
        CREATE INDEX changes_listing ON changes (platform, listing_id);

        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            rule_version TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
            opened_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT,
            first_crawl_id INTEGER NOT NULL,
            last_crawl_id INTEGER NOT NULL,
            version_id INTEGER,
            relisted_from INTEGER REFERENCES findings (id),
            relisted_from_listing_id TEXT,
            UNIQUE (platform, listing_id, rule)
        );
        CREATE INDEX findings_status ON findings (status, platform);

        -- every state change of a finding; an alert announces each one once
        CREATE TABLE finding_events (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL REFERENCES findings (id),
            kind TEXT NOT NULL
                CHECK (kind IN ('opened', 'reopened', 'resolved')),
            at TEXT NOT NULL,
            crawl_id INTEGER NOT NULL,
            detail TEXT,
            alert_id INTEGER REFERENCES alerts (id)
        );
        CREATE INDEX finding_events_alert ON finding_events (alert_id);

        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'digest',
            created_at TEXT NOT NULL,
            sent_at TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            recipients TEXT NOT NULL DEFAULT '[]',
            subject TEXT,
            message_id TEXT,
            last_error TEXT,
            message BLOB,
            outbox_path TEXT
        );

        -- crawls that could not be trusted, announced once in crawl health
        CREATE TABLE health_events (
            crawl_id INTEGER PRIMARY KEY REFERENCES crawls (id),
            alert_id INTEGER REFERENCES alerts (id)
        );

        """
    )


@migrations()
def m003_evidence(db: Database) -> None:
    """Each sighting points at its archived response: WARC offset and payload."""
    db.executescript(
        """
        CREATE TABLE payloads (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE);
        ALTER TABLE sightings ADD COLUMN warc_offset INTEGER;
        ALTER TABLE sightings ADD COLUMN payload_id INTEGER;
        ALTER TABLE crawls ADD COLUMN warc_path TEXT;
        DROP VIEW snapshots;
        CREATE VIEW snapshots AS
        SELECT
            s.crawl_id, l.platform, l.listing_id, c.observed_at, v.url, v.title,
            v.provider, v.price_idr, v.list_price_idr, v.components,
            v.payment_methods, v.prakerja_payment, v.available, v.category,
            v.rating, v.rating_count, j.is_bundle, j.bundle_reasons,
            v.bundle_label, v.bundle_keywords, v.payment_channels,
            v.prakerja_evidence, s.version_id, c.status AS crawl_status,
            CASE WHEN s.warc_offset IS NOT NULL THEN c.warc_path END
                AS evidence_file,
            CASE WHEN s.warc_offset IS NOT NULL THEN
                '<urn:prakerja-monitor:crawl:' || s.crawl_id || ':'
                || s.warc_offset || '>' END AS evidence_record_id,
            p.sha256 AS evidence_sha256
        FROM sightings s
        JOIN crawls c ON c.id = s.crawl_id
        JOIN listings l ON l.id = s.listing_key
        JOIN listing_versions v ON v.id = s.version_id
        LEFT JOIN judgments j ON j.version_id = s.version_id
        LEFT JOIN payloads p ON p.id = s.payload_id;
        """
    )


@migrations()
def m004_unread(db: Database) -> None:
    """Listings a crawl saw listed but could not read (detail failed): neither
    seen with their fields nor missing, so never counted as removed."""
    db.executescript(
        """
        CREATE TABLE unread (
            crawl_id INTEGER NOT NULL,
            listing_key INTEGER NOT NULL,
            PRIMARY KEY (crawl_id, listing_key)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m005_trust_parts(db: Database) -> None:
    """Trust in two parts per crawl: ``readable`` (its items are observations)
    and ``complete`` (it saw the whole catalogue), with what the verdict read:
    distinct listed ids, the platform's announced count, per-field coverage, and
    a notice (a shrink the platform's own count explains, a new baseline)."""
    db.executescript(
        """
        ALTER TABLE crawls ADD COLUMN readable INTEGER;
        ALTER TABLE crawls ADD COLUMN complete INTEGER;
        ALTER TABLE crawls ADD COLUMN listed INTEGER;
        ALTER TABLE crawls ADD COLUMN announced INTEGER;
        ALTER TABLE crawls ADD COLUMN coverage TEXT;
        ALTER TABLE crawls ADD COLUMN notice TEXT;
        UPDATE crawls SET readable = (status IN ('complete', 'incomplete')),
            complete = (status = 'complete') WHERE status != 'running';
        """
    )


@migrations()
def m006_claims_and_liveness(db: Database) -> None:
    """One ``alert`` at a time (a lease that expires), delivery attempts whose
    outcome is unknown, the host of a crawl's process, and crawls observed before
    one already checked."""
    db.executescript(
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        ALTER TABLE alerts ADD COLUMN sending_since TEXT;
        ALTER TABLE alerts ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE crawls ADD COLUMN host TEXT;
        ALTER TABLE crawls ADD COLUMN superseded_by INTEGER;
        """
    )


@migrations()
def m007_times_at_one_offset(db: Database) -> None:
    """Every stored ``*_at`` time at +07:00, so comparing them as text (max(),
    ORDER BY, listings.last_seen_at) is comparing times (issue 14)."""
    from storage.times import normalize_all

    normalize_all(db)


@migrations()
def m008_archive_records(db: Database) -> None:
    """The database's identity (its evidence folder is keyed by it) and an index
    of every record its crawls archived: warcinfo, request, response, revisit."""
    import uuid

    db.executescript(
        """
        CREATE TABLE database_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            uuid TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE archive_records (
            record_id TEXT PRIMARY KEY,
            crawl_id INTEGER NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER,
            type TEXT NOT NULL
                CHECK (type IN ('warcinfo', 'request', 'response', 'revisit')),
            uri TEXT,
            date TEXT,
            status INTEGER,
            mime TEXT,
            payload_digest TEXT,
            sha256 TEXT,
            concurrent_to TEXT,
            referrer TEXT,
            refers_to TEXT,
            page TEXT
        );
        CREATE INDEX archive_records_crawl ON archive_records (crawl_id, offset);
        CREATE INDEX archive_records_refers ON archive_records (refers_to);
        CREATE INDEX archive_records_concurrent ON archive_records (concurrent_to);
        -- signed packages written, and the records each one cites (kept by pruning)
        CREATE TABLE evidence_packages (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL,
            path TEXT NOT NULL,
            created_at TEXT NOT NULL,
            datapackage_sha256 TEXT
        );
        CREATE TABLE package_records (
            package_id INTEGER NOT NULL REFERENCES evidence_packages (id),
            record_id TEXT NOT NULL,
            PRIMARY KEY (package_id, record_id)
        ) WITHOUT ROWID;
        """
    )
    db.execute(
        "INSERT INTO database_identity (id, uuid, created_at)"
        " VALUES (1, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        [str(uuid.uuid4())],
    )


@migrations()
def m009_payload_prefix_index(db: Database) -> None:
    """Payloads are found by the first 8 hex digits of their SHA-256: the UNIQUE
    index on the whole digest (random keys, about 80 B an entry) had most of its
    pages written again by every batch of new payloads. ``payload_keys`` stores
    each digest once (it inserts only those it did not find, under the batch's
    write lock). Same ids and digests; the snapshots view reads the new table
    (renamed in place with ``legacy_alter_table``, so the view is not rewritten)."""
    _rebuild_in_place(
        db,
        "CREATE TABLE payloads_m009 (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL)",
        "INSERT INTO payloads_m009 (id, sha256) SELECT id, sha256 FROM payloads",
        "DROP TABLE payloads",
        "ALTER TABLE payloads_m009 RENAME TO payloads",
        "CREATE INDEX payloads_prefix ON payloads (substr(sha256, 1, 8))",
    )


def _rebuild_in_place(db: Database, *statements: str) -> None:
    """Run the statements that rebuild a table under a new name and rename it to
    the old one, with ``legacy_alter_table`` on: the views that read the table
    (snapshots) are left as written and read the new one."""
    conn = db.conn
    legacy = conn.execute("PRAGMA legacy_alter_table").fetchone()[0]
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")


@migrations()
def m010_versions_without_digest(db: Database) -> None:
    """A listing's versions are found by their fields, not by a digest of them:
    ``save_listings`` compares a batch with each listing's last seen version (then,
    in SQL, with its older ones; storage/versions.py), so the 16-byte digest and
    the UNIQUE index on (listing_key, digest) go, and an index on listing_key
    serves both the lookup and a listing's history. Same ids and fields. Run with
    foreign keys off (``storage.db.migrate`` migrates that way and checks them
    before committing): judgments refer to the table rebuilt here."""
    columns = ", ".join(("id", "listing_key", "first_crawl_id", *FACT_COLUMNS))
    _rebuild_in_place(
        db,
        """CREATE TABLE listing_versions_m010 (
            id INTEGER PRIMARY KEY,
            listing_key INTEGER NOT NULL REFERENCES listings (id),
            first_crawl_id INTEGER NOT NULL REFERENCES crawls (id),
            url TEXT,
            title TEXT,
            provider TEXT,
            price_idr INTEGER,
            list_price_idr INTEGER,
            bundle_label TEXT,
            bundle_keywords TEXT NOT NULL DEFAULT '[]',
            components TEXT NOT NULL DEFAULT '[]',
            payment_methods TEXT NOT NULL DEFAULT '[]',
            payment_channels TEXT NOT NULL DEFAULT '[]',
            prakerja_payment INTEGER,
            prakerja_evidence TEXT NOT NULL DEFAULT '[]',
            available INTEGER,
            category TEXT,
            rating REAL,
            rating_count INTEGER
        )""",
        f"INSERT INTO listing_versions_m010 ({columns})"
        f" SELECT {columns} FROM listing_versions ORDER BY id",
        "DROP TABLE listing_versions",
        "ALTER TABLE listing_versions_m010 RENAME TO listing_versions",
        "CREATE INDEX listing_versions_listing ON listing_versions (listing_key)",
    )


@migrations()
def m011_payloads_without_digest_index(db: Database) -> None:
    """Payloads are no longer looked up by digest in the whole table: a sighting
    reuses its listing's last payload when the body is the same (an unchanged
    page, a 304 revisit) and a batch stores each new digest once. The prefix
    index (random keys: every batch wrote most of its pages again) goes."""
    db.execute("DROP INDEX IF EXISTS payloads_prefix")
