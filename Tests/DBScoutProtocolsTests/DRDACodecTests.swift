import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("DRDA codecs")
struct DRDACodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 50000)
    private static let trace = "public-traces/nDPI/drda_db2.pcap"

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func recordedDb2ReplyGivesReleasePlatformAndInstance() throws {
        let bytes = try TraceFixtures.serverBytes(Self.trace, port: 50000)
        guard case .message(let reply, let consumed) = DRDAServerAttributesReply.decode(bytes, correlationID: 1) else {
            Issue.record("the server's first DSS must be an EXCSATRD")
            return
        }
        // The EXCSATRD is chained to an ACCSECRD, which the decoder leaves unread.
        #expect(consumed == 0x5b)
        #expect(reply.releaseLevel == "SQL08024")
        #expect(reply.serverClassName == "QDB2/LINUX")
        #expect(reply.serverName == "db2")
        #expect(reply.externalName == "db2db2agent00000C410")
        #expect(reply.encoding == .ebcdic)
        #expect(reply.managerLevels == DRDAExchangeServerAttributes.defaultManagerLevels)

        let finding = try #require(DRDAClassifier.classify(reply, at: endpoint))
        #expect(finding.product == .db2)
        #expect(finding.version == "8.2.4")
        #expect(finding.os == .linux64)
        #expect(finding.dbssType == nil)
        #expect(finding.evidence.contains(Evidence("drda.excsatrd.srvnam", "db2")))
        #expect(finding.evidence.contains(Evidence("drda.product", "Db2 for Linux, UNIX and Windows")))
        #expect(finding.evidence.contains(Evidence("drda.excsatrd.encoding", "EBCDIC (CCSID 500)")))

        var rest = bytes
        rest.moveReaderIndex(forwardBy: consumed)
        #expect(DRDADataStream.decode(rest).value?.codePoint == 0x14AC)  // ACCSECRD
        #expect(DRDAServerAttributesReply.decode(rest, correlationID: 2).value == nil)
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func ourFramingReproducesTheRecordedClientsExcsat() throws {
        let client = Array(try TraceFixtures.clientBytes(Self.trace, port: 50000).readableBytesView)
        let excsat = try #require(DRDADataStream.decode(ByteBuffer(bytes: client)).value)
        #expect(excsat.kind == .request)
        #expect(excsat.isChained)  // the driver chains ACCSEC behind it
        #expect(excsat.codePoint == DRDACodePoint.exchangeServerAttributes)
        let parameters = try #require(DRDADataStream.parameters(in: excsat.objectBody))
        let reencoded = DRDADataStream.encodeRequest(
            codePoint: excsat.codePoint,
            parameters: parameters,
            correlationID: excsat.correlationID,
            chained: true
        )
        #expect(Array(reencoded.readableBytesView) == Array(client.prefix(0x89)))

        // Our EXCSAT sends the same parameters in the same order, with the same EBCDIC and manager levels.
        let recorded = DRDAExchangeServerAttributes(
            externalName: "unused",
            serverName: "MyPC-Hostname     ",
            releaseLevel: "JCC02100",
            serverClassName: "QDB2/JVM"
        )
        let ours = recorded.parameters
        #expect(ours.map(\.codePoint) == parameters.map(\.codePoint))
        for index in 1..<ours.count { #expect(ours[index] == parameters[index]) }
    }

    @Test func defaultRequestIsOneUnchainedEbcdicExcsat() throws {
        let bytes = DRDAExchangeServerAttributes().encode(correlationID: 1)
        let stream = try #require(DRDADataStream.decode(bytes).value)
        #expect(stream.kind == .request && !stream.isChained && stream.correlationID == 1)
        let parameters = try #require(DRDADataStream.parameters(in: stream.objectBody))
        let names = parameters.compactMap { DRDAText.decode($0.value) }
        #expect(names.first?.text == "dbscout")
        #expect(names.first?.encoding == .ebcdic)
        // Each request is a reply to nothing: the decoder for replies rejects it (an echoing peer is not Db2).
        #expect(DRDAServerAttributesReply.decode(bytes, correlationID: 1).value == nil)
    }

    @Test(arguments: [DRDAText.Encoding.ascii, .utf8])
    func asciiAndUTF8RepliesDecodeToo(encoding: DRDAText.Encoding) throws {
        let instance = encoding == .utf8 ? "db2inst1-ü" : "db2inst1"
        let reply = Self.excsatrd(
            [
                (DRDACodePoint.serverName, Array(instance.utf8)),
                (DRDACodePoint.serverClassName, Array("QDB2/NT64".utf8)),
                (DRDACodePoint.serverReleaseLevel, Array("SQL11055".utf8)),
            ]
        )
        let decoded = try #require(DRDAServerAttributesReply.decode(reply, correlationID: 1).value)
        #expect(decoded.serverName == instance)
        #expect(decoded.encoding == encoding)
        let finding = try #require(DRDAClassifier.classify(decoded, at: endpoint))
        #expect(finding.version == "11.5.5")
        #expect(finding.os == .windows64)
    }

    @Test func derbyAndReleaselessRepliesAreNotDb2() {
        let derby = DRDAServerAttributesReply(releaseLevel: "CSS10140", serverClassName: "QDB2/JVM")
        #expect(DRDAClassifier.classify(derby, at: endpoint) == nil)
        #expect(DRDAClassifier.classify(DRDAServerAttributesReply(serverClassName: "QDB2/LINUX"), at: endpoint) == nil)
        #expect(DRDAClassifier.classify(DRDAServerAttributesReply(releaseLevel: "SQL1105"), at: endpoint) == nil)
    }

    @Test(arguments: [
        ("SQL08024", "8.2.4", "Db2 for Linux, UNIX and Windows"),
        ("SQL11055", "11.5.5", "Db2 for Linux, UNIX and Windows"),
        ("DSN12015", "12.1.5", "Db2 for z/OS"),
        ("QSQ07050", "7.5.0", "Db2 for i"),
    ])
    func releaseLevelsParse(level: String, version: String, product: String) throws {
        let release = try #require(DRDAReleaseLevel(level))
        #expect(release.versionString == version)
        #expect(release.product == product)
    }

    @Test(arguments: [
        ("QDB2/LINUXX8664", HostOS?.some(.linux64)), ("QDB2/LINUXZ64", .linux64), ("QDB2/NT64", .windows64),
        ("QDB2/NT", .windows64), ("QDB2/AIX64", .unix), ("QDB2/SUN64", .unix), ("QDB2/HPUX", .unix),
        ("QDB2", nil), ("QAS", nil),
    ])
    func serverClassesMapToHostOS(serverClass: String, os: HostOS?) {
        let reply = DRDAServerAttributesReply(releaseLevel: "SQL11055", serverClassName: serverClass)
        #expect(DRDAClassifier.classify(reply, at: endpoint)?.os == os)
    }

    @Test func malformedRepliesAreRejected() {
        let good = Array(
            Self.excsatrd([(DRDACodePoint.serverReleaseLevel, DRDAText.ebcdic("SQL11055"))]).readableBytesView
        )
        #expect(DRDAServerAttributesReply.decode(ByteBuffer(bytes: good), correlationID: 1).value != nil)
        var wrongCorrelation = good
        wrongCorrelation[5] = 9
        var badMagic = good
        badMagic[2] = 0xD1
        var requestType = good
        requestType[3] = 0x01
        var parameterOverrun = good
        parameterOverrun[11] = 0x40
        var hugeLength = good
        hugeLength[0] = 0x80
        let oversizedName = Array(
            Self.excsatrd([(DRDACodePoint.serverName, [UInt8](repeating: 0x81, count: 256))]).readableBytesView
        )
        let badLevels = Array(Self.excsatrd([(DRDACodePoint.managerLevels, [0x14, 0x03, 0x00])]).readableBytesView)
        for (name, bytes) in [
            ("wrong correlation", wrongCorrelation), ("bad magic", badMagic), ("request type", requestType),
            ("parameter overrun", parameterOverrun), ("huge length", hugeLength), ("oversized name", oversizedName),
            ("bad manager levels", badLevels),
        ] {
            guard case .invalid = DRDAServerAttributesReply.decode(ByteBuffer(bytes: bytes), correlationID: 1) else {
                Issue.record("\(name) must be rejected")
                continue
            }
        }
    }

    @Test func textDecodingRejectsBinary() {
        #expect(DRDAText.decode([0x00, 0x01, 0xFF]) == nil)
        #expect(DRDAText.decode(DRDAText.ebcdic("QDB2/LINUX"))?.text == "QDB2/LINUX")
        #expect(DRDAText.decode(DRDAText.ebcdic("  db2  "))?.text == "db2")
    }

    /// An EXCSATRD in an OBJDSS with correlation id 1, as the recorded server frames it.
    static func excsatrd(_ parameters: [(UInt16, [UInt8])]) -> ByteBuffer {
        var body: [UInt8] = []
        for (codePoint, value) in parameters {
            let length = 4 + value.count
            body += [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(codePoint >> 8), UInt8(codePoint & 0xFF)] + value
        }
        let objectLength = 4 + body.count
        let dssLength = 6 + objectLength
        let header: [UInt8] = [UInt8(dssLength >> 8), UInt8(dssLength & 0xFF), 0xD0, 0x03, 0x00, 0x01]
        return ByteBuffer(bytes: header + [UInt8(objectLength >> 8), UInt8(objectLength & 0xFF), 0x14, 0x43] + body)
    }
}
