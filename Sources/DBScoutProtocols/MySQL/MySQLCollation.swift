import DBScoutCore

/// The server's default collation from the greeting's one-byte id, and what it means for DBSS's `charset`.
public struct MySQLCollation: Sendable, Hashable {
    public let id: UInt8
    /// The character set the collation belongs to (`utf8mb4`, `gbk`, ...), when known.
    public let characterSet: String?

    public init(id: UInt8) {
        self.id = id
        self.characterSet = MySQLCollation.characterSets.first { $0.ids.contains(id) }?.name
    }

    /// `UTF8` for the utf8 families, `GBK` for gbk and the GB sets it is compatible with, `nil` otherwise
    /// (DBSS has no value for latin1 and the like).
    public var dbssCharset: DBSSCharset? {
        switch characterSet {
        case "utf8mb3", "utf8mb4": .utf8
        case "gbk", "gb2312", "gb18030": .gbk
        default: nil
        }
    }

    /// Collation ids below 256 by character set, from the servers' INFORMATION_SCHEMA.COLLATIONS.
    private static let characterSets: [(name: String, ids: [ClosedRange<UInt8>])] = [
        ("utf8mb3", [33...33, 83...83, 192...215, 223...223]),
        ("utf8mb4", [45...46, 224...247, 255...255]),
        ("gbk", [28...28, 87...87]),
        ("gb2312", [24...24, 86...86]),
        ("gb18030", [248...250]),
        ("latin1", [5...5, 8...8, 15...15, 31...31, 47...49, 94...94]),
        ("binary", [63...63]),
        ("big5", [1...1, 84...84]),
        ("ascii", [11...11, 65...65]),
    ]
}

extension Array where Element == ClosedRange<UInt8> {
    fileprivate func contains(_ value: UInt8) -> Bool { contains { $0.contains(value) } }
}
