import DBScoutCore

/// A Db2 product and release as SRVRLSLV states it: `PPPvvrrm`, e.g. `SQL11055` is Db2 for LUW 11.5.5.
public struct DRDAReleaseLevel: Sendable, Hashable {
    /// The three-letter product code: `SQL`, `DSN`, `QSQ` or `ARI`.
    public let productCode: String
    public let version: Int
    public let release: Int
    public let modification: Int

    /// The Db2 platforms by product code; other DRDA servers (Apache Derby's `CSS`, drivers' `JCC`) are not Db2.
    static let db2Products = [
        "SQL": "Db2 for Linux, UNIX and Windows",
        "DSN": "Db2 for z/OS",
        "QSQ": "Db2 for i",
        "ARI": "Db2 for VM/VSE",
    ]

    /// Parses a Db2 release level; `nil` for any other product or shape.
    public init?(_ level: String) {
        let characters = Array(level.utf8)
        guard characters.count == 8, characters[3...].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let code = String(decoding: characters[..<3], as: UTF8.self)
        guard Self.db2Products[code] != nil else { return nil }
        let number = { (range: Range<Int>) in characters[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        productCode = code
        version = number(3..<5)
        release = number(5..<7)
        modification = number(7..<8)
    }

    /// The platform, e.g. `Db2 for Linux, UNIX and Windows`.
    public var product: String { Self.db2Products[productCode] ?? productCode }

    /// `11.5.5` for `SQL11055`.
    public var versionString: String { "\(version).\(release).\(modification)" }
}

/// Turns an EXCSATRD into a finding.
public enum DRDAClassifier {
    /// Identifies Db2 by its release level's product code, or `nil` for other DRDA servers (Derby, Informix) and
    /// replies without a release level.
    public static func classify(_ reply: DRDAServerAttributesReply, at endpoint: Endpoint) -> Finding? {
        guard let level = reply.releaseLevel, let release = DRDAReleaseLevel(level) else { return nil }
        var finding = Finding(endpoint: endpoint, product: .db2, version: release.versionString)
        finding.evidence = [
            Evidence("drda.excsatrd.srvrlslv", level),
            Evidence("drda.product", release.product),
        ]
        let names = [("srvclsnm", reply.serverClassName), ("srvnam", reply.serverName), ("extnam", reply.externalName)]
        for (name, value) in names {
            if let value { finding.evidence.append(Evidence("drda.excsatrd.\(name)", value)) }
        }
        if let encoding = reply.encoding {
            finding.evidence.append(Evidence("drda.excsatrd.encoding", encoding.rawValue))
        }
        finding.os = reply.serverClassName.flatMap(os(serverClass:))
        return finding
    }

    /// The platform after the slash of a Db2 server class: `QDB2/LINUXX8664`, `QDB2/NT64`, `QDB2/AIX64`, `QDB2/SUN64`,
    /// `QDB2/HPUX`. Db2 for z/OS and for i name no such platform.
    static func os(serverClass: String) -> HostOS? {
        guard let slash = serverClass.firstIndex(of: "/") else { return nil }
        let platform = serverClass[serverClass.index(after: slash)...].uppercased()
        if platform.hasPrefix("LINUX") { return .linux64 }
        if platform.hasPrefix("NT") || platform.hasPrefix("WIN") { return .windows64 }
        let unixes = ["AIX", "6000", "SUN", "SOLARIS", "HPUX", "HP-UX", "DARWIN"]
        return unixes.contains { platform.hasPrefix($0) } ? .unix : nil
    }
}
