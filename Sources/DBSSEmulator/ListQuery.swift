/// The paging and filter parameters of the list APIs.
///
/// Documented: `offset` ≥ 0 (default 0), `limit` > 0 and ≤ 10000 (default 100; ≤ 1000 for the
/// instance list), `status` `ON` or `OFF`. The docs are silent on the rest, so: values must be
/// plain decimal digits (no sign, no spaces), an empty value is invalid rather than "default",
/// a repeated parameter uses its first value, and unknown parameters are ignored as the gateway
/// passes them through untouched.
struct ListQuery: Sendable, Equatable {
    var offset: Int
    var limit: Int
    var status: String?

    /// Parses the raw query string (the part after `?`, without it).
    static func parse(_ query: String?, maximumLimit: Int, allowsStatus: Bool) throws(APIError) -> ListQuery {
        let parameters = QueryString.parse(query)
        let offset = try integer(parameters, "offset", default: 0, range: 0...Int(Int32.max))
        let limit = try integer(parameters, "limit", default: 100, range: 1...maximumLimit)
        var status: String?
        if allowsStatus, let value = QueryString.first("status", in: parameters) {
            guard value == "ON" || value == "OFF" else {
                throw .invalidRequest("query parameter 'status' must be ON or OFF, got '\(value)'")
            }
            status = value
        }
        return ListQuery(offset: offset, limit: limit, status: status)
    }

    /// Applies the paging to `items`.
    func page<Element>(_ items: [Element]) -> ArraySlice<Element> {
        guard offset < items.count else { return [] }
        return items[offset..<min(items.count, offset + limit)]
    }

    private static func integer(
        _ parameters: [(String, String)],
        _ name: String,
        default defaultValue: Int,
        range: ClosedRange<Int>
    ) throws(APIError) -> Int {
        guard let text = QueryString.first(name, in: parameters) else { return defaultValue }
        guard text.count <= 10, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(text), range.contains(value)
        else {
            let bounds = "\(range.lowerBound) to \(range.upperBound)"
            throw .invalidRequest("query parameter '\(name)' must be an integer from \(bounds), got '\(text)'")
        }
        return value
    }
}

/// Splitting and percent-decoding of `application/x-www-form-urlencoded` query strings.
enum QueryString {
    /// The `name=value` pairs in order; `+` means a space, `%XX` is decoded, bad escapes stay as is.
    static func parse(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? decode(parts[1]) : ""
            return (decode(parts[0]), value)
        }
    }

    /// The first value of `name`.
    static func first(_ name: String, in parameters: [(String, String)]) -> String? {
        parameters.first { $0.0 == name }?.1
    }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                bytes.append(contentsOf: decodeEscape(&iterator))
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte of a `%XX` escape, or the raw characters when the escape is malformed.
    private static func decodeEscape(_ iterator: inout IndexingIterator<[UInt8]>) -> [UInt8] {
        let high = iterator.next()
        let low = iterator.next()
        guard let high, let low, isHexDigit(high), isHexDigit(low),
            let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
        else {
            return [UInt8(ascii: "%")] + [high, low].compactMap { $0 }
        }
        return [value]
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        Character(Unicode.Scalar(byte)).isHexDigit
    }
}
