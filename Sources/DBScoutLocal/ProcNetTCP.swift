import DBScoutCore

/// One socket from the kernel's TCP tables, `/proc/net/tcp` (IPv4) and `/proc/net/tcp6` (IPv6).
public struct ProcNetTCPEntry: Hashable, Sendable {
    /// The address and port the socket is bound to; `0.0.0.0` or `::` for a wildcard listener.
    public let local: Endpoint
    /// The peer; `0.0.0.0:0` or `[::]:0` for a listener.
    public let remote: Endpoint
    /// The kernel's TCP state number (include/net/tcp_states.h): 0x01 established, 0x0A listen, and so on.
    public let state: UInt8
    /// The user that owns the socket, as the kernel maps it into the reader's user namespace.
    public let uid: UInt32
    /// The socket's inode, which `/proc/PID/fd/N` names as `socket:[inode]`; 0 for sockets no file refers to.
    public let inode: UInt64

    /// Creates an entry.
    public init(local: Endpoint, remote: Endpoint, state: UInt8, uid: UInt32, inode: UInt64) {
        self.local = local
        self.remote = remote
        self.state = state
        self.uid = uid
        self.inode = inode
    }

    /// The `TCP_LISTEN` state number.
    public static let listenState: UInt8 = 0x0A

    /// Whether the socket is listening for connections.
    public var isListening: Bool { state == Self.listenState }
}

/// Parses the kernel's TCP tables.
///
/// A line reads `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`, for example
/// `0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000 104 0 12345 1 ...`. The kernel prints
/// each 32-bit word of an address as the machine holds it in memory, so on little-endian hosts (x86-64, arm64) the
/// bytes of every word are reversed: `0200007F` is 127.0.0.2, and an IPv6 address is four such words. Ports, the
/// state and the queues are plain hexadecimal numbers; the uid and inode are decimal.
public enum ProcNetTCP {
    /// Parses one table line.
    ///
    /// The kernel always prints at least one field after the inode (a reference count), and it is required here: a
    /// line cut short inside the inode is rejected rather than read as a different inode.
    ///
    /// - Parameter line: A line of `/proc/net/tcp` or `/proc/net/tcp6`, with or without its newline.
    /// - Returns: The socket, or `nil` for the header line and for anything malformed or truncated.
    public static func parseLine(_ line: some StringProtocol) -> ProcNetTCPEntry? {
        parse(line.utf8)
    }

    /// Parses a whole table, skipping the header and any line that does not parse.
    ///
    /// - Parameter text: The contents of `/proc/net/tcp` or `/proc/net/tcp6`.
    /// - Returns: The sockets in table order.
    public static func parseTable(_ text: some StringProtocol) -> [ProcNetTCPEntry] {
        // Bytes rather than characters: the kernel ends lines with "\n", and a large table splits much faster.
        text.utf8.split(separator: UInt8(ascii: "\n")).compactMap { parse($0) }
    }

    private static func parse(_ line: some Collection<UInt8>) -> ProcNetTCPEntry? {
        let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { Array($0) }
        guard fields.count >= 11, fields[0].last == UInt8(ascii: ":"),
            decimal(fields[0].dropLast(), as: UInt64.self) != nil,
            let local = endpoint(fields[1]), let remote = endpoint(fields[2]),
            let state = hexadecimal(fields[3][...], digits: 2, as: UInt8.self),
            let uid = decimal(fields[7], as: UInt32.self),
            let inode = decimal(fields[9], as: UInt64.self)
        else { return nil }
        return ProcNetTCPEntry(local: local, remote: remote, state: state, uid: uid, inode: inode)
    }

    /// `ADDRESS:PORT` with an 8- or 32-digit address and a 4-digit port.
    private static func endpoint(_ field: [UInt8]) -> Endpoint? {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")),
            let address = address(field[..<colon]),
            let port = hexadecimal(field[(colon + 1)...], digits: 4, as: UInt16.self)
        else { return nil }
        return Endpoint(address: address, port: port)
    }

    private static func address(_ hex: ArraySlice<UInt8>) -> IPAddress? {
        switch hex.count {
        case 8:
            return hexadecimal(hex, digits: 8, as: UInt32.self).map { .v4(UInt32(bigEndian: $0)) }
        case 32:
            var value: UInt128 = 0
            for start in stride(from: hex.startIndex, to: hex.endIndex, by: 8) {
                guard let word = hexadecimal(hex[start..<start + 8], digits: 8, as: UInt32.self) else { return nil }
                value = value << 32 | UInt128(UInt32(bigEndian: word))
            }
            return .v6(value)
        default:
            return nil
        }
    }

    /// Exactly `digits` hexadecimal digits, no sign (the standard library's radix parser would accept `+`).
    private static func hexadecimal<T: FixedWidthInteger>(_ text: ArraySlice<UInt8>, digits: Int, as: T.Type) -> T? {
        guard text.count == digits else { return nil }
        var value: T = 0
        for byte in text {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | T(digit)
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
