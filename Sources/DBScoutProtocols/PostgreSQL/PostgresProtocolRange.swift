/// The protocol versions a server says it supports, from "unsupported frontend protocol X.Y: server supports
/// A.0 to B.C".
public struct PostgresProtocolRange: Sendable, Hashable, CustomStringConvertible {
    public let earliest: String
    public let latest: String

    public init(earliest: String, latest: String) {
        self.earliest = earliest
        self.latest = latest
    }

    /// Reads the range from the message text. The text may be localised, so this takes the last two
    /// `N.N` numbers rather than matching English words; the first is the version we asked for.
    public init?(message: String) {
        let numbers = PostgresProtocolRange.versionNumbers(in: message)
        guard numbers.count >= 3 else { return nil }
        self.init(earliest: numbers[numbers.count - 2], latest: numbers[numbers.count - 1])
    }

    public var description: String { "\(earliest) to \(latest)" }

    private static func versionNumbers(in text: String) -> [String] {
        var found: [String] = []
        var current = ""
        for character in text + " " {
            if character.isASCII, character.isNumber || (character == "." && !current.isEmpty) {
                current.append(character)
            } else {
                let trimmed = current.hasSuffix(".") ? String(current.dropLast()) : current
                if trimmed.split(separator: ".").count == 2 { found.append(trimmed) }
                current = ""
            }
        }
        return found
    }
}
