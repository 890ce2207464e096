/// An Oracle Net name-value string such as `(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=12514))`: the form of connect
/// descriptors, and of the listener's REFUSE, REDIRECT and command answers.
public struct TNSDescriptor: Sendable, Hashable {
    /// A value is either literal text (possibly empty) or a list of nested pairs.
    public indirect enum Value: Sendable, Hashable {
        case text(String)
        case list([Pair])
    }

    /// One `(NAME=VALUE)` pair.
    public struct Pair: Sendable, Hashable {
        public let name: String
        public let value: Value
    }

    /// The top-level pairs, in order.
    public let pairs: [Pair]

    /// The deepest nesting accepted; real descriptors nest four or five levels.
    public static let maxDepth = 12
    /// The longest text parsed; listener answers are a few hundred bytes.
    public static let maxLength = 16 * 1024

    /// Parses `text`, or returns `nil` unless all of it (bar trailing NULs and white space) is well-formed pairs.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maxLength else { return nil }
        var parser = Parser(bytes: bytes)
        guard let pairs = parser.pairs(depth: 0), !pairs.isEmpty else { return nil }
        parser.skip { $0 == 0 || Parser.isSpace($0) }
        guard parser.atEnd else { return nil }
        self.pairs = pairs
    }

    /// Every literal value of pairs named `name` (case-insensitively), depth first.
    public func values(named name: String) -> [String] {
        let wanted = name.uppercased()
        var found: [String] = []
        func walk(_ pairs: [Pair]) {
            for pair in pairs {
                switch pair.value {
                case .text(let text) where pair.name.uppercased() == wanted: found.append(text)
                case .text: continue
                case .list(let nested): walk(nested)
                }
            }
        }
        walk(pairs)
        return found
    }

    /// The first literal value named `name`.
    public func value(named name: String) -> String? {
        values(named: name).first
    }

    /// Whether a pair named `name` appears anywhere, with a literal or a list value.
    public func contains(_ name: String) -> Bool {
        let wanted = name.uppercased()
        func walk(_ pairs: [Pair]) -> Bool {
            pairs.contains { pair in
                if pair.name.uppercased() == wanted { return true }
                if case .list(let nested) = pair.value { return walk(nested) }
                return false
            }
        }
        return walk(pairs)
    }
}

/// A recursive-descent reader over the descriptor's bytes; depth is capped so no input can exhaust the stack.
private struct Parser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    mutating func skip(while predicate: (UInt8) -> Bool) {
        while let byte = current, predicate(byte) { index += 1 }
    }

    /// One or more `(NAME=VALUE)` pairs, separated by optional white space.
    mutating func pairs(depth: Int) -> [TNSDescriptor.Pair]? {
        guard depth < TNSDescriptor.maxDepth else { return nil }
        var pairs: [TNSDescriptor.Pair] = []
        skip(while: Self.isSpace)
        while current == UInt8(ascii: "(") {
            guard let pair = pair(depth: depth) else { return nil }
            pairs.append(pair)
            skip(while: Self.isSpace)
        }
        return pairs.isEmpty ? nil : pairs
    }

    private mutating func pair(depth: Int) -> TNSDescriptor.Pair? {
        index += 1  // the opening parenthesis
        skip(while: Self.isSpace)
        let nameStart = index
        skip(while: Self.isNameByte)
        guard index > nameStart, let name = String(validating: bytes[nameStart..<index], as: UTF8.self) else {
            return nil
        }
        skip(while: Self.isSpace)
        guard current == UInt8(ascii: "=") else { return nil }
        index += 1
        skip(while: Self.isSpace)
        let value: TNSDescriptor.Value
        if current == UInt8(ascii: "(") {
            guard let nested = pairs(depth: depth + 1) else { return nil }
            value = .list(nested)
        } else {
            guard let text = literal() else { return nil }
            value = .text(text)
        }
        guard current == UInt8(ascii: ")") else { return nil }
        index += 1
        return TNSDescriptor.Pair(name: name, value: value)
    }

    /// Text up to the closing parenthesis, or a double-quoted string; printable ASCII only.
    private mutating func literal() -> String? {
        let start = index
        if current == UInt8(ascii: "\"") {
            index += 1
            skip { $0 != UInt8(ascii: "\"") }
            guard current == UInt8(ascii: "\"") else { return nil }
            index += 1
            skip(while: Self.isSpace)
            return text(bytes[start..<index])
        }
        skip { $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") }
        return text(bytes[start..<index])
    }

    private func text(_ slice: ArraySlice<UInt8>) -> String? {
        guard slice.allSatisfy({ (0x20...0x7e).contains($0) || Self.isSpace($0) }) else { return nil }
        return String(decoding: slice, as: UTF8.self).trimmingSpaces
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\n" && $0 != "\r" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\n" && $0 != "\r" })
        else { return "" }
        return String(scalars[first...last])
    }
}
