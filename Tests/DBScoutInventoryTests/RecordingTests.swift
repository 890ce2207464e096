import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@Suite("Inventory: recording findings")
struct RecordingTests {
    @Test(arguments: StoreKind.available)
    func newEndpointsArePendingOrNotRegistrable(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let postgres = try await inventory.record(Fixtures.postgres())
            let redis = try await inventory.record(Fixtures.redis())
            #expect(postgres.registration == RegistrationState(status: .pending))
            #expect(redis.registration == RegistrationState(status: .notRegistrable))
            #expect(postgres.firstSeen == Fixtures.t0 && postgres.lastSeen == Fixtures.t0)
            #expect(try await inventory.all() == [postgres, redis])
            #expect(try await inventory.record(at: postgres.endpoint) == postgres)
            #expect(try await inventory.record(at: Fixtures.postgres(99).endpoint) == nil)
            #expect(try await inventory.due(now: Fixtures.t0) == [postgres])
            #expect(try await inventory.inFlight().isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyFieldComesBackAsStored(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.complete)
            let claimed = try #require(try await inventory.claim(Fixtures.complete.endpoint))
            #expect(try await inventory.record(at: Fixtures.complete.endpoint) == claimed)
            let retrying = try await inventory.submit(
                Fixtures.complete,
                .retryLater(error: "HTTP 503", notBefore: Fixtures.t0 + 120),
                at: Fixtures.t0 + 61
            )
            #expect(retrying.finding == Fixtures.complete)
            #expect(retrying.registration.nextAttempt == Fixtures.t0 + 120)
            #expect(try await inventory.all() == [retrying])
        }
    }

    @Test(arguments: StoreKind.available)
    func seeingARegisteredEndpointAgainRefreshesItAndKeepsItsRegistration(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let registered = try await inventory.submit(Fixtures.postgres(), .registered(id: "abc123"))
            let later = Fixtures.postgres(version: "16", at: Fixtures.t0 + 3600)
            let seen = try await inventory.record(later)
            #expect(seen.registration == registered.registration)
            #expect(seen.registration.id == "abc123" && seen.registration.origin == .added)
            #expect(seen.finding.version == "16")
            #expect(seen.firstSeen == Fixtures.t0 && seen.lastSeen == later.observedAt)
            #expect(try await inventory.record(at: later.endpoint) == seen)
            #expect(try await inventory.due(now: .distantFuture).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func seeingASubmittingEndpointAgainLeavesTheClaimAlone(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.postgres())
            let claimed = try #require(try await inventory.claim(Fixtures.postgres().endpoint))
            let seen = try await inventory.record(Fixtures.postgres(version: "16", at: Fixtures.t0 + 10))
            #expect(seen.registration == claimed.registration)
            #expect(seen.registration.status == .submitting)
        }
    }

    @Test(arguments: StoreKind.available)
    func aRejectedFindingIsRetriedOnlyOnceWhatWouldBeSubmittedChanges(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let rejected = try await inventory.submit(Fixtures.postgres(), .rejected(error: "DBSS.10000001"))
            #expect(rejected.registration.status == .rejected)
            #expect(rejected.registration.lastError == "DBSS.10000001")
            let unchanged = try await inventory.record(Fixtures.postgres(at: Fixtures.t0 + 60))
            #expect(unchanged.registration == rejected.registration)
            let changed = try await inventory.record(Fixtures.postgres(version: "16", at: Fixtures.t0 + 120))
            #expect(changed.registration == RegistrationState(status: .pending, attempts: 1))
            #expect(try await inventory.due(now: Fixtures.t0 + 120) == [changed])
        }
    }

    @Test(arguments: StoreKind.available)
    func anEndpointMovesInAndOutOfTheQueueAsItsProductBecomesRegistrableOrNot(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            let redis = Fixtures.redis(7)
            let postgres = Finding(endpoint: redis.endpoint, product: .postgresql, observedAt: Fixtures.t0 + 1)
            let unregistrable = try await inventory.record(redis)
            #expect(unregistrable.registration.status == .notRegistrable)
            #expect(try await inventory.record(postgres).registration.status == .pending)
            #expect(try await inventory.record(redis).registration.status == .notRegistrable)
            #expect(try await inventory.due(now: .distantFuture).isEmpty)
        }
    }
}
