/// The checked scope of a scan: which addresses and ports, after exclusions and safety rules.
public struct ScanScope: Sendable {
    public let addresses: TargetSet
    public let ports: PortSet

    /// Above this many addresses a scan needs explicit consent, as a guard against a mistyped prefix.
    public static let largeScopeThreshold: UInt128 = 65_536

    /// Checks the scope against the safety rules.
    ///
    /// - Parameters:
    ///   - allowLarge: consent to scan more than ``largeScopeThreshold`` addresses.
    ///   - allowPublic: consent to scan publicly routable addresses.
    /// - Throws: ``DBScoutError`` `unsafe-scope` naming the rule and the flag that lifts it.
    public init(addresses: TargetSet, ports: PortSet, allowLarge: Bool, allowPublic: Bool) throws {
        guard addresses.count > 0 else {
            throw DBScoutError(.unsafeScope, "no addresses left to scan once the exclusions are applied")
        }
        guard ports.count > 0 else { throw DBScoutError(.invalidPorts, "the port list is empty") }
        if addresses.count > ScanScope.largeScopeThreshold, !allowLarge {
            throw DBScoutError(
                .unsafeScope,
                "the targets hold \(addresses.count) addresses, more than \(ScanScope.largeScopeThreshold); "
                    + "pass --allow-large-scope if that is intended"
            )
        }
        if !allowPublic, let range = addresses.ranges.first(where: \.touchesPublicSpace) {
            throw DBScoutError(
                .unsafeScope,
                "\(range) includes public Internet addresses; dbscout scans private networks only unless "
                    + "--allow-public is given"
            )
        }
        self.addresses = addresses
        self.ports = ports
    }

    /// How many endpoints (address and port pairs) the scan probes, saturating at `Int.max`.
    public var endpointCount: Int {
        let (product, overflow) = addresses.count.multipliedReportingOverflow(by: UInt128(ports.count))
        return overflow || product > UInt128(Int.max) ? .max : Int(product)
    }

    /// Every endpoint, address by address, without materialising the list.
    public var endpoints: some Sequence<Endpoint> & Sendable {
        let ports = self.ports.ports
        return addresses.lazy.flatMap { address in ports.lazy.map { Endpoint(address: address, port: $0) } }
    }
}
