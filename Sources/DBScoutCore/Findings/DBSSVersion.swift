/// How a product's version is written in DBSS's `version` field, following the forms DBSS's support matrix
/// uses: `15` and `9.6` for PostgreSQL, `8.0` for MySQL, `19c` for Oracle, `2017` for SQL Server, `5.0` for
/// MongoDB.
public enum DBSSVersion {
    /// Normalises `version` (a release like `15.4`, or a range like `15.18-15.19` or `14-17`).
    ///
    /// A range within one release gives that release; a range across releases stays a range rather than claim
    /// one of them.
    public static func normalize(_ version: String, family: ProductFamily) -> String? {
        let ends = version.split(separator: "-", maxSplits: 1).compactMap { release(of: $0, family: family) }
        guard let first = ends.first else { return nil }
        return ends.count == 2 && ends[1] != first ? "\(first)-\(ends[1])" : first
    }

    private static func release(of version: Substring, family: ProductFamily) -> String? {
        let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard let major = numbers.first else { return nil }
        let minor = numbers.count == 2 ? numbers[1] : nil
        let pair = minor.map { "\(major).\($0)" } ?? String(major)
        switch family {
        case .postgres: return major >= 10 ? String(major) : pair
        case .oracle: return oracleRelease(major)
        case .sqlserver: return sqlServerYear(major, minor) ?? pair
        case .mysql, .mongodb, .other: return pair
        }
    }

    /// Oracle's marketing releases: 11.2 → `11g`, 19.3 → `19c`, 23.4 → `23ai`.
    static func oracleRelease(_ major: Int) -> String {
        switch major {
        case ..<10: "\(major)i"
        case 10, 11: "\(major)g"
        case 12...22: "\(major)c"
        default: "\(major)ai"
        }
    }

    /// SQL Server's product years by major (and minor, for 2008 R2).
    static func sqlServerYear(_ major: Int, _ minor: Int?) -> String? {
        switch major {
        case 8: "2000"
        case 9: "2005"
        case 10: (minor ?? 0) >= 50 ? "2008R2" : "2008"
        case 11: "2012"
        case 12: "2014"
        case 13: "2016"
        case 14: "2017"
        case 15: "2019"
        case 16: "2022"
        case 17: "2025"
        default: nil
        }
    }
}
