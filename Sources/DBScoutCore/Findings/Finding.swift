import Foundation

/// A database (or database-like service) identified at one endpoint.
public struct Finding: Hashable, Sendable {
    public let endpoint: Endpoint
    public var product: DatabaseProduct
    /// The version as the server states it or as the evidence pins it, e.g. `10.11.19` or `15`.
    public var version: String?
    /// The DBSS charset derived from the server's default character set, when the handshake reveals it.
    public var charset: DBSSCharset?
    /// The host operating system, when a handshake or banner gives it away.
    public var os: HostOS?
    /// A person's description of the host OS where known, e.g. `Linux 6.1, Debian GNU/Linux 12 (bookworm)`.
    public var osDetail: String?
    /// How far ``os`` can be trusted, 0...1, and where it came from.
    public var osConfidence: Double?
    public var osSource: OSClaim.Source?
    public var tls: TLSSupport
    /// Facts the identification rests on, in the order they were learnt.
    public var evidence: [Evidence]
    /// When the finding was made.
    public var observedAt: Date

    public init(
        endpoint: Endpoint,
        product: DatabaseProduct,
        version: String? = nil,
        charset: DBSSCharset? = nil,
        os: HostOS? = nil,
        osDetail: String? = nil,
        osConfidence: Double? = nil,
        osSource: OSClaim.Source? = nil,
        tls: TLSSupport = .unknown,
        evidence: [Evidence] = [],
        observedAt: Date = Date()
    ) {
        self.endpoint = endpoint
        self.product = product
        self.version = version
        self.charset = charset
        self.os = os
        self.osDetail = osDetail
        self.osConfidence = osConfidence
        self.osSource = osSource
        self.tls = tls
        self.evidence = evidence
        self.observedAt = observedAt
    }

    /// How far a banner's OS hint is trusted when its classifier gave no weight of its own.
    public static let defaultBannerConfidence = 0.85

    /// Settles ``os`` from the claims of every source, keeping the banner's own claim (already in ``os``, with
    /// the weight its classifier gave in ``osConfidence``) in the running.
    public mutating func settleOS(with claims: [OSClaim]) {
        let weight = osConfidence ?? Finding.defaultBannerConfidence
        let banner = os.map { OSClaim(os: $0, detail: osDetail ?? $0.rawValue, confidence: weight, source: .banner) }
        let candidates = claims + (banner.map { [$0] } ?? [])
        guard let (claim, conflicts) = OSClaim.fuse(candidates) else { return }
        os = claim.os
        osDetail = claim.detail
        osConfidence = claim.confidence
        osSource = claim.source
        evidence.append(Evidence("os.verdict", "\(claim.os.rawValue) from \(claim.source.rawValue): \(claim.detail)"))
        evidence += conflicts
    }

    /// The DBSS `type`, or `nil` when DBSS cannot audit the product.
    public var dbssType: DBSSType? { product.dbssType }

    /// The version in the form DBSS documents support for (see ``DBSSVersion``); `nil` when unknown.
    public var dbssVersion: String? {
        version.flatMap { DBSSVersion.normalize($0, family: product.family) }
    }
}
