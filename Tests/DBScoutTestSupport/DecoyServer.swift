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
    }

    private let channel: any Channel
    public var endpoint: Endpoint {
        Endpoint(address: IPAddress(channel.localAddress!.ipAddress!)!, port: UInt16(channel.localAddress!.port!))
    }

    /// Starts a decoy on a loopback address; port 0 picks a free port, a database's port puts it where a scanner
    /// expects that database.
    public static func start(_ behaviour: Behaviour, host: String = "127.0.0.1", port: Int = 0) async throws
        -> DecoyServer
    {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
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
            // SO_LINGER with a zero timeout turns the close into a reset.
            let channel = context.channel
            let linger = (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            (linger ?? channel.eventLoop.makeSucceededVoidFuture()).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
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
