import DBScoutCore
import DBScoutProtocols
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to a service under probe: send bytes, read until a decoder is satisfied or a deadline
/// passes. Closing is the caller's job (``ProbeConnector/withConnection(to:_:)`` does it on every path).
struct ProbeConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBoundBox<ProbeHandler?>

    init(channel: any Channel, handler: NIOLoopBoundBox<ProbeHandler?>) {
        self.channel = channel
        self.handler = handler
    }

    /// Sends `bytes`. A failed write is not an error here: servers that refuse a client often speak and hang up
    /// before it says anything (Redis in protected mode, MySQL's ERR 1130), and the next read still returns what
    /// they said.
    func send(_ bytes: ByteBuffer) async {
        try? await channel.writeAndFlush(bytes)
    }

    /// Reads until `isComplete` holds for the bytes received so far, the peer closes, or `timeout` passes.
    func read(timeout: Duration, until isComplete: @escaping @Sendable (ByteBuffer) -> Bool) async throws -> ProbeRead {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit {
            guard let probeHandler = handler.value else {
                return eventLoop.makeSucceededFuture(ProbeRead(bytes: ByteBuffer(), ending: .peerClosed))
            }
            return probeHandler.read(on: eventLoop, timeout: TimeAmount(timeout), until: isComplete)
        }.get()
    }

    /// Reads one message with `decode`, returning it with the ending of the read when it is incomplete or invalid.
    func read<Message: Sendable>(
        timeout: Duration,
        decode: @escaping @Sendable (ByteBuffer) -> Decoded<Message>
    ) async throws -> (Decoded<Message>, ProbeRead.Ending) {
        let result = try await read(timeout: timeout) { bytes in
            if case .needMoreData = decode(bytes) { return false }
            return true
        }
        let decoded = decode(result.bytes)
        if case .message(_, let consumed) = decoded {
            let handler = self.handler
            try await channel.eventLoop.submit { handler.value?.discard(consumed) }.get()
        }
        return (decoded, result.ending)
    }

    /// Starts TLS on the connection (after a protocol's own upgrade request, or straight away for TLS-first
    /// services) and returns what the handshake revealed.
    /// - Throws: when the peer does not complete a handshake within `timeout`.
    func startTLS(alpn: [String], timeout: Duration) async throws -> TLSSession {
        let context = try TLSContexts.context(alpn: alpn)
        let handler = self.handler
        let channel = self.channel
        let negotiated = try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<String?> in
            guard let probeHandler = handler.value else {
                return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
            }
            let handshake = probeHandler.awaitHandshake(on: channel.eventLoop, timeout: TimeAmount(timeout))
            do {
                let tls = try NIOSSLClientHandler(context: context, serverHostname: nil)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            return handshake
        }.get()
        return try await channel.eventLoop.submit {
            let operations = channel.pipeline.syncOperations
            let certificate = try operations.nioSSL_peerCertificate()?.toDERBytes()
            return TLSSession(
                version: try operations.nioSSL_tlsVersion(),
                alpn: negotiated,
                certificateDER: certificate
            )
        }.get()
    }

    /// Our side's port of the connection.
    func localPort() async -> UInt16? {
        let handler = self.handler
        return try? await channel.eventLoop.submit { handler.value?.localPort }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
