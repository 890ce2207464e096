import DBScoutCore
import Logging
import PostgresNIO

/// The shared inventory's tables, versioned in `dbscout_schema_versions` and brought up to date by the first
/// agent to connect.
enum PostgresInventorySchema {
    static let table = "dbscout_findings"

    /// Held for the length of the upgrade transaction, so that agents starting together upgrade one at a time
    /// (concurrent `CREATE TABLE IF NOT EXISTS` can still collide in PostgreSQL's catalogue). The value is
    /// "dbscout" in ASCII, to stay clear of other applications' advisory locks.
    static let lockKey: Int64 = 0x64_6273_636f_7574

    /// The migrations in order; version N is the N-th. Applied ones are never edited, only appended to.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE \(table) (
                ip text NOT NULL, port integer NOT NULL, product text NOT NULL, dbss_type text, version text,
                charset text, os text, os_detail text, os_confidence double precision, os_source text,
                tls text NOT NULL, evidence text NOT NULL, first_seen timestamptz NOT NULL,
                last_seen timestamptz NOT NULL, registration_status text NOT NULL, dbss_id text, last_error text,
                attempts integer NOT NULL DEFAULT 0, claim_owner text, claim_until timestamptz,
                next_attempt timestamptz, origin text,
                PRIMARY KEY (ip, port)
            )
            """,
            "CREATE INDEX \(table)_by_status ON \(table) (registration_status)",
        ]
    ]

    /// Indexes that change nothing an agent reads or writes, created on every open outside the versioned
    /// migrations: a version bump would lock every older agent of a fleet out of the shared inventory.
    static let indexes = [
        // Listings page through the records in endpoint order, which `inet` sorts in and the text `ip` does not.
        "CREATE INDEX IF NOT EXISTS \(table)_by_endpoint ON \(table) ((ip::inet), port)"
    ]

    /// Creates or upgrades the tables on `connection`, then creates any missing ``indexes``.
    /// - Throws: ``DBScoutError`` `inventory` when the database holds a newer schema than this version knows.
    static func prepare(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS dbscout_schema_versions (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger
            )
            let current = try await currentVersion(connection, logger: logger)
            guard current <= migrations.count else {
                throw DBScoutError(
                    .inventory,
                    "the inventory's schema is version \(current), newer than this dbscout knows (\(migrations.count))"
                )
            }
            for (index, statements) in migrations.enumerated().dropFirst(current) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO dbscout_schema_versions (version) VALUES (\(index + 1))",
                    logger: logger
                )
            }
            for statement in indexes {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    private static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT coalesce(max(version), 0) FROM dbscout_schema_versions",
            logger: logger
        )
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }
}
