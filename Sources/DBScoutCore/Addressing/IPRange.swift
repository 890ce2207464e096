/// An inclusive range of addresses of one family, e.g. a CIDR block or `10.0.0.5-10.0.0.40`.
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address in the range.
    public let lower: IPAddress
    /// The last address in the range.
    public let upper: IPAddress

    /// Creates a range; `nil` when the bounds are of different families or out of order.
    public init?(_ lower: IPAddress, _ upper: IPAddress) {
        guard lower.isIPv4 == upper.isIPv4, lower <= upper else { return nil }
        self.lower = lower
        self.upper = upper
    }

    /// The CIDR block `address/prefix`, with host bits of `address` cleared.
    public init?(cidr address: IPAddress, prefix: Int) {
        guard (0...address.bitWidth).contains(prefix) else { return nil }
        let hostBits = address.bitWidth - prefix
        let hostMask: UInt128 = hostBits == 128 ? .max : (UInt128(1) << hostBits) - 1
        let base = address.numeric & ~hostMask
        self.init(address.sameFamily(base), address.sameFamily(base | hostMask))
    }

    /// How many addresses the range holds (saturating at `UInt128.max` for all of IPv6).
    public var count: UInt128 {
        let (span, overflow) = (upper.numeric - lower.numeric).addingReportingOverflow(1)
        return overflow ? .max : span
    }

    /// Whether `address` lies in the range.
    public func contains(_ address: IPAddress) -> Bool {
        address.isIPv4 == lower.isIPv4 && lower <= address && address <= upper
    }

    /// What is left of `self` once `other` is taken out: zero, one or two ranges.
    public func subtracting(_ other: IPRange) -> [IPRange] {
        guard other.lower.isIPv4 == lower.isIPv4, other.lower <= upper, lower <= other.upper else { return [self] }
        var rest: [IPRange] = []
        if lower < other.lower, let left = IPRange(lower, lower.sameFamily(other.lower.numeric - 1)) {
            rest.append(left)
        }
        if other.upper < upper, let right = IPRange(upper.sameFamily(other.upper.numeric + 1), upper) {
            rest.append(right)
        }
        return rest
    }

    public var description: String {
        lower == upper ? lower.description : "\(lower)-\(upper)"
    }
}

extension IPRange {
    /// Address blocks that are not routed on the public Internet: loopback, RFC 1918, shared address
    /// space (RFC 6598), link-local, IPv6 unique-local and link-local.
    public static let nonPublicBlocks: [IPRange] = [
        ("127.0.0.0", 8), ("10.0.0.0", 8), ("172.16.0.0", 12), ("192.168.0.0", 16), ("100.64.0.0", 10),
        ("169.254.0.0", 16), ("::1", 128), ("fc00::", 7), ("fe80::", 10),
    ].compactMap { text, prefix in IPAddress(text).flatMap { IPRange(cidr: $0, prefix: prefix) } }

    /// Whether any address of the range is public.
    public var touchesPublicSpace: Bool {
        var rest = [self]
        for block in IPRange.nonPublicBlocks {
            rest = rest.flatMap { $0.subtracting(block) }
        }
        return !rest.isEmpty
    }
}
