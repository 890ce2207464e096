import DBScoutCore
import DBScoutProtocols
import NIOCore

/// What one clear PRELOGIN exchange showed.
enum TDSProbeOutcome: Sendable {
    /// A SQL Server answered.
    case identified(Finding)
    /// On the protocol's own port, the peer hung up (close or reset) or sent a TLS alert, with no TDS reply, right
    /// after a clear PRELOGIN. A SQL Server in TDS 8.0 strict mode does this: it expects a TLS ClientHello (ALPN
    /// `tds/8.0`) before any TDS byte. The evidence says what happened, for the TLS-first retry to confirm.
    case tlsFirstSuspected([Evidence])
    /// Anything else: silence, a reply that is not a PRELOGIN answer, or a hang-up on some other port.
    case notTDS
}

/// Sends one clear PRELOGIN and reads the answer: SQL Server's exact version and encryption stance, in one
/// connection and one round trip.
struct TDSProbe: Probe {
    let wire = WireProtocol.tds

    /// Identifies SQL Server, or returns `nil`.
    ///
    /// Also `nil` when a TDS 8.0 strict server is suspected (see ``TDSProbeOutcome/tlsFirstSuspected(_:)``): a
    /// hang-up alone cannot identify a database, since many services drop bytes they do not understand. Use
    /// ``observe(_:context:)`` to get the evidence for the TLS-first retry.
    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        if case .identified(let finding) = try await observe(endpoint, context: context) { return finding }
        return nil
    }

    /// Runs the exchange and says what it showed, including the hang-up that points at a TLS-first server.
    func observe(_ endpoint: Endpoint, context: ProbeContext) async throws -> TDSProbeOutcome {
        try await context.withConnection(to: endpoint) { connection in
            let clock = ContinuousClock()
            await connection.send(TDSPreloginRequest.probe.encode())
            let sent = clock.now
            let read = try await connection.read(timeout: context.readTimeout) { bytes in
                if case .needMoreData = TDSPreloginResponse.decode(bytes) { return false }
                return true
            }
            if let response = TDSPreloginResponse.decode(read.bytes).value {
                return TDSClassifier.classify(response, at: endpoint).map { .identified($0) } ?? .notTDS
            }
            guard context.portIsHinted, let reaction = hangUp(read) else { return .notTDS }
            let milliseconds = Int(((clock.now - sent) / .milliseconds(1)).rounded())
            return .tlsFirstSuspected([
                Evidence("tds.prelogin.no_reply", "\(reaction) \(milliseconds) ms after a clear PRELOGIN"),
                Evidence("tds.strict_tls_suspected", "retry on port \(endpoint.port) with TLS first, ALPN tds/8.0"),
            ])
        }
    }

    /// How the peer refused a clear PRELOGIN without a word of TDS, if it did.
    private func hangUp(_ read: ProbeRead) -> String? {
        let bytes = read.bytes
        if bytes.readableBytes == 0 { return read.ending.peerGone ? "connection closed or reset" : nil }
        // A TLS record header: alert content type (21), then major version 3.
        let isTLSAlert =
            bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == 0x15
            && bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) == 0x03
        return isTLSAlert ? "TLS alert" : nil
    }
}
