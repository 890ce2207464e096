import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@Suite("Inventory: claims")
struct ClaimTests {
    private let endpoint = Fixtures.postgres().endpoint

    @Test(arguments: StoreKind.available)
    func aClaimMarksTheRecordSubmittingAndCountsAnAttempt(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.postgres())
            let claimed = try #require(try await inventory.claim(endpoint, owner: "agent-a"))
            #expect(claimed.registration.status == .submitting)
            #expect(claimed.registration.claim == RegistrationClaim(owner: "agent-a", until: Fixtures.t0 + 60))
            #expect(claimed.registration.attempts == 1)
            #expect(try await inventory.record(at: endpoint) == claimed)
            #expect(try await inventory.inFlight() == [claimed])
            #expect(try await inventory.due(now: .distantFuture).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func onlyDueRecordsCanBeClaimed(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.redis())
            try await inventory.submit(Fixtures.postgres(1), .registered(id: "id-1"))
            try await inventory.submit(Fixtures.postgres(2), .rejected(error: "DBSS.10000001"))
            let retrying = try await inventory.submit(
                Fixtures.postgres(3),
                .retryLater(error: "HTTP 503", notBefore: Fixtures.t0 + 120)
            )
            for endpoint in [Fixtures.redis().endpoint, Fixtures.postgres(1).endpoint, Fixtures.postgres(2).endpoint] {
                #expect(try await inventory.claim(endpoint, at: Fixtures.t0 + 86_400) == nil, "\(endpoint)")
            }
            #expect(try await inventory.claim(Fixtures.postgres(99).endpoint) == nil)
            #expect(try await inventory.claim(retrying.endpoint, at: Fixtures.t0 + 119) == nil)
            let due = try #require(try await inventory.claim(retrying.endpoint, at: Fixtures.t0 + 120))
            #expect(due.registration.attempts == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func aLiveClaimKeepsOthersOutUntilItExpires(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.postgres())
            _ = try #require(try await inventory.claim(endpoint, owner: "agent-a"))
            #expect(try await inventory.claim(endpoint, owner: "agent-b", at: Fixtures.t0 + 30) == nil)
            // The holder may claim again (say, to add after reconciling), which extends the claim.
            let again = try #require(try await inventory.claim(endpoint, owner: "agent-a", at: Fixtures.t0 + 30))
            #expect(again.registration.claim?.until == Fixtures.t0 + 90)
            #expect(again.registration.attempts == 2)
            #expect(try await inventory.claim(endpoint, owner: "agent-b", at: Fixtures.t0 + 90) == nil)
            let takeover = try #require(try await inventory.claim(endpoint, owner: "agent-b", at: Fixtures.t0 + 91))
            #expect(takeover.registration.claim?.owner == "agent-b")
            #expect(takeover.registration.attempts == 3)
            let late = try await inventory.complete(
                endpoint,
                owner: "agent-a",
                outcome: .registered(id: "late"),
                now: Fixtures.t0 + 92
            )
            #expect(!late)
            #expect(try await inventory.record(at: endpoint) == takeover)
        }
    }

    @Test(arguments: StoreKind.available)
    func aDeadAgentsClaimIsTakenOverOnlyByNamingIt(_ store: StoreKind) async throws {
        try await store.withInventory { inventory in
            try await inventory.record(Fixtures.postgres())
            _ = try #require(try await inventory.claim(endpoint, owner: "agent-a"))
            #expect(
                try await inventory.claim(endpoint, owner: "agent-b", at: Fixtures.t0 + 1, replacing: "agent-c") == nil
            )
            let takeover = try #require(
                try await inventory.claim(endpoint, owner: "agent-b", at: Fixtures.t0 + 1, replacing: "agent-a")
            )
            #expect(takeover.registration.claim == RegistrationClaim(owner: "agent-b", until: Fixtures.t0 + 61))
            #expect(takeover.registration.attempts == 2)
        }
    }
}
