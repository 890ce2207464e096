import DBScoutCore

/// The order in which protocols are tried on a port: the port's own protocol first, then the others, so a
/// database on a non-default port is still found.
enum ProbePlan {
    /// The fallback order. Server-first MySQL needs only a short listen; Redis goes before PostgreSQL because a
    /// PostgreSQL server rejects Redis's request at once (a bad startup length), while a Redis server waits for
    /// the rest of a line that PostgreSQL's binary SSLRequest never ends, costing a full read timeout.
    static let available: [any Probe] = [MySQLProbe(), RedisProbe(), PostgresProbe()]

    static func probes(for port: UInt16) -> [(probe: any Probe, hinted: Bool)] {
        let hint = KnownPort.wire(for: port)
        let first = available.filter { $0.wire == hint }.map { (probe: $0, hinted: true) }
        let rest = available.filter { $0.wire != hint }.map { (probe: $0, hinted: false) }
        return first + rest
    }
}
