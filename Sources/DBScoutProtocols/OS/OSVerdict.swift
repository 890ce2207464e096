import DBScoutCore

/// What a SYN or SYN-ACK says about the operating system of its sender, with the facts behind it.
public struct OSVerdict: Hashable, Sendable {
    /// The three answers a TCP/IP signature can give.
    public enum Outcome: Hashable, Sendable {
        /// The sender's stack is this operating system's.
        case identified(HostOS)
        /// Something between us and the server answered or rewrote the packet (a SYN proxy, load balancer or
        /// NAT), so the packet shows that device, not the server's OS. The text says why.
        case middlebox(String)
        /// The packet does not show which OS sent it. The text says why.
        case unknown(String)
    }

    public let outcome: Outcome
    /// The operating system or versions the signature points to (`Linux 4.19 or newer`), or `middlebox`, or
    /// `unknown`.
    public let label: String
    /// How far ``os`` can be trusted, 0...1; 0 when no OS is named.
    public let confidence: Double
    /// Every fact the verdict used, in the order it used them.
    public let evidence: [Evidence]

    public init(outcome: Outcome, label: String, confidence: Double, evidence: [Evidence]) {
        self.outcome = outcome
        self.label = label
        self.confidence = confidence
        self.evidence = evidence
    }

    /// The sender's operating system, when the signature identifies it.
    public var os: HostOS? {
        if case .identified(let os) = outcome { return os }
        return nil
    }

    /// A verdict that the packet came from a middlebox, for `reason`.
    public static func middlebox(_ reason: String, evidence: [Evidence]) -> OSVerdict {
        OSVerdict(
            outcome: .middlebox(reason),
            label: "middlebox",
            confidence: 0,
            evidence: evidence + [Evidence("os.tcp.middlebox", reason)]
        )
    }

    /// A verdict that the packet does not show the OS, for `reason`.
    public static func unknown(_ reason: String, evidence: [Evidence]) -> OSVerdict {
        OSVerdict(
            outcome: .unknown(reason),
            label: "unknown",
            confidence: 0,
            evidence: evidence + [Evidence("os.tcp.unknown", reason)]
        )
    }
}
