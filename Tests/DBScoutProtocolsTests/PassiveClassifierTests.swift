import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("Passive classification of synthetic flows")
struct PassiveClassifierTests {
    static let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    static let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 8080)

    static func flow(_ clientBytes: [UInt8], _ serverBytes: [UInt8], fromStart: Bool = true) -> TCPFlowSnapshot {
        TCPFlowSnapshot(
            client: client,
            server: server,
            clientBytes: clientBytes,
            serverBytes: serverBytes,
            seenFromStart: fromStart
        )
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    static func frame(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count + 4)
        return [type.asciiValue!] + withUnsafeBytes(of: length.bigEndian, Array.init) + body
    }

    static func parameterStatus(_ name: String, _ value: String) -> [UInt8] {
        frame("S", Array(name.utf8) + [0] + Array(value.utf8) + [0])
    }

    static let startup = bytes(PostgresStartupMessage.plainAdmissionProbe.encode())
    static let md5Request = frame("R", [0, 0, 0, 5, 1, 2, 3, 4])
    static let authOK = frame("R", [0, 0, 0, 0])

    @Test func aPostgresLoginOnAnyPortGivesItsVersionAndDistribution() throws {
        let server =
            Self.md5Request + Self.authOK
            + Self.parameterStatus("server_version", "15.18 (Debian 15.18-0+deb12u1)") + Self.frame("Z", [0x49])
        let finding = try #require(PassiveClassifier.classify(Self.flow(Self.startup, server)))
        #expect(finding.endpoint == Self.server)
        #expect(finding.product == .postgresql)
        #expect(finding.version == "15.18")
        #expect(finding.os == .linux64)
        #expect(finding.osSource == .banner)
        #expect(
            finding.evidence.contains(Evidence("postgres.parameter.server_version", "15.18 (Debian 15.18-0+deb12u1)"))
        )
    }

    @Test func aLoneAnswerToSSLRequestIsNotEnough() {
        let ssl = Self.bytes(PostgresSSLRequest.encode())
        #expect(PassiveClassifier.classify(Self.flow(ssl, Array("N".utf8))) == nil)
        #expect(PassiveClassifier.classify(Self.flow(ssl, Array("NOPE".utf8))) == nil)
        // `S` followed by clear text is not a turn to TLS.
        #expect(PassiveClassifier.classify(Self.flow(ssl, Array("SSH-2.0-OpenSSH\r\n".utf8))) == nil)
    }

    @Test func sslRequestAnsweredSThenTLSIsPostgresOverTLS() throws {
        let ssl = Self.bytes(PostgresSSLRequest.encode())
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0]
        let finding = try #require(PassiveClassifier.classify(Self.flow(ssl + hello, Array("S".utf8) + hello)))
        #expect(finding.product == .postgresql)
        #expect(finding.tls == .supported)
        #expect(finding.evidence.contains { $0.fact == "passive.tls" && $0.value.contains("TLS handshake records") })
    }

    @Test func serverBytesWithoutAClientMessageAreNotEnough() {
        let reply = Self.md5Request
        #expect(PassiveClassifier.classify(Self.flow([], reply)) == nil)
        #expect(PassiveClassifier.classify(Self.flow(Array("GET / HTTP/1.1\r\n\r\n".utf8), reply)) == nil)
    }

    @Test func httpIsNothing() {
        let request = Array("GET / HTTP/1.1\r\nHost: db\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(PassiveClassifier.classify(Self.flow(request, response)) == nil)
    }

    @Test func redisNeedsAKnownCommandAndARESPReply() throws {
        let ping = Array("*1\r\n$4\r\nPING\r\n".utf8)
        let finding = try #require(PassiveClassifier.classify(Self.flow(ping, Array("+PONG\r\n".utf8))))
        #expect(finding.product == .redis)
        #expect(finding.evidence.contains(Evidence("redis.reply", "+PONG")))
        #expect(PassiveClassifier.classify(Self.flow(ping, Array("PONG\r\n".utf8))) == nil)
        #expect(PassiveClassifier.classify(Self.flow(Array("*1\r\n$4\r\nPONG\r\n".utf8), Array("+OK\r\n".utf8))) == nil)
    }

    @Test func redisHelloThreeStatesTheVersion() throws {
        let hello = Array("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n".utf8)
        let map = Array(
            "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.5\r\n$5\r\nproto\r\n:3\r\n".utf8
        )
        let finding = try #require(PassiveClassifier.classify(Self.flow(hello, map)))
        #expect(finding.version == "7.2.5")
        #expect(finding.evidence.contains(Evidence("redis.hello.proto", "3")))
    }

    @Test func aMidStreamFlowWithRolesTheWrongWayRoundIsReadBothWays() throws {
        let ping = Array("*1\r\n$4\r\nPING\r\n".utf8)
        let reversed = TCPFlowSnapshot(
            client: Self.server,
            server: Self.client,
            clientBytes: Array("+PONG\r\n".utf8),
            serverBytes: ping
        )
        let finding = try #require(PassiveClassifier.classify(reversed))
        #expect(finding.endpoint == Self.server)
        var fromStart = reversed
        fromStart.seenFromStart = true
        #expect(PassiveClassifier.classify(fromStart) == nil)
    }

    static let handshake: BSONDocument = [
        "ok": 1.0, "isWritablePrimary": true, "maxBsonObjectSize": 16_777_216, "maxWireVersion": 21,
    ]

    @Test(arguments: [MongoDBTransport.opMsg, .opQuery])
    func aMongoHandshakeIsPairedByItsRequestID(_ transport: MongoDBTransport) throws {
        let request = Self.bytes(MongoDBCommand.hello.encode(over: transport, requestID: 7))
        let reply = { (responseTo: Int32) in
            Self.bytes(
                transport == .opMsg
                    ? MongoDBOpMsg.encode(Self.handshake, requestID: 99, responseTo: responseTo)
                    : MongoDBOpReply.encode(Self.handshake, requestID: 99, responseTo: responseTo)
            )
        }
        let finding = try #require(PassiveClassifier.classify(Self.flow(request, reply(7))))
        #expect(finding.product == .mongodb)
        #expect(finding.version == MongoDBWireVersion.release(forMaxWireVersion: 21))
        #expect(PassiveClassifier.classify(Self.flow(request, reply(8))) == nil)
        #expect(PassiveClassifier.classify(Self.flow([], reply(7))) == nil)
    }
}
