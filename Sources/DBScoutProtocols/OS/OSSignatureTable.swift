import DBScoutCore

/// What a table row asks of the SYN or SYN-ACK window.
///
/// Stacks size their first window from the MSS, so most rules are multiples of it. The MSS a rule multiplies is
/// the packet's own, less 12 bytes when timestamps take room in every segment, and also 1460 and 1448 (Ethernet,
/// without and with timestamps), because routers on the way often clamp the MSS option after the window was set.
public enum WindowRule: Hashable, Sendable {
    /// Any window.
    case any
    /// One of these values.
    case values([UInt16])
    /// One of these multiples of the MSS.
    case segments([Int])
    /// The largest multiple of the MSS that fits in 65535.
    case largestMultipleBelow64K
    /// One of these multiples of an MSS above Ethernet's 1460 (loopback and jumbo frames).
    case largeSegments([Int])
    /// A value in this range.
    case range(ClosedRange<UInt16>)

    /// Whether `packet`'s window obeys this rule.
    func matches(_ packet: TCPSignature) -> Bool {
        let window = Int(packet.window)
        let sizes = Self.segmentSizes(packet)
        switch self {
        case .any: return true
        case .values(let values): return values.contains(packet.window)
        case .segments(let counts): return sizes.contains { size in counts.contains { $0 * size == window } }
        case .largestMultipleBelow64K: return sizes.contains { $0 >= 536 && 65535 / $0 * $0 == window }
        case .largeSegments(let counts):
            return sizes.contains { size in size > 1460 && counts.contains { $0 * size == window } }
        case .range(let range): return range.contains(packet.window)
        }
    }

    private static func segmentSizes(_ packet: TCPSignature) -> [Int] {
        let own = packet.maximumSegmentSize.map { [Int($0), Int($0) - 12] } ?? []
        return own.filter { $0 > 0 } + [1460, 1448]
    }
}

/// One row of our signature table: a stack, the TTL it starts from, and the windows one of its versions uses.
public struct OSSignature: Hashable, Sendable {
    /// The DBSS operating system this row stands for.
    public let os: HostOS
    /// What an operator reads, e.g. `Linux 4.19 or newer`.
    public let label: String
    public let stack: TCPStack
    public let initialTTL: UInt8
    public let window: WindowRule
    /// The window scale the row requires, if any.
    public let windowScale: UInt8?
    /// The packets the row applies to; `nil` for both SYNs and SYN-ACKs.
    public let role: TCPSignature.Role?
    /// How far a match can be trusted, 0...1.
    public let confidence: Double
    /// The facts the row rests on.
    public let basis: String

    init(
        _ os: HostOS,
        _ label: String,
        stack: TCPStack,
        ttl: UInt8,
        window: WindowRule,
        windowScale: UInt8? = nil,
        role: TCPSignature.Role? = nil,
        confidence: Double,
        basis: String
    ) {
        self.os = os
        self.label = label
        self.stack = stack
        self.initialTTL = ttl
        self.window = window
        self.windowScale = windowScale
        self.role = role
        self.confidence = confidence
        self.basis = basis
    }

    /// Whether this row fits `packet` in everything but the initial TTL.
    func fitsApartFromTTL(_ packet: TCPSignature, role packetRole: TCPSignature.Role, offer: OptionOffer?) -> Bool {
        (role == nil || role == packetRole)
            && (windowScale == nil || windowScale == packet.windowScale)
            && window.matches(packet)
            && stack.explains(packet.layout, role: packetRole, offer: offer)
    }
}

/// Our own table of TCP/IP signatures, written from facts (see each row's basis). The option order decides the
/// stack; the window narrows the version; the initial TTL must agree with both.
public enum OSSignatureTable {
    public static let rows: [OSSignature] = linux + windows + unix

    static let linux: [OSSignature] = [
        OSSignature(
            .linux64,
            "Linux 4.19 or newer",
            stack: .linux,
            ttl: 64,
            window: .largestMultipleBelow64K,
            confidence: 0.95,
            basis: "Linux 4.19 raised tcp_rmem's default so the first window is the largest MSS multiple below "
                + "64 KiB: 64240 (44x1460), 65160 (45x1448 with timestamps), 65483 or 65495 on loopback"
        ),
        OSSignature(
            .linux64,
            "Linux 3.12-4.18",
            stack: .linux,
            ttl: 64,
            window: .segments([20]),
            confidence: 0.9,
            basis: "a first window of 20 segments (28960, 29200), which nmap's OS database records for Linux "
                + "3.12 to 4.x and our traces show from 3.x/4.x servers"
        ),
        OSSignature(
            .linux64,
            "Linux 3.x-4.18 (loopback)",
            stack: .linux,
            ttl: 64,
            window: .values([43690]),
            confidence: 0.9,
            basis: "43690 is tcp_win_from_space(87380), the whole default receive space, which loopback's large "
                + "MSS leaves uncapped until 4.19"
        ),
        OSSignature(
            .linux64,
            "Linux 2.6.39-3.11",
            stack: .linux,
            ttl: 64,
            window: .segments([10]),
            confidence: 0.9,
            basis: "a first window of 10 segments (14480, 14600), Linux's TCP_DEFAULT_INIT_RCVWND from 2.6.39"
        ),
        OSSignature(
            .linux64,
            "Linux 2.4-2.6.38",
            stack: .linux,
            ttl: 64,
            window: .segments([4]),
            confidence: 0.85,
            basis: "a first window of 4 segments (5792, 5840), the initial-window cap of Linux before 2.6.39"
        ),
        OSSignature(
            .linux64,
            "Linux 2.6-3.x (loopback)",
            stack: .linux,
            ttl: 64,
            window: .largeSegments([2, 3]),
            confidence: 0.85,
            basis: "2 or 3 segments of a loopback MSS (32768 = 2x16384): the initial-window cap for an MSS above "
                + "1460 in Linux 2.6 and 3.x"
        ),
        OSSignature(
            .linux64,
            "Linux",
            stack: .linux,
            ttl: 64,
            window: .any,
            confidence: 0.75,
            basis: "Linux's option order (SACK-permitted and timestamps before the window scale) with TTL 64; "
                + "the window is tuned or unknown"
        ),
    ]

    static let windows: [OSSignature] = [
        OSSignature(
            .windows64,
            "Windows Vista/Server 2008 or newer",
            stack: .windows,
            ttl: 128,
            window: .values([8192, 65535]),
            role: .synAck,
            confidence: 0.9,
            basis: "Windows' option order with TTL 128 and a window of 8192 or 65535, as nmap's OS database "
                + "records for Windows 7 to 10 and Server 2008 to 2016"
        ),
        OSSignature(
            .windows64,
            "Windows 10/11 or Server 2016 and newer",
            stack: .windows,
            ttl: 128,
            window: .values([64240]),
            windowScale: 8,
            role: .syn,
            confidence: 0.9,
            basis: "Windows 10 and later open with window 64240 (44x1460) and window scale 8"
        ),
        OSSignature(
            .windows64,
            "Windows Vista/7/8 or Server 2008/2012",
            stack: .windows,
            ttl: 128,
            window: .values([8192]),
            role: .syn,
            confidence: 0.85,
            basis: "Windows Vista to 8.1 open with window 8192"
        ),
        OSSignature(
            .windows64,
            "Windows",
            stack: .windows,
            ttl: 128,
            window: .any,
            confidence: 0.75,
            basis: "Windows' option order (window scale right after the MSS) with TTL 128"
        ),
    ]

    static let unix: [OSSignature] = [
        OSSignature(
            .unix,
            "FreeBSD",
            stack: .freebsd,
            ttl: 64,
            window: .values([65535]),
            confidence: 0.8,
            basis: "FreeBSD's aligned options (mss,nop,ws,sok,ts) with TTL 64 and window 65535"
        ),
        OSSignature(
            .unix,
            "macOS or iOS",
            stack: .darwin,
            ttl: 64,
            window: .values([65535]),
            confidence: 0.85,
            basis: "XNU's option order (timestamps before SACK-permitted, EOL-padded) with TTL 64 and window 65535"
        ),
        OSSignature(
            .unix,
            "Solaris 10/11",
            stack: .solaris,
            ttl: 64,
            window: .range(32768...65534),
            confidence: 0.75,
            basis: "Solaris' option order (timestamps first, or Windows' order without timestamps) with TTL 64 and "
                + "a window computed from its buffer size, not one of Windows' values"
        ),
        OSSignature(
            .unix,
            "Solaris 11",
            stack: .solaris11,
            ttl: 64,
            window: .any,
            confidence: 0.75,
            basis: "later Solaris 11's option order (sok,ts,mss,nop,ws) with TTL 64"
        ),
        OSSignature(
            .unix,
            "AIX",
            stack: .aix,
            ttl: 64,
            window: .values([65535]),
            confidence: 0.75,
            basis: "AIX answers without SACK (off by default): mss,nop,ws,nop,nop,ts, TTL 64, window 65535"
        ),
        OSSignature(
            .unix,
            "HP-UX 11",
            stack: .hpux,
            ttl: 64,
            window: .values([32768]),
            confidence: 0.75,
            basis: "HP-UX 11's option order (mss,nop,nop,sok,ws,nop,nop,nop,ts) with TTL 64 and window 32768"
        ),
    ]
}
