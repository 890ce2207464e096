/// The TTL a packet left its sender with, inferred from the TTL it arrived with.
///
/// Stacks start from a handful of values: 64 (Linux, the BSDs, macOS, Solaris, AIX, HP-UX), 128 (Windows), 255
/// (network equipment, load balancers, some old UNIX stacks) and, rarely now, 32. Each router on the way takes
/// one off, so the initial value is the nearest of these at or above the observed TTL, and the difference is the
/// number of hops. This is an inference: a TTL of 60 is taken as 64 less 4 hops, never as 128 less 68.
public struct TTLEstimate: Hashable, Sendable {
    /// The initial TTLs stacks use, lowest first.
    public static let initialValues: [UInt8] = [32, 64, 128, 255]

    /// The TTL the packet arrived with.
    public let observed: UInt8
    /// The inferred initial TTL: 32, 64, 128 or 255.
    public let initial: UInt8

    public init(observed: UInt8) {
        self.observed = observed
        initial = Self.initialValues.first { $0 >= observed } ?? 255
    }

    /// Routers between the sender and the capture point, by this inference.
    public var hops: Int { Int(initial) - Int(observed) }

    /// `54 (initial 64, 10 hops)`.
    public var description: String {
        "\(observed) (initial \(initial), \(hops) hop\(hops == 1 ? "" : "s"))"
    }
}
