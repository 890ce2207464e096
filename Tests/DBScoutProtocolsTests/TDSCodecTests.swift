import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// Builds a TDS packet around a PRELOGIN option table, written independently of the codec under test.
enum TDSSamples {
    /// `options` in order, data packed after the terminator; offsets and lengths as the table states them.
    static func packet(_ options: [(UInt8, [UInt8])], type: UInt8 = 0x04, status: UInt8 = 0x01) -> [UInt8] {
        var table: [UInt8] = []
        var data: [UInt8] = []
        let tableSize = options.count * 5 + 1
        for (token, value) in options {
            let offset = tableSize + data.count
            table += [
                token, UInt8(offset >> 8), UInt8(offset & 0xff), UInt8(value.count >> 8), UInt8(value.count & 0xff),
            ]
            data += value
        }
        return wrap(table + [0xff] + data, type: type, status: status)
    }

    static func wrap(_ payload: [UInt8], type: UInt8 = 0x04, status: UInt8 = 0x01) -> [UInt8] {
        let length = payload.count + 8
        return [type, status, UInt8(length >> 8), UInt8(length & 0xff), 0, 0, 1, 0] + payload
    }

    static func version(_ major: UInt8, _ minor: UInt8, _ build: UInt16, subBuild: UInt16 = 0) -> (UInt8, [UInt8]) {
        (0x00, [major, minor, UInt8(build >> 8), UInt8(build & 0xff), UInt8(subBuild >> 8), UInt8(subBuild & 0xff)])
    }

    /// A SQL Server 2022-style answer with every option a modern server may send.
    static let modern: [UInt8] = packet([
        version(16, 0, 4135, subBuild: 4),
        (0x01, [0x00]),
        (0x02, [0x00]),
        (0x03, [0x2a, 0, 0, 0]),
        (0x04, [0x01]),
        (0x06, [0x00]),
        (0x07, Array(repeating: 0x5a, count: 32)),
    ])
}

@Suite("TDS codecs")
struct TDSCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 1433)

    private func decode(_ bytes: [UInt8]) -> Decoded<TDSPreloginResponse> {
        TDSPreloginResponse.decode(ByteBuffer(bytes: bytes))
    }

    private func classify(_ bytes: [UInt8]) throws -> Finding? {
        TDSClassifier.classify(try #require(decode(bytes).value), at: endpoint)
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func sqlServer2000AnswerFromArkimeTrace() throws {
        let bytes = try TraceFixtures.serverBytes("public-traces/arkime/tds7.pcap", port: 1433)
        guard case .message(let response, let consumed) = TDSPreloginResponse.decode(bytes) else {
            Issue.record("the first server packet must decode as a PRELOGIN answer")
            return
        }
        #expect(consumed == 37)
        #expect(response.version == TDSProductVersion(major: 8, minor: 0, build: 2039, subBuild: 0))
        #expect(response.encryption == TDSEncryption(.notSupported))
        #expect(response.instance == .validity(0))
        // SQL Server 2000 sends THREADID with no data, and no MARS (added in 2005).
        #expect(response.threadID == nil)
        #expect(response.mars == nil)
        #expect(response.fedAuthRequired == nil)

        let finding = try #require(TDSClassifier.classify(response, at: endpoint))
        #expect(finding.product == .sqlserver)
        #expect(finding.version == "8.0.2039")
        #expect(finding.dbssVersion == "2000")
        #expect(finding.tls == .unsupported)
        #expect(finding.os == .windows64)
        #expect(finding.evidence.contains(Evidence("tds.prelogin.version", "8.0.2039.0")))
        #expect(finding.evidence.contains(Evidence("sqlserver.release", "2000")))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.encryption", "ENCRYPT_NOT_SUP")))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.instopt", "0x00 (default instance accepted)")))
    }

    /// The client's PRELOGIN in the same trace uses the same option table; read as an answer it exercises the
    /// instance-name and thread-id paths with real bytes.
    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func clientPreloginFromArkimeTraceHasTheSameTable() throws {
        var bytes = try TraceFixtures.clientBytes("public-traces/arkime/tds7.pcap", port: 1433)
        #expect(bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == 0x12)
        bytes.setInteger(UInt8(0x04), at: bytes.readerIndex)
        let response = try #require(TDSPreloginResponse.decode(bytes).value)
        #expect(response.version.description == "8.0.341")
        #expect(response.encryption == TDSEncryption(.off))
        #expect(response.instance == .name("MSSQLServer"))
        #expect(response.threadID == 984)
    }

    @Test func requestHasTheLayoutOfTheSpecificationSample() throws {
        let request = TDSPreloginRequest.probe.encode()
        let bytes = try #require(request.getBytes(at: request.readerIndex, length: request.readableBytes))
        // Header and option table of MS-TDS 4.1's sample: VERSION, ENCRYPTION, INSTOPT, THREADID, MARS.
        let specificationTable: [UInt8] = [
            0x12, 0x01, 0x00, 0x2f, 0x00, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x1a, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01,
            0x03, 0x00, 0x22, 0x00, 0x04, 0x04, 0x00, 0x26, 0x00, 0x01, 0xff,
        ]
        #expect(Array(bytes.prefix(specificationTable.count)) == specificationTable)
        // ENCRYPT_OFF, the default instance (an empty name), MARS off.
        #expect(bytes[40] == 0x00)
        #expect(bytes[41] == 0x00)
        #expect(bytes[46] == 0x00)

        var asAnswer = request
        asAnswer.setInteger(UInt8(0x04), at: asAnswer.readerIndex)
        let decoded = try #require(TDSPreloginResponse.decode(asAnswer).value)
        #expect(decoded.encryption == TDSEncryption(.off))
        #expect(decoded.instance == .validity(0))
        #expect(decoded.mars == false)
        #expect(decoded.threadID == 0)
    }

    @Test func namedInstanceAndEncryptionAreEncoded() throws {
        let request = TDSPreloginRequest(encryption: TDSEncryption(.on), instance: "SQLEXPRESS", mars: true).encode()
        var asAnswer = request
        asAnswer.setInteger(UInt8(0x04), at: asAnswer.readerIndex)
        let decoded = try #require(TDSPreloginResponse.decode(asAnswer).value)
        #expect(decoded.encryption == TDSEncryption(.on))
        #expect(decoded.instance == .name("SQLEXPRESS"))
        #expect(decoded.mars == true)
    }

    @Test(arguments: [
        (UInt8(16), UInt16(4135), UInt8(0x03), TLSSupport.required, HostOS?.none, "2022"),
        (15, 2000, 0x00, .supported, nil, "2019"),
        (14, 3456, 0x01, .supported, nil, "2017"),
        (13, 4001, 0x00, .supported, .windows64, "2016"),
        (11, 7001, 0x02, .unsupported, .windows64, "2012"),
        (17, 100, 0x03, .required, nil, "2025"),
    ])
    func answersMapToTLSHostAndRelease(
        major: UInt8,
        build: UInt16,
        encryption: UInt8,
        tls: TLSSupport,
        os: HostOS?,
        release: String
    ) throws {
        let bytes = TDSSamples.packet([TDSSamples.version(major, 0, build), (0x01, [encryption]), (0x04, [0x00])])
        let finding = try #require(try classify(bytes))
        #expect(finding.version == "\(major).0.\(build)")
        #expect(finding.tls == tls)
        #expect(finding.os == os)
        #expect(finding.dbssVersion == release)
        #expect(finding.evidence.contains(Evidence("sqlserver.release", release)))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.mars", "off")))
        #expect((finding.os != nil) == finding.evidence.contains { $0.fact == "os.hint" })
    }

    @Test func sqlServer2008R2IsToldApartFrom2008() throws {
        let bytes = TDSSamples.packet([TDSSamples.version(10, 50, 6000), (0x01, [0x02])])
        let finding = try #require(try classify(bytes))
        #expect(finding.version == "10.50.6000")
        #expect(finding.dbssVersion == "2008R2")
    }

    @Test func everyModernOptionIsRead() throws {
        let response = try #require(decode(TDSSamples.modern).value)
        #expect(response.version == TDSProductVersion(major: 16, minor: 0, build: 4135, subBuild: 4))
        #expect(response.threadID == 42)
        #expect(response.mars == true)
        #expect(response.fedAuthRequired == false)
        #expect(response.hasNonce)
        #expect(response.unknownTokens.isEmpty)
        let finding = try #require(TDSClassifier.classify(response, at: endpoint))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.version", "16.0.4135.4")))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.mars", "on")))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.fedauth_required", "no")))
    }

    @Test func clientCertificateBitAndUnknownOptionsAreKept() throws {
        let bytes = TDSSamples.packet([TDSSamples.version(16, 0, 1000), (0x01, [0x83]), (0x2a, [1, 2, 3])])
        let response = try #require(decode(bytes).value)
        #expect(response.encryption == TDSEncryption(.required, clientCertificate: true))
        #expect(response.unknownTokens == [0x2a])
        let finding = try #require(TDSClassifier.classify(response, at: endpoint))
        #expect(finding.tls == .required)
        #expect(finding.evidence.contains(Evidence("tds.prelogin.encryption", "ENCRYPT_REQ|ENCRYPT_CLIENT_CERT")))
        #expect(finding.evidence.contains(Evidence("tds.prelogin.unknown_options", "0x2a")))
    }

    @Test func babelfishDefaultVersionLeavesTheHostOpen() throws {
        let bytes = TDSSamples.packet([TDSSamples.version(12, 0, 2000), (0x01, [0x00]), (0x03, []), (0x04, [0])])
        let finding = try #require(try classify(bytes))
        #expect(finding.dbssVersion == "2014")
        #expect(finding.os == nil)
        #expect(finding.evidence.contains { $0.fact == "tds.prelogin.caveat" })
    }

    @Test(arguments: [UInt8(0), 7, 31, 255])
    func implausibleMajorIsNotSQLServer(major: UInt8) throws {
        let bytes = TDSSamples.packet([TDSSamples.version(major, 0, 1), (0x01, [0x02])])
        #expect(try classify(bytes) == nil)
    }

    static let malformed: [(String, [UInt8])] = {
        let version = TDSSamples.version(15, 0, 2000)
        let encryption: (UInt8, [UInt8]) = (0x01, [0x00])
        let good = TDSSamples.packet([version, encryption])
        var overlapping = good
        overlapping[8 + 7] = 0x0c  // ENCRYPTION's offset points into VERSION's data
        var intoTable = good
        intoTable[8 + 2] = 0x02  // VERSION's offset points into the option table
        var pastEnd = good
        pastEnd[8 + 4] = 0x40  // VERSION claims 64 bytes
        return [
            ("VERSION not first", TDSSamples.packet([encryption, version])),
            ("no terminator", TDSSamples.wrap([0x00, 0x00, 0x05, 0x00, 0x06])),
            ("empty table", TDSSamples.wrap([0xff])),
            ("data overlaps another option", overlapping),
            ("data inside the table", intoTable),
            ("data past the payload", pastEnd),
            ("duplicate token", TDSSamples.packet([version, encryption, encryption])),
            ("short VERSION", TDSSamples.packet([(0x00, [15, 0, 7, 208, 0]), encryption])),
            ("undefined ENCRYPTION", TDSSamples.packet([version, (0x01, [0x05])])),
            ("no ENCRYPTION", TDSSamples.packet([version, (0x04, [0x00])])),
            ("MARS of 2", TDSSamples.packet([version, encryption, (0x04, [0x02])])),
            ("three-byte THREADID", TDSSamples.packet([version, encryption, (0x03, [1, 2, 3])])),
            ("short NONCE", TDSSamples.packet([version, encryption, (0x07, [1, 2, 3])])),
            ("INSTOPT without NUL", TDSSamples.packet([version, encryption, (0x02, Array("MSSQL".utf8))])),
            ("client PRELOGIN type", TDSSamples.packet([version, encryption], type: 0x12)),
            ("continued packet", TDSSamples.packet([version, encryption], status: 0x00)),
            ("length below header", [0x04, 0x01, 0x00, 0x07, 0, 0, 1, 0]),
            ("length above 4096", [0x04, 0x01, 0x10, 0x01, 0, 0, 1, 0]),
            ("HTTP", Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)),
        ]
    }()

    @Test(arguments: malformed)
    func malformedAnswerIsRejected(name: String, bytes: [UInt8]) {
        guard case .invalid = decode(bytes) else {
            Issue.record("\(name): expected .invalid, got \(decode(bytes))")
            return
        }
    }

    /// Mid-session traffic also travels in type 0x04 packets; none of it may pass for a PRELOGIN answer.
    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func midSessionTDSFromNDPITraceIsNotAPreloginAnswer() throws {
        let trace = try PcapTrace.shared("public-traces/nDPI/mssql_tds.pcap")
        let fromServer = trace.segments.filter { $0.sourcePort == 1433 }
        #expect(fromServer.count == 10)
        for segment in fromServer {
            #expect(segment.payload.first == 0x04)
            guard case .invalid = decode(segment.payload) else {
                Issue.record("server segment \(segment.payload.prefix(8)) was not rejected")
                continue
            }
        }
        for segment in trace.segments where segment.destinationPort == 1433 {
            #expect(decode(segment.payload).value == nil)
        }
        #expect(decode(trace.bytes(fromPort: 1433)).value == nil)
    }

    /// Sybase's TDS 4/5 login and its answer (also a type 0x04 packet) are not SQL Server's PRELOGIN.
    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func sybaseTDS5FromArkimeTraceIsNotAPreloginAnswer() throws {
        let trace = try PcapTrace.shared("public-traces/arkime/tds5.pcap")
        let server = trace.bytes(fromPort: 3106)
        #expect(server.first == 0x04)
        guard case .invalid = decode(server) else {
            Issue.record("the Sybase login answer must be rejected")
            return
        }
        for segment in trace.segments where segment.destinationPort == 3106 {
            #expect(decode(segment.payload).value == nil)
        }
    }
}
