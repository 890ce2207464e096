import DBScoutCore
import NIOCore

/// Identifies the database behind one captured TCP conversation, using the active scanner's codecs and
/// classifiers on what the client said and what the server answered.
///
/// A finding always rests on a pair: a client message of a database protocol and the server's reply in the same
/// protocol (for server-first MySQL, the greeting and the client's answer to it). The port is never consulted, so
/// a database on any port is found and a foreign service on a database's port is not.
public enum PassiveClassifier {
    /// The server side of `flow` as a finding, or `nil` when the traffic does not prove a database.
    ///
    /// A flow seen mid-stream has roles guessed by the flow table; when the payload does not fit that way round it
    /// is read the other way round too.
    public static func classify(_ flow: TCPFlowSnapshot) -> Finding? {
        if let finding = identify(PassiveExchange(flow)) {
            return withOS(finding, flow: flow)
        }
        guard !flow.seenFromStart, var finding = identify(PassiveExchange(reversing: flow)) else { return nil }
        // The handshake packets, if any, belong to the other side; only the banner's own hint settles the OS.
        finding.settleOS(with: [])
        return finding
    }

    /// The protocol recognisers, each strict on its own; the first that accepts the exchange wins.
    static let recognizers: [@Sendable (PassiveExchange) -> Finding?] = [
        PassiveMySQL.identify,
        PassivePostgres.identify,
        PassiveRedis.identify,
        PassiveTDS.identify,
        PassiveTNS.identify,
        PassiveMongoDB.identify,
        PassiveDRDA.identify,
    ]

    private static func identify(_ exchange: PassiveExchange) -> Finding? {
        guard exchange.client.readableBytes > 0 || exchange.server.readableBytes > 0 else { return nil }
        for recognizer in recognizers {
            if let finding = recognizer(exchange) { return finding }
        }
        return nil
    }

    /// Adds the server's TCP signature, when the SYN-ACK was seen, and settles the OS among it and any banner hint.
    static func withOS(_ finding: Finding, flow: TCPFlowSnapshot) -> Finding {
        var finding = finding
        var claims: [OSClaim] = []
        if let synAck = flow.synAck.flatMap({ TCPSignature.decode(ByteBuffer(bytes: $0)).value }), synAck.isSYNACK {
            let syn = flow.syn.flatMap { TCPSignature.decode(ByteBuffer(bytes: $0)).value }.flatMap {
                $0.isSYN ? $0 : nil
            }
            let verdict =
                syn.map { TCPOSClassifier.classify(synAck, answering: $0) } ?? TCPOSClassifier.classify(synAck)
            finding.evidence += verdict.evidence
            finding.evidence.append(Evidence("os.tcp.verdict", "\(verdict.label) (confidence \(verdict.confidence))"))
            if let os = verdict.os {
                claims.append(
                    OSClaim(os: os, detail: verdict.label, confidence: verdict.confidence, source: .tcpSignature)
                )
            }
        }
        finding.settleOS(with: claims)
        return finding
    }
}

/// The two directions of a flow as buffers, and the endpoint a finding names.
struct PassiveExchange: Sendable {
    let client: ByteBuffer
    let server: ByteBuffer
    let endpoint: Endpoint

    init(_ flow: TCPFlowSnapshot) {
        client = ByteBuffer(bytes: flow.clientBytes)
        server = ByteBuffer(bytes: flow.serverBytes)
        endpoint = flow.server
    }

    init(reversing flow: TCPFlowSnapshot) {
        client = ByteBuffer(bytes: flow.serverBytes)
        server = ByteBuffer(bytes: flow.clientBytes)
        endpoint = flow.client
    }

    init(client: ByteBuffer, server: ByteBuffer, endpoint: Endpoint) {
        self.client = client
        self.server = server
        self.endpoint = endpoint
    }

    /// The same exchange with the first `client` and `server` bytes already accounted for.
    func dropping(client clientBytes: Int, server serverBytes: Int) -> PassiveExchange? {
        var client = client
        var server = server
        guard clientBytes <= client.readableBytes, serverBytes <= server.readableBytes else { return nil }
        client.moveReaderIndex(forwardBy: clientBytes)
        server.moveReaderIndex(forwardBy: serverBytes)
        return PassiveExchange(client: client, server: server, endpoint: endpoint)
    }
}

/// Evidence that what follows the clear-text handshake is TLS.
enum PassiveTLS {
    /// Whether `bytes` start with a TLS handshake record (content type 22, major version 3).
    static func startsWithHandshakeRecord(_ bytes: ByteBuffer) -> Bool {
        bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == 0x16
            && bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) == 0x03
    }

    /// The evidence for a session that turned to TLS after `step`, noting whether the TLS records were seen.
    static func evidence(after step: String, client: ByteBuffer, server: ByteBuffer) -> Evidence {
        let seen = startsWithHandshakeRecord(client) || startsWithHandshakeRecord(server)
        let tail = seen ? "TLS handshake records follow" : "no clear-text follows"
        return Evidence("passive.tls", "encrypted after \(step): \(tail)")
    }
}
