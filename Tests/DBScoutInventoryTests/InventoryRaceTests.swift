import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@Suite("Inventory: agents racing")
struct InventoryRaceTests {
    /// Eight agents, each with its own handle on one inventory, record the same 50 findings in their own order and
    /// race to claim them all: every endpoint ends up claimed by exactly one of them, once.
    @Test(arguments: StoreKind.available)
    func eachEndpointIsClaimedExactlyOnce(_ store: StoreKind) async throws {
        let findings = (1...50).map { Fixtures.postgres($0) }
        try await store.withInventories(count: 8) { agents in
            let claims = try await withThrowingTaskGroup(of: [(Endpoint, String)].self) { group in
                for (index, agent) in agents.enumerated() {
                    group.addTask {
                        let owner = "agent-\(index)"
                        for finding in findings.shuffled() { try await agent.record(finding) }
                        var won: [(Endpoint, String)] = []
                        for finding in findings.shuffled() {
                            if try await agent.claim(finding.endpoint, owner: owner, at: Fixtures.t0) != nil {
                                won.append((finding.endpoint, owner))
                            }
                        }
                        return won
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == findings.count)
            let winners = Dictionary(claims, uniquingKeysWith: { first, _ in first })
            #expect(winners.count == findings.count)
            let records = try await agents[0].all()
            #expect(records.count == findings.count)
            for record in records {
                #expect(record.registration.status == .submitting, "\(record.endpoint)")
                #expect(record.registration.attempts == 1, "\(record.endpoint)")
                #expect(record.registration.claim?.owner == winners[record.endpoint], "\(record.endpoint)")
            }
        }
    }
}
