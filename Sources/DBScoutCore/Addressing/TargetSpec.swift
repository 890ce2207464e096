import Foundation

/// One target as a user wrote it: an address, a CIDR block, a range, or a hostname to resolve.
public enum TargetSpec: Hashable, Sendable, CustomStringConvertible {
    case range(IPRange)
    case hostname(String)

    /// Parses a target the way nmap users write them.
    ///
    /// Accepted forms: `10.0.0.7`, `2001:db8::7`, `[::1]`, `10.0.0.0/24`, `2001:db8::/120`,
    /// `10.0.0.5-10.0.0.40`, `10.0.0.5-40` (last octet), and hostnames such as `db-1.internal`.
    /// - Throws: ``DBScoutError`` with code `invalid-target`, naming the text and what is wrong with it.
    public init(parsing raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw TargetSpec.invalid(raw, "it is empty") }
        if let slash = text.firstIndex(of: "/") {
            self = .range(
                try TargetSpec.parseCIDR(text, address: text[..<slash], prefix: text[text.index(after: slash)...])
            )
        } else if let range = try TargetSpec.parseRange(text) {
            self = .range(range)
        } else if let address = IPAddress(TargetSpec.unbracketed(text)) {
            self = .range(IPRange(address, address)!)
        } else if TargetSpec.isHostname(text) {
            self = .hostname(text.lowercased())
        } else {
            throw TargetSpec.invalid(raw, "it is not an IP address, CIDR block, range or hostname")
        }
    }

    public var description: String {
        switch self {
        case .range(let range): range.description
        case .hostname(let name): name
        }
    }

    private static func parseCIDR(_ text: String, address: Substring, prefix: Substring) throws -> IPRange {
        guard let base = IPAddress(unbracketed(String(address))) else {
            throw invalid(text, "'\(address)' is not an IP address")
        }
        guard prefix.allSatisfy(\.isASCIIDigit), let bits = Int(prefix), bits <= base.bitWidth, !prefix.isEmpty
        else {
            throw invalid(text, "the prefix length must be a number from 0 to \(base.bitWidth)")
        }
        return IPRange(cidr: base, prefix: bits)!
    }

    /// `nil` when the text is not a range at all (e.g. a hostname with a dash).
    private static func parseRange(_ text: String) throws -> IPRange? {
        guard let dash = text.firstIndex(of: "-"), let lower = IPAddress(text[..<dash]) else { return nil }
        let right = text[text.index(after: dash)...]
        let upper: IPAddress
        if let full = IPAddress(right) {
            upper = full
        } else if case .v4(let base) = lower, right.allSatisfy(\.isASCIIDigit), !right.isEmpty,
            let octet = UInt32(right), octet <= 255
        {
            upper = .v4(base & 0xffff_ff00 | octet)
        } else {
            throw invalid(text, "'\(right)' is not an address or a last octet")
        }
        guard let range = IPRange(lower, upper) else {
            throw invalid(text, "the range must run from a lower to a higher address of one family")
        }
        return range
    }

    private static func unbracketed(_ text: String) -> String {
        text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
    }

    private static func isHostname(_ text: String) -> Bool {
        guard text.count <= 253, text.contains(where: \.isLetter) else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func invalid(_ text: String, _ reason: String) -> DBScoutError {
        DBScoutError(.invalidTarget, "invalid target '\(text)': \(reason)")
    }
}
