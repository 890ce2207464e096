import Foundation
import NIOCore

/// The fields of an add-database request that passed validation.
struct DatabaseDraft: Sendable, Equatable {
    var dbClassification: String
    var name: String
    var type: String
    var version: String
    var charset: String
    var ip: String
    var port: String
    var os: String
    var instanceName: String?
}

/// Strict validation of the add-database request, following the documented contract.
///
/// Where the documentation is silent the emulator is stricter rather than looser, so a client that
/// passes here is safe against the real service:
/// - The body key is `database` in lower case as in the documented example; the table's
///   capitalised `Database` is a documentation artefact and is reported as an unknown field.
/// - Every field must be a JSON string; numbers, booleans, null, arrays and objects are rejected.
/// - Enum values are case-sensitive (`MYSQL`, not `mysql`).
/// - Empty or whitespace-only strings are rejected for every field, `instance_name` included
///   (omit it instead), and so are control characters (NUL, newlines, tabs) in any field.
/// - `ip` must be an IPv4 dotted quad (no leading zeros) or an IPv6 literal without a zone.
/// - `port` must be decimal digits without sign or leading zero, 1–65535.
/// - Problems are reported one at a time in a fixed order: the top level, then each field in the
///   documented order, then unknown fields in alphabetical order.
enum DatabaseValidation {
    /// The 17 documented `type` values.
    static let databaseTypes = [
        "MYSQL", "ORACLE", "POSTGRESQL", "SQLSERVER", "DAMENG", "TAURUS", "DWS", "KINGBASE",
        "GAUSSDBOPENGAUSS", "GREENPLUM", "HIGHGO", "SHENTONG", "GBASE8A", "GBASE8S", "GBASEXDM",
        "MONGODB", "DDS",
    ]

    private enum Rule {
        case text
        case oneOf([String])
        case ipAddress
        case port
    }

    private struct Field {
        var name: String
        var required: Bool
        var rule: Rule
    }

    private static let fields: [Field] = [
        Field(name: "db_classification", required: true, rule: .oneOf(["ECS", "RDS"])),
        Field(name: "name", required: true, rule: .text),
        Field(name: "type", required: true, rule: .oneOf(databaseTypes)),
        Field(name: "version", required: true, rule: .text),
        Field(name: "charset", required: true, rule: .oneOf(["UTF8", "GBK"])),
        Field(name: "ip", required: true, rule: .ipAddress),
        Field(name: "port", required: true, rule: .port),
        Field(name: "os", required: true, rule: .oneOf(["LINUX64", "WINDOWS64", "UNIX"])),
        Field(name: "instance_name", required: false, rule: .text),
    ]

    /// Validates the `Content-Type` header and body of an add request.
    static func validate(contentType: String?, body: [UInt8]) throws(APIError) -> DatabaseDraft {
        try requireJSONContentType(contentType)
        let database = try databaseObject(in: body)
        var values: [String: String] = [:]
        for field in fields {
            values[field.name] = try value(of: field, in: database)
        }
        if let unknown = database.keys.filter({ key in !fields.contains { $0.name == key } }).min() {
            throw .invalidRequest("unknown field 'database.\(unknown)'")
        }
        return DatabaseDraft(
            dbClassification: values["db_classification", default: ""],
            name: values["name", default: ""],
            type: values["type", default: ""],
            version: values["version", default: ""],
            charset: values["charset", default: ""],
            ip: values["ip", default: ""],
            port: values["port", default: ""],
            os: values["os", default: ""],
            instanceName: values["instance_name"]
        )
    }

    /// Whether a `Content-Type` is `application/json` with any parameters (the SDKs send
    /// `;charset=UTF-8`); the media type is compared case-insensitively as RFC 9110 requires.
    static func isJSONContentType(_ contentType: String?) -> Bool {
        let mediaType = contentType?.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return mediaType == "application/json"
    }

    private static func requireJSONContentType(_ contentType: String?) throws(APIError) {
        guard isJSONContentType(contentType) else {
            throw .invalidRequest("Content-Type must be application/json")
        }
    }

    /// The `database` object of a body that must be exactly `{"database": {...}}`.
    private static func databaseObject(in body: [UInt8]) throws(APIError) -> [String: JSONValue] {
        guard let document = JSONValue.parse(body) else {
            throw .invalidRequest("request body is not valid JSON")
        }
        guard let root = document.objectValue else {
            throw .invalidRequest("request body must be a JSON object, got \(document.typeName)")
        }
        guard let database = root["database"] else {
            throw .invalidRequest("missing required field 'database'")
        }
        if let unknown = root.keys.filter({ $0 != "database" }).min() {
            throw .invalidRequest("unknown field '\(unknown)'")
        }
        guard let members = database.objectValue else {
            throw .invalidRequest("field 'database' must be an object, got \(database.typeName)")
        }
        return members
    }

    /// The checked string value of one field, `nil` for an absent optional field.
    private static func value(of field: Field, in database: [String: JSONValue]) throws(APIError) -> String? {
        let label = "'database.\(field.name)'"
        guard let raw = database[field.name] else {
            if field.required { throw .invalidRequest("missing required field \(label)") }
            return nil
        }
        guard let text = raw.stringValue else {
            throw .invalidRequest("field \(label) must be a string, got \(raw.typeName)")
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw .invalidRequest("field \(label) must not be empty")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidRequest("field \(label) must not contain control characters")
        }
        try check(text, against: field.rule, label: label)
        return text
    }

    private static func check(_ text: String, against rule: Rule, label: String) throws(APIError) {
        switch rule {
        case .text:
            return
        case .oneOf(let allowed):
            guard allowed.contains(text) else {
                let list = allowed.joined(separator: ", ")
                throw .invalidRequest("field \(label) has invalid value '\(text)', expected one of: \(list)")
            }
        case .ipAddress:
            guard canonicalIPAddress(text) != nil else {
                throw .invalidRequest("field \(label) must be a valid IPv4 or IPv6 address, got '\(text)'")
            }
        case .port:
            guard isValidPort(text) else {
                throw .invalidRequest("field \(label) must be a port number from 1 to 65535, got '\(text)'")
            }
        }
    }

    /// The canonical text of an IP literal (so `::0001` and `::1` compare equal), `nil` if invalid.
    static func canonicalIPAddress(_ text: String) -> String? {
        // inet_pton (behind SocketAddress) is strict: no leading zeros in IPv4, no zone IDs.
        guard !text.contains("%"), let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        return address.ipAddress
    }

    /// Decimal digits without sign or leading zero, 1–65535.
    static func isValidPort(_ text: String) -> Bool {
        guard (1...5).contains(text.count), text.first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return false
        }
        return Int(text).map { $0 <= 65535 } ?? false
    }
}
