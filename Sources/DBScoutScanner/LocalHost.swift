import DBScoutCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The machine dbscout runs on: its own addresses and its operating system, so that a database found on one of
/// those addresses gets the OS from the source rather than from a guess.
public struct LocalHost: Sendable {
    /// Addresses of this host's interfaces (loopback is always local).
    public let addresses: Set<IPAddress>
    public let os: HostOS?
    /// E.g. `Linux 6.1.0 x86_64, Debian GNU/Linux 12 (bookworm)`.
    public let detail: String

    public init(addresses: Set<IPAddress>, os: HostOS?, detail: String) {
        self.addresses = addresses
        self.os = os
        self.detail = detail
    }

    /// Whether `address` is this host: one of its interface addresses, or any loopback address.
    public func contains(_ address: IPAddress) -> Bool {
        addresses.contains(address) || IPRange.loopback.contains { $0.contains(address) }
    }

    /// Reads the interface addresses, `uname` and /etc/os-release.
    public static func current() -> LocalHost {
        var names = utsname()
        uname(&names)
        let kernel = [
            withUnsafeBytes(of: &names.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
            withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
            withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
        ]
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)).flatMap(prettyName)
        let detail = ([kernel.joined(separator: " ")] + (release.map { [$0] } ?? [])).joined(separator: ", ")
        return LocalHost(addresses: interfaceAddresses(), os: hostOS(kernel: kernel[0]), detail: detail)
    }

    static func hostOS(kernel: String) -> HostOS? {
        switch kernel.lowercased() {
        case "linux": .linux64
        case "darwin", "freebsd", "openbsd", "netbsd", "sunos", "aix": .unix
        default: nil
        }
    }

    /// `PRETTY_NAME` from os-release, unquoted.
    static func prettyName(_ text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(
                in: CharacterSet(charactersIn: "\"'")
            )
        }
        return nil
    }

    private static func interfaceAddresses() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var found: Set<IPAddress> = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            if let address = TargetResolver.ipAddress(entry.pointee.ifa_addr) { found.insert(address) }
        }
        return found
    }
}

extension IPRange {
    /// 127.0.0.0/8 and ::1.
    static let loopback: [IPRange] = [
        IPRange(cidr: IPAddress("127.0.0.0")!, prefix: 8)!, IPRange(cidr: IPAddress("::1")!, prefix: 128)!,
    ]
}
