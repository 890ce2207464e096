import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@Suite("Inventory")
struct InventoryTests {
    private let postgres = Finding(
        endpoint: Endpoint(address: IPAddress("10.0.0.7")!, port: 5432),
        product: .postgresql,
        version: "15",
        evidence: [Evidence("postgres.error.L", "2222")]
    )
    private let redis = Finding(endpoint: Endpoint(address: IPAddress("10.0.0.8")!, port: 6379), product: .redis)

    @Test func newFindingsArePendingOrNotRegistrable() async throws {
        let inventory = try SQLiteInventory()
        #expect(try await inventory.record(postgres).registration.status == .pending)
        #expect(try await inventory.record(redis).registration.status == .notRegistrable)
        #expect(try await inventory.pending().map(\.endpoint) == [postgres.endpoint])
    }

    @Test func aRegisteredRecordKeepsItsIdWhenSeenAgain() async throws {
        let inventory = try SQLiteInventory()
        try await inventory.record(postgres)
        try await inventory.recordSubmission(.registered(id: "abc123"), for: postgres.endpoint)
        var later = postgres
        later.observedAt = postgres.observedAt.addingTimeInterval(60)
        let record = try await inventory.record(later)
        #expect(record.registration.status == .registered)
        #expect(record.registration.id == "abc123")
        #expect(record.lastSeen > record.firstSeen)
        #expect(try await inventory.pending().isEmpty)
    }

    @Test func transientFailureStaysPendingAndRejectionWaitsForAChange() async throws {
        let inventory = try SQLiteInventory()
        try await inventory.record(postgres)
        try await inventory.recordSubmission(.retryLater(error: "unreachable"), for: postgres.endpoint)
        #expect(try await inventory.pending().first?.registration.lastError == "unreachable")
        try await inventory.recordSubmission(.rejected(error: "DBSS.10000001"), for: postgres.endpoint)
        #expect(try await inventory.record(postgres).registration.status == .failed)
        var changed = postgres
        changed.version = "16"
        let retried = try await inventory.record(changed)
        #expect(retried.registration.status == .pending)
        #expect(retried.registration.attempts == 2)
    }

    @Test func waitingKeepsARecordPendingWithoutCountingAnAttempt() async throws {
        let inventory = try SQLiteInventory()
        try await inventory.record(postgres)
        try await inventory.recordSubmission(.waiting(reason: "waiting for the host OS"), for: postgres.endpoint)
        let record = try #require(try await inventory.pending().first)
        #expect(record.registration.attempts == 0)
        #expect(record.registration.lastError == "waiting for the host OS")
    }

    @Test func recordsSurviveReopeningTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-inventory-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await SQLiteInventory(directory: directory).record(postgres)
        let reopened = try await SQLiteInventory(directory: directory).all()
        #expect(reopened.count == 1)
        #expect(reopened.first?.finding.version == "15")
        #expect(reopened.first?.finding.evidence == postgres.evidence)
    }

    @Test func anUnwritableLocationIsAClearError() {
        #expect {
            try SQLiteInventory(directory: URL(fileURLWithPath: "/proc/dbscout-cannot-be-here"))
        } throws: { error in
            (error as? DBScoutError)?.code == .inventory && "\(error)".contains("/proc/dbscout-cannot-be-here")
        }
    }
}
