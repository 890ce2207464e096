import DBScoutProtocols
import NIOCore
import NIOTLS

/// Collects what a server sends and wakes one waiter when enough has arrived, the peer closes, or the deadline
/// passes. Lives on its channel's event loop; reached from async code through ``ProbeConnection``.
final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var received = ByteBuffer()
    private var closed = false
    private var waiter: Waiter?
    private var handshake: (promise: EventLoopPromise<String?>, deadline: Scheduled<Void>)?
    /// Our side's port, noted on activation: a server that speaks and hangs up at once can close the channel
    /// before anyone asks it for its local address.
    private(set) var localPort: UInt16?

    private struct Waiter {
        let promise: EventLoopPromise<ProbeRead>
        let isComplete: @Sendable (ByteBuffer) -> Bool
        let deadline: Scheduled<Void>
    }

    func channelActive(context: ChannelHandlerContext) {
        localPort = context.localAddress?.port.flatMap { UInt16(exactly: $0) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        let room = ProbeLimits.maxResponseBytes - received.readableBytes
        if chunk.readableBytes > room {
            // A server that floods us is not one we can identify; stop reading rather than grow without bound.
            chunk.moveWriterIndex(to: chunk.readerIndex + room)
            received.writeBuffer(&chunk)
            closed = true
            context.close(promise: nil)
            finish(.byteCapReached)
            return
        }
        received.writeBuffer(&chunk)
        if let waiter, waiter.isComplete(received) { finish(.complete) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        finish(.peerClosed)
        finishHandshake(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        context.close(promise: nil)
        finish(.reset)
        finishHandshake(.failure(error))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent {
            finishHandshake(.success(negotiated))
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Waits for a TLS handshake started after this call; succeeds with the negotiated ALPN protocol.
    func awaitHandshake(on eventLoop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<String?> {
        let promise = eventLoop.makePromise(of: String?.self)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let deadline = eventLoop.scheduleTask(in: timeout) {
            loopBound.value.finishHandshake(.failure(ChannelError.connectTimeout(timeout)))
        }
        handshake = (promise, deadline)
        return promise.futureResult
    }

    private func finishHandshake(_ result: Result<String?, any Error>) {
        guard let current = handshake else { return }
        handshake = nil
        current.deadline.cancel()
        current.promise.completeWith(result)
    }

    /// Waits until `isComplete` accepts the bytes received so far, or the peer closes, or `timeout` passes.
    func read(
        on eventLoop: any EventLoop,
        timeout: TimeAmount,
        until isComplete: @escaping @Sendable (ByteBuffer) -> Bool
    ) -> EventLoopFuture<ProbeRead> {
        precondition(waiter == nil, "one read at a time")
        if isComplete(received) { return eventLoop.makeSucceededFuture(snapshot(.complete)) }
        if closed { return eventLoop.makeSucceededFuture(snapshot(.peerClosed)) }
        let promise = eventLoop.makePromise(of: ProbeRead.self)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let deadline = eventLoop.scheduleTask(in: timeout) { loopBound.value.finish(.timedOut) }
        waiter = Waiter(promise: promise, isComplete: isComplete, deadline: deadline)
        return promise.futureResult
    }

    /// Forgets what was received, so the next read starts with the next message.
    func discard(_ count: Int) {
        received.moveReaderIndex(forwardBy: min(count, received.readableBytes))
        received.discardReadBytes()
    }

    private func finish(_ reason: ProbeRead.Ending) {
        guard let current = waiter else { return }
        waiter = nil
        current.deadline.cancel()
        current.promise.succeed(snapshot(reason))
    }

    private func snapshot(_ reason: ProbeRead.Ending) -> ProbeRead {
        ProbeRead(bytes: received, ending: reason)
    }
}

/// What a read returned: every byte received so far on the connection, and why the read ended.
struct ProbeRead: Sendable {
    enum Ending: Sendable, Equatable {
        case complete, timedOut, byteCapReached
        /// The peer closed in an orderly way.
        case peerClosed
        /// The connection failed, typically a reset; the kernel may have dropped data not yet read.
        case reset

        /// Either way, the peer is gone.
        var peerGone: Bool { self == .peerClosed || self == .reset }
    }

    let bytes: ByteBuffer
    let ending: Ending
}
