import DBScoutCore
import DBScoutLocal

/// Writes table lines the way the kernel does (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c): each 32-bit word of an
/// address as the host holds the network-order bytes in memory, upper-case hexadecimal, decimal uid and inode.
enum KernelTCPLine {
    static func encode(_ entry: ProcNetTCPEntry, slot: Int = 0) -> String {
        "\(slot): \(field(entry.local)) \(field(entry.remote)) \(hex(entry.state, digits: 2)) "
            + "00000000:00000000 00:00000000 00000000 \(entry.uid) 0 \(entry.inode) 1 0000000000000000 100 0 0 10 0"
    }

    private static func field(_ endpoint: Endpoint) -> String {
        let words: [UInt32] =
            switch endpoint.address {
            case .v4(let value): [value]
            case .v6(let value): (0..<4).map { UInt32(truncatingIfNeeded: value >> (96 - 32 * UInt128($0))) }
            }
        return words.map { hex($0.bigEndian, digits: 8) }.joined() + ":" + hex(endpoint.port, digits: 4)
    }

    private static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

extension Endpoint {
    /// An endpoint from text that the test knows to be valid.
    static func parse(_ address: String, _ port: UInt16) -> Endpoint {
        Endpoint(address: IPAddress(address)!, port: port)
    }
}
