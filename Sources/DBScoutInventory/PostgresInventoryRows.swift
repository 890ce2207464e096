import DBScoutCore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL face of an ``InventoryRecord``: ``InventoryColumns`` bound as PostgreSQL parameters.
enum PostgresInventoryRows {
    private static let table = PostgresInventorySchema.table
    private static let select = "SELECT \(InventoryColumns.list) FROM \(table)"

    /// The record at `endpoint`; with `locking`, locked until the transaction ends.
    static func fetch(_ endpoint: Endpoint, locking: Bool, _ connection: PostgresConnection, logger: Logger)
        async throws -> InventoryRecord?
    {
        let query: PostgresQuery = """
            \(unescaped: select) WHERE ip = \(endpoint.address.description) AND port = \(Int(endpoint.port))
            \(unescaped: locking ? "FOR UPDATE" : "")
            """
        return try await records(query, connection, logger: logger).first
    }

    /// The records whose status is one of `statuses` (every record when `nil`), ordered by endpoint; with
    /// `locking`, locked until the transaction ends.
    static func fetchAll(
        _ statuses: [RegistrationStatus]?,
        locking: Bool = false,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws -> [InventoryRecord] {
        let filter: PostgresQuery =
            if let statuses { "WHERE registration_status = ANY(\(statuses.map(\.rawValue)))" } else { "" }
        let query = PostgresQuery(
            unsafeSQL: "\(select) \(filter.sql) \(locking ? "FOR UPDATE" : "")",
            binds: filter.binds
        )
        return try await records(query, connection, logger: logger).sorted { $0.endpoint < $1.endpoint }
    }

    /// One page of a listing, by the `(ip::inet, port)` index.
    static func page(
        after endpoint: Endpoint?,
        limit: Int,
        statuses: Set<RegistrationStatus>,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws -> [InventoryRecord] {
        let query = InventoryPageQuery(
            source: table,
            order: InventoryPageQuery.Order(expression: "ip::inet", key: \.description, parameter: { "\($0)::inet" }),
            placeholder: { "$\($0)" },
            after: endpoint,
            limit: limit,
            statuses: statuses
        )
        return try await records(
            PostgresQuery(unsafeSQL: query.sql, binds: bindings(query.values)),
            connection,
            logger: logger
        )
    }

    /// Inserts `record` unless its endpoint is already there (another agent's insert may have won); returns whether
    /// it inserted.
    static func insert(_ record: InventoryRecord, _ connection: PostgresConnection, logger: Logger) async throws
        -> Bool
    {
        let placeholders = (1...InventoryColumns.names.count).map { "$\($0)" }.joined(separator: ", ")
        let sql = """
            INSERT INTO \(table) (\(InventoryColumns.list)) VALUES (\(placeholders))
            ON CONFLICT (ip, port) DO NOTHING RETURNING ip
            """
        let query = PostgresQuery(unsafeSQL: sql, binds: try bindings(record))
        return try await !connection.query(query, logger: logger).collect().isEmpty
    }

    /// Rewrites the stored record at `record`'s endpoint.
    static func update(_ record: InventoryRecord, _ connection: PostgresConnection, logger: Logger) async throws {
        // Parameters follow ``InventoryColumns/names``, whose first two are the key.
        let assignments = InventoryColumns.names.enumerated().dropFirst(InventoryColumns.key.count).map {
            "\($0.element) = $\($0.offset + 1)"
        }
        let sql = "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE ip = $1 AND port = $2"
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: try bindings(record)), logger: logger)
    }

    static func statusCounts(_ connection: PostgresConnection, logger: Logger) async throws
        -> [RegistrationStatus: Int]
    {
        let query: PostgresQuery =
            "SELECT registration_status, COUNT(*) FROM \(unescaped: table) GROUP BY registration_status"
        var counts: [RegistrationStatus: Int] = [:]
        for try await (status, count) in try await connection.query(query, logger: logger).decode((String, Int).self) {
            if let status = RegistrationStatus(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    static func delete(_ endpoint: Endpoint, _ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let query: PostgresQuery = """
            DELETE FROM \(unescaped: table) WHERE ip = \(endpoint.address.description) AND port = \(Int(endpoint.port))
            RETURNING ip
            """
        return try await !connection.query(query, logger: logger).collect().isEmpty
    }

    private static func records(_ query: PostgresQuery, _ connection: PostgresConnection, logger: Logger)
        async throws -> [InventoryRecord]
    {
        var records: [InventoryRecord] = []
        for try await row in try await connection.query(query, logger: logger) {
            records.append(try InventoryColumns.record(from: PostgresColumns(row: row.makeRandomAccess())))
        }
        return records
    }

    private static func bindings(_ record: InventoryRecord) throws -> PostgresBindings {
        bindings(try InventoryColumns.values(of: record))
    }

    private static func bindings(_ values: [InventoryValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .time(let time): bindings.append(time)
            }
        }
        return bindings
    }
}

/// A PostgreSQL row read through ``InventoryColumnReader``.
private struct PostgresColumns: InventoryColumnReader {
    let row: PostgresRandomAccessRow

    func text(_ column: InventoryColumns.Column) throws -> String? { try row[column.rawValue].decode(String?.self) }
    func integer(_ column: InventoryColumns.Column) throws -> Int? { try row[column.rawValue].decode(Int?.self) }
    func real(_ column: InventoryColumns.Column) throws -> Double? { try row[column.rawValue].decode(Double?.self) }
    func time(_ column: InventoryColumns.Column) throws -> Date? { try row[column.rawValue].decode(Date?.self) }
}
