import NIOCore

/// An ACCEPT: the listener (or a dispatcher) takes the connection and states the protocol version it settled on.
public struct TNSAccept: Sendable, Hashable {
    /// The settled protocol version: the lower of the client's offer and the server's own highest.
    public let version: UInt16
    public let serviceOptions: UInt16
    /// The SDU and TDU; from protocol 315 on these are the 4-byte values that follow the fixed fields.
    public let sdu: UInt32
    public let tdu: UInt32
    public let flags0: UInt8
    public let flags1: UInt8
    /// Accept data: empty for a session, a descriptor when a listener answers a command.
    public let data: [UInt8]

    /// The protocol versions a real listener states; anything else is not TNS.
    public static let plausibleVersions: ClosedRange<UInt16> = 300...399
    static let fixedBodyLength = 16
    static let largeFieldsOffset = 24

    /// The accept data as text, when it is printable ASCII.
    public var text: String? { TNSText.printable(data) }

    /// Decodes the body of an ACCEPT packet, checking every field whose value is fixed or bounded.
    static func decode(_ packet: TNSPacket) -> Result<TNSAccept, TNSLayoutProblem> {
        var body = packet.body
        guard let version: UInt16 = body.readInteger(), let options: UInt16 = body.readInteger(),
            let sdu: UInt16 = body.readInteger(), let tdu: UInt16 = body.readInteger(),
            let one = body.readBytes(length: 2), let dataLength: UInt16 = body.readInteger(),
            let dataOffset: UInt16 = body.readInteger(), let flags0: UInt8 = body.readInteger(),
            let flags1: UInt8 = body.readInteger()
        else { return .failure(TNSLayoutProblem("ACCEPT is shorter than its fixed fields")) }
        guard plausibleVersions.contains(version) else {
            return .failure(TNSLayoutProblem("ACCEPT version \(version) is outside \(plausibleVersions)"))
        }
        guard one == [1, 0] || one == [0, 1] else {
            return .failure(TNSLayoutProblem("ACCEPT does not carry the integer 1 where the byte order goes"))
        }
        let offset = Int(dataOffset) - TNSPacket.headerLength
        guard offset >= fixedBodyLength, offset + Int(dataLength) <= packet.body.readableBytes else {
            return .failure(TNSLayoutProblem("accept data \(dataOffset)+\(dataLength) lies outside the packet"))
        }
        let fields = packet.body.readerIndex + largeFieldsOffset
        let hasLargeFields = version >= TNSLengthForm.firstLongVersion && offset >= largeFieldsOffset + 8
        let accept = TNSAccept(
            version: version,
            serviceOptions: options,
            sdu: hasLargeFields ? packet.body.getInteger(at: fields) ?? UInt32(sdu) : UInt32(sdu),
            tdu: hasLargeFields ? packet.body.getInteger(at: fields + 4) ?? UInt32(tdu) : UInt32(tdu),
            flags0: flags0,
            flags1: flags1,
            data: packet.body.getBytes(at: packet.body.readerIndex + offset, length: Int(dataLength)) ?? []
        )
        return .success(accept)
    }
}
