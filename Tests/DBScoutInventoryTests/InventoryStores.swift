import DBScoutCore
import DBScoutInventory
import Foundation
import Logging
import PostgresNIO
import Testing

/// The stores the shared semantic suite runs against.
enum StoreKind: String, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// SQLite always; PostgreSQL when the harness's servers are up (`scripts/test-servers.sh up`,
    /// `DBSCOUT_TEST_SERVERS=1`). The PostgreSQL-only tests say so when they are skipped.
    static let available: [StoreKind] = TestPostgres.available ? [.sqlite, .postgres] : [.sqlite]

    /// Runs `body` with a fresh, empty inventory of this kind.
    func withInventory<R>(_ body: (any Inventory) async throws -> R) async throws -> R {
        try await withInventories(count: 1) { try await body($0[0]) }
    }

    /// Runs `body` with `count` separately opened handles on one fresh, empty inventory, as `count` agents on
    /// different hosts would have them.
    func withInventories<R>(count: Int, _ body: ([any Inventory]) async throws -> R) async throws -> R {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-inventory-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body((0..<count).map { _ in try SQLiteInventory(directory: directory) })
        case .postgres:
            return try await TestPostgres.withDatabase { configuration in
                try await TestPostgres.open(count, configuration, body)
            }
        }
    }
}

/// The PostgreSQL that `scripts/test-servers.sh` starts, and a throwaway database on it per test.
enum TestPostgres {
    static let available = ProcessInfo.processInfo.environment["DBSCOUT_TEST_SERVERS"] == "1"
    static let skipReason: Comment = "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1"
    static let host = "127.0.0.2"
    static let password = "dbscout-test-pw"
    static let logger = Logger(label: "dbscout-inventory-tests")

    /// The harness's server, plain TCP, as the `postgres` user.
    static func configuration(database: String, port: Int = 5432) -> PostgresInventoryConfiguration {
        PostgresInventoryConfiguration(
            host: host,
            port: port,
            user: "postgres",
            password: Secret(password),
            database: database,
            tls: .disable
        )
    }

    /// Creates `dbscout_test_<random>`, runs `body` with its configuration, and drops it.
    static func withDatabase<R>(_ body: (PostgresInventoryConfiguration) async throws -> R) async throws -> R {
        let name = "dbscout_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try await administer("CREATE DATABASE \(name)")
        do {
            let result = try await body(configuration(database: name))
            try await administer("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs one statement on `database` over a connection of its own.
    static func administer(_ sql: String, database: String = "postgres") async throws {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: host,
                port: 5432,
                username: "postgres",
                password: password,
                database: database,
                tls: .disable
            ),
            id: 1,
            logger: logger
        )
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// Opens `count` clients, one inside the other, and runs `body` with all of them.
    static func open<R>(
        _ count: Int,
        _ configuration: PostgresInventoryConfiguration,
        opened: [any Inventory] = [],
        _ body: ([any Inventory]) async throws -> R
    ) async throws -> R {
        guard opened.count < count else { return try await body(opened) }
        return try await PostgresInventory.withInventory(configuration: configuration, logger: logger) {
            try await open(count, configuration, opened: opened + [$0], body)
        }
    }
}
