import DBScoutCore
import Foundation
import GRDB

/// The embedded inventory: one SQLite file in WAL mode, safe to share between a timer run and the daemon.
public struct SQLiteInventory: Inventory {
    private let database: any DatabaseWriter

    /// The file name inside the state directory.
    public static let fileName = "inventory.sqlite"

    /// Opens (creating if needed) the inventory in `directory`.
    /// - Throws: ``DBScoutError`` `inventory` naming the path when the file cannot be opened or migrated.
    public init(directory: URL) throws {
        let path = directory.appendingPathComponent(SQLiteInventory.fileName).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Self.configuration
            configuration.busyMode = .timeout(10)
            database = try DatabasePool(path: path, configuration: configuration)
            try InventorySchema.migrator.migrate(database)
            try database.write { try $0.execute(sql: InventorySchema.fillEndpointOrder) }
        } catch {
            throw DBScoutError(.inventory, "cannot open the inventory at \(path): \(error)")
        }
    }

    /// An in-memory inventory, for tests and dry runs.
    public init() throws {
        database = try DatabaseQueue(configuration: Self.configuration)
        try InventorySchema.migrator.migrate(database)
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.prepareDatabase { $0.add(function: InventorySchema.orderFunction) }
        return configuration
    }

    @discardableResult
    public func record(_ finding: Finding) async throws -> InventoryRecord {
        try await database.write { db in
            let record = InventoryRecord.merging(finding, into: try InventoryRow.fetch(db, finding.endpoint))
            try InventoryRow.save(record, db)
            return record
        }
    }

    public func all() async throws -> [InventoryRecord] {
        try await database.read { db in try InventoryRow.fetchAll(db) }
    }

    public func page(after endpoint: Endpoint?, limit: Int, statuses: Set<RegistrationStatus>) async throws
        -> [InventoryRecord]
    {
        try await database.read { db in try InventoryRow.page(db, after: endpoint, limit: limit, statuses: statuses) }
    }

    public func record(at endpoint: Endpoint) async throws -> InventoryRecord? {
        try await database.read { db in try InventoryRow.fetch(db, endpoint) }
    }

    public func due(now: Date) async throws -> [InventoryRecord] {
        try await database.read { db in
            try InventoryRow.fetchAll(db, statuses: InventoryRecord.dueCandidates).filter { $0.isDue(at: now) }
        }
    }

    public func statusCounts() async throws -> [RegistrationStatus: Int] {
        try await database.read { try InventoryRow.statusCounts($0) }
    }

    public func inFlight() async throws -> [InventoryRecord] {
        try await database.read { db in try InventoryRow.fetchAll(db, statuses: [.submitting]) }
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
        try await database.write { db in
            let requeued = try InventoryRow.fetchAll(db, statuses: InventoryRecord.requeueable).compactMap {
                $0.requeued()
            }
            try requeued.forEach { try InventoryRow.save($0, db) }
            return requeued.count
        }
    }

    @discardableResult
    public func forget(_ endpoint: Endpoint) async throws -> Bool {
        try await database.write { db in try InventoryRow.delete(db, endpoint) }
    }

    /// Applies `transition` to the record at `endpoint` and stores the result, in one write transaction: GRDB
    /// begins it IMMEDIATE, so no other connection (or process) writes between the read and the write.
    private func update(
        _ endpoint: Endpoint,
        _ transition: @escaping @Sendable (InventoryRecord) -> InventoryRecord?
    ) async throws -> InventoryRecord? {
        try await database.write { db in
            guard let record = try InventoryRow.fetch(db, endpoint), let next = transition(record) else { return nil }
            try InventoryRow.save(next, db)
            return next
        }
    }
}
