import DBScoutCore
import DBScoutProtocols
import NIOCore
import NIOPosix

/// One TCP connection to a service under probe: send bytes, read until a decoder is satisfied or a deadline
/// passes. Closing is the caller's job (``ProbeConnector/withConnection(to:_:)`` does it on every path).
struct ProbeConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBoundBox<ProbeHandler?>

    init(channel: any Channel, handler: NIOLoopBoundBox<ProbeHandler?>) {
        self.channel = channel
        self.handler = handler
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes)
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

    func close() async {
        try? await channel.close()
    }
}
