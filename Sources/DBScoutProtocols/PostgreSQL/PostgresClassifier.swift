import DBScoutCore

/// What a PostgreSQL-style conversation yielded, connection by connection.
public struct PostgresObservation: Sendable, Hashable {
    /// The answer to SSLRequest.
    public var sslResponse: PostgresSSLResponse?
    /// The reply to a startup with an unsupported protocol major (4.0); `nil` if the server hung up silently.
    public var unsupportedProtocolReply: PostgresStartupReply?
    /// The answer to GSSENCRequest, which tells 12 and later from older releases.
    public var gssencResponse: PostgresGSSENCResponse?
    /// The reply to a 3.9999 startup without a user name.
    public var noUserReply: PostgresStartupReply?
    /// The reply to a plain startup with a user, sent only when the server offers TLS, to learn whether it
    /// insists on it.
    public var plainAdmissionReply: PostgresStartupReply?

    public init(
        sslResponse: PostgresSSLResponse? = nil,
        unsupportedProtocolReply: PostgresStartupReply? = nil,
        gssencResponse: PostgresGSSENCResponse? = nil,
        noUserReply: PostgresStartupReply? = nil,
        plainAdmissionReply: PostgresStartupReply? = nil
    ) {
        self.sslResponse = sslResponse
        self.unsupportedProtocolReply = unsupportedProtocolReply
        self.gssencResponse = gssencResponse
        self.noUserReply = noUserReply
        self.plainAdmissionReply = plainAdmissionReply
    }

    var unsupportedProtocolError: PostgresErrorResponse? { unsupportedProtocolReply?.error }
    var noUserError: PostgresErrorResponse? { noUserReply?.error }
}

/// Turns a PostgreSQL observation into a finding: PostgreSQL with its release, openGauss, or a pooler.
public enum PostgresClassifier {
    /// Identifies the server, or returns `nil` when the evidence is not enough.
    ///
    /// An `S` or `N` byte alone never counts (a lone `N` is a known false positive of other scanners): the server
    /// must also send a well-formed ErrorResponse with a severity, a SQLSTATE and a message.
    public static func classify(_ observation: PostgresObservation, at endpoint: Endpoint) -> Finding? {
        let errors = [observation.unsupportedProtocolError, observation.noUserError].compactMap { $0 }
        guard !errors.isEmpty else { return nil }
        var finding = Finding(endpoint: endpoint, product: .postgresql)
        addEvidence(observation, to: &finding)
        if let pooler = pooler(errors) {
            finding.product = pooler
            return finding
        }
        let range = observation.unsupportedProtocolError.flatMap(protocolRange)
        if isOpenGauss(errors, range: range) {
            finding.product = .opengauss
        } else if let estimate = PostgresVersionEstimate.estimate(
            unsupportedProtocol: observation.unsupportedProtocolError,
            noUser: observation.noUserError,
            range: range,
            gssenc: observation.gssencResponse?.understood
        ) {
            finding.version = estimate.summary
            let span = estimate.oldest == estimate.newest ? estimate.oldest : "\(estimate.oldest)-\(estimate.newest)"
            finding.evidence.append(Evidence("postgres.version_estimate", "\(estimate.basis.rawValue): \(span)"))
        }
        finding.tls = tls(observation)
        if errors.contains(where: { $0.file?.contains("\\") == true }) {
            finding.os = .windows64
            finding.evidence.append(Evidence("os.hint", "backslash path in postgres.error.F (MSVC build)"))
        }
        return finding
    }

    private static func addEvidence(_ observation: PostgresObservation, to finding: inout Finding) {
        if let ssl = observation.sslResponse {
            finding.evidence.append(Evidence("postgres.ssl_response", ssl == .willingToNegotiate ? "S" : "N"))
        }
        switch observation.gssencResponse {
        case .willingToNegotiate: finding.evidence.append(Evidence("postgres.gssenc_response", "G"))
        case .notSupported: finding.evidence.append(Evidence("postgres.gssenc_response", "N"))
        case .rejected(let error):
            finding.evidence.append(Evidence("postgres.gssenc_response", "error \(error.sqlState ?? "")"))
        case nil: break
        }
        let replies = [
            ("unsupported_protocol", observation.unsupportedProtocolReply),
            ("no_user", observation.noUserReply),
            ("plain_admission", observation.plainAdmissionReply),
        ]
        for (name, reply) in replies {
            guard let reply else { continue }
            if let negotiation = reply.negotiation {
                finding.evidence.append(
                    Evidence("postgres.\(name).negotiated_minor", String(negotiation.newestMinorVersion))
                )
            }
            if let code = reply.authenticationRequest {
                finding.evidence.append(Evidence("postgres.\(name).authentication_request", String(code)))
            }
            for code in "SVCMFLR" {
                if let value = reply.error?[code] {
                    finding.evidence.append(Evidence("postgres.\(name).\(code)", value))
                }
            }
        }
        if let range = observation.unsupportedProtocolError.flatMap(protocolRange) {
            finding.evidence.append(Evidence("postgres.protocol_range", range.description))
        }
    }

    private static func protocolRange(_ error: PostgresErrorResponse) -> PostgresProtocolRange? {
        error.sqlState == "0A000" ? error.message.flatMap(PostgresProtocolRange.init(message:)) : nil
    }

    /// PgBouncer answers in its own words and without the backend's file, line and routine fields; Pgpool-II
    /// names its own source files and sends no routine.
    static func pooler(_ errors: [PostgresErrorResponse]) -> DatabaseProduct? {
        let bouncerMessages = ["bad packet header", "No username supplied", "Unsupported startup parameter"]
        if errors.contains(where: { error in
            error.file == nil && bouncerMessages.contains { error.message?.hasPrefix($0) == true }
        }) {
            return .pgbouncer
        }
        let pgpoolFiles = ["child.c", "pool_auth.c", "pool_proto_modules.c", "pcp_worker.c"]
        if errors.contains(where: { error in
            error.routine == nil && pgpoolFiles.contains(error.file.map(PostgresVersionEstimate.basename) ?? "")
        }) {
            return .pgpool
        }
        return nil
    }

    /// openGauss and GaussDB state protocol minor 51 and are built from C++ sources.
    static func isOpenGauss(_ errors: [PostgresErrorResponse], range: PostgresProtocolRange?) -> Bool {
        range?.latest == "3.51"
            || errors.contains { $0.file.map(PostgresVersionEstimate.basename) == "postmaster.cpp" }
    }

    /// TLS support from the SSLRequest answer, refined by whether a plain startup is admitted.
    private static func tls(_ observation: PostgresObservation) -> TLSSupport {
        switch observation.sslResponse {
        case .notSupported: return .unsupported
        case .willingToNegotiate:
            guard let error = observation.plainAdmissionReply?.error, error.sqlState == "28000",
                let message = error.message, message.contains("no encryption") || message.contains("SSL off")
            else { return .supported }
            return .required
        case nil: return .unknown
        }
    }
}
