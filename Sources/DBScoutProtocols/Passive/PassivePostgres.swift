import DBScoutCore
import NIOCore

/// PostgreSQL: the client opens with SSLRequest, GSSENCRequest or a StartupMessage, and the server answers with
/// `S`/`N`, `G`/`N`, or an authentication request, NegotiateProtocolVersion or ErrorResponse.
enum PassivePostgres {
    /// What the encryption requests before the startup were answered, for the finding's TLS and evidence.
    struct Preamble {
        var ssl: PostgresSSLResponse?
        var gssenc: PostgresGSSENCResponse?
    }

    static func identify(_ exchange: PassiveExchange) -> Finding? {
        identify(exchange, preamble: Preamble())
    }

    private static func identify(_ exchange: PassiveExchange, preamble: Preamble) -> Finding? {
        guard case .message(let request, let sent) = PassivePostgresRequest.decode(exchange.client) else { return nil }
        switch request {
        case .sslRequest where preamble.ssl == nil:
            guard case .message(let answer, let read) = PostgresSSLResponse.decode(exchange.server),
                let rest = exchange.dropping(client: sent, server: read)
            else { return nil }
            if answer == .notSupported {
                return identify(rest, preamble: Preamble(ssl: answer, gssenc: preamble.gssenc))
            }
            return encrypted(rest, step: "SSLRequest answered S", answer: Evidence("postgres.ssl_response", "S"))
        case .gssencRequest where preamble.gssenc == nil && preamble.ssl == nil:
            return gssenc(exchange, sent: sent)
        case .startup(let major, let minor, let parameters):
            return startup(exchange, sent: sent, version: (major, minor), parameters: parameters, preamble: preamble)
        default:
            return nil
        }
    }

    /// `S` or `G`: the rest is encrypted, so the one byte must be all the server said in clear, and any bytes after
    /// it must be the encrypted session's (TLS records, for `S`).
    private static func encrypted(_ rest: PassiveExchange, step: String, answer: Evidence) -> Finding? {
        let tls = answer.fact == "postgres.ssl_response"
        if tls {
            for side in [rest.client, rest.server] where side.readableBytes > 0 {
                guard PassiveTLS.startsWithHandshakeRecord(side) else { return nil }
            }
        } else if rest.server.readableBytes > 0 && rest.client.readableBytes == 0 {
            return nil
        }
        var finding = Finding(endpoint: rest.endpoint, product: .postgresql, tls: tls ? .supported : .unknown)
        finding.evidence = [
            Evidence("postgres.client.request", tls ? "SSLRequest" : "GSSENCRequest"), answer,
            PassiveTLS.evidence(after: step, client: rest.client, server: rest.server),
        ]
        return finding
    }

    private static func gssenc(_ exchange: PassiveExchange, sent: Int) -> Finding? {
        guard case .message(let answer, let read) = PostgresGSSENCResponse.decode(exchange.server),
            let rest = exchange.dropping(client: sent, server: read)
        else { return nil }
        switch answer {
        case .willingToNegotiate:
            var finding = encrypted(
                rest,
                step: "GSSENCRequest answered G",
                answer: Evidence("postgres.gssenc_response", "G")
            )
            finding?.evidence.append(Evidence("postgres.version_estimate", "gssenc: 12 or later"))
            return finding
        case .notSupported:
            return identify(rest, preamble: Preamble(gssenc: answer))
        case .rejected(let error):
            var finding = Finding(endpoint: exchange.endpoint, product: .postgresql)
            finding.evidence = [
                Evidence("postgres.client.request", "GSSENCRequest"),
                Evidence("postgres.gssenc_response", "error \(error.sqlState ?? "")"),
            ]
            finding.evidence += errorEvidence(error, prefix: "postgres.gssenc")
            finding.evidence.append(Evidence("postgres.version_estimate", "gssenc: before 12"))
            return finding
        }
    }

    private static func startup(
        _ exchange: PassiveExchange,
        sent: Int,
        version: (major: UInt16, minor: UInt16),
        parameters: [String: String],
        preamble: Preamble
    ) -> Finding? {
        guard version.major != 2 else {
            return PassivePostgresVersion2.identify(exchange, sent: sent, preamble: preamble)
        }
        guard case .message(let reply, let read) = PostgresStartupReply.decode(exchange.server) else { return nil }
        let observation = PostgresObservation(
            sslResponse: preamble.ssl,
            unsupportedProtocolReply: version.major != 3 ? reply : nil,
            gssencResponse: preamble.gssenc,
            noUserReply: version.major == 3 && parameters["user"] == nil ? reply : nil,
            plainAdmissionReply: version.major == 3 && parameters["user"] != nil ? reply : nil
        )
        // The active classifier knows the replies to its own probes (protocol 4.0, no user); nmap and our scanner
        // send those, and its version estimate holds for them.
        var finding =
            PostgresClassifier.classify(observation, at: exchange.endpoint)
            ?? plain(reply, observation: observation, endpoint: exchange.endpoint)
        finding.evidence.insert(
            Evidence("postgres.client.startup", "protocol \(version.major).\(version.minor)"),
            at: 0
        )
        if let rest = exchange.dropping(client: sent, server: read) {
            harvest(PassivePostgresParameters.read(rest.server), into: &finding)
        }
        return finding
    }

    /// A startup answered as a client's own login is: the facts are the reply's.
    private static func plain(_ reply: PostgresStartupReply, observation: PostgresObservation, endpoint: Endpoint)
        -> Finding
    {
        var finding = Finding(endpoint: endpoint, product: .postgresql)
        switch observation.sslResponse {
        case .notSupported:
            finding.tls = .unsupported
            finding.evidence.append(Evidence("postgres.ssl_response", "N"))
        case .willingToNegotiate, nil: break
        }
        if observation.gssencResponse == .notSupported {
            finding.evidence.append(Evidence("postgres.gssenc_response", "N"))
        }
        if let negotiation = reply.negotiation {
            finding.evidence.append(
                Evidence("postgres.startup.negotiated_minor", String(negotiation.newestMinorVersion))
            )
        }
        if let code = reply.authenticationRequest {
            finding.evidence.append(Evidence("postgres.startup.authentication_request", String(code)))
        }
        if let error = reply.error {
            finding.evidence += errorEvidence(error, prefix: "postgres.startup")
            if let pooler = PostgresClassifier.pooler([error]) {
                finding.product = pooler
            } else if PostgresClassifier.isOpenGauss([error], range: nil) {
                finding.product = .opengauss
            }
        }
        return finding
    }

    static func errorEvidence(_ error: PostgresErrorResponse, prefix: String) -> [Evidence] {
        "SVCMFLR".compactMap { code in error[code].map { Evidence("\(prefix).\(code)", $0) } }
    }

    /// `server_version` is what the server states of itself; a distribution build names its distribution.
    private static func harvest(_ parameters: [String: String], into finding: inout Finding) {
        guard let stated = parameters["server_version"] else { return }
        finding.evidence.append(Evidence("postgres.parameter.server_version", stated))
        guard finding.product == .postgresql else { return }
        if let number = stated.split(separator: " ").first, number.first?.isNumber == true {
            finding.version = String(number)
        }
        let lower = stated.lowercased()
        if let marker = ["debian", "ubuntu", "pgdg", "red hat", "rhel"].first(where: lower.contains) {
            finding.os = .linux64
            finding.osConfidence = 0.8
            finding.evidence.append(
                Evidence("os.hint", "server_version names a Linux distribution build ('\(marker)')")
            )
        }
    }
}

/// The ParameterStatus messages a server sends after authentication, read from the frames that follow the startup
/// reply.
enum PassivePostgresParameters {
    /// Frames read at most; a login sends about twenty before ReadyForQuery.
    static let maxFrames = 64

    static func read(_ bytes: ByteBuffer) -> [String: String] {
        var rest = bytes
        var parameters: [String: String] = [:]
        for _ in 0..<maxFrames {
            guard case .message(let frame, let consumed) = PostgresBackendFrame.decode(rest) else { break }
            rest.moveReaderIndex(forwardBy: consumed)
            if frame.type == UInt8(ascii: "Z") { break }
            guard frame.type == UInt8(ascii: "S") else { continue }
            let strings = frame.body.readableBytesView.split(separator: 0, omittingEmptySubsequences: false)
            guard strings.count == 3, strings[2].isEmpty, !strings[0].isEmpty else { continue }
            parameters[String(decoding: strings[0], as: UTF8.self)] = String(decoding: strings[1], as: UTF8.self)
        }
        return parameters
    }
}
