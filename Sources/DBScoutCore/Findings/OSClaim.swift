/// One source's word on a host's operating system, with how far it can be trusted.
public struct OSClaim: Hashable, Sendable {
    public enum Source: String, Hashable, Sendable {
        /// The database runs on the agent's own host: uname and /etc/os-release.
        case localHost = "local-host"
        /// A handshake field: a distribution suffix, Redis `os`, MongoDB build environment, a listener banner.
        case banner
        /// The server's TCP/IP stack, from its SYN-ACK.
        case tcpSignature = "tcp-signature"
    }

    public let os: HostOS
    public let detail: String
    /// 0...1.
    public let confidence: Double
    public let source: Source

    public init(os: HostOS, detail: String, confidence: Double, source: Source) {
        self.os = os
        self.detail = detail
        self.confidence = confidence
        self.source = source
    }

    /// The strongest claim, and evidence naming any claim that disagrees with it.
    ///
    /// The local host is certain; a banner is the server describing itself; a TCP signature can be a stack that
    /// answers for the server. When claims disagree the strongest wins and the disagreement is shown, so an
    /// operator sees, for instance, a Linux banner behind a Windows-looking proxy.
    public static func fuse(_ claims: [OSClaim]) -> (claim: OSClaim, conflicts: [Evidence])? {
        guard let best = claims.max(by: { $0.confidence < $1.confidence }) else { return nil }
        let conflicts = claims.filter { $0.os != best.os }.map { other in
            Evidence("os.conflict", "\(other.source.rawValue) says \(other.os.rawValue) (\(other.detail))")
        }
        return (best, conflicts)
    }
}
