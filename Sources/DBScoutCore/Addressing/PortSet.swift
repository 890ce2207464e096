/// A set of TCP ports, written like nmap's `-p`: `5432,3306,1521-1530`.
public struct PortSet: Hashable, Sendable, Sequence, CustomStringConvertible {
    /// The ports in ascending order, without duplicates.
    public let ports: [UInt16]

    /// Creates a set from ports in any order.
    public init(_ ports: some Sequence<UInt16>) {
        self.ports = Array(Set(ports)).sorted()
    }

    /// Parses a comma-separated list of ports and inclusive ranges.
    /// - Throws: ``DBScoutError`` with code `invalid-ports`, naming the item at fault.
    public init(parsing text: String) throws {
        var collected: [UInt16] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = PortSet.port(bounds[0]),
                let high = bounds.count == 2 ? PortSet.port(bounds[1]) : low, low <= high
            else {
                throw DBScoutError(
                    .invalidPorts,
                    "invalid port list '\(text)': '\(item)' is not a port (1-65535) or a range low-high"
                )
            }
            collected.append(contentsOf: low...high)
        }
        self.init(collected)
    }

    /// The well-known ports of every database DBSS audits, plus Redis, which dbscout reports but cannot register.
    public static let databaseDefaults = PortSet(KnownPort.all.map(\.port))

    public var count: Int { ports.count }
    public func makeIterator() -> IndexingIterator<[UInt16]> { ports.makeIterator() }

    /// The compact nmap form, collapsing runs into ranges.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < ports.count {
            var end = index
            while end + 1 < ports.count, ports[end + 1] == ports[end] + 1 { end += 1 }
            parts.append(end > index ? "\(ports[index])-\(ports[end])" : "\(ports[index])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    private static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCIIDigit), let value = UInt16(text), value > 0
        else { return nil }
        return value
    }
}
