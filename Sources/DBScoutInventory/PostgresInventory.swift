import DBScoutCore
import Foundation
import Logging
import PostgresNIO

/// The fleet inventory: one PostgreSQL database shared by every agent, with the same records and rules as
/// ``SQLiteInventory``.
///
/// Every change reads the record `FOR UPDATE` in a transaction, applies the shared transition and writes it back,
/// so two agents claiming one endpoint are serialised by the row lock and the second sees the first's claim.
public struct PostgresInventory: Inventory {
    private let client: PostgresClient
    private let configuration: PostgresInventoryConfiguration
    private let logger: Logger

    /// Connects, creates or upgrades the tables, runs `body` with the inventory, and closes the connections.
    ///
    /// - Throws: ``DBScoutError`` `inventory` naming `user@host:port/database` (never the password) when the
    ///   database cannot be reached, refuses the login or holds a schema this version cannot use; and what
    ///   `body` throws.
    public static func withInventory<R>(
        configuration: PostgresInventoryConfiguration,
        logger: Logger,
        _ body: (PostgresInventory) async throws -> R
    ) async throws -> R {
        // A direct connection first: the client's pool retries a failing connect in the background instead of
        // reporting why, and the schema must be in place before any agent reads it.
        try await PostgresInventoryErrors.wrap(configuration) {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(),
                id: 0,
                logger: logger
            )
            do {
                try await PostgresInventorySchema.prepare(on: connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        }
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(PostgresInventory(client: client, configuration: configuration, logger: logger))
        }
    }

    @discardableResult
    public func record(_ finding: Finding) async throws -> InventoryRecord {
        try await transaction { connection in
            // Two agents may insert the same new endpoint at once: the loser's insert does nothing, and its second
            // pass finds (and locks) the winner's row.
            for _ in 0..<2 {
                let existing = try await PostgresInventoryRows.fetch(
                    finding.endpoint,
                    locking: true,
                    connection,
                    logger: logger
                )
                let record = InventoryRecord.merging(finding, into: existing)
                if existing != nil {
                    try await PostgresInventoryRows.update(record, connection, logger: logger)
                    return record
                }
                if try await PostgresInventoryRows.insert(record, connection, logger: logger) { return record }
            }
            throw DBScoutError(.inventory, "\(finding.endpoint) was inserted and removed while being recorded")
        }
    }

    public func all() async throws -> [InventoryRecord] {
        try await connection { try await PostgresInventoryRows.fetchAll(nil, $0, logger: logger) }
    }

    public func page(after endpoint: Endpoint?, limit: Int, statuses: Set<RegistrationStatus>) async throws
        -> [InventoryRecord]
    {
        try await connection {
            try await PostgresInventoryRows.page(after: endpoint, limit: limit, statuses: statuses, $0, logger: logger)
        }
    }

    public func record(at endpoint: Endpoint) async throws -> InventoryRecord? {
        try await connection { try await PostgresInventoryRows.fetch(endpoint, locking: false, $0, logger: logger) }
    }

    public func due(now: Date) async throws -> [InventoryRecord] {
        try await connection {
            try await PostgresInventoryRows.fetchAll(InventoryRecord.dueCandidates, $0, logger: logger)
        }.filter { $0.isDue(at: now) }
    }

    public func statusCounts() async throws -> [RegistrationStatus: Int] {
        try await connection { try await PostgresInventoryRows.statusCounts($0, logger: logger) }
    }

    public func inFlight() async throws -> [InventoryRecord] {
        try await connection { try await PostgresInventoryRows.fetchAll([.submitting], $0, logger: logger) }
    }

    public func claim(
        _ endpoint: Endpoint,
        owner: String,
        until: Date,
        now: Date,
        replacing: String?
    ) async throws -> InventoryRecord? {
        try await update(endpoint) { $0.claimed(by: owner, until: until, now: now, replacing: replacing) }
    }

    @discardableResult
    public func complete(_ endpoint: Endpoint, owner: String, outcome: SubmissionOutcome, now: Date) async throws
        -> Bool
    {
        try await update(endpoint) { $0.completed(by: owner, outcome: outcome) } != nil
    }

    @discardableResult
    public func requeue() async throws -> Int {
        try await transaction { connection in
            let locked = try await PostgresInventoryRows.fetchAll(
                InventoryRecord.requeueable,
                locking: true,
                connection,
                logger: logger
            )
            let requeued = locked.compactMap { $0.requeued() }
            for record in requeued { try await PostgresInventoryRows.update(record, connection, logger: logger) }
            return requeued.count
        }
    }

    @discardableResult
    public func forget(_ endpoint: Endpoint) async throws -> Bool {
        try await connection { try await PostgresInventoryRows.delete(endpoint, $0, logger: logger) }
    }

    /// Applies `transition` to the locked record at `endpoint` and stores the result.
    private func update(
        _ endpoint: Endpoint,
        _ transition: (InventoryRecord) -> InventoryRecord?
    ) async throws -> InventoryRecord? {
        try await transaction { connection in
            guard
                let record = try await PostgresInventoryRows.fetch(endpoint, locking: true, connection, logger: logger),
                let next = transition(record)
            else { return nil }
            try await PostgresInventoryRows.update(next, connection, logger: logger)
            return next
        }
    }

    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresInventoryErrors.wrap(configuration) {
            try await client.withTransaction(logger: logger) { try await body($0) }
        }
    }

    private func connection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresInventoryErrors.wrap(configuration) {
            try await client.withConnection { try await body($0) }
        }
    }
}
