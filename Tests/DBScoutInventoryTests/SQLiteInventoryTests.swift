import DBScoutCore
import DBScoutInventory
import Foundation
import GRDB
import Testing

@Suite("SQLite inventory")
struct SQLiteInventoryTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-inventory-\(UUID())")

    @Test func recordsSurviveReopeningTheFile() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try await SQLiteInventory(directory: directory).submit(
            Fixtures.complete,
            .retryLater(error: "HTTP 503", notBefore: Fixtures.t0 + 60)
        )
        #expect(try await SQLiteInventory(directory: directory).all() == [stored])
    }

    @Test func anUnwritableLocationIsAClearError() {
        #expect {
            try SQLiteInventory(directory: URL(fileURLWithPath: "/proc/dbscout-cannot-be-here"))
        } throws: { error in
            (error as? DBScoutError)?.code == .inventory && "\(error)".contains("/proc/dbscout-cannot-be-here")
        }
    }

    /// A file written before claims existed (schema v3, status `failed`) opens with its records intact, the old
    /// `failed` read as `rejected`.
    @Test func anInventoryFromBeforeClaimsIsUpgraded() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(SQLiteInventory.fileName).path
        try await DatabaseQueue(path: file).write { db in
            for statement in Self.version3 { try db.execute(sql: statement) }
        }
        let records = try await SQLiteInventory(directory: directory).all()
        #expect(records.map(\.registration.status) == [.rejected, .registered])
        #expect(records.first?.registration.lastError == "DBSS.10000001")
        #expect(records.last?.registration.id == "abc123")
        #expect(records.allSatisfy { $0.registration.claim == nil && $0.registration.nextAttempt == nil })
    }

    /// The v1–v3 schema and two rows as dbscout wrote them, with GRDB's record of the applied migrations.
    private static let version3 = [
        """
        CREATE TABLE findings (ip TEXT NOT NULL, port INTEGER NOT NULL, product TEXT NOT NULL, dbss_type TEXT,
        version TEXT, charset TEXT, os TEXT, tls TEXT NOT NULL, evidence TEXT NOT NULL, first_seen DOUBLE NOT NULL,
        last_seen DOUBLE NOT NULL, registration_status TEXT NOT NULL, dbss_id TEXT, last_error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, os_detail TEXT, os_confidence DOUBLE, os_source TEXT,
        PRIMARY KEY (ip, port))
        """,
        "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)",
        "INSERT INTO grdb_migrations VALUES ('v1-findings'), ('v2-os-detail'), ('v3-os-confidence')",
        """
        INSERT INTO findings (ip, port, product, dbss_type, version, tls, evidence, first_seen, last_seen,
        registration_status, dbss_id, last_error, attempts) VALUES
        ('10.0.0.1', 5432, 'postgresql', 'POSTGRESQL', '15', 'unknown', '[]', 1800000000, 1800000000, 'failed',
         NULL, 'DBSS.10000001', 1),
        ('10.0.0.2', 5432, 'postgresql', 'POSTGRESQL', '15', 'unknown', '[]', 1800000000, 1800000000, 'registered',
         'abc123', NULL, 1)
        """,
    ]
}
