import DBScoutCore
import NIOCore
import NIOPosix

/// Services that attack a scanner rather than fool it: each kind wastes a scanner's time or memory in its own
/// way, on every database port at once. A scan of them must keep to its deadlines and its memory bound, and
/// find nothing.
public final class HostilePeers: Sendable {
    /// How a hostile peer treats each connection.
    public enum Kind: String, CaseIterable, Sendable {
        /// Accepts and never says a word.
        case stall
        /// Sends a real MySQL greeting (``HostilePeers/mysqlGreeting``) one byte a second, complete only after
        /// more than a minute: a probe that waits for it past its deadline reports a database.
        case dribble
        /// Announces a 16 MiB message in the port's protocol, then sends all of it.
        case hugeAnnouncement
        /// Sends the first half of a greeting, then resets the connection.
        case resetMidHandshake
        /// Shuts its sending side as soon as it accepts, and keeps reading.
        case halfClose
        /// Sends bytes without end.
        case endlessData
    }

    /// One peer and where it listens.
    public struct Peer: Sendable, Hashable {
        public let kind: Kind
        public let endpoint: Endpoint
    }

    /// The database ports the peers listen on, one for each protocol the scanner speaks, so that every probe
    /// meets every kind on its own port as well as on the others'.
    public static let ports: [UInt16] = [5432, 3306, 6379, 1433, 1521, 27017, 50000]

    /// The size every ``Kind/hugeAnnouncement`` announces and sends.
    public static let announcedBytes = 16 << 20

    public let peers: [Peer]
    private let servers: [DecoyServer]
    private let group: MultiThreadedEventLoopGroup

    private init(peers: [Peer], servers: [DecoyServer], group: MultiThreadedEventLoopGroup) {
        self.peers = peers
        self.servers = servers
        self.group = group
    }

    /// Starts `count` peers on 127.8.0.1 onwards, one per database port of each address in turn. The kinds take
    /// turns too, and since there are six kinds and seven ports, every kind lands on every port.
    /// - Throws: when a listener cannot be started (the others are stopped first).
    public static func start(count: Int) async throws -> HostilePeers {
        let layout = (0..<count).map { index in
            let host = index / ports.count
            let address = IPAddress("127.8.\(host / 254).\(host % 254 + 1)")!
            let kind = Kind.allCases[index % Kind.allCases.count]
            return Peer(kind: kind, endpoint: Endpoint(address: address, port: ports[index % ports.count]))
        }
        // Threads of their own, as if the peers were elsewhere: their floods then compete with the scanner for
        // the cores, not for places in its event loops' queues.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var servers: [DecoyServer] = []
        do {
            try await withThrowingTaskGroup(of: DecoyServer.self) { tasks in
                for peer in layout {
                    tasks.addTask {
                        try await DecoyServer.start(
                            behaviour(peer.kind, port: peer.endpoint.port),
                            host: peer.endpoint.address.description,
                            port: Int(peer.endpoint.port),
                            group: group
                        )
                    }
                }
                for try await server in tasks { servers.append(server) }
            }
        } catch {
            await stop(servers, group: group)
            throw error
        }
        return HostilePeers(peers: layout, servers: servers, group: group)
    }

    /// Closes every listener, and every connection with the peers' threads.
    public func stop() async {
        await Self.stop(servers, group: group)
    }

    private static func stop(_ servers: [DecoyServer], group: MultiThreadedEventLoopGroup) async {
        await withTaskGroup(of: Void.self) { tasks in
            for server in servers { tasks.addTask { await server.stop() } }
        }
        try? await group.shutdownGracefully()
    }

    private static func behaviour(_ kind: Kind, port: UInt16) -> DecoyServer.Behaviour {
        switch kind {
        case .stall: .silent
        case .dribble: .dribble(mysqlGreeting, every: .seconds(1))
        case .hugeAnnouncement: .flood(prefix: announcement(onPort: port), length: announcedBytes)
        case .resetMidHandshake: .resetAfter(Array(mysqlGreeting.prefix(mysqlGreeting.count / 2)))
        case .halfClose: .halfClose
        case .endlessData: .flood(prefix: [], length: .max)
        }
    }

    /// A MySQL 8 greeting as a real server sends it, which the MySQL probe identifies when it arrives whole.
    public static let mysqlGreeting: [UInt8] = {
        var payload: [UInt8] = [0x0a] + Array("8.0.36".utf8) + [0] + [7, 0, 0, 0] + Array("abcdefgh".utf8) + [0]
        // Capabilities (low), utf8mb4_0900_ai_ci, status, capabilities (high), scramble length, ten reserved.
        payload += [0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 21] + Array(repeating: 0, count: 10)
        payload += Array("ijklmnopqrst".utf8) + [0] + Array("caching_sha2_password".utf8) + [0]
        return [UInt8(payload.count), 0, 0, 0] + payload
    }()

    /// The header of a 16 MiB message in the protocol expected on `port`; MySQL's largest packet elsewhere.
    static func announcement(onPort port: UInt16) -> [UInt8] {
        var header = ByteBuffer()
        switch KnownPort.wire(for: port) {
        case .postgres:
            // `N` to the SSLRequest, then an ErrorResponse frame whose length is 16 MiB.
            header.writeBytes([UInt8(ascii: "N"), UInt8(ascii: "E")])
            header.writeInteger(UInt32(announcedBytes))
        case .redis:
            header.writeString("$\(announcedBytes)\r\n")
        case .mongodb:
            // messageLength, requestID, responseTo (the probe's first request id), OP_MSG.
            for field in [Int32(announcedBytes), 1, 1, 2013] { header.writeInteger(field, endianness: .little) }
        default:
            // A three-byte length of 0xffffff, sequence 0.
            header.writeBytes([0xff, 0xff, 0xff, 0x00])
        }
        return Array(header.readableBytesView)
    }
}
