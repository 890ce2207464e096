import DBScoutCore
import DBScoutInventory
import DBScoutTestSupport
import Foundation
import Logging
import Testing

@testable import DBScoutAgent

/// `inventory list` and `export` stream a large inventory: every record once, in endpoint order, in each format,
/// written exactly as the whole-document rendering writes the same records.
@Suite("Streaming inventory listings", .serialized)
struct InventoryListingTests {
    static let count = 20_000
    static let logger = Logger(label: "inventory-listing-tests")

    enum Store: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }

        /// PostgreSQL only when the harness's servers are up.
        static let available: [Store] = TestServers.available ? [.sqlite, .postgres] : [.sqlite]
    }

    /// The records of a large inventory, in endpoint order.
    struct Filled {
        let settings: AgentSettings
        let records: [InventoryRecord]
    }

    @Test(arguments: Store.available)
    func everyFormatListsALargeInventoryCompletelyInOrderAndFiltered(_ store: Store) async throws {
        try await Self.withLargeInventory(store) { filled in
            let endpoints = filled.records.map(\.endpoint)
            #expect(filled.records.count == Self.count)
            #expect(endpoints != endpoints.sorted { $0.description < $1.description }, "text order differs")

            let json = try await Self.listing(filled) { try await InventoryReport.writeJSON($0, to: &$1) }
            #expect(json == (try JSONOutput.encode(["findings": filled.records.map(FindingDocument.init)])))
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let findings = try #require(parsed["findings"] as? [[String: Any]])
            #expect(findings.map { "\($0["ip"] ?? ""):\($0["port"] ?? "")" } == endpoints.map(\.description))

            let table = try await Self.listing(filled) { try await InventoryReport.writeText($0, to: &$1) }
            #expect(table == FindingsTable.render(filled.records))
            let lines = table.split(separator: "\n").dropFirst()
            #expect(lines.map { String($0.prefix { $0 != " " }) } == endpoints.map(\.description))

            let csv = try await Self.listing(filled) { try await InventoryCSV.write($0, to: &$1) }
            let rows = csv.components(separatedBy: "\r\n").dropLast()
            #expect(rows.first?.hasPrefix("ip,port,product,") == true)
            #expect(
                rows.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ":") }
                    == endpoints.map(\.description)
            )

            let exportedAt = Date(timeIntervalSince1970: 1_800_000_000)
            let export = try await Self.listing(filled) {
                try await InventoryReport.writeExport($0, exportedAt: exportedAt, to: &$1)
            }
            #expect(export == (try JSONOutput.encode(Export(exportedAt: exportedAt, findings: filled.records))))

            let statuses: Set<RegistrationStatus> = [.registered, .notRegistrable]
            let expected = filled.records.filter { statuses.contains($0.registration.status) }
            #expect(expected.count > 0 && expected.count < filled.records.count)
            let filtered = try await Self.listing(filled, statuses: statuses) {
                try await InventoryReport.writeJSON($0, to: &$1)
            }
            #expect(filtered == (try JSONOutput.encode(["findings": expected.map(FindingDocument.init)])))
        }
    }

    @Test func anEmptyInventoryListsAsBefore() async throws {
        let settings = try AgentSettings.load(
            environment: ["DBSCOUT_STATE_DIR": NSTemporaryDirectory() + "dbscout-listing-\(UUID())"],
            overrides: SettingsOverrides()
        )
        let filled = Filled(settings: settings, records: [])
        let json = try await Self.listing(filled) { try await InventoryReport.writeJSON($0, to: &$1) }
        #expect(json == (try JSONOutput.encode(["findings": [FindingDocument]()])))
        let table = try await Self.listing(filled) { try await InventoryReport.writeText($0, to: &$1) }
        #expect(table == "The inventory is empty.\n")
        let csv = try await Self.listing(filled) { try await InventoryCSV.write($0, to: &$1) }
        #expect(csv.hasPrefix("ip,port,") && csv.components(separatedBy: "\r\n").count == 2)
    }

    /// What `write` prints of the inventory's records in `statuses`.
    static func listing(
        _ filled: Filled,
        statuses: Set<RegistrationStatus> = [],
        _ write: (InventoryPages, inout String) async throws -> Void
    ) async throws -> String {
        var output = ""
        try await InventoryReport.withRecords(filled.settings, statuses: statuses, logger: logger) {
            try await write($0, &output)
        }
        return output
    }

    /// Runs `body` on a fresh inventory of `count` records: addresses whose text order is not their order, one in
    /// five a Redis (not registrable), one in ten registered.
    static func withLargeInventory(_ store: Store, _ body: (Filled) async throws -> Void) async throws {
        let name = "dbscout_listing_\(UInt32.random(in: 0...UInt32.max))"
        var environment = ["DBSCOUT_STATE_DIR": NSTemporaryDirectory() + "dbscout-listing-\(UUID())"]
        if store == .postgres {
            try TestServers.psql("CREATE DATABASE \(name)")
            environment["DBSCOUT_STORE"] = "postgres://postgres@127.0.0.2:5432/\(name)?sslmode=disable"
            environment["DBSCOUT_STORE_PASSWORD"] = TestServers.password
        }
        defer {
            if store == .postgres { try? TestServers.psql("DROP DATABASE \(name) WITH (FORCE)") }
            if let directory = environment["DBSCOUT_STATE_DIR"] {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        let settings = try AgentSettings.load(environment: environment, overrides: SettingsOverrides())
        let records = try await InventoryStore.with(settings, logger: logger) { try await fill($0) }
        try await body(Filled(settings: settings, records: records.sorted { $0.endpoint < $1.endpoint }))
    }

    /// Records `count` findings, eight at a time.
    private static func fill(_ inventory: any Inventory) async throws -> [InventoryRecord] {
        try await withThrowingTaskGroup(of: [InventoryRecord].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var records: [InventoryRecord] = []
                    for index in stride(from: worker, to: count, by: 8) {
                        records.append(try await record(index, inventory))
                    }
                    return records
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    private static func record(_ index: Int, _ inventory: any Inventory) async throws -> InventoryRecord {
        let address = IPAddress("10.\(index / 10_000).\(index / 100 % 100).\(index % 100 + 1)")!
        let redis = index % 5 == 0
        let finding = Finding(
            endpoint: Endpoint(address: address, port: redis ? 6379 : 5432),
            product: redis ? .redis : .postgresql,
            version: "16.\(index % 9)",
            os: .linux64,
            tls: .supported,
            evidence: [Evidence("tcp.connect", "accepted, \(index)"), Evidence("note", "a, \"quoted\"\nline")],
            observedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
        )
        let recorded = try await inventory.record(finding)
        guard index % 10 == 1 else { return recorded }
        let now = finding.observedAt
        _ = try await inventory.claim(finding.endpoint, owner: "test", until: now + 60, now: now, replacing: nil)
        try await inventory.complete(finding.endpoint, owner: "test", outcome: .registered(id: "id-\(index)"), now: now)
        return try #require(try await inventory.record(at: finding.endpoint))
    }
}

/// The export document as a whole, to compare the streamed one with.
private struct Export: Encodable {
    let exportedAt: Date
    let findings: [FindingDocument]

    init(exportedAt: Date, findings: [InventoryRecord]) {
        self.exportedAt = exportedAt
        self.findings = findings.map(FindingDocument.init)
    }

    enum CodingKeys: String, CodingKey {
        case exportedAt = "exported_at", findings
    }
}
