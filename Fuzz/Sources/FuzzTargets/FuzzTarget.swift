import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import NIOCore

/// The fuzz targets. Each feeds arbitrary bytes through one protocol's decoders and classifier the way the scanner
/// or the passive reader does; the libFuzzer executables in `Fuzz/` and the regression test that replays what
/// they found share this code, so a fixed crash stays fixed.
///
/// The codec targets read their input as what a server sent, message after message from the front. The `os`
/// target reads a SYN and a SYN-ACK, the `passive` target a flow's two directions, both as ``FuzzInput`` parts;
/// the `packet` target reads a link type selector and a frame.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case postgres, mysql, redis, tds, tns, mongodb, drda, os, passive, packet

    /// Runs this target on one input. Any bytes must come back; a trap is a bug.
    public func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        switch self {
        case .postgres: Self.postgres(&input)
        case .mysql: Self.mysql(&input)
        case .redis: Self.redis(&input)
        case .tds: Self.tds(&input)
        case .tns: Self.tns(&input)
        case .mongodb: Self.mongodb(&input)
        case .drda: Self.drda(&input)
        case .os: Self.os(&input)
        case .passive: Self.passive(&input)
        case .packet: Self.packet(&input)
        }
    }

    private static let endpoint = Endpoint(address: .v4(0x7f00_0001), port: 1)

    /// The answers in the order the probe asks: SSLRequest, a 4.0 startup, GSSENCRequest, a startup without a user
    /// and a plain startup.
    private static func postgres(_ input: inout FuzzInput) {
        _ = PostgresErrorResponse.decode(input.rest)
        _ = PostgresProtocolRange(message: String(decoding: input.rest.readableBytesView, as: UTF8.self))
        let observation = PostgresObservation(
            sslResponse: input.message(PostgresSSLResponse.decode),
            unsupportedProtocolReply: input.message(PostgresStartupReply.decode),
            gssencResponse: input.message(PostgresGSSENCResponse.decode),
            noUserReply: input.message(PostgresStartupReply.decode),
            plainAdmissionReply: input.message(PostgresStartupReply.decode)
        )
        _ = PostgresClassifier.classify(observation, at: endpoint)
    }

    /// The first packet; its payload is also read as a greeting whatever length the header states, so mutations of
    /// the version string reach the version parser without having to keep the length right.
    private static func mysql(_ input: inout FuzzInput) {
        if let payload = input.rest.getSlice(at: input.rest.readerIndex + 4, length: input.rest.readableBytes - 4),
            let greeting = MySQLHandshake.decode(payload: payload)
        {
            _ = MySQLClassifier.classify(.greeting(greeting), at: endpoint)
        }
        if let observation = input.message(MySQLObservation.decode) {
            _ = MySQLClassifier.classify(observation, at: endpoint)
        }
    }

    /// The whole input as INFO text, then the replies to INFO and to the refusal check.
    private static func redis(_ input: inout FuzzInput) {
        _ = RedisClassifier.classify(
            .bulkString(String(decoding: input.rest.readableBytesView, as: UTF8.self)),
            at: endpoint
        )
        for _ in 0..<2 {
            guard let reply = input.message(RedisReply.decode) else { return }
            _ = RedisClassifier.classify(reply, at: endpoint)
        }
    }

    private static func tds(_ input: inout FuzzInput) {
        if let response = input.message(TDSPreloginResponse.decode) {
            _ = TDSClassifier.classify(response, at: endpoint)
        }
    }

    /// The listener's answer to CONNECT, and after an ACCEPT the DATA packets that may carry its banner. The input
    /// is also read as a client's CONNECT and as descriptor text, which passive capture and the classifier parse.
    private static func tns(_ input: inout FuzzInput) {
        _ = TNSConnect.decode(input.rest)
        _ = TNSDescriptor(String(decoding: input.rest.readableBytesView, as: UTF8.self))
        guard let reply = input.message(TNSListenerReply.decode) else { return }
        var observation = TNSObservation(offeredVersion: TNSConnect.versionRequest.version, reply: reply)
        if case .accept(let accept) = reply {
            let form = TNSLengthForm(negotiatedVersion: accept.version)
            while observation.followUps.count < 3,
                let packet = input.message({ TNSDataPacket.decode($0, form: form) })
            {
                observation.followUps.append(packet)
            }
        }
        _ = TNSClassifier.classify(observation, at: endpoint)
    }

    /// The handshake reply and the buildInfo reply, each answering whatever request its header names. The input is
    /// also read as a bare BSON document and as a client's OP_QUERY, which passive capture parses.
    private static func mongodb(_ input: inout FuzzInput) {
        _ = BSONReader.decode(input.rest)
        _ = MongoDBQueryRequest.decode(input.rest)
        let reply = { (bytes: ByteBuffer) in
            MongoDBReply.decode(
                bytes,
                replyingTo: bytes.getInteger(at: bytes.readerIndex + 8, endianness: .little) ?? 0
            )
        }
        guard let handshake = input.message(reply) else { return }
        let legacy = handshake.header.opCode == .reply
        let observation = MongoDBObservation(
            handshakeCommand: legacy ? .isMaster : .hello,
            transport: legacy ? .opQuery : .opMsg,
            handshake: handshake.document,
            buildInfo: input.message(reply)?.document
        )
        _ = MongoDBClassifier.classify(observation, at: endpoint)
    }

    /// The EXCSATRD, answering whatever correlation id its DSS names.
    private static func drda(_ input: inout FuzzInput) {
        _ = DRDAText.decode(Array(input.rest.readableBytesView))
        let correlationID = DRDADataStream.decode(input.rest).value?.correlationID ?? 0
        if let reply = input.message({ DRDAServerAttributesReply.decode($0, correlationID: correlationID) }) {
            _ = DRDAClassifier.classify(reply, at: endpoint)
        }
    }

    /// A SYN and the SYN-ACK answering it, each classified alone and the SYN-ACK against the SYN's offer.
    private static func os(_ input: inout FuzzInput) {
        let syn = TCPSignature.decode(ByteBuffer(bytes: input.part())).value
        let synAck = TCPSignature.decode(ByteBuffer(bytes: input.part())).value
        for packet in [syn, synAck].compactMap({ $0 }) {
            _ = TCPOSClassifier.classify(packet)
            _ = TCPOSClassifier.classify(packet, offer: .all, databasePort: true)
        }
        if let syn, let synAck {
            _ = TCPOSClassifier.classify(synAck, answering: syn, databasePort: false)
        }
    }

    /// A flow: the client's bytes, the server's, the SYN and SYN-ACK headers (left out when empty), and a flags
    /// byte whose low bit says whether the flow was seen from its start.
    private static func passive(_ input: inout FuzzInput) {
        let client = input.part()
        let server = input.part()
        let syn = input.part()
        let synAck = input.part()
        let flow = TCPFlowSnapshot(
            client: Endpoint(address: .v4(0x0a00_0001), port: 40000),
            server: Endpoint(address: .v4(0x0a00_0002), port: 5432),
            clientBytes: client,
            serverBytes: server,
            syn: syn.isEmpty ? nil : syn,
            synAck: synAck.isEmpty ? nil : synAck,
            seenFromStart: input.byte() & 1 == 1
        )
        _ = PassiveClassifier.classify(flow)
    }

    /// The DLT_* values ``packet(_:)`` chooses from: every one the decoder reads, and one it does not.
    public static let linkTypes: [Int32] = [1, 113, 276, 0, 108, 12, 101, 228, 229, 147]

    /// A frame on the link type that the first byte selects from ``linkTypes``. A segment must lie inside the frame,
    /// its payload right behind its headers.
    private static func packet(_ input: inout FuzzInput) {
        let linkType = linkTypes[Int(input.byte()) % linkTypes.count]
        let frame = Array(input.rest.readableBytesView)
        guard let segment = PacketDecoder.decode(frame, linkType: linkType).segment else { return }
        precondition(
            segment.headers.startIndex >= 0 && segment.headers.endIndex == segment.payload.startIndex
                && segment.payload.endIndex <= frame.count,
            "segment bytes \(segment.headers.startIndex)..<\(segment.payload.endIndex) of a \(frame.count)-byte frame"
        )
    }
}
