import DBScoutCore
import DBScoutProtocols

/// What the flow table knows of one TCP conversation when it lets go of it, and why it let go.
@dynamicMemberLookup
public struct FlowSnapshot: Sendable, Hashable {
    /// Why the table emitted the flow.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Both directions reached the per-direction byte cap.
        case full
        /// Both sides sent a FIN.
        case closed
        /// One side sent a RST.
        case reset
        /// Nothing was seen on it for the idle timeout.
        case idle
        /// Pushed out to keep the table within its flow or byte bounds, or by a new SYN on the same 4-tuple.
        case evicted
        /// Still open when the caller drained the table (end of a capture file).
        case drained
    }

    /// The conversation, as the passive classifier reads it.
    public var flow: TCPFlowSnapshot
    public var reason: Reason

    public init(_ flow: TCPFlowSnapshot, reason: Reason) {
        self.flow = flow
        self.reason = reason
    }

    /// The flow's fields, read through the snapshot (`snapshot.clientBytes`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<TCPFlowSnapshot, Value>) -> Value {
        flow[keyPath: keyPath]
    }
}
