import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

/// Findings and helpers shared by the inventory suites. Instants are whole seconds, which every store keeps
/// exactly.
enum Fixtures {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A PostgreSQL finding at 10.0.0.`host`:5432, seen at `t0`.
    static func postgres(_ host: Int = 7, version: String = "15", at instant: Date = t0) -> Finding {
        Finding(
            endpoint: Endpoint(address: IPAddress("10.0.0.\(host)")!, port: 5432),
            product: .postgresql,
            version: version,
            evidence: [Evidence("postgres.error.L", "2222")],
            observedAt: instant
        )
    }

    /// A Redis finding (no DBSS type) at 10.0.0.`host`:6379.
    static func redis(_ host: Int = 8) -> Finding {
        Finding(endpoint: Endpoint(address: IPAddress("10.0.0.\(host)")!, port: 6379), product: .redis, observedAt: t0)
    }

    /// A finding with every field set, on IPv6, to check that a store gives back what it was given.
    static let complete = Finding(
        endpoint: Endpoint(address: IPAddress("2001:db8::7")!, port: 3306),
        product: .mariadb,
        version: "10.11.19",
        charset: .gbk,
        os: .linux64,
        osDetail: "Linux 6.1, Debian GNU/Linux 12 (bookworm)",
        osConfidence: 0.95,
        osSource: .tcpSignature,
        tls: .required,
        evidence: [Evidence("mysql.version", "10.11.19-MariaDB"), Evidence("os.verdict", "LINUX64")],
        observedAt: t0
    )
}

extension Inventory {
    /// Claims `endpoint` for `owner` at `now` for a minute.
    func claim(
        _ endpoint: Endpoint,
        owner: String = "agent-a",
        at now: Date = Fixtures.t0,
        replacing: String? = nil
    ) async throws -> InventoryRecord? {
        try await claim(endpoint, owner: owner, until: now + 60, now: now, replacing: replacing)
    }

    /// Records `finding`, claims it and stores `outcome`, as one registration attempt at `now`.
    @discardableResult
    func submit(_ finding: Finding, _ outcome: SubmissionOutcome, at now: Date = Fixtures.t0) async throws
        -> InventoryRecord
    {
        try await record(finding)
        _ = try #require(try await claim(finding.endpoint, owner: "setup", at: now))
        #expect(try await complete(finding.endpoint, owner: "setup", outcome: outcome, now: now))
        return try #require(try await record(at: finding.endpoint))
    }
}
