import DBScoutCore

/// The order in which protocols are tried on a port: the port's own protocol first, then the others, so a
/// database on a non-default port is still found.
enum ProbePlan {
    /// The fallback order. Server-first MySQL needs only a short listen. Redis goes before the binary protocols
    /// because a Redis server waits for the end of a line that a binary request (TDS PRELOGIN, PostgreSQL
    /// SSLRequest) never sends, costing a full read timeout, while those servers reject Redis's text at once
    /// (PostgreSQL reads it as an absurd startup length). MongoDB goes before TNS and DRDA, whose binary
    /// headers a MongoDB server reads as a huge message length and waits for.
    static let available: [any Probe] = [
        MySQLProbe(), RedisProbe(), TDSProbe(), PostgresProbe(), MongoDBProbe(), TNSProbe(), DRDAProbe(),
    ]

    /// The ALPN protocols to offer on a TLS-first retry: the port's protocol's own name where it has one.
    static func alpn(for port: UInt16) -> [String] {
        switch KnownPort.wire(for: port) {
        case .postgres: ["postgresql"]
        case .tds: ["tds/8.0"]
        default: []
        }
    }

    static func probes(for port: UInt16) -> [(probe: any Probe, hinted: Bool)] {
        let hint = KnownPort.wire(for: port)
        let first = available.filter { $0.wire == hint }.map { (probe: $0, hinted: true) }
        let rest = available.filter { $0.wire != hint }.map { (probe: $0, hinted: false) }
        return first + rest
    }
}
