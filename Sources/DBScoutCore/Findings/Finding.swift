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
        tls: TLSSupport = .unknown,
        evidence: [Evidence] = [],
        observedAt: Date = Date()
    ) {
        self.endpoint = endpoint
        self.product = product
        self.version = version
        self.charset = charset
        self.os = os
        self.tls = tls
        self.evidence = evidence
        self.observedAt = observedAt
    }

    /// The DBSS `type`, or `nil` when DBSS cannot audit the product.
    public var dbssType: DBSSType? { product.dbssType }

    /// The version in the form DBSS documents support for: major for PostgreSQL (`15`), major.minor for the
    /// MySQL family (`8.0`, `10.11`). A range within one major (`15.18-15.19`) gives that major; a range across
    /// majors stays a range of majors (`14-17`) rather than claim one of them. `nil` when the version is unknown.
    public var dbssVersion: String? {
        guard let version else { return nil }
        let ends = version.split(separator: "-", maxSplits: 1).compactMap { majorRelease(of: $0) }
        guard let first = ends.first else { return nil }
        return ends.count == 2 && ends[1] != first ? "\(first)-\(ends[1])" : first
    }

    /// `15` of `15.4` for PostgreSQL 10 and later (`9.6` of `9.6.24` before), `8.0` of `8.0.35` for the rest.
    private func majorRelease(of version: Substring) -> String? {
        let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(2)
        guard let major = numbers.first else { return nil }
        let pair = numbers.count == 2 ? "\(major).\(numbers.last!)" : String(major)
        switch product {
        case .postgresql: return (Int(major) ?? 0) >= 10 ? String(major) : pair
        case .mysql, .mariadb, .redis: return pair
        }
    }
}
