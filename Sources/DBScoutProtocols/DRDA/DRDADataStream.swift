import NIOCore

/// One DDM parameter: a two-byte length (itself included), a code point, and the value.
public struct DRDAParameter: Sendable, Hashable {
    public let codePoint: UInt16
    public let value: [UInt8]

    public init(_ codePoint: UInt16, _ value: [UInt8]) {
        self.codePoint = codePoint
        self.value = value
    }
}

/// A DRDA data stream structure (DSS) carrying one DDM object: the framing of every DRDA message.
///
/// Layout: length (2, big-endian, the whole DSS), magic `0xD0`, format (chaining flags and the DSS type), correlation
/// id (2), then the object: length (2), code point (2) and its parameters.
public struct DRDADataStream: Sendable, Hashable {
    /// The DSS type, the low four bits of the format byte.
    public enum Kind: UInt8, Sendable, Hashable {
        case request = 1, reply = 2, object = 3, communication = 4
    }

    public static let magic: UInt8 = 0xD0
    static let headerBytes = 6
    static let objectHeaderBytes = 4
    /// Format bit 0x40: another DSS follows this one.
    static let chainedFlag: UInt8 = 0x40
    /// Bit 15 of a length marks a continued DSS or an extended-length object, which no handshake reply uses.
    static let maxLength = 0x7FFF

    public let kind: Kind
    public let isChained: Bool
    public let correlationID: UInt16
    /// The DDM object's code point, e.g. ``DRDACodePoint/exchangeServerAttributesReply``.
    public let codePoint: UInt16
    /// The object's bytes after its length and code point.
    public let objectBody: [UInt8]

    /// A request DSS carrying one command object made of `parameters`, in order.
    public static func encodeRequest(
        codePoint: UInt16,
        parameters: [DRDAParameter],
        correlationID: UInt16,
        chained: Bool = false
    ) -> ByteBuffer {
        var object = ByteBuffer()
        for parameter in parameters {
            object.writeInteger(UInt16(truncatingIfNeeded: objectHeaderBytes + parameter.value.count))
            object.writeInteger(parameter.codePoint)
            object.writeBytes(parameter.value)
        }
        var dss = ByteBuffer()
        dss.writeInteger(UInt16(truncatingIfNeeded: headerBytes + objectHeaderBytes + object.readableBytes))
        dss.writeInteger(magic)
        dss.writeInteger(Kind.request.rawValue | (chained ? chainedFlag : 0))
        dss.writeInteger(correlationID)
        dss.writeInteger(UInt16(truncatingIfNeeded: objectHeaderBytes + object.readableBytes))
        dss.writeInteger(codePoint)
        dss.writeBuffer(&object)
        return dss
    }

    /// Decodes the DSS at the front of `bytes`, which may still be arriving; later chained DSSs are left unread.
    ///
    /// Rejects as soon as the length, magic byte or format byte cannot be DRDA's.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<DRDADataStream> {
        let start = bytes.readerIndex
        guard let length = bytes.getInteger(at: start, as: UInt16.self).map(Int.init) else { return .needMoreData }
        guard (headerBytes + objectHeaderBytes...maxLength).contains(length) else {
            return .invalid("DSS length \(length) is outside \(headerBytes + objectHeaderBytes)...\(maxLength)")
        }
        guard let magic = bytes.getInteger(at: start + 2, as: UInt8.self) else { return .needMoreData }
        guard magic == Self.magic else { return .invalid("DSS magic 0x\(String(magic, radix: 16)) is not 0xD0") }
        guard let format = bytes.getInteger(at: start + 3, as: UInt8.self) else { return .needMoreData }
        guard format & 0x80 == 0, let kind = Kind(rawValue: format & 0x0F) else {
            return .invalid("DSS format 0x\(String(format, radix: 16)) names no DSS type")
        }
        guard let whole = bytes.getBytes(at: start, length: length) else { return .needMoreData }
        let objectLength = Int(whole[6]) << 8 | Int(whole[7])
        guard objectLength >= objectHeaderBytes, objectLength <= length - headerBytes else {
            return .invalid("DDM object length \(objectLength) does not fit a \(length)-byte DSS")
        }
        let stream = DRDADataStream(
            kind: kind,
            isChained: format & chainedFlag != 0,
            correlationID: UInt16(whole[4]) << 8 | UInt16(whole[5]),
            codePoint: UInt16(whole[8]) << 8 | UInt16(whole[9]),
            objectBody: Array(whole[(headerBytes + objectHeaderBytes)..<(headerBytes + objectLength)])
        )
        return .message(stream, consumed: length)
    }

    /// Splits `body` into parameters, or `nil` when their lengths do not tile it exactly.
    public static func parameters(in body: [UInt8]) -> [DRDAParameter]? {
        var parameters: [DRDAParameter] = []
        var offset = body.startIndex
        while offset < body.endIndex {
            guard body.endIndex - offset >= objectHeaderBytes else { return nil }
            let length = Int(body[offset]) << 8 | Int(body[offset + 1])
            guard length >= objectHeaderBytes, length <= body.endIndex - offset else { return nil }
            let codePoint = UInt16(body[offset + 2]) << 8 | UInt16(body[offset + 3])
            parameters.append(DRDAParameter(codePoint, Array(body[(offset + objectHeaderBytes)..<(offset + length)])))
            offset += length
        }
        return parameters
    }
}
