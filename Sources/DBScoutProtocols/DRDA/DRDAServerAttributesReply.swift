import NIOCore

/// EXCSATRD: what a DRDA server says about itself in answer to EXCSAT.
public struct DRDAServerAttributesReply: Sendable, Hashable {
    /// EXTNAM, e.g. `db2sysc 0` or `db2db2agent00000C410`.
    public var externalName: String?
    /// SRVNAM: for Db2, the instance name.
    public var serverName: String?
    /// SRVRLSLV, e.g. `SQL11055`.
    public var releaseLevel: String?
    /// SRVCLSNM, e.g. `QDB2/LINUXX8664`.
    public var serverClassName: String?
    public var productID: String?
    public var managerLevels: [DRDAManagerLevel]
    /// How the server encoded its names.
    public var encoding: DRDAText.Encoding?

    /// DDM caps names at 255 bytes.
    static let maxNameBytes = 255

    public init(
        externalName: String? = nil,
        serverName: String? = nil,
        releaseLevel: String? = nil,
        serverClassName: String? = nil,
        productID: String? = nil,
        managerLevels: [DRDAManagerLevel] = [],
        encoding: DRDAText.Encoding? = nil
    ) {
        self.externalName = externalName
        self.serverName = serverName
        self.releaseLevel = releaseLevel
        self.serverClassName = serverClassName
        self.productID = productID
        self.managerLevels = managerLevels
        self.encoding = encoding
    }

    /// Decodes the EXCSATRD answering request `correlationID` from the front of `bytes`.
    ///
    /// The first DSS must be a reply or object DSS with our correlation id, holding an EXCSATRD whose parameters
    /// tile it exactly. An unreadable name is left out rather than guessed.
    public static func decode(_ bytes: ByteBuffer, correlationID: UInt16) -> Decoded<DRDAServerAttributesReply> {
        switch DRDADataStream.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let stream, let consumed):
            guard stream.kind == .reply || stream.kind == .object else {
                return .invalid("DSS type \(stream.kind) is not a reply")
            }
            guard stream.correlationID == correlationID else {
                return .invalid("correlation id \(stream.correlationID) does not answer request \(correlationID)")
            }
            guard stream.codePoint == DRDACodePoint.exchangeServerAttributesReply else {
                return .invalid("reply object 0x\(String(stream.codePoint, radix: 16)) is not EXCSATRD (0x1443)")
            }
            guard let parameters = DRDADataStream.parameters(in: stream.objectBody) else {
                return .invalid("EXCSATRD parameters do not tile the object")
            }
            return reply(from: parameters).map { .message($0, consumed: consumed) }
                ?? .invalid("EXCSATRD has an oversized name or a malformed manager-level list")
        }
    }

    private static func reply(from parameters: [DRDAParameter]) -> DRDAServerAttributesReply? {
        var reply = DRDAServerAttributesReply()
        let names: [UInt16: WritableKeyPath<DRDAServerAttributesReply, String?>] = [
            DRDACodePoint.externalName: \.externalName,
            DRDACodePoint.serverName: \.serverName,
            DRDACodePoint.serverReleaseLevel: \.releaseLevel,
            DRDACodePoint.serverClassName: \.serverClassName,
            DRDACodePoint.productID: \.productID,
        ]
        for parameter in parameters {
            if let field = names[parameter.codePoint] {
                guard parameter.value.count <= maxNameBytes else { return nil }
                guard let (text, encoding) = DRDAText.decode(parameter.value) else { continue }
                reply[keyPath: field] = text
                if !text.isEmpty, reply.encoding == nil { reply.encoding = encoding }
            } else if parameter.codePoint == DRDACodePoint.managerLevels {
                guard let levels = managerLevels(parameter.value) else { return nil }
                reply.managerLevels = levels
            }
        }
        return reply
    }

    private static func managerLevels(_ value: [UInt8]) -> [DRDAManagerLevel]? {
        guard value.count.isMultiple(of: 4) else { return nil }
        let word = { (offset: Int) -> UInt16 in UInt16(value[offset]) << 8 | UInt16(value[offset + 1]) }
        return stride(from: 0, to: value.count, by: 4).map { DRDAManagerLevel(word($0), word($0 + 2)) }
    }
}
