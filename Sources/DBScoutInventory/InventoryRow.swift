import DBScoutCore
import Foundation
import GRDB

/// The SQLite face of an ``InventoryRecord``: ``InventoryColumns`` bound to GRDB, times as seconds since 1970.
enum InventoryRow {
    static func save(_ record: InventoryRecord, _ db: Database) throws {
        let placeholders = Array(repeating: "?", count: InventoryColumns.names.count).joined(separator: ",")
        try db.execute(
            sql: "INSERT OR REPLACE INTO findings (\(InventoryColumns.list)) VALUES (\(placeholders))",
            arguments: StatementArguments(try InventoryColumns.values(of: record).map(databaseValue))
        )
    }

    static func fetch(_ db: Database, _ endpoint: Endpoint) throws -> InventoryRecord? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(InventoryColumns.list) FROM findings WHERE ip = ? AND port = ?",
            arguments: [endpoint.address.description, Int(endpoint.port)]
        ).map { try InventoryColumns.record(from: SQLiteColumns(row: $0)) }
    }

    /// The records whose status is one of `statuses` (every record when `nil`), ordered by endpoint.
    static func fetchAll(_ db: Database, statuses: [RegistrationStatus]? = nil) throws -> [InventoryRecord] {
        let filter = statuses.map { "WHERE registration_status IN (\($0.map { _ in "?" }.joined(separator: ",")))" }
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT \(InventoryColumns.list) FROM findings \(filter ?? "")",
            arguments: StatementArguments((statuses ?? []).map(\.rawValue))
        )
        return try rows.map { try InventoryColumns.record(from: SQLiteColumns(row: $0)) }.sorted {
            $0.endpoint < $1.endpoint
        }
    }

    static func delete(_ db: Database, _ endpoint: Endpoint) throws -> Bool {
        try db.execute(
            sql: "DELETE FROM findings WHERE ip = ? AND port = ?",
            arguments: [endpoint.address.description, Int(endpoint.port)]
        )
        return db.changesCount > 0
    }

    private static func databaseValue(_ value: InventoryValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .text(let text): text
        case .integer(let integer): integer
        case .real(let real): real
        case .time(let time): time?.timeIntervalSince1970
        }
    }
}

/// A GRDB row read through ``InventoryColumnReader``.
private struct SQLiteColumns: InventoryColumnReader {
    let row: Row

    func text(_ column: String) -> String? { row[column] }
    func integer(_ column: String) -> Int? { row[column] }
    func real(_ column: String) -> Double? { row[column] }
    func time(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
}
