import NIOCore
import NIOHTTP1

/// The per-connection channel handler: collects one request at a time, hands it to the
/// ``RequestProcessor`` and writes the outcome.
///
/// It sits behind NIO's HTTP/1.1 server pipeline, whose pipelining handler delivers one request at
/// a time (so a delayed response keeps later requests on the same connection waiting, as on a
/// real server) and whose error handler answers unparsable requests with 400 and closes.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, [UInt8])
        /// The body grew past the cap; the rest is read and dropped, then 413 is answered.
        case discarding(HTTPRequestHead)
    }

    private let processor: RequestProcessor
    private let maxBodySize: Int
    private var state = State.idle
    /// The answer an injected delay is holding back, cancelled if the connection goes away first
    /// so that nothing outlives the connection (the request itself has already taken effect).
    private var heldResponse: Scheduled<Void>?

    init(processor: RequestProcessor, maxBodySize: Int) {
        self.processor = processor
        self.maxBodySize = maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state = .receiving(head, [])
            acknowledgeExpectContinue(head, context: context)
        case .body(let chunk):
            append(chunk)
        case .end:
            finish(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        heldResponse?.cancel()
        heldResponse = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Nothing sensible can be answered on a broken connection; closing is always safe.
        context.close(promise: nil)
    }

    /// Clients such as curl send `Expect: 100-continue` with large bodies and wait (curl: 1 s) for
    /// the interim answer before sending; answering at once keeps such uploads fast. An oversized
    /// body is still read and answered 413 afterwards.
    private func acknowledgeExpectContinue(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.version == .http1_1,
            head.headers["Expect"].contains(where: { $0.lowercased() == "100-continue" })
        else { return }
        let interim = HTTPResponseHead(version: head.version, status: .continue)
        context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
    }

    private func append(_ chunk: ByteBuffer) {
        guard case .receiving(let head, var body) = state else { return }
        state = .idle  // drop the enum's reference so the append below does not copy the array
        guard body.count + chunk.readableBytes <= maxBodySize else {
            state = .discarding(head)
            return
        }
        body.append(contentsOf: chunk.readableBytesView)
        state = .receiving(head, body)
    }

    private func finish(context: ChannelHandlerContext) {
        let finished = state
        state = .idle
        switch finished {
        case .idle:
            return
        case .discarding(let head):
            let response = processor.rejectOversized(EmulatorRequest(head: head, body: []))
            write(response, for: head, context: context, keepAlive: false)
        case .receiving(let head, let body):
            let outcome = processor.process(EmulatorRequest(head: head, body: body))
            deliver(outcome, for: head, context: context)
        }
    }

    private func deliver(_ outcome: RequestOutcome, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch outcome {
        case .respond(let response):
            write(response, for: head, context: context, keepAlive: head.isKeepAlive)
        case .respondAfter(let delay, let response):
            heldResponse = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                self.heldResponse = nil
                self.write(response, for: head, context: context, keepAlive: head.isKeepAlive)
            }
        case .closeConnection:
            context.close(promise: nil)
        }
    }

    private func write(
        _ response: EmulatorResponse,
        for head: HTTPRequestHead,
        context: ChannelHandlerContext,
        keepAlive: Bool
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        // A HEAD answer announces the length but carries no body (RFC 9110 §9.3.2).
        if !response.body.isEmpty, head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
