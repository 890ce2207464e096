import DBScoutCore
import DBScoutProtocols

/// One TCP segment read from a captured frame: who sent it to whom, its sequence numbers and flags, its headers
/// (for SYN and SYN-ACK signatures) and its payload.
///
/// `headers` and `payload` are slices of the captured frame, so decoding copies nothing; copy them (`Array(...)`)
/// before keeping them for long, or the whole frame stays alive with them.
public struct TCPSegment: Sendable, Hashable {
    public let source: Endpoint
    public let destination: Endpoint
    public let sequence: UInt32
    public let acknowledgment: UInt32
    public let flags: TCPFlags
    /// The IP header (IPv6 extension headers included) followed by the TCP header with its options.
    public let headers: ArraySlice<UInt8>
    /// The bytes after the TCP header, without link-layer padding.
    public let payload: ArraySlice<UInt8>

    public init(
        source: Endpoint,
        destination: Endpoint,
        sequence: UInt32,
        acknowledgment: UInt32,
        flags: TCPFlags,
        headers: ArraySlice<UInt8> = [],
        payload: ArraySlice<UInt8> = []
    ) {
        self.source = source
        self.destination = destination
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.headers = headers
        self.payload = payload
    }
}
