import Foundation

/// A parsed JSON document that keeps each value's JSON type.
///
/// Validation must tell `"3306"` from `3306` and `true`, which a `Codable` model with `String`
/// fields would either reject with an opaque error or (for other decoders) coerce. Decoding into
/// this enum first lets the validator name the offending field and its actual type.
enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Order matters: `Bool` before `Double` so `true` is not read as 1, and both before the
        // containers so scalars never reach the slower collection attempts.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }

    /// Parses `bytes` as one JSON document; `nil` when it is not valid JSON (or not UTF-8).
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The JSON type name used in error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The members when this is an object.
    var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text when this is a string.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value when this is a number with no fractional part that fits an `Int`.
    var integerValue: Int? {
        guard case .number(let number) = self, number.rounded() == number, abs(number) < 1e15 else { return nil }
        return Int(number)
    }

    /// Follows a path of object keys, `nil` when any step is missing or not an object.
    subscript(path: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in path {
            current = current?.objectValue?[key]
        }
        return current
    }
}
