import DBScoutCore
import Foundation
import GRDB

/// The SQL face of an ``InventoryRecord``.
struct InventoryRow {
    let record: InventoryRecord

    init(_ record: InventoryRecord) { self.record = record }

    static let columns = """
        ip, port, product, dbss_type, version, charset, os, os_detail, os_confidence, os_source, tls, evidence,
        first_seen, last_seen, registration_status, dbss_id, last_error, attempts
        """

    func save(_ db: Database) throws {
        let finding = record.finding
        let evidence = String(decoding: try JSONEncoder().encode(finding.evidence), as: UTF8.self)
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO findings (\(InventoryRow.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            arguments: [
                finding.endpoint.address.description, Int(finding.endpoint.port), finding.product.rawValue,
                finding.dbssType?.rawValue, finding.version, finding.charset?.rawValue, finding.os?.rawValue,
                finding.osDetail, finding.osConfidence, finding.osSource?.rawValue, finding.tls.rawValue, evidence,
                record.firstSeen.timeIntervalSince1970,
                record.lastSeen.timeIntervalSince1970, record.registration.status.rawValue, record.registration.id,
                record.registration.lastError, record.registration.attempts,
            ]
        )
    }

    static func fetch(_ db: Database, _ endpoint: Endpoint) throws -> InventoryRecord? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(columns) FROM findings WHERE ip = ? AND port = ?",
            arguments: [endpoint.address.description, Int(endpoint.port)]
        ).map(decode)
    }

    static func fetchAll(_ db: Database, status: RegistrationStatus? = nil) throws -> [InventoryRow] {
        let filter = status == nil ? "" : "WHERE registration_status = ?"
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT \(columns) FROM findings \(filter)",
            arguments: StatementArguments(status.map { [$0.rawValue] } ?? [])
        )
        return try rows.map { InventoryRow(try decode($0)) }.sorted { $0.record.endpoint < $1.record.endpoint }
    }

    private static func decode(_ row: Row) throws -> InventoryRecord {
        let ip: String = row["ip"]
        let port: Int = row["port"]
        let productName: String = row["product"]
        guard let address = IPAddress(ip), let product = DatabaseProduct(rawValue: productName),
            let status = RegistrationStatus(rawValue: row["registration_status"]), let port = UInt16(exactly: port)
        else {
            throw DBScoutError(.inventory, "inventory row \(ip):\(port) holds values this version cannot read")
        }
        let evidenceText: String = row["evidence"]
        let finding = Finding(
            endpoint: Endpoint(address: address, port: port),
            product: product,
            version: row["version"],
            charset: (row["charset"] as String?).flatMap(DBSSCharset.init(rawValue:)),
            os: (row["os"] as String?).flatMap(HostOS.init(rawValue:)),
            osDetail: row["os_detail"],
            osConfidence: row["os_confidence"],
            osSource: (row["os_source"] as String?).flatMap(OSClaim.Source.init(rawValue:)),
            tls: TLSSupport(rawValue: row["tls"]) ?? .unknown,
            evidence: (try? JSONDecoder().decode([Evidence].self, from: Data(evidenceText.utf8))) ?? [],
            observedAt: Date(timeIntervalSince1970: row["last_seen"])
        )
        return InventoryRecord(
            finding: finding,
            firstSeen: Date(timeIntervalSince1970: row["first_seen"]),
            lastSeen: Date(timeIntervalSince1970: row["last_seen"]),
            registration: RegistrationState(
                status: status,
                id: row["dbss_id"],
                lastError: row["last_error"],
                attempts: row["attempts"]
            )
        )
    }
}
