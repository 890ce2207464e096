/// One option of a TCP header (RFC 9293 §3.1; MSS, window scale and timestamps from RFC 7323, SACK from RFC 2018).
///
/// The order in which a stack writes these options in its SYN and SYN-ACK is one of the best clues to which
/// stack it is, so options are kept in the order they appeared.
public enum TCPOption: Hashable, Sendable {
    /// End of option list (kind 0), and how many bytes of the option area follow it.
    case endOfList(padding: Int)
    /// No-operation (kind 1), used to align the options after it.
    case noOperation
    /// Maximum segment size (kind 2).
    case maximumSegmentSize(UInt16)
    /// Window scale shift count (kind 3).
    case windowScale(UInt8)
    /// SACK permitted (kind 4).
    case sackPermitted
    /// SACK blocks (kind 5); never expected in a SYN.
    case sack(blocks: Int)
    /// Timestamps (kind 8): the sender's clock and the echo of the peer's.
    case timestamp(value: UInt32, echo: UInt32)
    /// Any other kind, or a known kind with a length it never has.
    case unknown(kind: UInt8, length: Int)

    /// An option without its values, as option layouts compare them.
    public enum Kind: Hashable, Sendable {
        case eol, nop, mss, ws, sok, sack, ts
        case unknown(UInt8)

        /// The short name used in layouts: `mss`, `nop`, `ws`, `sok`, `sack`, `ts`, `eol`, or `?` and the kind.
        public var name: String {
            switch self {
            case .eol: "eol"
            case .nop: "nop"
            case .mss: "mss"
            case .ws: "ws"
            case .sok: "sok"
            case .sack: "sack"
            case .ts: "ts"
            case .unknown(let kind): "?\(kind)"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .endOfList: .eol
        case .noOperation: .nop
        case .maximumSegmentSize: .mss
        case .windowScale: .ws
        case .sackPermitted: .sok
        case .sack: .sack
        case .timestamp: .ts
        case .unknown(let kind, _): .unknown(kind)
        }
    }
}

extension [TCPOption.Kind] {
    /// The layout written as names joined by commas, e.g. `mss,sok,ts,nop,ws`.
    public var layoutDescription: String { map(\.name).joined(separator: ",") }
}

/// What reading a TCP option area found.
struct TCPOptionList {
    var options: [TCPOption] = []
    /// An option's length ran past the area, was below 2, or did not fit its kind.
    var malformed = false
    /// Non-zero bytes followed the end-of-list option.
    var dataAfterEnd = false

    /// Reads the option area `bytes` (at most 40 bytes: the TCP data offset caps it).
    init(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            let kind = bytes[index]
            switch kind {
            case 0:
                let rest = bytes[(index + 1)...]
                options.append(.endOfList(padding: rest.count))
                dataAfterEnd = rest.contains { $0 != 0 }
                return
            case 1:
                options.append(.noOperation)
                index += 1
            default:
                guard index + 1 < bytes.count else {
                    malformed = true
                    return
                }
                let length = Int(bytes[index + 1])
                guard length >= 2, length <= bytes.count - index else {
                    malformed = true
                    return
                }
                let option = Self.option(kind: kind, body: Array(bytes[(index + 2)..<(index + length)]))
                if case .unknown(let unknownKind, _) = option, Self.isKnown(unknownKind) { malformed = true }
                options.append(option)
                index += length
            }
        }
    }

    private static func isKnown(_ kind: UInt8) -> Bool { [2, 3, 4, 5, 8].contains(kind) }

    /// The option of `kind` whose value bytes are `body`, or `.unknown` when the length does not fit the kind.
    private static func option(kind: UInt8, body: [UInt8]) -> TCPOption {
        switch (kind, body.count) {
        case (2, 2): return .maximumSegmentSize(UInt16(body[0]) << 8 | UInt16(body[1]))
        case (3, 1): return .windowScale(body[0])
        case (4, 0): return .sackPermitted
        case (5, let count) where count >= 8 && count % 8 == 0: return .sack(blocks: count / 8)
        case (8, 8): return .timestamp(value: bigEndian32(body, 0), echo: bigEndian32(body, 4))
        default: return .unknown(kind: kind, length: body.count + 2)
        }
    }

    /// The caller checks that four bytes are there.
    private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}
