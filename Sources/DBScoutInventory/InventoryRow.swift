import DBScoutCore
import Foundation
import GRDB

/// The SQLite face of an ``InventoryRecord``: ``InventoryColumns`` bound to GRDB, times as seconds since 1970.
enum InventoryRow {
    static func save(_ record: InventoryRecord, _ db: Database) throws {
        let placeholders = Array(repeating: "?", count: InventoryColumns.names.count + 1).joined(separator: ",")
        let values = try InventoryColumns.values(of: record).map(databaseValue) + [order(record.endpoint.address)]
        try db.execute(
            sql: "INSERT OR REPLACE INTO findings (\(InventoryColumns.list), ip_order) VALUES (\(placeholders))",
            arguments: StatementArguments(values)
        )
    }

    /// One page of a listing, by the `findings_by_endpoint` index.
    static func page(_ db: Database, after endpoint: Endpoint?, limit: Int, statuses: Set<RegistrationStatus>)
        throws -> [InventoryRecord]
    {
        // The index is named because without statistics SQLite would rather find a status by its own index and
        // sort every match again for each page.
        let query = InventoryPageQuery(
            source: "findings INDEXED BY findings_by_endpoint",
            order: InventoryPageQuery.Order(expression: "ip_order", key: order, parameter: { $0 }),
            placeholder: { _ in "?" },
            after: endpoint,
            limit: limit,
            statuses: statuses
        )
        // A cursor reads each row from the statement, where a fetched array would copy every row first.
        let rows = try Row.fetchCursor(
            db,
            sql: query.sql,
            arguments: StatementArguments(query.values.map(databaseValue))
        )
        var records: [InventoryRecord] = []
        while let row = try rows.next() { records.append(try InventoryColumns.record(from: SQLiteColumns(row: row))) }
        return records
    }

    /// An address as text that sorts as ``IPAddress`` does: the family (IPv4 first), then the number in
    /// fixed-width hexadecimal.
    static func order(_ address: IPAddress) -> String {
        let digits = String(address.numeric, radix: 16)
        return (address.isIPv4 ? "4" : "6") + String(repeating: "0", count: address.bitWidth / 4 - digits.count)
            + digits
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

    static func statusCounts(_ db: Database) throws -> [RegistrationStatus: Int] {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT registration_status, COUNT(*) FROM findings GROUP BY registration_status"
        )
        return rows.reduce(into: [:]) { counts, row in
            if let status = RegistrationStatus(rawValue: row[0]) { counts[status] = row[1] }
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

/// A GRDB row of ``InventoryColumns/list`` read through ``InventoryColumnReader``.
private struct SQLiteColumns: InventoryColumnReader {
    let row: Row

    func text(_ column: InventoryColumns.Column) -> String? { row[column.rawValue] }
    func integer(_ column: InventoryColumns.Column) -> Int? { row[column.rawValue] }
    func real(_ column: InventoryColumns.Column) -> Double? { row[column.rawValue] }
    func time(_ column: InventoryColumns.Column) -> Date? {
        (row[column.rawValue] as Double?).map(Date.init(timeIntervalSince1970:))
    }
}
