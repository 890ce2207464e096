import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@Suite("Inventory: outcomes, requeue, forget")
struct CompletionTests {
    private let finding = Fixtures.postgres()

    @Test(arguments: StoreKind.available)
    func aRegistrationStoresTheIdAndClearsWhatCameBefore(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.submit(finding, .retryLater(error: "HTTP 503", notBefore: Fixtures.t0 + 60))
            let registered = try await inventory.submit(finding, .registered(id: "abc123"), at: Fixtures.t0 + 60)
            #expect(
                registered.registration
                    == RegistrationState(status: .registered, id: "abc123", attempts: 2, origin: .added)
            )
            #expect(try await inventory.inFlight().isEmpty)
            #expect(try await inventory.due(now: .distantFuture).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func anImportIsRegisteredWithItsOrigin(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let imported = try await inventory.submit(finding, .imported(id: "by-hand"))
            #expect(
                imported.registration
                    == RegistrationState(status: .registered, id: "by-hand", attempts: 1, origin: .imported)
            )
        }
    }

    @Test(arguments: StoreKind.available)
    func aTransientFailureWaitsUntilItsTime(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let retrying = try await inventory.submit(
                finding,
                .retryLater(error: "HTTP 503", notBefore: Fixtures.t0 + 120)
            )
            #expect(
                retrying.registration
                    == RegistrationState(
                        status: .retrying,
                        lastError: "HTTP 503",
                        attempts: 1,
                        nextAttempt: Fixtures.t0 + 120
                    )
            )
            #expect(try await inventory.due(now: Fixtures.t0 + 119).isEmpty)
            #expect(try await inventory.due(now: Fixtures.t0 + 120) == [retrying])
        }
    }

    @Test(arguments: StoreKind.available)
    func aRejectionIsNotDueAgain(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let rejected = try await inventory.submit(finding, .rejected(error: "DBSS.10000001"))
            #expect(
                rejected.registration == RegistrationState(status: .rejected, lastError: "DBSS.10000001", attempts: 1)
            )
            #expect(try await inventory.due(now: .distantFuture).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func anUncertainAddKeepsTheClaimForReconciliation(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(finding)
            let claimed = try #require(try await inventory.claim(finding.endpoint, owner: "agent-a"))
            let stored = try await inventory.complete(
                finding.endpoint,
                owner: "agent-a",
                outcome: .uncertain(error: "timed out after sending"),
                now: Fixtures.t0
            )
            #expect(stored)
            let uncertain = try #require(try await inventory.record(at: finding.endpoint))
            #expect(uncertain.registration.status == .submitting)
            #expect(uncertain.registration.claim == claimed.registration.claim)
            #expect(uncertain.registration.lastError == "timed out after sending")
            #expect(try await inventory.inFlight() == [uncertain])
            #expect(try await inventory.claim(finding.endpoint, owner: "agent-b", at: Fixtures.t0 + 1) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func waitingGoesBackToPendingWithoutCountingTheAttempt(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let waiting = try await inventory.submit(finding, .waiting(reason: "waiting for the host OS"))
            #expect(
                waiting.registration
                    == RegistrationState(status: .pending, lastError: "waiting for the host OS", attempts: 0)
            )
            #expect(try await inventory.due(now: Fixtures.t0) == [waiting])
        }
    }

    @Test(arguments: StoreKind.available)
    func releasingPutsTheRecordBackAsItWas(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(finding)
            let released = try await inventory.submit(finding, .released)
            #expect(released.registration == RegistrationState(status: .pending))
            let retrying = try await inventory.submit(finding, .retryLater(error: "HTTP 503", notBefore: Fixtures.t0))
            let releasedAgain = try await inventory.submit(finding, .released)
            #expect(releasedAgain.registration == retrying.registration)
        }
    }

    @Test(arguments: StoreKind.available)
    func onlyTheHolderCanStoreAnOutcome(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let pending = try await inventory.record(finding)
            let unclaimed = try await inventory.complete(
                finding.endpoint,
                owner: "agent-a",
                outcome: .registered(id: "x"),
                now: Fixtures.t0
            )
            #expect(!unclaimed)
            #expect(try await inventory.record(at: finding.endpoint) == pending)
            let claimed = try #require(try await inventory.claim(finding.endpoint, owner: "agent-a"))
            let stranger = try await inventory.complete(
                finding.endpoint,
                owner: "agent-b",
                outcome: .rejected(error: "no"),
                now: Fixtures.t0
            )
            #expect(!stranger)
            #expect(try await inventory.record(at: finding.endpoint) == claimed)
            let unknown = try await inventory.complete(
                Fixtures.postgres(99).endpoint,
                owner: "agent-a",
                outcome: .released,
                now: Fixtures.t0
            )
            #expect(!unknown)
        }
    }

    @Test(arguments: StoreKind.available)
    func requeueMakesRejectedAndRetryingRecordsDueAtOnce(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.submit(Fixtures.postgres(1), .rejected(error: "DBSS.10000001"))
            try await inventory.submit(Fixtures.postgres(2), .retryLater(error: "HTTP 503", notBefore: .distantFuture))
            let registered = try await inventory.submit(Fixtures.postgres(3), .registered(id: "id-3"))
            let pending = try await inventory.record(Fixtures.postgres(4))
            #expect(try await inventory.requeue() == 2)
            let due = try await inventory.due(now: Fixtures.t0)
            #expect(due.map(\.endpoint) == [1, 2, 4].map { Fixtures.postgres($0).endpoint })
            #expect(due.allSatisfy { $0.registration.status == .pending && $0.registration.nextAttempt == nil })
            #expect(due.first?.registration.lastError == "DBSS.10000001")
            #expect(try await inventory.record(at: registered.endpoint) == registered)
            #expect(due.last == pending)
            #expect(try await inventory.requeue() == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func forgettingRemovesTheRecord(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.submit(finding, .registered(id: "abc123"))
            #expect(try await inventory.forget(finding.endpoint))
            #expect(try await inventory.record(at: finding.endpoint) == nil)
            #expect(!(try await inventory.forget(finding.endpoint)))
            #expect(try await inventory.record(finding).registration.status == .pending)
        }
    }
}
