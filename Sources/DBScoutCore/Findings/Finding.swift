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
        self.tls = tls
        self.evidence = evidence
        self.observedAt = observedAt
    }

    /// The DBSS `type`, or `nil` when DBSS cannot audit the product.
    public var dbssType: DBSSType? { product.dbssType }

    /// The version in the form DBSS documents support for (see ``DBSSVersion``); `nil` when unknown.
    public var dbssVersion: String? {
        version.flatMap { DBSSVersion.normalize($0, family: product.family) }
    }
}
