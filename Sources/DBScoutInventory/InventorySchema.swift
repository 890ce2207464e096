import DBScoutCore
import GRDB

/// The inventory's tables, versioned so that older files upgrade in place.
enum InventorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-findings") { db in
            try db.create(table: "findings") { table in
                table.column("ip", .text).notNull()
                table.column("port", .integer).notNull()
                table.column("product", .text).notNull()
                table.column("dbss_type", .text)
                table.column("version", .text)
                table.column("charset", .text)
                table.column("os", .text)
                table.column("tls", .text).notNull()
                table.column("evidence", .text).notNull()
                table.column("first_seen", .double).notNull()
                table.column("last_seen", .double).notNull()
                table.column("registration_status", .text).notNull()
                table.column("dbss_id", .text)
                table.column("last_error", .text)
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.primaryKey(["ip", "port"])
            }
            try db.create(index: "findings_by_status", on: "findings", columns: ["registration_status"])
        }
        migrator.registerMigration("v2-os-detail") { db in
            try db.alter(table: "findings") { table in table.add(column: "os_detail", .text) }
        }
        migrator.registerMigration("v3-os-confidence") { db in
            try db.alter(table: "findings") { table in
                table.add(column: "os_confidence", .double)
                table.add(column: "os_source", .text)
            }
        }
        migrator.registerMigration("v4-claims") { db in
            try db.alter(table: "findings") { table in
                table.add(column: "claim_owner", .text)
                table.add(column: "claim_until", .double)
                table.add(column: "next_attempt", .double)
                table.add(column: "origin", .text)
            }
            // `failed` became `rejected` when transient failures got a status of their own (`retrying`).
            try db.execute(
                sql: "UPDATE findings SET registration_status = 'rejected' WHERE registration_status = 'failed'"
            )
        }
        migrator.registerMigration("v5-endpoint-order") { db in
            // Listings page through the records in endpoint order, which the text `ip` does not sort in.
            try db.alter(table: "findings") { table in table.add(column: "ip_order", .text) }
            try db.execute(sql: InventorySchema.fillEndpointOrder)
            try db.create(index: "findings_by_endpoint", on: "findings", columns: ["ip_order", "port"])
        }
        return migrator
    }

    /// Sets `ip_order` where it is missing: every row once, and afterwards the rows another program (an older
    /// dbscout, say) wrote without it.
    static let fillEndpointOrder =
        "UPDATE findings SET ip_order = \(orderFunction.name)(ip) WHERE ip_order IS NULL"

    /// `dbscout_ip_order(ip)`: ``InventoryRow/order(_:)`` for SQL, registered on every connection.
    static let orderFunction = DatabaseFunction("dbscout_ip_order", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).flatMap { IPAddress($0) }.map(InventoryRow.order)
    }
}
