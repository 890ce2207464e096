import DBScoutCore
import Foundation

/// A column value as both stores bind it; each store maps these to its own types.
enum InventoryValue {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    case time(Date?)
}

/// Reads one row of ``InventoryColumns/list``, a column at a time; each store adapts its row type.
protocol InventoryColumnReader {
    func text(_ column: InventoryColumns.Column) throws -> String?
    func integer(_ column: InventoryColumns.Column) throws -> Int?
    func real(_ column: InventoryColumns.Column) throws -> Double?
    func time(_ column: InventoryColumns.Column) throws -> Date?
}

/// The columns of an ``InventoryRecord``, shared by every store so that a record is flattened and read back in
/// one place.
enum InventoryColumns {
    /// The columns in the order of ``values(of:)``; rows are read by position, as finding a column by name (GRDB
    /// compares names case-insensitively) was a large part of reading a long listing.
    enum Column: Int, CaseIterable {
        case ip, port, product, dbssType, version, charset, os, osDetail, osConfidence, osSource, tls, evidence,
            firstSeen, lastSeen, registrationStatus, dbssId, lastError, attempts, claimOwner, claimUntil, nextAttempt,
            origin
    }

    /// The column names, in the order of ``values(of:)``: the ``Column`` cases in snake case.
    static let names = Column.allCases.map { column in
        String("\(column)".flatMap { $0.isUppercase ? ["_", Character($0.lowercased())] : [$0] })
    }

    /// The key columns; every other column is rewritten when a record is saved.
    static let key = ["ip", "port"]

    /// The names joined for a column list.
    static let list = names.joined(separator: ", ")

    static func values(of record: InventoryRecord) throws -> [InventoryValue] {
        let finding = record.finding
        let state = record.registration
        return [
            .text(finding.endpoint.address.description), .integer(Int(finding.endpoint.port)),
            .text(finding.product.rawValue), .text(finding.dbssType?.rawValue), .text(finding.version),
            .text(finding.charset?.rawValue), .text(finding.os?.rawValue), .text(finding.osDetail),
            .real(finding.osConfidence), .text(finding.osSource?.rawValue), .text(finding.tls.rawValue),
            .text(String(decoding: try JSONEncoder().encode(finding.evidence), as: UTF8.self)),
            .time(record.firstSeen), .time(record.lastSeen), .text(state.status.rawValue), .text(state.id),
            .text(state.lastError), .integer(state.attempts), .text(state.claim?.owner), .time(state.claim?.until),
            .time(state.nextAttempt), .text(state.origin?.rawValue),
        ]
    }

    static func record(from row: some InventoryColumnReader) throws -> InventoryRecord {
        let ip = try row.text(.ip) ?? ""
        let port = try row.integer(.port) ?? -1
        guard let address = StoredText.ipv4(ip) ?? IPAddress(ip), let port = UInt16(exactly: port),
            let product = try row.text(.product).flatMap(DatabaseProduct.init(rawValue:)),
            let status = try row.text(.registrationStatus).flatMap(RegistrationStatus.init(rawValue:)),
            let firstSeen = try row.time(.firstSeen), let lastSeen = try row.time(.lastSeen)
        else {
            throw DBScoutError(.inventory, "inventory row \(ip):\(port) holds values this version cannot read")
        }
        let finding = Finding(
            endpoint: Endpoint(address: address, port: port),
            product: product,
            version: try row.text(.version),
            charset: try row.text(.charset).flatMap(DBSSCharset.init(rawValue:)),
            os: try row.text(.os).flatMap(HostOS.init(rawValue:)),
            osDetail: try row.text(.osDetail),
            osConfidence: try row.real(.osConfidence),
            osSource: try row.text(.osSource).flatMap(OSClaim.Source.init(rawValue:)),
            tls: try row.text(.tls).flatMap(TLSSupport.init(rawValue:)) ?? .unknown,
            evidence: evidence(try row.text(.evidence)),
            observedAt: lastSeen
        )
        return InventoryRecord(
            finding: finding,
            firstSeen: firstSeen,
            lastSeen: lastSeen,
            registration: try registration(status, from: row)
        )
    }

    private static func registration(_ status: RegistrationStatus, from row: some InventoryColumnReader) throws
        -> RegistrationState
    {
        let owner = try row.text(.claimOwner)
        let until = try row.time(.claimUntil)
        return RegistrationState(
            status: status,
            id: try row.text(.dbssId),
            lastError: try row.text(.lastError),
            attempts: try row.integer(.attempts) ?? 0,
            claim: owner.flatMap { owner in until.map { RegistrationClaim(owner: owner, until: $0) } },
            nextAttempt: try row.time(.nextAttempt),
            origin: try row.text(.origin).flatMap(RegistrationOrigin.init(rawValue:))
        )
    }

    /// Evidence is kept as JSON; a row an older or newer version wrote unreadably keeps its finding without it.
    private static func evidence(_ json: String?) -> [Evidence] {
        json.flatMap { StoredText.evidence($0) ?? (try? decoder.decode([Evidence].self, from: Data($0.utf8))) } ?? []
    }

    /// One decoder for every row: making one per row was a tenth of reading a long listing.
    private static let decoder = JSONDecoder()
}
