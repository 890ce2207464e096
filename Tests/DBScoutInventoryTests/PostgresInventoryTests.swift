import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

/// What only the PostgreSQL store has: connecting, TLS, the shared schema and the client's lifecycle. The
/// record semantics run against it in the shared suites.
@Suite("PostgreSQL inventory", .enabled(if: TestPostgres.available, TestPostgres.skipReason))
struct PostgresInventoryTests {
    private struct Sentinel: Error {}

    @Test func withInventoryGivesBackWhatTheBodyReturnsOrThrows() async throws {
        try await TestPostgres.withDatabase { configuration in
            let count = try await PostgresInventory.withInventory(
                configuration: configuration,
                logger: TestPostgres.logger
            ) { inventory in
                try await inventory.record(Fixtures.postgres())
                return try await inventory.all().count
            }
            #expect(count == 1)
            await #expect(throws: Sentinel.self) {
                try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) {
                    _ in throw Sentinel()
                }
            }
        }
    }

    /// Agents starting together on an empty database all get a working inventory: the advisory lock lets one
    /// create the tables while the others wait, and the schema is recorded once.
    @Test func agentsStartingTogetherCreateTheSchemaOnce() async throws {
        try await TestPostgres.withDatabase { configuration in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for host in 1...8 {
                    group.addTask {
                        _ = try await PostgresInventory.withInventory(
                            configuration: configuration,
                            logger: TestPostgres.logger
                        ) { try await $0.record(Fixtures.postgres(host)) }
                    }
                }
                try await group.waitForAll()
            }
            let records = try await PostgresInventory.withInventory(
                configuration: configuration,
                logger: TestPostgres.logger
            ) { try await $0.all() }
            #expect(records.count == 8)
            try await TestPostgres.administer(
                "DO $$ BEGIN IF (SELECT count(*) FROM dbscout_schema_versions) <> 1 THEN RAISE 'not once'; END IF; END $$",
                database: configuration.database
            )
        }
    }

    /// A fleet upgrades one agent at a time, so the endpoint index must not bump the schema version (older agents
    /// refuse a newer one): an inventory an older agent left at version 1 without it gets it on the next open,
    /// stays at version 1, and lists in endpoint order.
    @Test func anInventoryWithoutTheEndpointIndexGetsItAndKeepsItsVersion() async throws {
        try await TestPostgres.withDatabase { configuration in
            try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) {
                inventory in
                for endpoint in PagingTests.endpoints.shuffled() {
                    try await inventory.record(PagingTests.finding(endpoint))
                }
            }
            try await TestPostgres.administer(
                "DROP INDEX \(Self.endpointIndex)",
                database: configuration.database
            )
            let listed = try await PostgresInventory.withInventory(
                configuration: configuration,
                logger: TestPostgres.logger
            ) { inventory in
                var listed: [Endpoint] = []
                for try await record in inventory.records(pageSize: 7) { listed.append(record.endpoint) }
                return listed
            }
            #expect(listed == PagingTests.endpoints.sorted())
            try await TestPostgres.administer(
                """
                DO $$ BEGIN
                    IF to_regclass('\(Self.endpointIndex)') IS NULL THEN RAISE 'no index'; END IF;
                    IF (SELECT array_agg(version) FROM dbscout_schema_versions) <> ARRAY[1] THEN
                        RAISE 'not version 1';
                    END IF;
                END $$
                """,
                database: configuration.database
            )
        }
    }

    private static let endpointIndex = "dbscout_findings_by_endpoint"

    @Test func aSchemaFromANewerVersionIsRefused() async throws {
        try await TestPostgres.withDatabase { configuration in
            try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) { _ in
            }
            try await TestPostgres.administer(
                "INSERT INTO dbscout_schema_versions (version) VALUES (99)",
                database: configuration.database
            )
            await #expect {
                try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) {
                    _ in
                }
            } throws: { error in
                (error as? DBScoutError)?.code == .inventory && "\(error)".contains("version 99")
                    && "\(error)".contains(configuration.description)
            }
        }
    }

    @Test(arguments: [
        (5432, "postgres", "not-the-password-7f3", "password authentication failed"),
        (5432, "dbscout_no_such_database", TestPostgres.password, "does not exist"),
        (9, "postgres", TestPostgres.password, "127.0.0.2:9"),
    ])
    func failingToConnectNamesTheDatabaseButNotThePassword(
        _ port: Int,
        _ database: String,
        _ password: String,
        _ named: String
    ) async {
        var configuration = TestPostgres.configuration(database: database, port: port)
        configuration.password = Secret(password)
        await #expect {
            try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) { _ in
            }
        } throws: { error in
            (error as? DBScoutError)?.code == .inventory && "\(error)".contains(configuration.description)
                && "\(error)".contains(named) && !"\(error)".contains(password)
        }
    }

    /// The harness's TLS-only server (hostssl, a self-signed certificate), asked for a database it does not have
    /// so that nothing is created there: `require` gets as far as the server's answer that the database does not
    /// exist; `verify-full` stops at the unknown certificate, `disable` at the server's refusal of plain TCP.
    @Test(arguments: [
        (PostgresInventoryConfiguration.TLSMode.require, "does not exist"),
        (.verifyFull, "certificate"),
        (.disable, "no encryption"),
    ])
    func theTLSModeDecidesHowFarATLSOnlyServerLetsUsIn(_ mode: PostgresInventoryConfiguration.TLSMode, _ named: String)
        async
    {
        var configuration = TestPostgres.configuration(database: "dbscout_tls_probe", port: 25432)
        configuration.tls = mode
        await #expect {
            try await PostgresInventory.withInventory(configuration: configuration, logger: TestPostgres.logger) { _ in
            }
        } throws: { error in
            (error as? DBScoutError)?.code == .inventory && "\(error)".contains("127.0.0.2:25432")
                && "\(error)".lowercased().contains(named)
        }
    }
}
