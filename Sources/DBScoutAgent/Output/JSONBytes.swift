import DBScoutCore
import DBScoutInventory
import Foundation

/// JSON text built byte by byte, exactly as ``JSONOutput``'s encoder writes the values listings hold (pretty,
/// sorted keys, slashes and non-ASCII text as they are): a listing writes a million records, and the encoder's
/// boxing of every value was most of the time it took.
struct JSONBytes {
    var bytes: [UInt8] = []

    /// `"key" : ` on a new line at `indent` spaces.
    mutating func key(_ key: StaticString, indent: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Self.colon)
    }

    /// A member whose value is a string or `null`, and its comma unless it is the last.
    mutating func member(_ key: StaticString, _ value: String?, indent: Int, last: Bool = false) {
        self.key(key, indent: indent)
        if let value { string(value) } else { bytes.append(contentsOf: Self.null) }
        endMember(last: last)
    }

    /// A member whose value is an instant (ISO 8601) or `null`.
    mutating func member(_ key: StaticString, _ value: Date?, indent: Int, last: Bool = false) {
        self.key(key, indent: indent)
        if let value {
            bytes.append(UInt8(ascii: "\""))
            Timestamp.append(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: Self.null)
        }
        endMember(last: last)
    }

    /// A member whose value is a number as the encoder writes it, or `null`.
    mutating func member(_ key: StaticString, number value: String?, indent: Int, last: Bool = false) {
        self.key(key, indent: indent)
        bytes.append(contentsOf: (value ?? "null").utf8)
        endMember(last: last)
    }

    /// Text that needs no escaping.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(byte)
    }

    mutating func endMember(last: Bool) {
        if !last { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A string literal, escaped as the encoder escapes it: quote, backslash and the C0 controls only, the
    /// controls with a short escape where JSON has one and `\u00xx` (lower-case hex) otherwise.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): escape(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escape(UInt8(ascii: "\\"))
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A `Double` as the encoder writes it: its description without a trailing `.0`; for exponents, which it spells
    /// its own way (`1e+20`), the encoder's output, and for the non-finite its error.
    static func number(_ value: Double, encoder: JSONEncoder) throws -> String {
        let text = value.description
        guard value.isFinite, !text.contains("e") else {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    private static let colon = Array("\" : ".utf8)
    private static let null = Array("null".utf8)
    private static let hex = Array("0123456789abcdef".utf8)
}

extension FindingDocument {
    /// The record as the element of the `findings` array (indented four spaces) that the encoder writes for it,
    /// without the separator that follows it.
    func write(to json: inout JSONBytes, encoder: JSONEncoder) throws {
        let finding = record.finding
        let state = record.registration
        json.raw("    {\n")
        json.member("charset", finding.charset?.rawValue, indent: 6)
        json.member("dbss_type", finding.dbssType?.rawValue, indent: 6)
        json.member("dbss_version", finding.dbssVersion, indent: 6)
        json.key("evidence", indent: 6)
        json.raw("[\n")
        for (index, evidence) in finding.evidence.enumerated() {
            json.raw("        {\n")
            json.member("fact", evidence.fact, indent: 10)
            json.member("value", evidence.value, indent: 10, last: true)
            json.raw("        }")
            json.endMember(last: index == finding.evidence.count - 1)
        }
        // An empty array is `[`, an empty line, `]`.
        if finding.evidence.isEmpty { json.bytes.append(UInt8(ascii: "\n")) }
        json.raw("      ],\n")
        json.member("first_seen", record.firstSeen, indent: 6)
        json.member("ip", finding.endpoint.address.description, indent: 6)
        json.member("last_seen", record.lastSeen, indent: 6)
        json.member("os", finding.os?.rawValue, indent: 6)
        json.member(
            "os_confidence",
            number: try finding.osConfidence.map { try JSONBytes.number($0, encoder: encoder) },
            indent: 6
        )
        json.member("os_detail", finding.osDetail, indent: 6)
        json.member("os_source", finding.osSource?.rawValue, indent: 6)
        json.member("port", number: String(finding.endpoint.port), indent: 6)
        json.member("product", finding.product.rawValue, indent: 6)
        json.key("registration", indent: 6)
        json.raw("{\n")
        json.member("attempts", number: String(state.attempts), indent: 8)
        json.member("claim_owner", state.claim?.owner, indent: 8)
        json.member("claim_until", state.claim?.until, indent: 8)
        json.member("error", state.lastError, indent: 8)
        json.member("id", state.id, indent: 8)
        json.member("next_attempt", state.nextAttempt, indent: 8)
        json.member("origin", state.origin?.rawValue, indent: 8)
        json.member("status", state.status.rawValue, indent: 8, last: true)
        json.raw("      },\n")
        json.member("tls", finding.tls.rawValue, indent: 6)
        json.member("version", finding.version, indent: 6, last: true)
        json.raw("    }")
    }
}
