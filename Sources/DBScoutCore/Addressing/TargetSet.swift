/// The addresses to scan: the union of the targets, less the exclusions, in ascending order.
public struct TargetSet: Sendable, Sequence {
    /// Disjoint, sorted ranges that make up the set.
    public let ranges: [IPRange]

    /// Builds the set from resolved target ranges and exclusion ranges.
    public init(including: [IPRange], excluding: [IPRange] = []) {
        var rest = TargetSet.merged(including)
        for excluded in excluding {
            rest = rest.flatMap { $0.subtracting(excluded) }
        }
        ranges = rest
    }

    /// How many addresses the set holds (saturating).
    public var count: UInt128 {
        ranges.reduce(UInt128(0)) { total, range in
            let (sum, overflow) = total.addingReportingOverflow(range.count)
            return overflow ? .max : sum
        }
    }

    /// Whether any address in the set is publicly routable.
    public var touchesPublicSpace: Bool { ranges.contains(where: \.touchesPublicSpace) }

    /// Whether `address` is in the set.
    public func contains(_ address: IPAddress) -> Bool { ranges.contains { $0.contains(address) } }

    public func makeIterator() -> Iterator { Iterator(ranges: ranges[...]) }

    /// Walks the addresses in order without materialising them.
    public struct Iterator: IteratorProtocol {
        var ranges: ArraySlice<IPRange>
        var cursor: UInt128?

        public mutating func next() -> IPAddress? {
            guard let range = ranges.first else { return nil }
            let value = cursor ?? range.lower.numeric
            if value == range.upper.numeric {
                ranges = ranges.dropFirst()
                cursor = nil
            } else {
                cursor = value + 1
            }
            return range.lower.sameFamily(value)
        }
    }

    private static func merged(_ input: [IPRange]) -> [IPRange] {
        let sorted = input.sorted { $0.lower < $1.lower }
        var result: [IPRange] = []
        for range in sorted {
            if let last = result.last, last.lower.isIPv4 == range.lower.isIPv4,
                last.upper.numeric == UInt128.max || range.lower.numeric <= last.upper.numeric + 1
            {
                result[result.count - 1] = IPRange(last.lower, Swift.max(last.upper, range.upper))!
            } else {
                result.append(range)
            }
        }
        return result
    }
}
