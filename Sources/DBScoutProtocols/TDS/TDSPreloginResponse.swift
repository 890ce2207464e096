import NIOCore

/// The server's answer to a PRELOGIN: a PRELOGIN option table in a tabular-result packet (type 0x04).
///
/// Type 0x04 also carries every ordinary result after login, so the packet type alone proves nothing; the
/// decoder insists on a well-formed option table that starts with VERSION and holds ENCRYPTION.
public struct TDSPreloginResponse: Sendable, Hashable {
    /// The server's product version, e.g. 8.0.2039 for SQL Server 2000 SP4.
    public var version: TDSProductVersion
    public var encryption: TDSEncryption
    public var instance: TDSInstanceOption?
    /// The server thread serving the connection, when the server says (little-endian ULONG).
    public var threadID: UInt32?
    /// Whether the server enables Multiple Active Result Sets (SQL Server 2005 and later send it).
    public var mars: Bool?
    /// Whether the server requires federated (Entra ID) authentication.
    public var fedAuthRequired: Bool?
    /// Whether the server sent a NONCEOPT (it does when the client sent one, for federated authentication).
    public var hasNonce: Bool
    /// Tokens MS-TDS does not define (yet), in table order; their data was bounds-checked and skipped.
    public var unknownTokens: [UInt8]

    public init(
        version: TDSProductVersion,
        encryption: TDSEncryption,
        instance: TDSInstanceOption? = nil,
        threadID: UInt32? = nil,
        mars: Bool? = nil,
        fedAuthRequired: Bool? = nil,
        hasNonce: Bool = false,
        unknownTokens: [UInt8] = []
    ) {
        self.version = version
        self.encryption = encryption
        self.instance = instance
        self.threadID = threadID
        self.mars = mars
        self.fedAuthRequired = fedAuthRequired
        self.hasNonce = hasNonce
        self.unknownTokens = unknownTokens
    }

    /// Decodes the response from the front of `bytes`.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<TDSPreloginResponse> {
        switch TDSPacket.decode(bytes, type: TDSPacket.PacketType.tabularResult) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let packet, let consumed):
            do {
                return .message(try parse(packet.payload), consumed: consumed)
            } catch {
                return .invalid(error.reason)
            }
        }
    }

    static func parse(_ payload: ByteBuffer) throws(TDSDecodingFailure) -> TDSPreloginResponse {
        let table = try TDSPreloginOptionTable.parse(payload)
        guard table.options.first?.token == TDSPreloginToken.version.rawValue else {
            throw TDSDecodingFailure("the first option is not VERSION")
        }
        let values = Dictionary(table.options.map { ($0.token, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let version = values[TDSPreloginToken.version.rawValue].flatMap(TDSProductVersion.init) else {
            throw TDSDecodingFailure("VERSION is not six bytes")
        }
        guard let encryption = values[TDSPreloginToken.encryption.rawValue].flatMap(TDSEncryption.init) else {
            throw TDSDecodingFailure("ENCRYPTION is missing, or not one defined byte")
        }
        var response = TDSPreloginResponse(version: version, encryption: encryption)
        for (token, value) in table.options {
            if let known = TDSPreloginToken(rawValue: token) {
                try response.read(known, value)
            } else {
                response.unknownTokens.append(token)
            }
        }
        return response
    }

    /// Reads an optional option. An empty value says nothing (SQL Server 2000 sends an empty THREADID); any other
    /// size than the option's own, or an undefined flag value, means this is not a PRELOGIN answer.
    private mutating func read(_ token: TDSPreloginToken, _ value: ByteBuffer) throws(TDSDecodingFailure) {
        guard value.readableBytes > 0 else { return }
        var value = value
        switch token {
        case .instance:
            instance = TDSInstanceOption(value)
            if instance == nil { throw TDSDecodingFailure("INSTOPT is neither a validity byte nor a name") }
        case .threadID:
            threadID = value.readableBytes == 4 ? value.readInteger(endianness: .little) : nil
            if threadID == nil { throw TDSDecodingFailure("THREADID is not four bytes") }
        case .mars: mars = try Self.flag(value, "MARS")
        case .fedAuthRequired: fedAuthRequired = try Self.flag(value, "FEDAUTHREQUIRED")
        case .nonce:
            guard value.readableBytes == 32 else { throw TDSDecodingFailure("NONCEOPT is not 32 bytes") }
            hasNonce = true
        case .traceID:
            // Connection id, activity id, sequence: the server has no reason to send it, but it is well-defined.
            guard value.readableBytes == 36 else { throw TDSDecodingFailure("TRACEID is not 36 bytes") }
        case .version, .encryption:
            return
        }
    }

    private static func flag(_ value: ByteBuffer, _ name: String) throws(TDSDecodingFailure) -> Bool {
        guard value.readableBytes == 1, let byte: UInt8 = value.getInteger(at: value.readerIndex), byte <= 1 else {
            throw TDSDecodingFailure("\(name) is not one byte of 0 or 1")
        }
        return byte == 1
    }
}
