import DBScoutCore
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns target specs into address ranges, resolving hostnames with the system resolver.
public enum TargetResolver {
    /// Resolves every spec; a hostname becomes the addresses it resolves to.
    /// - Throws: ``DBScoutError`` `invalid-target` naming a hostname that does not resolve.
    public static func resolve(_ specs: [TargetSpec]) async throws -> [IPRange] {
        var ranges: [IPRange] = []
        for spec in specs {
            switch spec {
            case .range(let range):
                ranges.append(range)
            case .hostname(let name):
                let addresses = try await lookUp(name)
                ranges.append(contentsOf: addresses.map { IPRange($0, $0)! })
            }
        }
        return ranges
    }

    private static func lookUp(_ name: String) async throws -> [IPAddress] {
        // getaddrinfo blocks; keep it off the cooperative pool.
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingLookUp(name) })
            }
        }
    }

    private static func blockingLookUp(_ name: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = gai_strerror(status).map { String(validatingCString: $0) ?? "" } ?? "unknown error"
            throw DBScoutError(.invalidTarget, "invalid target '\(name)': the hostname does not resolve (\(reason))")
        }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let address = ipAddress(entry.pointee.ai_addr), !found.contains(address) else { continue }
            found.append(address)
        }
        return found
    }

    /// The numeric address in a socket address. getnameinfo reads the sockaddr itself, which keeps its fields
    /// (declared by more than one C module on Linux, which breaks optimised builds) out of our code.
    static func ipAddress(_ socketAddress: UnsafeMutablePointer<sockaddr>?) -> IPAddress? {
        guard let socketAddress else { return nil }
        let length: Int
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET: length = MemoryLayout<sockaddr_in>.size
        case AF_INET6: length = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(socketAddress, socklen_t(length), &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0
        else { return nil }
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        // A link-local IPv6 address comes with its zone (`fe80::1%eth0`); the address is what is compared.
        return IPAddress(String(decoding: bytes.prefix { $0 != UInt8(ascii: "%") }, as: UTF8.self))
    }
}
