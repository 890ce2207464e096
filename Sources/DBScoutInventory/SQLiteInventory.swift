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
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            database = try DatabasePool(path: path, configuration: configuration)
            try InventorySchema.migrator.migrate(database)
        } catch {
            throw DBScoutError(.inventory, "cannot open the inventory at \(path): \(error)")
        }
    }

    /// An in-memory inventory, for tests and dry runs.
    public init() throws {
        database = try DatabaseQueue()
        try InventorySchema.migrator.migrate(database)
    }

    @discardableResult
    public func record(_ finding: Finding) async throws -> InventoryRecord {
        try await database.write { db in
            let existing = try InventoryRow.fetch(db, finding.endpoint)
            let record = InventoryRecord.merging(finding, into: existing)
            try InventoryRow(record).save(db)
            return record
        }
    }

    public func all() async throws -> [InventoryRecord] {
        try await database.read { db in try InventoryRow.fetchAll(db).map(\.record) }
    }

    public func pending() async throws -> [InventoryRecord] {
        try await database.read { db in
            try InventoryRow.fetchAll(db, status: RegistrationStatus.pending).map(\.record)
        }
    }

    public func recordSubmission(_ outcome: SubmissionOutcome, for endpoint: Endpoint) async throws {
        try await database.write { db in
            guard var record = try InventoryRow.fetch(db, endpoint) else { return }
            if case .waiting(let reason) = outcome {
                record.registration.lastError = reason
                try InventoryRow(record).save(db)
                return
            }
            record.registration.attempts += 1
            switch outcome {
            case .registered(let id):
                record.registration.status = .registered
                record.registration.id = id
                record.registration.lastError = nil
            case .retryLater(let error):
                record.registration.status = .pending
                record.registration.lastError = error
            case .rejected(let error):
                record.registration.status = .failed
                record.registration.lastError = error
            case .waiting:
                break
            }
            try InventoryRow(record).save(db)
        }
    }
}

extension InventoryRecord {
    /// The record after `finding` is seen: new endpoints start pending (or not registrable); a failed record is
    /// retried once what would be submitted changes; a registered one keeps its id.
    public static func merging(_ finding: Finding, into existing: InventoryRecord?) -> InventoryRecord {
        let registrable = finding.dbssType != nil
        guard var record = existing else {
            return InventoryRecord(
                finding: finding,
                firstSeen: finding.observedAt,
                lastSeen: finding.observedAt,
                registration: RegistrationState(status: registrable ? .pending : .notRegistrable)
            )
        }
        let changed = record.finding.submissionKey != finding.submissionKey
        record.finding = finding
        record.lastSeen = finding.observedAt
        switch record.registration.status {
        case .notRegistrable where registrable, .failed where changed:
            record.registration = RegistrationState(status: .pending, attempts: record.registration.attempts)
        case .pending where !registrable:
            record.registration = RegistrationState(status: .notRegistrable)
        default:
            break
        }
        return record
    }
}

extension Finding {
    /// The fields that go into a DBSS submission; a change in them makes a rejected finding worth another try.
    var submissionKey: [String?] {
        [product.rawValue, dbssType?.rawValue, version, charset?.rawValue, os?.rawValue]
    }
}
