import DBScoutCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The health and metrics endpoint: `GET /metrics` (Prometheus text) and `GET /healthz`, on loopback unless the
/// settings say otherwise.
public struct MetricsServer: Service {
    let host: String
    let port: Int
    let metrics: DaemonMetrics
    let logger: Logger

    public init(host: String, port: Int, metrics: DaemonMetrics, logger: Logger) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let metrics = self.metrics
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(MetricsHandler(metrics: metrics))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw DBScoutError(.invalidConfiguration, "cannot listen for metrics on \(host):\(port): \(error)")
        }
        logger.notice(
            "metrics endpoint listening",
            metadata: ["host": "\(host)", "port": "\(channel.localAddress?.port.map(String.init) ?? "?")"]
        )
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers one HTTP request at a time on a connection.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: DaemonMetrics
    private var request: HTTPRequestHead?

    init(metrics: DaemonMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let (status, body): (HTTPResponseStatus, String) =
            switch (head.method, path) {
            case (.GET, "/metrics"): (.ok, metrics.render())
            case (.GET, "/healthz"): (.ok, "ok\n")
            case (.GET, _): (.notFound, "not found: try /metrics or /healthz\n")
            default: (.methodNotAllowed, "only GET\n")
            }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: path == "/metrics" ? "text/plain; version=0.0.4" : "text/plain")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil
        )
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
