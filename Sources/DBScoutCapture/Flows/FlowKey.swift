import DBScoutCore

/// An endpoint packed into plain integers: cheap to hash, and it keeps 128-bit payloads out of the table's
/// dictionary (SYNACKCapture met a run-time crash with IPAddress keys on Linux).
struct PackedEndpoint: Hashable, Sendable, Comparable {
    let family: UInt8
    let high: UInt64
    let low: UInt64
    let port: UInt16

    init(_ endpoint: Endpoint) {
        let numeric = endpoint.address.numeric
        family = endpoint.address.isIPv4 ? 4 : 6
        high = UInt64(truncatingIfNeeded: numeric >> 64)
        low = UInt64(truncatingIfNeeded: numeric)
        port = endpoint.port
    }

    var endpoint: Endpoint {
        let numeric = UInt128(high) << 64 | UInt128(low)
        let address: IPAddress = family == 4 ? .v4(UInt32(truncatingIfNeeded: numeric)) : .v6(numeric)
        return Endpoint(address: address, port: port)
    }

    static func < (lhs: PackedEndpoint, rhs: PackedEndpoint) -> Bool {
        (lhs.family, lhs.high, lhs.low, lhs.port) < (rhs.family, rhs.high, rhs.low, rhs.port)
    }
}

/// A TCP 4-tuple that is the same whichever way the segment goes.
struct FlowKey: Hashable, Sendable {
    let lower: PackedEndpoint
    let upper: PackedEndpoint

    init(_ one: PackedEndpoint, _ other: PackedEndpoint) {
        (lower, upper) = one < other ? (one, other) : (other, one)
    }

    /// Three words instead of eight fields: the table hashes a key for every packet.
    func hash(into hasher: inout Hasher) {
        hasher.combine(lower.low ^ (upper.high &* 0x9E37_79B9_7F4A_7C15))
        hasher.combine(upper.low ^ (lower.high &* 0xC2B2_AE3D_27D4_EB4F))
        hasher.combine(UInt64(lower.port) << 32 | UInt64(upper.port) << 16 | UInt64(lower.family) << 8)
    }
}
