import DBScoutCore
import DBScoutInventory
import Foundation
import GRDB
import Testing

/// Listings read the inventory a page at a time (``Inventory/records(statuses:pageSize:)``): every record once, in
/// endpoint order, whatever the page size.
@Suite("Inventory: paged listings")
struct PagingTests {
    /// Endpoints whose text order is not their order (10.0.0.10 < 10.0.0.9 as text), several ports on one address
    /// so that pages end in the middle of an address, and IPv6 after every IPv4 address.
    static let endpoints: [Endpoint] =
        (1...30).flatMap { host in [5432, 3306, 6379].map { endpoint("10.0.\(host % 3).\(host)", $0) } }
        + [endpoint("2001:db8::9", 5432), endpoint("2001:db8::10", 5432), endpoint("9.255.255.255", 1)]

    static func endpoint(_ address: String, _ port: UInt16) -> Endpoint {
        Endpoint(address: IPAddress(address)!, port: port)
    }

    static func finding(_ endpoint: Endpoint) -> Finding {
        Finding(
            endpoint: endpoint,
            product: endpoint.port == 6379 ? .redis : .postgresql,
            version: "16.\(endpoint.port)",
            evidence: [Evidence("tcp.connect", endpoint.description)],
            observedAt: Fixtures.t0
        )
    }

    @Test(arguments: StoreKind.available, [1, 7, 93, 94, 1000])
    func everyRecordComesOnceInEndpointOrder(_ store: StoreKind, pageSize: Int) async throws {
        try await store.withInventory { inventory in
            for endpoint in Self.endpoints.shuffled() { try await inventory.record(Self.finding(endpoint)) }
            var listed: [InventoryRecord] = []
            for try await record in inventory.records(pageSize: pageSize) { listed.append(record) }
            #expect(listed.map(\.endpoint) == Self.endpoints.sorted())
            #expect(listed == (try await inventory.all()), "the same records as a whole read")
        }
    }

    @Test(arguments: StoreKind.available)
    func theStoreCountsEachStatusAsTheRecordsSay(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            #expect(try await inventory.statusCounts().isEmpty)
            for endpoint in Self.endpoints { try await inventory.record(Self.finding(endpoint)) }
            for endpoint in Self.endpoints.filter({ $0.port == 3306 }).prefix(4) {
                try await inventory.submit(Self.finding(endpoint), .rejected(error: "DBSS.10020102"))
            }
            let counted = try await inventory.statusCounts()
            let listed = Dictionary(grouping: try await inventory.all(), by: \.registration.status).mapValues(\.count)
            #expect(counted == listed)
            #expect(counted[.rejected] == 4)
        }
    }

    @Test(arguments: StoreKind.available)
    func aStatusFilterKeepsTheOrder(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            for endpoint in Self.endpoints { try await inventory.record(Self.finding(endpoint)) }
            let rejected = Self.endpoints.filter { $0.port == 3306 }.prefix(5)
            for endpoint in rejected {
                try await inventory.submit(Self.finding(endpoint), .rejected(error: "DBSS.10020102"))
            }
            let all = try await inventory.all()
            for statuses: Set<RegistrationStatus> in [[.rejected], [.rejected, .notRegistrable], [.registered]] {
                var listed: [InventoryRecord] = []
                for try await record in inventory.records(statuses: statuses, pageSize: 4) { listed.append(record) }
                #expect(listed == all.filter { statuses.contains($0.registration.status) }, "\(statuses)")
                #expect(
                    !statuses.contains(.rejected) || listed.filter { $0.registration.status == .rejected }.count == 5
                )
            }
        }
    }

    /// Records written by another program (an older dbscout) lack the order column; the next open fills it in,
    /// so that they are listed too, in their place.
    @Test func recordsWrittenWithoutTheOrderAreListedAfterReopening() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-inventory-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inventory = try SQLiteInventory(directory: directory)
        for endpoint in Self.endpoints { try await inventory.record(Self.finding(endpoint)) }
        let file = directory.appendingPathComponent(SQLiteInventory.fileName).path
        try await DatabaseQueue(path: file).write { db in
            try db.execute(sql: "UPDATE findings SET ip_order = NULL WHERE port = 3306")
        }
        var listed: [Endpoint] = []
        for try await record in try SQLiteInventory(directory: directory).records(pageSize: 10) {
            listed.append(record.endpoint)
        }
        #expect(listed == Self.endpoints.sorted())
    }
}
