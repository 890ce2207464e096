import DBScoutCore

/// What a PostgreSQL-style conversation yielded: the SSLRequest answer and the error to an unsupported startup.
public struct PostgresObservation: Sendable, Hashable {
    public var sslResponse: PostgresSSLResponse?
    public var startupError: PostgresErrorResponse?

    public init(sslResponse: PostgresSSLResponse? = nil, startupError: PostgresErrorResponse? = nil) {
        self.sslResponse = sslResponse
        self.startupError = startupError
    }
}

/// Turns a PostgreSQL observation into a finding.
public enum PostgresClassifier {
    /// Identifies a PostgreSQL server, or returns `nil` when the evidence is not enough.
    ///
    /// An `S` or `N` byte alone never counts (a lone `N` is a known false positive of other scanners): the server
    /// must also send a well-formed ErrorResponse with a severity, a SQLSTATE and a message.
    public static func classify(_ observation: PostgresObservation, at endpoint: Endpoint) -> Finding? {
        guard let error = observation.startupError else { return nil }
        var finding = Finding(endpoint: endpoint, product: .postgresql)
        if let ssl = observation.sslResponse {
            finding.tls = ssl == .willingToNegotiate ? .supported : .unsupported
            finding.evidence.append(Evidence("postgres.ssl_response", ssl == .willingToNegotiate ? "S" : "N"))
        }
        for code in "SVCMFLR" {
            if let value = error[code] { finding.evidence.append(Evidence("postgres.error.\(code)", value)) }
        }
        let range = error.sqlState == "0A000" ? error.message.flatMap(PostgresProtocolRange.init(message:)) : nil
        if let range { finding.evidence.append(Evidence("postgres.protocol_range", range.description)) }
        if let estimate = PostgresVersionEstimate.estimate(from: error, range: range) {
            finding.version = estimate.summary
            let span = estimate.oldest == estimate.newest ? estimate.oldest : "\(estimate.oldest)-\(estimate.newest)"
            finding.evidence.append(Evidence("postgres.version_estimate", "\(estimate.basis.rawValue): \(span)"))
        }
        if error.file?.contains("\\") == true {
            finding.os = .windows64
            finding.evidence.append(Evidence("os.hint", "backslash path in postgres.error.F (MSVC build)"))
        }
        return finding
    }
}
