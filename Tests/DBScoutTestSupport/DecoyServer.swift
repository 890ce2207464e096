import DBScoutCore
import NIOCore
import NIOPosix

/// A tiny TCP server on 127.0.0.1 that behaves like something that is not a database, to prove that probes
/// never report one where there is none.
public final class DecoyServer: Sendable {
    /// How the decoy treats each connection.
    public enum Behaviour: Sendable {
        /// Accepts and never speaks (a tarpit).
        case silent
        /// Sends back whatever it receives.
        case echo
        /// Sends these bytes on connect, then stays open.
        case greet([UInt8])
        /// Sends these bytes in reply to the first bytes it receives, then closes.
        case reply([UInt8])
        /// Closes (with a reset) as soon as anything arrives.
        case resetOnData
        /// Sends the bytes one at a time with a pause between them, then stays open.
        case dribble([UInt8], every: TimeAmount)
        /// Plays back a recorded server's side of a conversation (see ``PcapTrace/replayTurns(serverPort:)``),
        /// so a probe's dialogue meets real bytes from a server that cannot run here.
        case replay([ReplayTurn])
        /// Sends `prefix` on connect, then `length` filler bytes (`Int.max`: without end) as fast as the client
        /// takes them. One chunk is in flight at a time, so the decoy's memory does not grow with `length`.
        case flood(prefix: [UInt8], length: Int)
        /// Sends these bytes on connect, then resets the connection.
        case resetAfter([UInt8])
        /// Shuts its sending side (a FIN) as soon as it accepts, and keeps reading until the client goes.
        case halfClose
    }

    private let channel: any Channel
    public var endpoint: Endpoint {
        Endpoint(address: IPAddress(channel.localAddress!.ipAddress!)!, port: UInt16(channel.localAddress!.port!))
    }

    /// Starts a decoy on a loopback address; port 0 picks a free port, a database's port puts it where a scanner
    /// expects that database. Decoys that must not take event-loop time from the scanner under test run on a
    /// `group` of their own.
    public static func start(
        _ behaviour: Behaviour,
        host: String = "127.0.0.1",
        port: Int = 0,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> DecoyServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A flood then keeps pace with the client's reading, instead of handing the kernel megabytes that
            // the client never reads; the small replies of the other behaviours fit in any buffer.
            .childChannelOption(.socketOption(.so_sndbuf), value: 64 * 1024)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DecoyHandler(behaviour))
                }
            }
            .bind(host: host, port: port).get()
        return DecoyServer(channel: channel)
    }

    private init(channel: any Channel) { self.channel = channel }

    public func stop() async {
        try? await channel.close()
    }
}

extension DecoyServer {
    /// Services that are not databases, which every probe must leave unidentified.
    public static let commonDecoys: [(name: String, behaviour: Behaviour)] = [
        ("tarpit", .silent),
        ("echo", .echo),
        ("http", .reply(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))),
        ("random bytes", .reply((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })),
        ("ssh banner", .greet(Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8))),
        ("reset", .resetOnData),
    ]
}

private final class DecoyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let behaviour: DecoyServer.Behaviour
    private var replied = false
    private var turns: ArraySlice<ReplayTurn> = []

    init(_ behaviour: DecoyServer.Behaviour) { self.behaviour = behaviour }

    func channelActive(context: ChannelHandlerContext) {
        switch behaviour {
        case .greet(let bytes):
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
        case .dribble(let bytes, let interval):
            dribble(bytes[...], every: interval, context: context)
        case .replay(let script):
            turns = script[...]
            playTurns(context: context, clientSpoke: false)
        case .flood(let prefix, let length):
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: prefix)), promise: nil)
            flood(length, context: context)
        case .resetAfter(let bytes):
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes))).whenComplete { _ in
                Self.reset(channel)
            }
        case .halfClose:
            context.close(mode: .output, promise: nil)
        default:
            break
        }
    }

    /// Sends every turn that is due: the first waiting turn once the client has spoken, then any that follow
    /// without waiting.
    private func playTurns(context: ChannelHandlerContext, clientSpoke: Bool) {
        var spoke = clientSpoke
        while let turn = turns.first, !turn.waitsForClient || spoke {
            spoke = false
            turns = turns.dropFirst()
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: turn.bytes)), promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        switch behaviour {
        case .replay:
            playTurns(context: context, clientSpoke: true)
        case .echo:
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .reply(let answer) where !replied:
            replied = true
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: answer))).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .resetOnData:
            Self.reset(context.channel)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Closes with a reset rather than a FIN: SO_LINGER with a zero timeout does that.
    private static func reset(_ channel: any Channel) {
        let linger = (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        (linger ?? channel.eventLoop.makeSucceededVoidFuture()).whenComplete { _ in channel.close(promise: nil) }
    }

    /// What a flood sends, a chunk at a time.
    private static let filler = ByteBuffer(bytes: (0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })

    /// Sends the next chunk once the last one has reached the socket, so at most one chunk waits in memory; the
    /// next step goes through the event loop's queue rather than recursing when a write completes at once.
    private func flood(_ remaining: Int, context: ChannelHandlerContext) {
        guard remaining > 0, context.channel.isActive else { return }
        let size = min(remaining, Self.filler.readableBytes)
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound((self, context), eventLoop: eventLoop)
        context.writeAndFlush(wrapOutboundOut(Self.filler.getSlice(at: 0, length: size)!)).whenSuccess {
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.flood(remaining - size, context: context)
            }
        }
    }

    private func dribble(_ rest: ArraySlice<UInt8>, every interval: TimeAmount, context: ChannelHandlerContext) {
        guard let first = rest.first, context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: [first])), promise: nil)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: interval) {
            let (handler, context) = loopBound.value
            handler.dribble(rest.dropFirst(), every: interval, context: context)
        }
    }
}
