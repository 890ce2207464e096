import DBScoutCore

/// Infers the sender's operating system from a SYN or SYN-ACK, or says that a middlebox answered.
///
/// Middleboxes are ruled out first, because their packets would otherwise be read as the server's: an initial
/// TTL of 255 (load balancers and network equipment), a SYN-ACK without any of the options the SYN offered
/// (SYN proxies, NAT engines), and a TTL that contradicts the option layout (a proxy of another OS in front).
/// Then the option layout picks the stack, the window the version, and the TTL must agree; when rows of
/// different operating systems fit about equally well, the verdict is unknown rather than a guess.
public enum TCPOSClassifier {
    /// Matches within this distance of the best one are taken as equally good.
    static let tie = 0.1
    /// Beyond this many hops the TTL inference weakens: the initial value could be the next one up.
    static let farHops = 24

    /// Classifies the sender of `packet`, a SYN or a SYN-ACK.
    ///
    /// - Parameters:
    ///   - offer: for a SYN-ACK, the options the SYN offered, when known (our own SYN, or the SYN seen in a
    ///     trace); without it a SYN-ACK is read as the answer to any offer.
    ///   - databasePort: whether the sender's port is a database's; by default, whether it is a well-known one.
    public static func classify(
        _ packet: TCPSignature,
        offer: OptionOffer? = nil,
        databasePort: Bool? = nil
    ) -> OSVerdict {
        var evidence = facts(packet, offer: offer)
        guard let role = packet.role else { return .unknown("neither a SYN nor a SYN-ACK", evidence: evidence) }
        if let verdict = ruledOut(packet, role: role, offer: offer, databasePort: databasePort, evidence: evidence) {
            return verdict
        }
        let matches = OSSignatureTable.rows.filter {
            $0.initialTTL == packet.ttlEstimate.initial && $0.fitsApartFromTTL(packet, role: role, offer: offer)
        }
        guard let best = matches.max(by: { $0.confidence < $1.confidence }) else {
            return mismatch(packet, role: role, offer: offer, evidence: evidence)
        }
        let close = matches.filter { $0.confidence >= best.confidence - tie - 1e-9 }
        if let rival = close.first(where: { $0.os != best.os }) {
            return .unknown("\(best.label) and \(rival.label) fit equally well", evidence: evidence)
        }
        // A stack's catch-all row adds nothing to the label when one of its versions matched.
        let versioned = Set(matches.filter { $0.window != .any }.map(\.stack))
        let named = close.filter { $0.window != .any || !versioned.contains($0.stack) }
        let label = named.enumerated().sorted {
            ($1.element.confidence, $0.offset) < ($0.element.confidence, $1.offset)
        }
        .map(\.element.label).uniqued().joined(separator: ", ")
        evidence.append(Evidence("os.tcp.signature", "\(label): \(best.basis)"))
        let confidence = packet.ttlEstimate.hops > farHops ? best.confidence * 0.9 : best.confidence
        return OSVerdict(outcome: .identified(best.os), label: label, confidence: confidence, evidence: evidence)
    }

    /// Classifies a SYN-ACK that answers `syn`.
    public static func classify(_ synAck: TCPSignature, answering syn: TCPSignature, databasePort: Bool? = nil)
        -> OSVerdict
    {
        classify(synAck, offer: OptionOffer(syn), databasePort: databasePort)
    }

    /// The facts every verdict shows.
    private static func facts(_ packet: TCPSignature, offer: OptionOffer?) -> [Evidence] {
        var evidence = [
            Evidence("os.tcp.ttl", packet.ttlEstimate.description),
            Evidence("os.tcp.window", String(packet.window)),
            Evidence("os.tcp.options", packet.layout.isEmpty ? "none" : packet.layout.layoutDescription),
        ]
        if let mss = packet.maximumSegmentSize { evidence.append(Evidence("os.tcp.mss", String(mss))) }
        if let scale = packet.windowScale { evidence.append(Evidence("os.tcp.wscale", String(scale))) }
        if !packet.quirks.isEmpty { evidence.append(Evidence("os.tcp.quirks", packet.quirks.description)) }
        if packet.isSYNACK, let offer { evidence.append(Evidence("os.tcp.syn_offer", offer.description)) }
        return evidence
    }

    /// A middlebox, or a packet that shows nothing of its stack, decided before any row is consulted.
    private static func ruledOut(
        _ packet: TCPSignature,
        role: TCPSignature.Role,
        offer: OptionOffer?,
        databasePort: Bool?,
        evidence: [Evidence]
    ) -> OSVerdict? {
        if packet.ttlEstimate.initial == 255 {
            let onDatabasePort = databasePort ?? (KnownPort.wire(for: packet.sourcePort) != nil)
            guard role == .synAck, onDatabasePort else {
                return .unknown("initial TTL 255: network equipment or a load balancer", evidence: evidence)
            }
            return .middlebox(
                "initial TTL 255 on database port \(packet.sourcePort): a load balancer or proxy answered",
                evidence: evidence
            )
        }
        guard OptionOffer(packet).isEmpty else { return nil }
        if role == .syn {
            return .unknown(
                "a SYN without window scaling, SACK or timestamps: a scanner's probe or a minimal stack",
                evidence: evidence
            )
        }
        if offer?.isEmpty == true {
            return .unknown(
                "the SYN offered only an MSS, so the SYN-ACK shows nothing of the stack",
                evidence: evidence
            )
        }
        let offered = offer.map { " although the SYN offered \($0.description)" } ?? ", which current stacks all send"
        var reason =
            "a SYN-ACK without window scaling, SACK or timestamps\(offered): a SYN proxy, load balancer or "
            + "NAT answered"
        if packet.ttlEstimate.initial == 64 && packet.window == 32768 {
            reason += " (HP-UX without TCP extensions answers the same way)"
        }
        return .middlebox(reason, evidence: evidence)
    }

    /// No row fits. If one fits but for the TTL, a device of another OS answered or rewrote the TTL.
    private static func mismatch(
        _ packet: TCPSignature,
        role: TCPSignature.Role,
        offer: OptionOffer?,
        evidence: [Evidence]
    ) -> OSVerdict {
        let ttl = packet.ttlEstimate
        let otherTTL = OSSignatureTable.rows.filter { $0.fitsApartFromTTL(packet, role: role, offer: offer) }
        guard let near = otherTTL.max(by: { $0.confidence < $1.confidence }) else {
            return .unknown(
                "no signature has options \(packet.layout.layoutDescription) with window \(packet.window) and "
                    + "initial TTL \(ttl.initial)",
                evidence: evidence
            )
        }
        let device = role == .synAck ? "a SYN proxy or load balancer answered for the server" : "a NAT rewrote it"
        return .middlebox(
            "initial TTL \(ttl.initial) does not fit the options and window of \(near.label), which starts from "
                + "\(near.initialTTL): \(device)",
            evidence: evidence
        )
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each kept once.
    fileprivate func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
