import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("MongoDB codecs")
struct MongoDBCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 27017)
    private static let trace = "public-traces/arkime/mongo.pcap"

    /// The client messages of the Arkime trace (PyMongo 3.4.0 and the mongo shell; no server replies exist).
    private func clientQueries(port: UInt16) throws -> [(MongoDBQueryRequest, [UInt8])] {
        var bytes = try TraceFixtures.clientBytes(Self.trace, port: port)
        var queries: [(MongoDBQueryRequest, [UInt8])] = []
        while bytes.readableBytes > 0 {
            guard case .message(let query, let consumed) = MongoDBQueryRequest.decode(bytes) else {
                Issue.record("every client message in the trace must decode as OP_QUERY")
                break
            }
            queries.append((query, bytes.readBytes(length: consumed) ?? []))
        }
        return queries
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func realClientQueriesDecode() throws {
        let queries = try clientQueries(port: 27017)
        try #require(queries.count == 4)
        #expect(queries.map(\.0.fullCollectionName) == ["admin.$cmd", "abtest.$cmd", "admin.$cmd", "admin.$cmd"])
        #expect(queries.map { $0.0.query.elements.first?.key } == ["ismaster", "getnonce", "isMaster", "isMaster"])
        #expect(queries.map(\.0.numberToReturn) == [-1, -1, 1, 1])
        #expect(queries[2].0.header.requestID == 1100)
        let pymongo = queries[0].0.query
        #expect(pymongo[["client", "driver", "name"]]?.string == "PyMongo")
        #expect(pymongo[["client", "driver", "version"]]?.string == "3.4.0")
        #expect(pymongo[["client", "os", "type"]]?.string == "Darwin")
        #expect(pymongo[["client", "platform"]]?.string == "CPython 2.7.10.final.0")
        let shell = queries[3].0.query
        #expect(shell[["client", "application", "name"]]?.string == "MongoDB Shell")
        #expect(shell[["client", "os", "name"]]?.string == "Mac OS X")
        let other = try clientQueries(port: 30000)
        #expect(other.map(\.0.fullCollectionName) == ["InactiveUserIdentity.$cmd"])
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func ourOpQueryIsByteForByteTheMongoShells() throws {
        let shell = try clientQueries(port: 27017)[2].1
        let ours = MongoDBOpQuery.encode(["isMaster": 1], requestID: 1100, numberToReturn: 1)
        #expect(Array(ours.readableBytesView) == shell)
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func writerReencodesDriverDocumentsExactly() throws {
        for (query, raw) in try clientQueries(port: 27017) {
            let encoded = Array(
                MongoDBOpQuery.encode(
                    query.query,
                    database: String(query.fullCollectionName.dropLast(5)),
                    requestID: query.header.requestID,
                    numberToReturn: query.numberToReturn
                ).readableBytesView
            )
            #expect(encoded == raw)
        }
    }

    @Test func helloOverOpMsgFollowsTheSpec() throws {
        var bytes = MongoDBCommand.hello.encode(over: .opMsg, requestID: 7)
        let length = bytes.readInteger(endianness: .little, as: Int32.self)
        #expect(length.map(Int.init) == bytes.readableBytes + 4)
        #expect(bytes.readInteger(endianness: .little, as: Int32.self) == 7)
        #expect(bytes.readInteger(endianness: .little, as: Int32.self) == 0)
        #expect(bytes.readInteger(endianness: .little, as: Int32.self) == 2013)
        #expect(bytes.readInteger(endianness: .little, as: UInt32.self) == 0)
        #expect(bytes.readInteger(as: UInt8.self) == 0)
        let body = try BSONReader.readDocument(&bytes)
        #expect(body == ["hello": 1, "$db": "admin"])
        #expect(bytes.readableBytes == 0)
    }

    @Test func buildInfoOverOpQueryTargetsAdminCommands() throws {
        let bytes = MongoDBCommand.buildInfo.encode(over: .opQuery, requestID: 3)
        let query = try #require(MongoDBQueryRequest.decode(bytes).value)
        #expect(query.header.opCode == .query)
        #expect(query.fullCollectionName == "admin.$cmd")
        #expect(query.numberToReturn == -1)
        #expect(query.query == ["buildInfo": 1])
    }

    @Test func opMsgReplyBodyDecodes() throws {
        let reply = MongoDBOpMsg.encode(MongoDBReplyFixtures.hello, requestID: 99, responseTo: 1)
        guard case .message(let decoded, let consumed) = MongoDBReply.decode(reply, replyingTo: 1) else {
            Issue.record("the reply must decode")
            return
        }
        #expect(consumed == reply.readableBytes)
        #expect(decoded.header.opCode == .message)
        #expect(decoded.document == MongoDBReplyFixtures.hello)
        guard case .invalid = MongoDBReply.decode(reply, replyingTo: 2) else {
            Issue.record("a reply to another request must be rejected")
            return
        }
    }

    @Test func opMsgWithChecksumAndDocumentSequenceStillYieldsTheBody() throws {
        var body = ByteBuffer()
        body.writeInteger(UInt32(1), endianness: .little)  // checksumPresent
        body.writeInteger(UInt8(1))  // a document sequence first
        var sequence = ByteBuffer()
        sequence.writeBytes(Array("documents".utf8) + [0])
        BSONWriter.write(["x": 1], to: &sequence)
        body.writeInteger(Int32(4 + sequence.readableBytes), endianness: .little)
        body.writeBuffer(&sequence)
        body.writeInteger(UInt8(0))
        BSONWriter.write(MongoDBReplyFixtures.unauthorized, to: &body)
        body.writeInteger(UInt32(0xdead_beef), endianness: .little)  // the checksum, not verified
        let reply = Self.frame(body, responseTo: 5, opCode: 2013)
        #expect(MongoDBReply.decode(reply, replyingTo: 5).value?.document == MongoDBReplyFixtures.unauthorized)
    }

    @Test(arguments: [
        ("unknown required flag", UInt32(1 << 2), UInt8(0)),
        ("unknown section kind", UInt32(0), UInt8(2)),
    ])
    func opMsgWithUnknownFramingIsRejected(name: String, flags: UInt32, kind: UInt8) {
        var body = ByteBuffer()
        body.writeInteger(flags, endianness: .little)
        body.writeInteger(kind)
        BSONWriter.write(["ok": 1.0], to: &body)
        guard case .invalid = MongoDBReply.decode(Self.frame(body, responseTo: 1, opCode: 2013), replyingTo: 1) else {
            Issue.record("\(name) must be rejected")
            return
        }
    }

    @Test func opReplyFirstDocumentDecodes() throws {
        let reply = MongoDBOpReply.encode(MongoDBReplyFixtures.buildInfo, requestID: 42, responseTo: 3)
        // The spec's layout: header (opcode 1), responseFlags, cursorID, startingFrom, numberReturned, documents.
        #expect(reply.getInteger(at: 12, endianness: .little, as: Int32.self) == 1)
        #expect(reply.getInteger(at: 16, endianness: .little, as: Int32.self) == 8)
        #expect(reply.getInteger(at: 20, endianness: .little, as: Int64.self) == 0)
        #expect(reply.getInteger(at: 28, endianness: .little, as: Int32.self) == 0)
        #expect(reply.getInteger(at: 32, endianness: .little, as: Int32.self) == 1)
        #expect(reply.getBytes(at: 36, length: reply.readableBytes - 36) == MongoDBReplyFixtures.buildInfoBytes)
        let decoded = try #require(MongoDBReply.decode(reply, replyingTo: 3).value)
        #expect(decoded.header.opCode == .reply)
        #expect(decoded.document == MongoDBReplyFixtures.buildInfo)
        #expect(!decoded.queryFailed)
        let failed = try #require(
            MongoDBReply.decode(
                MongoDBOpReply.encode(["$err": "x"], requestID: 42, responseTo: 3, flags: 10),
                replyingTo: 3
            ).value
        )
        #expect(failed.queryFailed)
    }

    @Test func requestsAndOtherOpcodesAreNotReplies() {
        let echo = MongoDBCommand.hello.encode(over: .opMsg, requestID: 1)
        #expect(MongoDBReply.decode(echo, replyingTo: 1).value == nil)
        let query = MongoDBCommand.isMaster.encode(over: .opQuery, requestID: 1)
        #expect(MongoDBReply.decode(query, replyingTo: 1).value == nil)
        var compressed = ByteBuffer()
        compressed.writeBytes([UInt8](repeating: 0, count: 16))
        #expect(MongoDBReply.decode(Self.frame(compressed, responseTo: 1, opCode: 2012), replyingTo: 1).value == nil)
    }

    @Test func modernReplicaSetPrimaryGivesVersionOSAndRole() throws {
        let observation = MongoDBObservation(
            handshakeCommand: .hello,
            transport: .opMsg,
            handshake: MongoDBReplyFixtures.hello,
            buildInfo: MongoDBReplyFixtures.buildInfo
        )
        let finding = try #require(MongoDBClassifier.classify(observation, at: endpoint))
        #expect(finding.product == .mongodb)
        #expect(finding.version == "7.0.14")
        #expect(finding.dbssVersion == "7.0")
        #expect(finding.dbssType == .mongodb)
        #expect(finding.os == .linux64)
        #expect(finding.evidence.contains(Evidence("mongodb.hello.setName", "rs0")))
        #expect(finding.evidence.contains(Evidence("mongodb.hello.maxWireVersion", "21")))
        #expect(finding.evidence.contains(Evidence("mongodb.wire_release", "maxWireVersion 21: a 7.0.x release")))
        #expect(finding.evidence.contains(Evidence("mongodb.buildInfo.buildEnvironment.distmod", "ubuntu2204")))
        #expect(finding.evidence.contains(Evidence("mongodb.role", "replica set member of 'rs0'")))
    }

    @Test func withoutBuildInfoTheWireVersionBracketsTheRelease() throws {
        let observation = MongoDBObservation(
            handshakeCommand: .hello,
            transport: .opMsg,
            handshake: MongoDBReplyFixtures.hello,
            buildInfo: MongoDBReplyFixtures.unauthorized
        )
        let finding = try #require(MongoDBClassifier.classify(observation, at: endpoint))
        #expect(finding.version == "7.0")
        #expect(finding.os == nil)
        #expect(finding.evidence.contains(Evidence("mongodb.buildInfo.error.codeName", "Unauthorized")))
    }

    @Test func mongosAndLegacyServersAreRecognised() throws {
        let mongos: BSONDocument = [
            "ismaster": true, "msg": "isdbgrid", "maxBsonObjectSize": 16_777_216, "maxWireVersion": 5, "ok": 1,
        ]
        let windowsBuild: BSONDocument = [
            "version": "3.4.24", "buildEnvironment": .document(["distmod": "2008plus-ssl", "target_os": "windows"]),
            "ok": 1.0,
        ]
        let observation = MongoDBObservation(
            handshakeCommand: .isMaster,
            transport: .opQuery,
            handshake: mongos,
            buildInfo: windowsBuild
        )
        let finding = try #require(MongoDBClassifier.classify(observation, at: endpoint))
        #expect(finding.version == "3.4.24")
        #expect(finding.os == .windows64)
        #expect(finding.evidence.contains(Evidence("mongodb.isMaster.transport", "OP_QUERY")))
        #expect(finding.evidence.contains(Evidence("mongodb.role", "mongos (sharded cluster router)")))
    }

    @Test func authRequiredErrorStillIdentifiesButLooseDocumentsDoNot() {
        let unauthorized = MongoDBObservation(
            handshakeCommand: .hello,
            transport: .opMsg,
            handshake: MongoDBReplyFixtures.unauthorized
        )
        let finding = MongoDBClassifier.classify(unauthorized, at: endpoint)
        #expect(finding?.product == .mongodb)
        #expect(finding?.version == nil)
        #expect(finding?.evidence.contains(Evidence("mongodb.hello.error.code", "13")) == true)
        let loose: [BSONDocument] = [
            ["ok": 1.0],
            ["ok": 0.0, "errmsg": "no"],
            ["ok": 0.0, "errmsg": "no", "code": "13", "codeName": "Unauthorized"],
            ["isWritablePrimary": true, "maxBsonObjectSize": 16_777_216, "ok": 0.0],
            ["isWritablePrimary": "yes", "maxBsonObjectSize": 16_777_216, "ok": 1.0],
            ["isWritablePrimary": true, "ok": 1.0],
        ]
        for document in loose {
            let observation = MongoDBObservation(handshakeCommand: .hello, transport: .opMsg, handshake: document)
            #expect(MongoDBClassifier.classify(observation, at: endpoint) == nil, "\(document)")
        }
    }

    @Test(arguments: [
        (6, "3.6"), (7, "4.0"), (8, "4.2"), (9, "4.4"), (13, "5.0"), (17, "6.0"), (21, "7.0"), (25, "8.0"),
    ])
    func wireVersionsMapToReleases(wire: Int, release: String) {
        #expect(MongoDBWireVersion.release(forMaxWireVersion: wire) == release)
    }

    @Test func unknownWireVersionsGiveNoVersion() throws {
        #expect(MongoDBWireVersion.release(forMaxWireVersion: 0) == nil)
        #expect(MongoDBWireVersion.release(forMaxWireVersion: 26) == nil)
        let newer: BSONDocument = [
            "isWritablePrimary": true, "maxBsonObjectSize": 16_777_216, "maxWireVersion": 30, "ok": 1.0,
        ]
        let observation = MongoDBObservation(handshakeCommand: .hello, transport: .opMsg, handshake: newer)
        let finding = try #require(MongoDBClassifier.classify(observation, at: endpoint))
        #expect(finding.version == nil)
        #expect(finding.evidence.contains(Evidence("mongodb.wire_release", "maxWireVersion 30: newer than 8.0")))
    }

    static func frame(_ body: ByteBuffer, responseTo: Int32, opCode: Int32) -> ByteBuffer {
        var message = ByteBuffer()
        message.writeInteger(Int32(16 + body.readableBytes), endianness: .little)
        message.writeInteger(Int32(42), endianness: .little)
        message.writeInteger(responseTo, endianness: .little)
        message.writeInteger(opCode, endianness: .little)
        message.writeImmutableBuffer(body)
        return message
    }
}
