/// A BSON value of the types that MongoDB's handshake replies carry.
///
/// `hello`, `isMaster` and `buildInfo` mostly hold strings, numbers, booleans, arrays and sub-documents, but a real
/// reply also holds a date (`localTime`), object ids (`topologyVersion.processId`, `electionId`), timestamps and
/// binary (`$clusterTime`, `operationTime`). Without those a reader could not step over them, so they are kept as
/// opaque values. Types a handshake never carries (regex, code, decimal128, ...) are rejected.
public enum BSONValue: Sendable, Hashable {
    case double(Double)
    case string(String)
    case document(BSONDocument)
    case array([BSONValue])
    case binary(subtype: UInt8, bytes: [UInt8])
    /// Twelve bytes.
    case objectID([UInt8])
    case bool(Bool)
    /// Milliseconds since the Unix epoch.
    case dateTime(Int64)
    case null
    case int32(Int32)
    /// Seconds in the high 32 bits, an ordinal in the low 32 bits.
    case timestamp(UInt64)
    case int64(Int64)

    /// The value as an integer, when it is an integer or a double without a fraction.
    public var int: Int? {
        switch self {
        case .int32(let value): Int(value)
        case .int64(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var document: BSONDocument? {
        if case .document(let value) = self { return value }
        return nil
    }

    public var array: [BSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// One `key: value` pair of a document.
public struct BSONElement: Sendable, Hashable {
    public let key: String
    public let value: BSONValue

    public init(_ key: String, _ value: BSONValue) {
        self.key = key
        self.value = value
    }
}

/// A BSON document: keys in the order they were written, which matters to MongoDB (a command's name comes first).
public struct BSONDocument: Sendable, Hashable {
    public var elements: [BSONElement]

    public init(_ elements: [BSONElement] = []) {
        self.elements = elements
    }

    /// The first value stored under `key`.
    public subscript(key: String) -> BSONValue? {
        elements.first { $0.key == key }?.value
    }

    /// Follows a chain of sub-documents, e.g. `["buildEnvironment", "target_os"]`.
    public subscript(path: [String]) -> BSONValue? {
        guard let first = path.first, let value = self[first] else { return nil }
        if path.count == 1 { return value }
        return value.document?[Array(path.dropFirst())]
    }
}

extension BSONDocument: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self.init(elements.map { BSONElement($0.0, $0.1) })
    }
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension BSONValue: ExpressibleByIntegerLiteral {
    /// Small literals become `int32`, as drivers write them; larger ones `int64`.
    public init(integerLiteral value: Int64) {
        self = Int32(exactly: value).map(BSONValue.int32) ?? .int64(value)
    }
}
