import DBScoutCore

/// What the greeting's version string says about the product, from the markers each vendor adds.
///
/// | example | product | version |
/// |---|---|---|
/// | `5.5.5-10.11.19-MariaDB-0+deb12u1`, `11.4.2-MariaDB` | MariaDB | `10.11.19`, `11.4.2` |
/// | `8.0.28.mysql_aurora.3.02.0` | Aurora MySQL | `8.0.28` (Aurora 3.02.0 in the evidence) |
/// | `5.7.25-TiDB-v7.5.0` | TiDB | `7.5.0` (MySQL 5.7.25 compatibility in the evidence) |
/// | `5.7.25-OceanBase_CE-v4.2.1.0` | OceanBase | `4.2.1.0` |
/// | `8.0.35-27`, `5.7.32-35-log` | Percona Server | `8.0.35` (build 27 in the evidence) |
/// | `8.0.35`, `5.5.35-0ubuntu0.12.04.2` | MySQL | `8.0.35`, `5.5.35` |
struct MySQLVersionString {
    let product: DatabaseProduct
    let version: String?
    let evidence: [Evidence]

    /// MariaDB 10.x prefixes its version with this so that old clients accept it; 11.0 dropped it.
    static let replicationVersionHack = "5.5.5-"

    init(_ raw: String, mariaDBCapabilities: Bool) {
        let lower = raw.lowercased()
        if let (name, release) = MySQLVersionString.vendorRelease(raw, after: ["-TiDB-v"]) {
            self.init(.tidb, release, [Evidence("mysql.tidb.mysql_compatibility", name)])
        } else if let (name, release) = MySQLVersionString.vendorRelease(
            raw,
            after: ["-OceanBase_CE-v", "-OceanBase-v"]
        ) {
            self.init(.oceanbase, release, [Evidence("mysql.oceanbase.mysql_compatibility", name)])
        } else if let range = raw.firstRange(of: ".mysql_aurora.") {
            let aurora = String(raw[range.upperBound...])
            self.init(.aurora, MySQLVersionString.leadingVersion(raw), [Evidence("mysql.aurora.version", aurora)])
        } else if lower.contains("mariadb") || (mariaDBCapabilities && MySQLVersionString.major(raw) >= 10) {
            let stated = raw.hasPrefix(MySQLVersionString.replicationVersionHack) ? String(raw.dropFirst(6)) : raw
            self.init(.mariadb, MySQLVersionString.leadingVersion(stated), [])
        } else if let build = MySQLVersionString.perconaBuild(raw) {
            self.init(.percona, MySQLVersionString.leadingVersion(raw), [Evidence("mysql.percona.build", build)])
        } else {
            self.init(.mysql, MySQLVersionString.leadingVersion(raw), [])
        }
    }

    private init(_ product: DatabaseProduct, _ version: String?, _ evidence: [Evidence]) {
        self.product = product
        self.version = version
        self.evidence = evidence
    }

    /// `("5.7.25", "7.5.0")` from `5.7.25-TiDB-v7.5.0-serverless`.
    private static func vendorRelease(_ raw: String, after markers: [String]) -> (String, String)? {
        for marker in markers {
            if let range = raw.firstRange(of: marker), let release = leadingVersion(String(raw[range.upperBound...])) {
                return (String(raw[..<range.lowerBound]), release)
            }
        }
        return nil
    }

    /// Percona Server appends its own build number as a purely numeric suffix: `8.0.35-27`, `5.7.32-35-log`.
    private static func perconaBuild(_ raw: String) -> String? {
        let parts = raw.split(separator: "-")
        guard parts.count >= 2, leadingVersion(String(parts[0])) != nil, parts[1].allSatisfy(\.isNumber),
            parts.dropFirst(2).allSatisfy({ $0 == "log" || $0 == "debug" })
        else { return nil }
        return String(parts[1])
    }

    /// MySQL went from 5.7 to 8.0; only MariaDB has majors 10 and 11, which tells its extended capability flags
    /// (set in reserved bytes that MySQL 5.0 also leaves zero with bit 0 clear) apart from an old MySQL's.
    private static func major(_ raw: String) -> Int {
        Int(raw.prefix { $0.isASCII && $0.isNumber }) ?? 0
    }

    /// `10.11.19` from `10.11.19-MariaDB-0+deb12u1`, `8.0.35` from `8.0.35`; `nil` without major.minor.
    static func leadingVersion(_ text: String) -> String? {
        let prefix = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let parts = prefix.split(separator: ".")
        return parts.count >= 2 ? parts.prefix(4).joined(separator: ".") : nil
    }
}
