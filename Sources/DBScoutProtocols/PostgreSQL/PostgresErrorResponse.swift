import NIOCore

/// A backend ErrorResponse (`E`): typed fields such as severity, SQLSTATE, message, source file and line.
public struct PostgresErrorResponse: Sendable, Hashable {
    /// The fields by their one-byte type code (`S`, `V`, `C`, `M`, `F`, `L`, `R`, ...).
    public let fields: [UInt8: String]

    public init(fields: [UInt8: String]) { self.fields = fields }

    public subscript(code: Character) -> String? { code.asciiValue.flatMap { fields[$0] } }

    /// Severity, possibly localised (`FATAL`, `FATAL` in German is also `FATAL`, ...).
    public var severity: String? { self["S"] }
    /// Severity in English whatever the server's locale; sent by 9.6 and later.
    public var nonLocalizedSeverity: String? { self["V"] }
    /// The five-character SQLSTATE.
    public var sqlState: String? { self["C"] }
    public var message: String? { self["M"] }
    /// The server source file that raised the error.
    public var file: String? { self["F"] }
    public var line: String? { self["L"] }
    public var routine: String? { self["R"] }

    /// Decodes a v3 ErrorResponse: `E`, an Int32 length, then `code text\0` fields and a final NUL.
    ///
    /// Insists on the fields every real server sends (severity, a five-character SQLSTATE and a message), so
    /// that a stray `E` byte from some other service is not taken for PostgreSQL.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<PostgresErrorResponse> {
        switch PostgresBackendFrame.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let frame, let consumed):
            guard frame.type == UInt8(ascii: "E") else {
                return .invalid("expected an ErrorResponse, got message type \(frame.typeDescription)")
            }
            return parseFields(frame.body).map { .message($0, consumed: consumed) }
                ?? .invalid("ErrorResponse fields are malformed or lack S, C and M")
        }
    }

    static func parseFields(_ body: ByteBuffer) -> PostgresErrorResponse? {
        var body = body
        var fields: [UInt8: String] = [:]
        while let code: UInt8 = body.readInteger(), code != 0 {
            guard let text = body.readNullTerminatedString(), fields[code] == nil else { return nil }
            fields[code] = text
        }
        guard body.readableBytes == 0, let severity = fields[UInt8(ascii: "S")], !severity.isEmpty,
            let state = fields[UInt8(ascii: "C")], state.utf8.count == 5,
            state.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) }),
            fields[UInt8(ascii: "M")] != nil
        else { return nil }
        return PostgresErrorResponse(fields: fields)
    }
}
