import NIOCore

/// The option tokens of a PRELOGIN message (MS-TDS 2.2.6.5).
public enum TDSPreloginToken: UInt8, Sendable, Hashable, CaseIterable {
    case version = 0x00
    case encryption = 0x01
    /// INSTOPT: the client names an instance; the server answers whether it is the one reached.
    case instance = 0x02
    case threadID = 0x03
    case mars = 0x04
    case traceID = 0x05
    case fedAuthRequired = 0x06
    case nonce = 0x07

    /// Ends the option table; it has no offset or length.
    public static let terminator: UInt8 = 0xFF

    /// The name MS-TDS gives the option.
    public var name: String {
        switch self {
        case .version: "VERSION"
        case .encryption: "ENCRYPTION"
        case .instance: "INSTOPT"
        case .threadID: "THREADID"
        case .mars: "MARS"
        case .traceID: "TRACEID"
        case .fedAuthRequired: "FEDAUTHREQUIRED"
        case .nonce: "NONCEOPT"
        }
    }
}

/// A product version as PRELOGIN's VERSION option carries it: major and minor bytes, a big-endian build number,
/// and a sub-build number.
public struct TDSProductVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: UInt8
    public let minor: UInt8
    public let build: UInt16
    public let subBuild: UInt16

    public init(major: UInt8, minor: UInt8, build: UInt16, subBuild: UInt16 = 0) {
        self.major = major
        self.minor = minor
        self.build = build
        self.subBuild = subBuild
    }

    /// `8.0.2039`: how SQL Server writes its version (the sub-build is left out, as SERVERPROPERTY does).
    public var description: String { "\(major).\(minor).\(build)" }

    /// Reads the six-byte option value. Both 16-bit fields are big-endian, like the rest of the option table.
    init?(_ value: ByteBuffer) {
        var value = value
        guard value.readableBytes == 6, let major: UInt8 = value.readInteger(), let minor: UInt8 = value.readInteger(),
            let build: UInt16 = value.readInteger(), let subBuild: UInt16 = value.readInteger()
        else { return nil }
        self.init(major: major, minor: minor, build: build, subBuild: subBuild)
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(major)
        buffer.writeInteger(minor)
        buffer.writeInteger(build)
        buffer.writeInteger(subBuild)
    }
}

/// The ENCRYPTION option: what the sender wants or, in a server's answer, what the connection will do.
public struct TDSEncryption: Sendable, Hashable, CustomStringConvertible {
    public enum Mode: UInt8, Sendable, Hashable {
        /// ENCRYPT_OFF: TLS for the LOGIN7 packet only, the rest of the session in clear.
        case off = 0x00
        /// ENCRYPT_ON: TLS for the whole session.
        case on = 0x01
        /// ENCRYPT_NOT_SUP: no TLS at all.
        case notSupported = 0x02
        /// ENCRYPT_REQ: the server insists on TLS for the whole session.
        case required = 0x03
    }

    public let mode: Mode
    /// ENCRYPT_CLIENT_CERT (bit 0x80): certificate authentication of the client.
    public let clientCertificate: Bool

    public init(_ mode: Mode, clientCertificate: Bool = false) {
        self.mode = mode
        self.clientCertificate = clientCertificate
    }

    /// Reads the one-byte option value; any other size or an undefined mode means this is not a PRELOGIN.
    init?(_ value: ByteBuffer) {
        guard value.readableBytes == 1, let byte: UInt8 = value.getInteger(at: value.readerIndex),
            let mode = Mode(rawValue: byte & 0x7F)
        else { return nil }
        self.init(mode, clientCertificate: byte & 0x80 != 0)
    }

    var byte: UInt8 { mode.rawValue | (clientCertificate ? 0x80 : 0) }

    /// The MS-TDS name: `ENCRYPT_NOT_SUP`, or `ENCRYPT_ON|ENCRYPT_CLIENT_CERT`.
    public var description: String {
        let name =
            switch mode {
            case .off: "ENCRYPT_OFF"
            case .on: "ENCRYPT_ON"
            case .notSupported: "ENCRYPT_NOT_SUP"
            case .required: "ENCRYPT_REQ"
            }
        return clientCertificate ? name + "|ENCRYPT_CLIENT_CERT" : name
    }
}

/// The INSTOPT option in a server's answer.
public enum TDSInstanceOption: Sendable, Hashable {
    /// One byte: 0 when the instance the client named (or none) is the one reached; anything else (1,
    /// ERROR_INST) when the client reached another instance, e.g. a named one listening on the default port.
    case validity(UInt8)
    /// A NUL-terminated instance name.
    case name(String)

    /// Reads the option value: one validity byte, or a non-empty name without control characters and its NUL.
    init?(_ value: ByteBuffer) {
        let bytes = value.getBytes(at: value.readerIndex, length: value.readableBytes) ?? []
        if bytes.count == 1 {
            self = .validity(bytes[0])
            return
        }
        guard let nul = bytes.firstIndex(of: 0), nul > 0, bytes[nul...].allSatisfy({ $0 == 0 }),
            bytes[..<nul].allSatisfy({ $0 >= 0x20 && $0 != 0x7F }),
            let name = String(validating: bytes[..<nul], as: UTF8.self)
        else { return nil }
        self = .name(name)
    }
}

/// A PRELOGIN option table: five-byte entries (token, big-endian offset, big-endian length) ended by 0xFF, then
/// the option data. Offsets count from the start of the payload.
struct TDSPreloginOptionTable {
    /// The options in the order the table lists them.
    let options: [(token: UInt8, value: ByteBuffer)]

    /// Every entry the table may hold: one per known token plus as many again for options MS-TDS may add.
    static let maxEntries = 2 * TDSPreloginToken.allCases.count

    /// Parses `payload`, checking that every option lies inside the payload, after the table, and apart from the
    /// other options, and that no token appears twice.
    static func parse(_ payload: ByteBuffer) throws(TDSDecodingFailure) -> TDSPreloginOptionTable {
        var cursor = payload
        var entries: [(token: UInt8, offset: Int, length: Int)] = []
        while true {
            guard let token: UInt8 = cursor.readInteger() else {
                throw TDSDecodingFailure("option table has no terminator")
            }
            if token == TDSPreloginToken.terminator { break }
            guard let offset: UInt16 = cursor.readInteger(), let length: UInt16 = cursor.readInteger() else {
                throw TDSDecodingFailure("option table has no terminator")
            }
            guard !entries.contains(where: { $0.token == token }) else {
                throw TDSDecodingFailure("option \(TDSPacket.hex(token)) appears twice")
            }
            guard entries.count < maxEntries else { throw TDSDecodingFailure("more than \(maxEntries) options") }
            entries.append((token, Int(offset), Int(length)))
        }
        let tableEnd = payload.readableBytes - cursor.readableBytes
        var end = tableEnd
        for entry in entries.sorted(by: { $0.offset < $1.offset }) {
            guard entry.offset >= end, entry.offset + entry.length <= payload.readableBytes else {
                throw TDSDecodingFailure(
                    "option \(TDSPacket.hex(entry.token)) data \(entry.offset)+\(entry.length) overlaps the table "
                        + "or another option, or runs past the \(payload.readableBytes)-byte payload"
                )
            }
            end = entry.offset + entry.length
        }
        let options = entries.compactMap { entry in
            payload.getSlice(at: payload.readerIndex + entry.offset, length: entry.length).map { (entry.token, $0) }
        }
        return TDSPreloginOptionTable(options: options)
    }

    /// Writes a table for `options`, in order, with the data packed right after the terminator.
    static func encode(_ options: [(token: TDSPreloginToken, value: ByteBuffer)]) -> ByteBuffer {
        var table = ByteBuffer()
        var data = ByteBuffer()
        let tableSize = options.count * 5 + 1
        for (token, value) in options {
            table.writeInteger(token.rawValue)
            table.writeInteger(UInt16(tableSize + data.readableBytes))
            table.writeInteger(UInt16(value.readableBytes))
            var value = value
            data.writeBuffer(&value)
        }
        table.writeInteger(TDSPreloginToken.terminator)
        table.writeBuffer(&data)
        return table
    }
}

/// Why bytes are not the TDS message expected; the text goes into `Decoded.invalid`.
struct TDSDecodingFailure: Error {
    let reason: String

    init(_ reason: String) { self.reason = reason }
}
