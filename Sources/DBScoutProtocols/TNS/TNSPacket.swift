import NIOCore

/// The TNS packet types a probe sends or meets before a session exists.
public enum TNSPacketType: UInt8, Sendable, Hashable, CaseIterable {
    case connect = 1
    case accept = 2
    case acknowledge = 3
    case refuse = 4
    case redirect = 5
    case data = 6
    case null = 7
    case abort = 9
    case resend = 11
    case marker = 12
    case attention = 13
    case control = 14
}

/// How a TNS header states the packet length.
///
/// Before the ACCEPT every packet uses the short form: a 2-byte length and a 2-byte packet checksum that is
/// always zero in practice. Once both sides settle on protocol 315 (12c) or later, packets carry a 4-byte length
/// in place of both (the "large SDU" form).
public enum TNSLengthForm: Sendable, Hashable {
    case short
    case long

    /// The first protocol version whose packets carry 4-byte lengths after the ACCEPT.
    public static let firstLongVersion: UInt16 = 315

    /// The form used after an ACCEPT that settled on `version`.
    public init(negotiatedVersion version: UInt16) {
        self = version >= Self.firstLongVersion ? .long : .short
    }
}

/// One TNS packet: the 8-byte header's type and flags, and the body that follows it.
public struct TNSPacket: Sendable, Hashable {
    public let type: TNSPacketType
    /// The header's flags byte (Wireshark calls it "reserved byte"; 0x04 marks redirect data, 0x08 TLS renegotiation).
    public let flags: UInt8
    public let body: ByteBuffer

    public static let headerLength = 8
    /// The largest packet a probe accepts; a listener's answers are a few hundred bytes.
    public static let maxLength = ProbeLimits.maxResponseBytes

    public init(type: TNSPacketType, flags: UInt8 = 0, body: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.body = body
    }

    /// The whole packet's length, header included.
    public var length: Int { Self.headerLength + body.readableBytes }

    /// Decodes one packet from the front of `bytes`, rejecting a header as soon as its bytes rule TNS out.
    public static func decode(_ bytes: ByteBuffer, form: TNSLengthForm = .short) -> Decoded<TNSPacket> {
        if let reason = headerProblem(bytes, form: form) { return .invalid(reason) }
        var reader = bytes
        let length: Int
        switch form {
        case .short:
            guard let short: UInt16 = reader.readInteger(), reader.readInteger(as: UInt16.self) != nil else {
                return .needMoreData
            }
            length = Int(short)
        case .long:
            guard let long: UInt32 = reader.readInteger() else { return .needMoreData }
            length = Int(long)
        }
        guard let typeByte: UInt8 = reader.readInteger(), let flags: UInt8 = reader.readInteger(),
            reader.readInteger(as: UInt16.self) != nil
        else { return .needMoreData }
        guard let type = TNSPacketType(rawValue: typeByte) else { return .invalid("unknown packet type \(typeByte)") }
        guard let body = reader.readSlice(length: length - headerLength) else { return .needMoreData }
        return .message(TNSPacket(type: type, flags: flags, body: body), consumed: length)
    }

    /// Checks whatever header bytes have arrived: the length, the zero checksums and the type.
    private static func headerProblem(_ bytes: ByteBuffer, form: TNSLengthForm) -> String? {
        let start = bytes.readerIndex
        let available = bytes.readableBytes
        let lengthBytes = form == .short ? 2 : 4
        if available >= lengthBytes {
            let length: Int
            if form == .short {
                length = Int(bytes.getInteger(at: start, as: UInt16.self) ?? 0)
            } else {
                length = Int(bytes.getInteger(at: start, as: UInt32.self) ?? 0)
            }
            guard (headerLength...maxLength).contains(length) else {
                return "packet length \(length) is outside \(headerLength)...\(maxLength)"
            }
        }
        if form == .short, available >= 4, bytes.getInteger(at: start + 2, as: UInt16.self) != 0 {
            return "packet checksum is not zero"
        }
        if available >= 5, let type = bytes.getInteger(at: start + 4, as: UInt8.self),
            TNSPacketType(rawValue: type) == nil
        {
            return "unknown packet type \(type)"
        }
        if available >= 8, bytes.getInteger(at: start + 6, as: UInt16.self) != 0 {
            return "header checksum is not zero"
        }
        return nil
    }

    /// Frames `body` as a packet of `type`. The caller keeps the body within ``maxLength``.
    public static func encode(
        _ type: TNSPacketType,
        flags: UInt8 = 0,
        body: ByteBuffer,
        form: TNSLengthForm = .short
    ) -> ByteBuffer {
        var packet = ByteBuffer()
        let length = headerLength + body.readableBytes
        switch form {
        case .short:
            packet.writeInteger(UInt16(truncatingIfNeeded: length))
            packet.writeInteger(UInt16(0))
        case .long:
            packet.writeInteger(UInt32(truncatingIfNeeded: length))
        }
        packet.writeInteger(type.rawValue)
        packet.writeInteger(flags)
        packet.writeInteger(UInt16(0))
        var body = body
        packet.writeBuffer(&body)
        return packet
    }
}
