import NIOCore

/// The first message a PostgreSQL frontend sends, which has no type byte: SSLRequest, GSSENCRequest,
/// CancelRequest or a StartupMessage, told apart by the code after the length.
enum PassivePostgresRequest: Sendable, Equatable {
    case sslRequest
    case gssencRequest
    case cancelRequest
    /// A startup packet; `parameters` is empty for a protocol 2 packet in its own fixed-width layout.
    case startup(major: UInt16, minor: UInt16, parameters: [String: String])

    /// The server's own cap on a startup packet (MAX_STARTUP_PACKET_LENGTH).
    static let maxLength = 10_000
    static let cancelCode: UInt32 = 1234 << 16 | 5678
    /// A protocol 2 startup packet is always this long.
    static let version2Length = 296
    static let plausibleMajors: ClosedRange<UInt16> = 2...9

    static func decode(_ bytes: ByteBuffer) -> Decoded<PassivePostgresRequest> {
        let start = bytes.readerIndex
        guard let length = bytes.getInteger(at: start, as: UInt32.self),
            let code = bytes.getInteger(at: start + 4, as: UInt32.self)
        else {
            return .needMoreData
        }
        guard length >= 8, length <= maxLength else {
            return .invalid("startup length \(length) is outside 8...\(maxLength)")
        }
        let size = Int(length)
        switch (code, size) {
        case (PostgresSSLRequest.code, 8): return .message(.sslRequest, consumed: size)
        case (PostgresGSSENCRequest.code, 8): return .message(.gssencRequest, consumed: size)
        case (cancelCode, 16): return .message(.cancelRequest, consumed: size)
        default: break
        }
        let major = UInt16(code >> 16)
        let minor = UInt16(code & 0xffff)
        guard plausibleMajors.contains(major) else { return .invalid("protocol major \(major) is not plausible") }
        guard let body = bytes.getSlice(at: start + 8, length: size - 8) else { return .needMoreData }
        // A protocol 2 packet has fixed-width fields; raw probes send protocol 2.0 in the version 3 layout.
        if major == 2 && size == version2Length {
            return .message(.startup(major: major, minor: minor, parameters: [:]), consumed: size)
        }
        guard let parameters = parameters(body) else { return .invalid("startup parameters are malformed") }
        return .message(.startup(major: major, minor: minor, parameters: parameters), consumed: size)
    }

    /// NUL-terminated printable name and value pairs, ended by an empty name.
    private static func parameters(_ body: ByteBuffer) -> [String: String]? {
        let strings = body.readableBytesView.split(separator: 0, omittingEmptySubsequences: false)
        guard body.readableBytesView.last == 0, strings.count >= 2, strings.count % 2 == 0,
            strings.last?.isEmpty == true, strings[strings.count - 2].isEmpty
        else { return nil }
        var parameters: [String: String] = [:]
        for index in stride(from: 0, to: strings.count - 2, by: 2) {
            let name = strings[index]
            let value = strings[index + 1]
            guard !name.isEmpty, name.allSatisfy({ $0 >= 0x20 }), value.allSatisfy({ $0 >= 0x20 }) else { return nil }
            parameters[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return parameters
    }
}
