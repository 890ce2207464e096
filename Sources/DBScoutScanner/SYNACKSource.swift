import DBScoutCore

/// Where the scanner looks up the SYN-ACK a server sent to one of its connects (a live capture, in practice),
/// to read the server's TCP/IP stack.
public protocol SYNACKSource: Sendable {
    /// The IPv4 and TCP headers of the SYN-ACK from `endpoint` to our `localPort`, if it was seen.
    func synAck(from endpoint: Endpoint, toLocalPort localPort: UInt16) async -> [UInt8]?
}
