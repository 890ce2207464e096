import NIOCore

/// A CONNECT packet: the client's protocol offer and a connect descriptor.
///
/// The layout follows the 12c-era clients seen on the wire (sqlplus and JDBC in the public traces): the fixed
/// fields up to offset 58, then the 4-byte SDU and TDU and four reserved bytes, then the descriptor at offset 70.
public struct TNSConnect: Sendable, Hashable {
    /// The highest protocol version offered; a listener answers with the lower of this and its own.
    public var version: UInt16
    /// The lowest protocol version accepted.
    public var minimumVersion: UInt16
    public var serviceOptions: UInt16
    public var sdu: UInt16
    public var tdu: UInt16
    public var protocolCharacteristics: UInt16
    /// The integer 1 in the sender's native byte order (`01 00` from x86 sqlplus, `00 01` from Java).
    public var hardwareOne: [UInt8]
    public var maxReceivableData: UInt32
    public var flags0: UInt8
    public var flags1: UInt8
    /// The 4-byte SDU and TDU that clients of protocol 315 and later send after the trace fields.
    public var largeSDU: UInt32?
    public var largeTDU: UInt32?
    public var descriptor: String

    /// Offset of the fields that follow the two 8-byte trace ids.
    static let extensionOffset = 58
    /// Length of the 315-style extension: SDU, TDU, four reserved bytes.
    static let extensionLength = 12
    /// The most connect data a CONNECT carries inline; longer descriptors need a separate DATA packet.
    public static let maxInlineDescriptor = 230

    /// The probe's request: ask the listener for its `version`, naming dbscout as the program.
    ///
    /// `COMMAND=version` is a listener command, so no database service is involved and nothing is handed off.
    /// Listeners that allow remote commands answer with their banner (platform and release); the rest refuse with a
    /// descriptor that still carries VSNNUM and ERR (1189, 1194). A connect to an unknown service would draw VSNNUM
    /// and ERR too, but never the banner, so it says less.
    public static let versionRequest = TNSConnect(
        descriptor: "(CONNECT_DATA=(COMMAND=version)(CID=(PROGRAM=dbscout)(HOST=dbscout)(USER=dbscout)))"
    )

    /// A 315 (12c) CONNECT with the SDU, TDU and flags that sqlplus 12c sends.
    public init(descriptor: String) {
        version = 315
        minimumVersion = 300
        serviceOptions = 0x0c41
        sdu = 8192
        tdu = 0xffff
        protocolCharacteristics = 0x4f98
        hardwareOne = [1, 0]
        maxReceivableData = 2048
        flags0 = 0x41
        flags1 = 0x41
        largeSDU = 8192
        largeTDU = 2 * 1024 * 1024
        self.descriptor = descriptor
    }

    /// The packet, with the descriptor inline. Descriptors longer than ``maxInlineDescriptor`` are cut there: the
    /// probe's own descriptor is far shorter.
    public func encode() -> ByteBuffer {
        let text = Array(descriptor.utf8.prefix(Self.maxInlineDescriptor))
        let hasExtension = largeSDU != nil || largeTDU != nil
        let dataOffset = Self.extensionOffset + (hasExtension ? Self.extensionLength : 0)
        var body = ByteBuffer()
        body.writeInteger(version)
        body.writeInteger(minimumVersion)
        body.writeInteger(serviceOptions)
        body.writeInteger(sdu)
        body.writeInteger(tdu)
        body.writeInteger(protocolCharacteristics)
        body.writeInteger(UInt16(0))  // line turnaround
        body.writeBytes(hardwareOne.count == 2 ? hardwareOne : [1, 0])
        body.writeInteger(UInt16(text.count))
        body.writeInteger(UInt16(dataOffset))
        body.writeInteger(maxReceivableData)
        body.writeInteger(flags0)
        body.writeInteger(flags1)
        body.writeRepeatingByte(0, count: 24)  // trace cross-facility items and unique connection ids
        if hasExtension {
            body.writeInteger(largeSDU ?? 0)
            body.writeInteger(largeTDU ?? 0)
            body.writeInteger(UInt32(0))
        }
        body.writeBytes(text)
        return TNSPacket.encode(.connect, body: body)
    }

    /// Decodes a CONNECT (as a client sent it) from the front of `bytes`; passive capture and tests use it.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<TNSConnect> {
        switch TNSPacket.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let packet, let consumed):
            guard packet.type == .connect else { return .invalid("packet type \(packet.type) is not CONNECT") }
            switch decode(body: packet.body, packetLength: packet.length) {
            case .success(let connect): return .message(connect, consumed: consumed)
            case .failure(let problem): return .invalid(problem.reason)
            }
        }
    }

    private static func decode(body: ByteBuffer, packetLength: Int) -> Result<TNSConnect, TNSLayoutProblem> {
        var body = body
        guard let version: UInt16 = body.readInteger(), let minimum: UInt16 = body.readInteger(),
            let options: UInt16 = body.readInteger(), let sdu: UInt16 = body.readInteger(),
            let tdu: UInt16 = body.readInteger(), let characteristics: UInt16 = body.readInteger(),
            body.readInteger(as: UInt16.self) != nil, let one = body.readBytes(length: 2),
            let dataLength: UInt16 = body.readInteger(), let dataOffset: UInt16 = body.readInteger(),
            let maxReceivable: UInt32 = body.readInteger(), let flags0: UInt8 = body.readInteger(),
            let flags1: UInt8 = body.readInteger(), body.readBytes(length: 24) != nil
        else { return .failure(TNSLayoutProblem("CONNECT is shorter than its fixed fields")) }
        let offset = Int(dataOffset)
        guard offset >= extensionOffset, offset + Int(dataLength) <= packetLength else {
            return .failure(TNSLayoutProblem("connect data \(dataOffset)+\(dataLength) lies outside the packet"))
        }
        var connect = TNSConnect(descriptor: "")
        connect.version = version
        connect.minimumVersion = minimum
        connect.serviceOptions = options
        connect.sdu = sdu
        connect.tdu = tdu
        connect.protocolCharacteristics = characteristics
        connect.hardwareOne = one
        connect.maxReceivableData = maxReceivable
        connect.flags0 = flags0
        connect.flags1 = flags1
        let hasExtension = offset >= extensionOffset + extensionLength
        connect.largeSDU = hasExtension ? body.getInteger(at: body.readerIndex) : nil
        connect.largeTDU = hasExtension ? body.getInteger(at: body.readerIndex + 4) : nil
        guard body.readSlice(length: offset - extensionOffset) != nil,
            let text = body.readBytes(length: Int(dataLength)),
            let descriptor = String(validating: text, as: UTF8.self)
        else { return .failure(TNSLayoutProblem("connect data is not text")) }
        connect.descriptor = descriptor
        return .success(connect)
    }
}

/// Why a packet's body does not have the layout its type promises.
struct TNSLayoutProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
