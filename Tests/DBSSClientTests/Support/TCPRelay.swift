import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A small TCP relay on 127.0.0.1 standing between the client and the emulator: either an HTTP `CONNECT` proxy
/// or a TLS terminator, so proxy and CA-bundle settings are tested over real sockets.
final class TCPRelay: Sendable {
    enum Mode: Sendable {
        /// Reads a `CONNECT host:port` request, answers 200 and tunnels to that target.
        case connectProxy
        /// Completes a TLS handshake with `context`, then relays the plain bytes to `host:port`.
        case tlsTerminator(NIOSSLContext, host: String, port: Int)
    }

    let port: Int
    private let mode: Mode
    private let connectTargets = Mutex<[String]>([])

    private init(port: Int, mode: Mode) {
        self.port = port
        self.mode = mode
    }

    /// The `host:port` of every `CONNECT` received, in order.
    var tunnels: [String] { connectTargets.withLock { $0 } }

    /// Runs `body` while the relay serves; the relay and its connections stop when `body` returns.
    static func run<Result: Sendable>(
        _ mode: Mode,
        _ body: (TCPRelay) async throws -> Result
    ) async throws -> Result {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .tlsTerminator(let context, _, _) = mode {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let relay = TCPRelay(port: server.channel.localAddress?.port ?? 0, mode: mode)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    await withDiscardingTaskGroup { handlers in
                        do {
                            for try await connection in connections {
                                // A client that gives up mid-handshake is part of some tests, not a failure.
                                handlers.addTask { try? await relay.serve(connection) }
                            }
                        } catch {
                            return
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body(relay)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var incoming = inbound.makeAsyncIterator()
            let (host, port, early) = try await target(&incoming)
            let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            if case .connectProxy = mode {
                try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"))
            }
            try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                if early.readableBytes > 0 { try await upstreamOutbound.write(early) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await chunk in upstreamInbound { try await outbound.write(chunk) }
                        connection.channel.close(promise: nil)
                    }
                    while let chunk = try await incoming.next() { try await upstreamOutbound.write(chunk) }
                    upstream.channel.close(promise: nil)
                    try await group.waitForAll()
                }
            }
        }
    }

    /// Where to relay to, and any bytes that arrived after a `CONNECT` head.
    private func target(
        _ incoming: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async throws -> (String, Int, ByteBuffer) {
        if case .tlsTerminator(_, let host, let port) = mode { return (host, port, ByteBuffer()) }
        var head = ByteBuffer()
        while true {
            guard var chunk = try await incoming.next() else { throw ChannelError.inputClosed }
            head.writeBuffer(&chunk)
            let text = String(buffer: head)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let requestLine = text[..<end.lowerBound].split(separator: "\r\n").first ?? ""
            let parts = requestLine.split(separator: " ")
            guard parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
                let port = Int(parts[1][parts[1].index(after: colon)...])
            else { throw ChannelError.inputClosed }
            connectTargets.withLock { $0.append(String(parts[1])) }
            head.moveReaderIndex(forwardBy: text[..<end.upperBound].utf8.count)
            return (String(parts[1][..<colon]), port, head)
        }
    }
}
