import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("PostgreSQL codecs")
struct PostgresCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.2")!, port: 5432)

    @Test func frontendMessagesHaveTheWireLayout() {
        #expect(Array(buffer: PostgresSSLRequest.encode()) == [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
        let startup = PostgresStartupMessage(majorVersion: 3, minorVersion: 0, parameters: [("user", "u")])
        #expect(Array(buffer: startup.encode()) == [0, 0, 0, 16, 0, 3, 0, 0, 117, 115, 101, 114, 0, 117, 0, 0])
        #expect(Array(buffer: PostgresStartupMessage.unsupportedProtocolProbe.encode()) == [0, 0, 0, 9, 0, 4, 0, 0, 0])
    }

    @Test func gssencAnswersTellTwelveAndLaterFromOlder() throws {
        #expect(Array(buffer: PostgresGSSENCRequest.encode()) == [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30])
        #expect(PostgresGSSENCResponse.decode(ByteBuffer(string: "G")).value == .willingToNegotiate)
        #expect(PostgresGSSENCResponse.decode(ByteBuffer(string: "N")).value?.understood == true)
        let old = PostgresErrorResponse(fields: fields(file: "postmaster.c", line: "2065", range: "2.0 to 3.0"))
        let estimate = try #require(
            PostgresVersionEstimate.estimate(
                unsupportedProtocol: old,
                noUser: nil,
                range: .init(earliest: "2.0", latest: "3.0"),
                gssenc: false
            )
        )
        #expect(estimate.majors.allSatisfy { ["10", "11"].contains($0) })
    }

    @Test func sslAnswerIsOneByte() {
        #expect(PostgresSSLResponse.decode(ByteBuffer(string: "N")).value == .notSupported)
        #expect(PostgresSSLResponse.decode(ByteBuffer(string: "S")).value == .willingToNegotiate)
        #expect(PostgresSSLResponse.decode(ByteBuffer()).value == nil)
        guard case .invalid = PostgresSSLResponse.decode(ByteBuffer(string: "HTTP/1.1")) else {
            Issue.record("an HTTP answer must not pass as PostgreSQL")
            return
        }
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func realPG15RejectionPinsDebian15_18() throws {
        let bytes = try TraceFixtures.serverBytes("captures/pg15-startup-protocol-4.0-rejected.pcap", port: 5432)
        let error = try #require(PostgresErrorResponse.decode(bytes).value)
        #expect(error.sqlState == "0A000")
        #expect(error.file == "postmaster.c")
        #expect(error.line == "2222")
        #expect(error.nonLocalizedSeverity == "FATAL")
        let finding = try #require(
            PostgresClassifier.classify(
                PostgresObservation(
                    sslResponse: .notSupported,
                    unsupportedProtocolReply: PostgresStartupReply(error: error)
                ),
                at: endpoint
            )
        )
        #expect(finding.product == .postgresql)
        #expect(finding.version == "15.18-15.19")
        #expect(finding.dbssVersion == "15")
        #expect(finding.tls == .unsupported)
        #expect(finding.evidence.contains(Evidence("postgres.protocol_range", "3.0 to 3.0")))
        #expect(finding.evidence.contains(Evidence("postgres.version_estimate", "exact-line: 15.18-15.19")))
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func realNegotiateProtocolVersionReply() throws {
        let bytes = try TraceFixtures.serverBytes("captures/pg15-startup-protocol-3.99-negotiate.pcap", port: 5432)
        let reply = try #require(PostgresStartupReply.decode(bytes).value)
        #expect(reply.negotiation?.newestMinorVersion == 0)
        #expect(reply.negotiation?.unrecognizedOptions == ["_pq_.fake_option"])
        #expect(reply.authenticationRequest == 5)
        #expect(reply.error == nil)
    }

    @Test func bothLinesNarrowTheEstimate() throws {
        let unsupported = PostgresErrorResponse(fields: fields(file: "postmaster.c", line: "2145", range: "3.0 to 3.0"))
        var noUserFields = fields(file: "postmaster.c", line: "2270", range: "3.0 to 3.0")
        noUserFields[UInt8(ascii: "C")] = "28000"
        let noUser = PostgresErrorResponse(fields: noUserFields)
        let range = PostgresProtocolRange(earliest: "3.0", latest: "3.0")
        let alone = try #require(
            PostgresVersionEstimate.estimate(unsupportedProtocol: unsupported, noUser: nil, range: range)
        )
        let both = try #require(
            PostgresVersionEstimate.estimate(unsupportedProtocol: unsupported, noUser: noUser, range: range)
        )
        #expect(alone.majors.count >= both.majors.count)
        #expect(both.basis == .exactLine)
        #expect(both.majors.allSatisfy { ["14", "16"].contains($0) })
    }

    @Test func openGaussStatesMinor51() throws {
        // openGauss's pqcomm.h sets the newest protocol to 3.51 and its backend is C++ (postmaster.cpp).
        let error = PostgresErrorResponse(fields: fields(file: "postmaster.cpp", line: "2000", range: "1.0 to 3.51"))
        let finding = try #require(
            PostgresClassifier.classify(
                PostgresObservation(unsupportedProtocolReply: .init(error: error)),
                at: endpoint
            )
        )
        #expect(finding.product == .opengauss)
        #expect(finding.dbssType == .gaussdbOpenGauss)
    }

    @Test func exactLinePinsTheRelease() throws {
        let error = PostgresErrorResponse(fields: fields(file: "postmaster.c", line: "2195", range: "3.0 to 3.0"))
        let estimate = try #require(
            PostgresVersionEstimate.estimate(
                unsupportedProtocol: error,
                noUser: nil,
                range: .init(earliest: "3.0", latest: "3.0")
            )
        )
        #expect(estimate.basis == .exactLine)
        #expect(estimate.oldest == "15.2")
        #expect(estimate.newest == "15.4")
        #expect(estimate.summary == "15.2-15.4")
    }

    @Test func aPatchedBuildMapsToTheNearestMajor() throws {
        let error = PostgresErrorResponse(fields: fields(file: "postmaster.c", line: "2210", range: "3.0 to 3.0"))
        let estimate = try #require(
            PostgresVersionEstimate.estimate(
                unsupportedProtocol: error,
                noUser: nil,
                range: .init(earliest: "3.0", latest: "3.0")
            )
        )
        #expect(estimate.basis == .nearestLine)
        #expect(estimate.summary == "15")
    }

    @Test func onlyTheBracketWhenTheLineIsFarFromAnyRelease() throws {
        let error = PostgresErrorResponse(fields: fields(file: "postmaster.c", line: "9999", range: "3.0 to 3.0"))
        let estimate = try #require(
            PostgresVersionEstimate.estimate(
                unsupportedProtocol: error,
                noUser: nil,
                range: .init(earliest: "3.0", latest: "3.0")
            )
        )
        #expect(estimate.basis == .protocolBracket)
        #expect(estimate.majors == ["14", "15", "16"])
        #expect(estimate.summary == "14-16")
    }

    @Test func windowsPathsMarkTheHost() throws {
        let error = PostgresErrorResponse(
            fields: fields(file: ".\\src\\backend\\postmaster\\postmaster.c", line: "2195", range: "3.0 to 3.0")
        )
        let finding = try #require(
            PostgresClassifier.classify(
                PostgresObservation(unsupportedProtocolReply: PostgresStartupReply(error: error)),
                at: endpoint
            )
        )
        #expect(finding.os == .windows64)
        #expect(finding.version == "15.2-15.4")
    }

    @Test func protocolRangeReadsLocalisedText() {
        let german = "nicht unterstütztes Frontend-Protokoll 4.0: Server unterstützt 2.0 bis 3.0"
        #expect(PostgresProtocolRange(message: german) == .init(earliest: "2.0", latest: "3.0"))
        #expect(PostgresProtocolRange(message: "no numbers here") == nil)
    }

    @Test func errorWithoutRequiredFieldsIsNotPostgres() {
        var body = ByteBuffer()
        body.writeBytes([UInt8(ascii: "M")] + Array("hello".utf8) + [0, 0])
        var frame = ByteBuffer(bytes: [UInt8(ascii: "E")])
        frame.writeInteger(UInt32(body.readableBytes + 4))
        frame.writeBuffer(&body)
        guard case .invalid = PostgresErrorResponse.decode(frame) else {
            Issue.record("an E frame without S and C must be rejected")
            return
        }
    }

    private func fields(file: String, line: String, range: String) -> [UInt8: String] {
        [
            UInt8(ascii: "S"): "FATAL", UInt8(ascii: "V"): "FATAL", UInt8(ascii: "C"): "0A000",
            UInt8(ascii: "M"): "unsupported frontend protocol 4.0: server supports \(range)",
            UInt8(ascii: "F"): file, UInt8(ascii: "L"): line, UInt8(ascii: "R"): "ProcessStartupPacket",
        ]
    }
}
