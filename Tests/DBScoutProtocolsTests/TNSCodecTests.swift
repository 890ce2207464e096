import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

/// Listener answers built field by field, for the shapes no public trace holds (REFUSE, REDIRECT, command ACCEPT).
enum TNSSamples {
    static func packet(_ type: UInt8, _ body: [UInt8], flags: UInt8 = 0) -> [UInt8] {
        let length = body.count + 8
        return [UInt8(length >> 8), UInt8(length & 0xff), 0, 0, type, flags, 0, 0] + body
    }

    static func refuse(_ text: String, padding: Int = 0) -> [UInt8] {
        let data = Array(text.utf8)
        return packet(
            4,
            [0x22, 0x00, UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data + Array(repeating: 0, count: padding)
        )
    }

    static func redirectInline(_ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        return packet(5, [UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data)
    }

    static func redirectSplit(_ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        return packet(5, [UInt8(data.count >> 8), UInt8(data.count & 0xff)], flags: 0x04) + packet(6, [0, 0] + data)
    }

    /// A pre-12c ACCEPT (protocol 310, 32 bytes) with `data` as accept data.
    static func oldAccept(_ data: [UInt8], version: UInt16 = 0x0136) -> [UInt8] {
        let offset = 32
        var body: [UInt8] = [UInt8(version >> 8), UInt8(version & 0xff), 0, 0, 0x08, 0, 0x7f, 0xff, 1, 0]
        body += [UInt8(data.count >> 8), UInt8(data.count & 0xff), 0, UInt8(offset), 0x01, 0x01]
        body += Array(repeating: 0, count: offset - 8 - body.count)
        return packet(2, body + data)
    }

    static func data(_ text: String) -> [UInt8] {
        packet(6, [0, 0] + Array(text.utf8) + [0])
    }

    static let resend = packet(11, [])
}

@Suite("TNS codecs")
struct TNSCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 1521)

    private func reply(_ bytes: [UInt8]) throws -> TNSListenerReply {
        let decoded = TNSListenerReply.decode(ByteBuffer(bytes: bytes))
        guard case .message(let reply, let consumed) = decoded else {
            Issue.record("expected a listener reply, got \(decoded)")
            throw TNSTestFailure()
        }
        #expect(consumed == bytes.count)
        return reply
    }

    private func classify(_ bytes: [UInt8], followUps: [[UInt8]] = []) throws -> Finding? {
        let data = followUps.compactMap { TNSDataPacket.decode(ByteBuffer(bytes: $0)).value }
        #expect(data.count == followUps.count)
        let observation = TNSObservation(offeredVersion: 315, reply: try reply(bytes), followUps: data)
        return TNSClassifier.classify(observation, at: endpoint)
    }

    // MARK: CONNECT

    @Test func connectRequestLayout() throws {
        let bytes = TNSConnect.versionRequest.encode()
        let raw = Array(bytes.readableBytesView)
        #expect(Int(raw[0]) << 8 | Int(raw[1]) == raw.count)
        #expect(raw[2...7] == [0, 0, 1, 0, 0, 0])
        let connect = try #require(TNSConnect.decode(bytes).value)
        #expect(connect.version == 315)
        #expect(connect.minimumVersion == 300)
        #expect(connect.sdu == 8192)
        #expect(connect.largeSDU == 8192)
        #expect(connect.largeTDU == 2_097_152)
        #expect(connect.descriptor.contains("(COMMAND=version)"))
        #expect(connect.descriptor.contains("(PROGRAM=dbscout)"))
        #expect(TNSDescriptor(connect.descriptor)?.value(named: "COMMAND") == "version")
        // The descriptor sits at offset 70, right after the 12-byte 315 extension, as in real 12c clients.
        #expect(Int(raw[26]) << 8 | Int(raw[27]) == 70)
        #expect(String(decoding: raw[70...], as: UTF8.self) == connect.descriptor)
        #expect(raw.count - 70 <= TNSConnect.maxInlineDescriptor)
    }

    @Test(
        .enabled(if: TraceFixtures.available, "needs ../shared/testdata"),
        arguments: [
            ("public-traces/nDPI/oracle12.pcapng", UInt16(1521), "SID", "igor", [UInt8(1), 0]),
            ("public-traces/arkime/oracle.pcap", 1522, "SERVICE_NAME", "xxxxx.xxx", [0, 1]),
        ]
    )
    func realConnectsShareTheEncodersLayout(path: String, port: UInt16, key: String, value: String, one: [UInt8])
        throws
    {
        let client = try TraceFixtures.clientBytes(path, port: port)
        let real = try #require(TNSConnect.decode(client).value)
        let ours = try #require(TNSConnect.decode(TNSConnect.versionRequest.encode()).value)
        #expect(real.version == ours.version)
        #expect(real.minimumVersion == ours.minimumVersion)
        #expect(real.serviceOptions == ours.serviceOptions)
        #expect(real.sdu == ours.sdu)
        #expect(real.tdu == ours.tdu)
        #expect(real.largeSDU == ours.largeSDU)
        #expect(real.largeTDU == ours.largeTDU)
        #expect(real.hardwareOne == one)
        let descriptor = try #require(TNSDescriptor(real.descriptor))
        #expect(descriptor.value(named: key) == value)
        #expect(descriptor.contains("CID"))
    }

    // MARK: The nDPI 12c conversation: RESEND, then ACCEPT 315, then 4-byte-length DATA

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func oracle12ServerTurnsDecode() throws {
        var server = try TraceFixtures.serverBytes("public-traces/nDPI/oracle12.pcapng", port: 1521)
        guard case .message(.resend, let resendLength) = TNSListenerReply.decode(server) else {
            Issue.record("the first answer must be a RESEND")
            return
        }
        #expect(resendLength == 8)
        server.moveReaderIndex(forwardBy: resendLength)
        guard case .message(.accept(let accept), let acceptLength) = TNSListenerReply.decode(server) else {
            Issue.record("the second answer must be an ACCEPT")
            return
        }
        #expect(acceptLength == 41)
        #expect(accept.version == 315)
        #expect(accept.serviceOptions == 0x0c41)
        #expect(accept.sdu == 8192)
        #expect(accept.tdu == 2_097_152)
        #expect(accept.data.isEmpty)
        server.moveReaderIndex(forwardBy: acceptLength)
        // After an ACCEPT at 315 the session's packets carry 4-byte lengths.
        let form = TNSLengthForm(negotiatedVersion: accept.version)
        #expect(form == .long)
        let next = try #require(TNSDataPacket.decode(server, form: form).value)
        #expect(next.payload.starts(with: [0xde, 0xad, 0xbe, 0xef]))
        guard case .invalid = TNSDataPacket.decode(server, form: .short) else {
            Issue.record("a 4-byte length read as a 2-byte one must be rejected")
            return
        }

        let finding = try #require(
            TNSClassifier.classify(
                TNSObservation(offeredVersion: 315, reply: .accept(accept), resends: 1),
                at: endpoint
            )
        )
        #expect(finding.product == .oracle)
        #expect(finding.dbssType == .oracle)
        #expect(finding.version == nil)
        #expect(finding.evidence.contains(Evidence("tns.accept.version", "315")))
        #expect(finding.evidence.contains(Evidence("tns.resends", "1")))
        #expect(finding.evidence.contains(Evidence("tns.release_bracket", "12.1 or later (protocol 315)")))
    }

    // MARK: REFUSE

    @Test(arguments: [
        (
            "(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)(ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))",
            "19.0.0.0.0", "19c", 1189
        ),
        (
            "(DESCRIPTION=(TMP=)(VSNNUM=352321536)(ERR=1194)(ERROR_STACK=(ERROR=(CODE=1194)(EMFI=4))))",
            "21.0.0.0.0", "21c", 1194
        ),
        (
            "(DESCRIPTION=(TMP=)(VSNNUM=185599488)(ERR=12514)(ERROR_STACK=(ERROR=(CODE=12514)(EMFI=4))))", "11.1.0.6.0",
            "11g", 12514
        ),
        ("(DESCRIPTION=(TMP=)(VSNNUM=202375680)(ERR=12505))", "12.1.0.2.0", "12c", 12505),
    ])
    func refuseGivesVersionAndError(text: String, version: String, dbss: String, error: Int) throws {
        let finding = try #require(try classify(TNSSamples.refuse(text)))
        #expect(finding.product == .oracle)
        #expect(finding.version == version)
        #expect(finding.dbssVersion == dbss)
        #expect(finding.os == nil)
        #expect(finding.evidence.contains { $0.fact == "tns.err" && $0.value.hasPrefix("\(error) (") })
        #expect(finding.evidence.contains(Evidence("tns.refuse.descriptor", text)))
    }

    @Test func refuseWithoutVersionStillIdentifies() throws {
        // As some listeners answer the version command: no VSNNUM, and a NUL after the descriptor.
        let finding = try #require(try classify(TNSSamples.refuse("(DESCRIPTION=(ERR=12504))", padding: 1)))
        #expect(finding.product == .oracle)
        #expect(finding.version == nil)
        #expect(finding.evidence.contains(Evidence("tns.err", "12504 (the listener needs a SERVICE_NAME or SID)")))
    }

    @Test func refuseWithBannerGivesOS() throws {
        let text = "(DESCRIPTION=(ERR=0)(VSNNUM=186647552))TNSLSNR for 64-bit Windows: Version 11.2.0.4.0 - Production"
        let finding = try #require(try classify(TNSSamples.refuse(text)))
        #expect(finding.version == "11.2.0.4.0")
        #expect(finding.dbssVersion == "11g")
        #expect(finding.os == .windows64)
    }

    // MARK: ACCEPT answering the version command (pre-12c listeners)

    @Test func commandAcceptWithBannerGivesPlatformAndRelease() throws {
        let accept = TNSSamples.oldAccept(Array("(DESCRIPTION=(TMP=)(VSNNUM=153092352)(ERR=0))".utf8))
        let banner = TNSSamples.data(
            "TNSLSNR for Linux: Version 9.2.0.1.0 - Production\nTNS for Linux: Version 9.2.0.1.0 - Production\n"
        )
        let finding = try #require(try classify(accept, followUps: [banner]))
        #expect(finding.product == .oracle)
        #expect(finding.version == "9.2.0.1.0")
        #expect(finding.dbssVersion == "9i")
        #expect(finding.os == .linux64)
        #expect(finding.evidence.contains(Evidence("tns.banner", "TNSLSNR for Linux: Version 9.2.0.1.0 - Production")))
        #expect(finding.evidence.contains(Evidence("tns.vsnnum", "153092352 (9.2.0.1.0, the listener's release)")))
        #expect(finding.evidence.contains(Evidence("tns.release_bracket", "before 12.1 (highest protocol 310)")))
    }

    @Test func acceptAboveTheOfferIsNotOracle() throws {
        let reply = try reply(TNSSamples.oldAccept([], version: 316))
        #expect(TNSClassifier.classify(TNSObservation(offeredVersion: 315, reply: reply), at: endpoint) == nil)
    }

    // MARK: REDIRECT

    @Test(arguments: [true, false])
    func redirectIsRecordedNotFollowed(split: Bool) throws {
        let text = "(ADDRESS=(PROTOCOL=TCP)(HOST=10.0.0.9)(PORT=40012))"
        let bytes = split ? TNSSamples.redirectSplit(text) : TNSSamples.redirectInline(text)
        let finding = try #require(try classify(bytes))
        #expect(finding.product == .oracle)
        #expect(finding.evidence.contains(Evidence("tns.redirect.descriptor", text)))
    }

    // MARK: Not Oracle

    @Test func lookalikesAreRejected() throws {
        // Oracle's DBSNMP agent refuses by echoing the request: a TNS speaker, but not a database listener.
        #expect(try classify(TNSSamples.refuse("(CONNECT_DATA=(COMMAND=version))")) == nil)
        #expect(try classify(TNSSamples.refuse("hello (ERR=1189) there")) == nil)
        #expect(try classify(TNSSamples.refuse("(DESCRIPTION=(ERR=abc))")) == nil)
        #expect(try classify(TNSSamples.redirectInline("not a descriptor")) == nil)
        #expect(
            TNSClassifier.classify(TNSObservation(offeredVersion: 315, reply: .resend, resends: 2), at: endpoint) == nil
        )
    }

    @Test(arguments: [
        ("HTTP", Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)),
        ("our own CONNECT echoed", Array(TNSConnect.versionRequest.encode().readableBytesView)),
        ("type 4 with a packet checksum", [0, 12, 0, 1, 4, 0, 0, 0, 0x22, 0, 0, 0]),
        ("type 4 with a header checksum", [0, 12, 0, 0, 4, 0, 0, 1, 0x22, 0, 0, 0]),
        ("REFUSE data longer than the packet", [0, 12, 0, 0, 4, 0, 0, 0, 0x22, 0, 0, 9]),
        ("REFUSE with binary data", TNSSamples.packet(4, [0x22, 0, 0, 3, 0xff, 0xfe, 0x01])),
        ("REFUSE with bytes after its data", TNSSamples.packet(4, [0x22, 0, 0, 2, 0x28, 0x29, 0x41])),
        (
            "ACCEPT with a wrong byte-order word",
            TNSSamples.packet(2, [1, 0x3b, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 24, 0, 0])
        ),
        ("ACCEPT data outside the packet", TNSSamples.packet(2, [1, 0x3b, 0, 0, 0, 0, 0, 0, 1, 0, 0, 9, 0, 24, 0, 0])),
        ("packet shorter than its header", [0, 4, 0, 0, 4, 0, 0, 0]),
        ("unknown type", [0, 8, 0, 0, 0x2a, 0, 0, 0]),
        ("DATA is not an answer to CONNECT", TNSSamples.data("TNSLSNR for Linux: Version 19.0.0.0.0")),
    ])
    func nonListenerBytesAreInvalid(name: String, bytes: [UInt8]) {
        guard case .invalid = TNSListenerReply.decode(ByteBuffer(bytes: bytes)) else {
            Issue.record("\(name) must be rejected")
            return
        }
    }

    // MARK: Release numbers, banners, descriptors, header forms

    @Test(arguments: [
        (UInt32(135_290_880), "8.1.6.0.0"), (153_092_352, "9.2.0.1.0"), (169_869_568, "10.2.0.1.0"),
        (185_599_488, "11.1.0.6.0"), (202_375_680, "12.1.0.2.0"), (301_989_888, "18.0.0.0.0"),
        (318_767_104, "19.0.0.0.0"), (352_321_536, "21.0.0.0.0"),
    ])
    func vsnnumDecodes(packed: UInt32, release: String) {
        #expect(TNSReleaseVersion(vsnnum: String(packed))?.description == release)
    }

    @Test func vsnnumRejectsNonNumbers() {
        for text in ["", "-1", "4294967296", "12a", "99999999999", " 1"] {
            #expect(TNSReleaseVersion(vsnnum: text) == nil, "\(text)")
        }
    }

    @Test(arguments: [
        ("Linux", HostOS?.some(.linux64)), ("64-bit Windows", .windows64), ("32-bit Windows", .windows64),
        ("Solaris", .unix), ("IBM/AIX RISC System/6000", .unix), ("HPUX", .unix), ("HP-UX Itanium", .unix),
        ("VMS", nil),
    ])
    func bannerPlatformsMapToDBSSOperatingSystems(platform: String, os: HostOS?) throws {
        let banner = try #require(
            TNSListenerBanner.find(in: "\0TNSLSNR for \(platform): Version 10.2.0.4.0 - Production\n")
        )
        #expect(banner.platform == platform)
        #expect(banner.version == "10.2.0.4.0")
        #expect(banner.hostOS == os)
    }

    @Test func descriptorsParseStrictly() throws {
        let parsed = try #require(TNSDescriptor(" (DESCRIPTION = (TMP=)\n (ERR = 12514)(X=\"a (b)\"))\0\0"))
        #expect(parsed.value(named: "err") == "12514")
        #expect(parsed.value(named: "TMP") == "")
        #expect(parsed.value(named: "X") == "\"a (b)\"")
        #expect(parsed.contains("description"))
        for bad in ["", "()", "(A=1", "(A=1))", "(=1)", "(A 1)", "A=1", "(A=(B=1)x)", "(A=\u{1})"] {
            #expect(TNSDescriptor(bad) == nil, "\(bad.debugDescription)")
        }
        let deep = String(repeating: "(A=", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(TNSDescriptor(deep) == nil)
        let allowed =
            String(repeating: "(A=", count: TNSDescriptor.maxDepth) + "1"
            + String(repeating: ")", count: TNSDescriptor.maxDepth)
        #expect(TNSDescriptor(allowed)?.value(named: "A") == "1")
    }

    @Test func headerFormsRoundTrip() throws {
        let body = ByteBuffer(bytes: [0, 0, 1, 2, 3])
        for form in [TNSLengthForm.short, .long] {
            let encoded = TNSPacket.encode(.data, body: body, form: form)
            let packet = try #require(TNSPacket.decode(encoded, form: form).value)
            #expect(packet.type == .data)
            #expect(packet.length == 13)
            #expect(Array(packet.body.readableBytesView) == [0, 0, 1, 2, 3])
        }
        #expect(TNSLengthForm(negotiatedVersion: 314) == .short)
        #expect(TNSLengthForm(negotiatedVersion: 315) == .long)
    }
}

struct TNSTestFailure: Error {}
