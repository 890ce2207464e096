import DBScoutCore

/// What a TNS conversation yielded.
public struct TNSObservation: Sendable, Hashable {
    /// The protocol version the CONNECT offered; an honest ACCEPT never states a higher one.
    public var offeredVersion: UInt16
    /// The listener's last answer (after any RESENDs).
    public var reply: TNSListenerReply
    /// How many times the listener asked for the CONNECT again.
    public var resends: Int
    /// DATA packets that followed an ACCEPT, where a listener answering a command puts its banner.
    public var followUps: [TNSDataPacket]

    public init(
        offeredVersion: UInt16,
        reply: TNSListenerReply,
        resends: Int = 0,
        followUps: [TNSDataPacket] = []
    ) {
        self.offeredVersion = offeredVersion
        self.reply = reply
        self.resends = resends
        self.followUps = followUps
    }
}

/// Turns a listener's answer into a finding.
public enum TNSClassifier {
    /// Identifies an Oracle listener, or returns `nil` when the answer is not convincingly one.
    ///
    /// The decoders already hold every header and body field to TNS's layout. On top of that a REFUSE counts only
    /// when its text is a well-formed descriptor naming an `ERR` or `VSNNUM` (or holding the listener banner), a
    /// REDIRECT only when it is a well-formed descriptor, and an ACCEPT only when it settles on a version no higher
    /// than offered. A RESEND alone is never enough. A service that merely echoes the descriptor back (Oracle's
    /// DBSNMP agent does) is not a database listener.
    public static func classify(_ observation: TNSObservation, at endpoint: Endpoint) -> Finding? {
        var finding = Finding(endpoint: endpoint, product: .oracle)
        if observation.resends > 0 {
            finding.evidence.append(Evidence("tns.resends", String(observation.resends)))
        }
        guard let texts = listenerTexts(observation, evidence: &finding.evidence) else { return nil }
        addListenerFacts(texts, to: &finding)
        return finding
    }

    /// The texts the listener sent, with the reply's own evidence; `nil` when the reply is not a listener's.
    private static func listenerTexts(_ observation: TNSObservation, evidence: inout [Evidence]) -> [String]? {
        switch observation.reply {
        case .resend:
            return nil
        case .refuse(let refuse):
            guard hasListenerFacts(refuse.text) else { return nil }
            let reasons = "user 0x\(hex(refuse.userReason)), system 0x\(hex(refuse.systemReason))"
            evidence.append(Evidence("tns.refuse.reasons", reasons))
            evidence.append(Evidence("tns.refuse.descriptor", clipped(refuse.text)))
            return [refuse.text]
        case .redirect(let redirect):
            guard TNSDescriptor(redirect.text) != nil else { return nil }
            evidence.append(Evidence("tns.redirect.descriptor", clipped(redirect.text)))
            return [redirect.text]
        case .accept(let accept):
            guard accept.version <= observation.offeredVersion else { return nil }
            evidence += acceptEvidence(accept, offered: observation.offeredVersion)
            return [accept.text].compactMap { $0 } + observation.followUps.map(\.lines)
        }
    }

    /// A listener's text is a descriptor naming an ERR code or a VSNNUM, or holds its banner.
    private static func hasListenerFacts(_ text: String) -> Bool {
        if TNSListenerBanner.find(in: text) != nil { return true }
        guard let descriptor = descriptor(in: text) else { return false }
        return descriptor.values(named: "ERR").contains { errorCode($0) != nil }
            || descriptor.values(named: "VSNNUM").contains { TNSReleaseVersion(vsnnum: $0) != nil }
    }

    /// The descriptor that makes up `text`, or that precedes the banner in it.
    private static func descriptor(in text: String) -> TNSDescriptor? {
        if let whole = TNSDescriptor(text) { return whole }
        guard let banner = text.firstRange(of: TNSListenerBanner.marker) else { return nil }
        return TNSDescriptor(String(text[..<banner.lowerBound]))
    }

    /// An ERR value: up to six decimal digits (TNS and ORA codes are five).
    static func errorCode(_ text: String) -> Int? {
        guard (1...6).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    /// The longest listener text kept as evidence; the inventory stores evidence, and descriptors can be long.
    static let maxEvidenceLength = 512

    private static func clipped(_ text: String) -> String {
        text.count <= maxEvidenceLength ? text : String(text.prefix(maxEvidenceLength)) + "…"
    }

    private static func acceptEvidence(_ accept: TNSAccept, offered: UInt16) -> [Evidence] {
        var evidence = [
            Evidence("tns.accept.version", String(accept.version)),
            Evidence("tns.accept.service_options", "0x" + String(accept.serviceOptions, radix: 16)),
            Evidence("tns.accept.sdu", String(accept.sdu)),
        ]
        if let bracket = releaseBracket(accepted: accept.version, offered: offered) {
            evidence.append(Evidence("tns.release_bracket", bracket))
        }
        return evidence
    }

    /// What the settled protocol version says about the release. 315 is the protocol of 12.1 (Oracle's thin
    /// drivers require it and label it so); older versions could not be dated from public sources, so they only
    /// bound the release from above.
    static func releaseBracket(accepted: UInt16, offered: UInt16) -> String? {
        let twelveOne = TNSLengthForm.firstLongVersion
        if accepted >= twelveOne { return "12.1 or later (protocol \(accepted))" }
        if accepted < offered { return "before 12.1 (highest protocol \(accepted))" }
        return nil
    }

    /// VSNNUM, ERR and banner facts from the listener's texts, with the version and OS they give.
    private static func addListenerFacts(_ texts: [String], to finding: inout Finding) {
        let descriptors = texts.compactMap(descriptor(in:))
        let vsnnums = descriptors.flatMap { $0.values(named: "VSNNUM") }
        if let release = vsnnums.lazy.compactMap(TNSReleaseVersion.init(vsnnum:)).first {
            finding.version = release.description
            finding.evidence.append(Evidence("tns.vsnnum", "\(release.packed) (\(release), the listener's release)"))
        }
        var seenErrors: Set<Int> = []
        let codes = descriptors.flatMap { $0.values(named: "ERR") }.compactMap(errorCode)
        for code in codes where seenErrors.insert(code).inserted {
            finding.evidence.append(Evidence("tns.err", "\(code) (\(errorMeaning(code)))"))
        }
        guard let banner = texts.lazy.compactMap({ TNSListenerBanner.find(in: $0) }).first else { return }
        finding.version = banner.version
        finding.evidence.append(Evidence("tns.banner", banner.line))
        if let os = banner.hostOS {
            finding.os = os
            finding.evidence.append(Evidence("os.hint", "listener banner names the platform '\(banner.platform)'"))
        }
    }

    /// The listener errors a probe meets, in plain words (Oracle's TNS error texts, shortened).
    static func errorMeaning(_ code: Int) -> String {
        switch code {
        case 0: "no error: the listener answered the command"
        case 1169: "the listener has no password set for this command"
        case 1189: "the listener could not authenticate the user: remote commands are refused"
        case 1190: "the user is not authorized to run this listener command"
        case 1194: "the listener command did not arrive over a secure transport"
        case 12154: "unknown connect identifier"
        case 12504: "the listener needs a SERVICE_NAME or SID"
        case 12505: "the listener does not know the SID"
        case 12514: "the listener does not know the requested service"
        case 12516: "the listener has no handler with a matching protocol stack"
        case 12518: "the listener could not hand off the connection"
        case 12519: "the listener has no appropriate service handler"
        case 12520: "the listener has no handler for the requested type of server"
        case 12526, 12527, 12528: "the service is in restricted mode or blocks new connections"
        default: "see Oracle error TNS-\(code)"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
