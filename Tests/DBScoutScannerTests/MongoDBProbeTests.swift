import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DBScoutScanner

/// The MongoDB probe against servers of different ages. No recorded MongoDB server exists, so the servers here
/// answer with documents laid out as MongoDB's documentation shows them (reply parsing is checked against the
/// spec, not a real server).
@Suite("MongoDB probe")
struct MongoDBProbeTests {
    /// Generous deadlines: the scripted server answers at once, and a loaded CI machine must not turn a slow
    /// answer into a missing one. The hang-up test passes its own short read deadline.
    private func context(readTimeout: Duration = .seconds(10)) -> ProbeContext {
        ProbeContext(
            connector: ProbeConnector(connectTimeout: .seconds(10)),
            readTimeout: readTimeout,
            bannerWait: .milliseconds(300),
            portIsHinted: true
        )
    }

    private static let modernHello: BSONDocument = [
        "isWritablePrimary": true, "topologyVersion": .document(["processId": .objectID(Array(1...12)), "counter": 0]),
        "maxBsonObjectSize": 16_777_216, "localTime": .dateTime(1_714_564_800_000), "minWireVersion": 0,
        "maxWireVersion": 25, "readOnly": false, "ok": 1.0,
    ]
    private static let linuxBuild: BSONDocument = [
        "version": "8.0.4", "buildEnvironment": .document(["distmod": "rhel93", "target_os": "linux"]), "ok": 1.0,
    ]

    @Test func modernServerPlayedBackIsIdentified() async throws {
        // OP_MSG replies to our request ids: 1 for hello, 3 for buildInfo.
        let turns = [
            ReplayTurn(
                waitsForClient: true,
                bytes: Self.bytes(MongoDBOpMsg.encode(Self.modernHello, requestID: 7, responseTo: 1))
            ),
            ReplayTurn(
                waitsForClient: true,
                bytes: Self.bytes(MongoDBOpMsg.encode(Self.linuxBuild, requestID: 8, responseTo: 3))
            ),
        ]
        let decoy = try await DecoyServer.start(.replay(turns))
        defer { Task { await decoy.stop() } }
        let finding = try #require(try await MongoDBProbe().identify(decoy.endpoint, context: context()))
        #expect(finding.product == .mongodb)
        #expect(finding.version == "8.0.4")
        #expect(finding.dbssVersion == "8.0")
        #expect(finding.os == .linux64)
        #expect(finding.evidence.contains(Evidence("mongodb.hello.transport", "OP_MSG")))
    }

    @Test func serverWithoutHelloIsAskedIsMaster() async throws {
        let server = try await ScriptedMongoServer.start { opCode, command in
            switch (opCode, command) {
            case (.message, "hello"):
                .reply(["ok": 0.0, "errmsg": "no such command: 'hello'", "code": 59, "codeName": "CommandNotFound"])
            case (.message, "isMaster"):
                .reply(["ismaster": true, "maxBsonObjectSize": 16_777_216, "maxWireVersion": 7, "ok": 1.0])
            case (.message, "buildInfo"): .reply(["version": "4.0.3", "ok": 1.0])
            default: .hangUp
            }
        }
        defer { Task { await server.stop() } }
        let finding = try #require(try await MongoDBProbe().identify(server.endpoint, context: context()))
        #expect(finding.version == "4.0.3")
        #expect(finding.evidence.contains(Evidence("mongodb.isMaster.maxWireVersion", "7")))
        #expect(
            server.requests == [
                .init(connection: 1, opCode: .message, command: "hello"),
                .init(connection: 1, opCode: .message, command: "isMaster"),
                .init(connection: 1, opCode: .message, command: "buildInfo"),
            ]
        )
    }

    @Test func serverOlderThanOpMsgIsAskedOverOpQuery() async throws {
        let server = try await ScriptedMongoServer.start { opCode, command in
            switch (opCode, command) {
            case (.query, "isMaster"):
                .reply(["ismaster": true, "maxBsonObjectSize": 16_777_216, "maxWireVersion": 5, "ok": 1.0])
            case (.query, "buildInfo"):
                .reply([
                    "version": "3.4.24",
                    "buildEnvironment": .document(["distmod": "2008plus-ssl", "target_os": "windows"]), "ok": 1.0,
                ])
            default: .hangUp
            }
        }
        defer { Task { await server.stop() } }
        let finding = try #require(try await MongoDBProbe().identify(server.endpoint, context: context()))
        #expect(finding.version == "3.4.24")
        #expect(finding.os == .windows64)
        #expect(finding.evidence.contains(Evidence("mongodb.isMaster.transport", "OP_QUERY")))
        #expect(
            server.requests == [
                .init(connection: 1, opCode: .message, command: "hello"),
                .init(connection: 2, opCode: .query, command: "isMaster"),
                .init(connection: 2, opCode: .query, command: "buildInfo"),
            ]
        )
    }

    @Test func buildInfoBehindAuthenticationLeavesTheWireBracket() async throws {
        let server = try await ScriptedMongoServer.start { _, command in
            command == "hello"
                ? .reply(Self.modernHello)
                : .reply(["ok": 0.0, "errmsg": "requires authentication", "code": 13, "codeName": "Unauthorized"])
        }
        defer { Task { await server.stop() } }
        let finding = try #require(try await MongoDBProbe().identify(server.endpoint, context: context()))
        #expect(finding.version == "8.0")
        #expect(finding.evidence.contains(Evidence("mongodb.buildInfo.error.code", "13")))
    }

    @Test(arguments: DecoyServer.commonDecoys)
    func decoysAreNotMongoDB(name: String, behaviour: DecoyServer.Behaviour) async throws {
        let decoy = try await DecoyServer.start(behaviour)
        defer { Task { await decoy.stop() } }
        let finding = try await MongoDBProbe().identify(decoy.endpoint, context: context(readTimeout: .seconds(1)))
        #expect(finding == nil, "\(name)")
    }

    /// A live MongoDB-wire server, when one runs here: `DBSCOUT_MONGODB_PORT=<port>` on 127.0.0.1, and optionally the
    /// version it must report in `DBSCOUT_MONGODB_VERSION`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DBSCOUT_MONGODB_PORT"] != nil, "no DBSCOUT_MONGODB_PORT"))
    func liveServerIsIdentified() async throws {
        let port = try #require(ProcessInfo.processInfo.environment["DBSCOUT_MONGODB_PORT"].flatMap { UInt16($0) })
        let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: port)
        let finding = try #require(try await MongoDBProbe().identify(endpoint, context: context()))
        #expect(finding.product == .mongodb)
        if let version = ProcessInfo.processInfo.environment["DBSCOUT_MONGODB_VERSION"] {
            #expect(finding.version == version, "\(finding.evidence)")
        } else {
            #expect(finding.version != nil)
        }
    }

    private static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }
}

/// A MongoDB-wire server that answers each request as its script says, in the request's own transport (OP_MSG
/// with OP_MSG, OP_QUERY with OP_REPLY), and logs what it was asked on which connection.
final class ScriptedMongoServer: Sendable {
    enum Answer: Sendable {
        case reply(BSONDocument)
        case hangUp
    }

    struct Request: Sendable, Hashable {
        let connection: Int
        let opCode: MongoDBOpCode
        let command: String
    }

    typealias Script = @Sendable (MongoDBOpCode, String) -> Answer

    private let channel: any Channel
    private let log: Mutex<(connections: Int, requests: [Request])>

    var endpoint: Endpoint { Endpoint(address: IPAddress("127.0.0.1")!, port: UInt16(channel.localAddress!.port!)) }
    var requests: [Request] { log.withLock { $0.requests } }

    static func start(_ script: @escaping Script) async throws -> ScriptedMongoServer {
        let server = Box()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let number = server.value?.log.withLock { state in
                        state.connections += 1
                        return state.connections
                    }
                    let handler = Handler(connection: number ?? 0, script: script) { request in
                        server.value?.log.withLock { $0.requests.append(request) }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let scripted = ScriptedMongoServer(channel: channel)
        server.set(scripted)
        return scripted
    }

    private init(channel: any Channel) {
        self.channel = channel
        log = Mutex((0, []))
    }

    func stop() async { try? await channel.close() }

    private final class Box: Sendable {
        private let stored = Mutex<ScriptedMongoServer?>(nil)
        var value: ScriptedMongoServer? { stored.withLock { $0 } }
        func set(_ server: ScriptedMongoServer) { stored.withLock { $0 = server } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let connection: Int
        private let script: Script
        private let record: @Sendable (Request) -> Void
        private var received = ByteBuffer()

        init(connection: Int, script: @escaping Script, record: @escaping @Sendable (Request) -> Void) {
            self.connection = connection
            self.script = script
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            received.writeBuffer(&chunk)
            while let length = received.getInteger(at: received.readerIndex, endianness: .little, as: Int32.self),
                length >= 16, received.readableBytes >= Int(length),
                let message = received.readSlice(length: Int(length))
            {
                answer(message, context: context)
            }
        }

        private func answer(_ message: ByteBuffer, context: ChannelHandlerContext) {
            let opCode = MongoDBOpCode(
                rawValue: message.getInteger(at: message.readerIndex + 12, endianness: .little) ?? 0
            )
            let requestID: Int32 = message.getInteger(at: message.readerIndex + 4, endianness: .little) ?? 0
            let document =
                opCode == .query
                ? MongoDBQueryRequest.decode(message).value?.query
                : MongoDBReply.decode(message, replyingTo: 0).value?.document
            let command = document?.elements.first?.key ?? "?"
            record(Request(connection: connection, opCode: opCode, command: command))
            switch script(opCode, command) {
            case .hangUp:
                context.close(promise: nil)
            case .reply(let reply):
                let bytes =
                    opCode == .query
                    ? MongoDBOpReply.encode(reply, requestID: 100, responseTo: requestID)
                    : MongoDBOpMsg.encode(reply, requestID: 100, responseTo: requestID)
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            }
        }
    }
}
