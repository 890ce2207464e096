import Foundation

/// An IPv4 or IPv6 address as a number, so that ranges and CIDR blocks are plain arithmetic.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses a textual IPv4 (`10.0.0.1`) or IPv6 (`fe80::1`, `::ffff:10.0.0.1`) address.
    ///
    /// Returns `nil` for anything else, including IPv6 zone suffixes and IPv4 forms with leading zeros,
    /// which some parsers read as octal.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPAddress.parseV4(text) {
            self = .v4(v4)
        } else if let v6 = IPAddress.parseV6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The number of bits in an address of this family.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The address as an unsigned 128-bit number (IPv4 in the low 32 bits).
    public var numeric: UInt128 {
        switch self {
        case .v4(let value): UInt128(value)
        case .v6(let value): value
        }
    }

    /// Builds an address of the same family as `self` from a number.
    func sameFamily(_ value: UInt128) -> IPAddress {
        switch self {
        case .v4: .v4(UInt32(truncatingIfNeeded: value))
        case .v6: .v6(value)
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String((value >> (24 - 8 * UInt32($0))) & 0xff) }.joined(separator: ".")
        case .v6(let value):
            return IPAddress.formatV6(value)
        }
    }
}

extension IPAddress {
    static func parseV4(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit),
                part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseV6(_ text: some StringProtocol) -> UInt128? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        let pieces = String(text).components(separatedBy: "::")
        guard pieces.count <= 2 else { return nil }
        guard let head = parseGroups(pieces[0], allowTrailingV4: pieces.count == 1) else { return nil }
        if pieces.count == 1 {
            return head.count == 8 ? combine(head) : nil
        }
        guard let tail = parseGroups(pieces[1], allowTrailingV4: true), head.count + tail.count <= 7 else {
            return nil
        }
        return combine(head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail)
    }

    private static func parseGroups(_ text: String, allowTrailingV4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, field) in fields.enumerated() {
            if index == fields.count - 1, allowTrailingV4, field.contains(".") {
                guard let v4 = parseV4(field) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xffff))
            } else {
                guard (1...4).contains(field.count), field.allSatisfy(\.isHexDigit),
                    let group = UInt16(field, radix: 16)
                else { return nil }
                groups.append(group)
            }
        }
        return groups
    }

    private static func combine(_ groups: [UInt16]) -> UInt128 {
        groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// RFC 5952 text: lower case, the longest run (of two or more) of zero groups shortened to `::`.
    private static func formatV6(_ value: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * UInt128($0))) }
        var best: Range<Int>? = nil
        var start: Int? = nil
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                start = start ?? index
            } else if let begin = start {
                if index - begin >= 2, index - begin > (best?.count ?? 0) { best = begin..<index }
                start = nil
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let run = best else { return hex.joined(separator: ":") }
        let left = hex[..<run.lowerBound].joined(separator: ":")
        let right = hex[run.upperBound...].joined(separator: ":")
        return left + "::" + right
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
