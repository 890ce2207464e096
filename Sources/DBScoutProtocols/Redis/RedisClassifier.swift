import DBScoutCore

/// Turns the reply to `INFO server` into a finding.
public enum RedisClassifier {
    /// Identifies a Redis-compatible server, or `nil` when the reply is not Redis's.
    ///
    /// Only replies that a Redis server alone gives count: an INFO section with `redis_version`, or the
    /// authentication and protected-mode errors with Redis's own wording.
    public static func classify(_ reply: RedisReply, at endpoint: Endpoint) -> Finding? {
        switch reply {
        case .bulkString(let text):
            let fields = info(text)
            guard let version = fields["redis_version"] else { return nil }
            var finding = Finding(endpoint: endpoint, product: .redis, version: fields["valkey_version"] ?? version)
            for key in ["redis_version", "valkey_version", "server_name", "redis_mode", "os", "arch_bits"] {
                if let value = fields[key] { finding.evidence.append(Evidence("redis.info.\(key)", value)) }
            }
            finding.os = fields["os"].flatMap(os(fromUname:))
            if finding.os != nil {
                // INFO's os is the server's own uname: as good as a banner gets.
                finding.osDetail = fields["os"]
                finding.osConfidence = 0.95
            }
            return finding
        case .error(let message) where isRedisStateError(message):
            var finding = Finding(endpoint: endpoint, product: .redis)
            finding.evidence.append(Evidence("redis.error", message))
            return finding
        case .error, .simpleString:
            return nil
        }
    }

    private static func isRedisStateError(_ message: String) -> Bool {
        message.hasPrefix("NOAUTH Authentication required")
            || message.hasPrefix("DENIED Redis is running in protected mode")
    }

    static func info(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// INFO's `os` is `uname -s -r -m`: `Linux 6.1.0 x86_64`, `Darwin 23.1.0 arm64`, `FreeBSD 14.0 amd64`.
    static func os(fromUname uname: String) -> HostOS? {
        let kernel = uname.split(separator: " ").first.map { $0.lowercased() } ?? ""
        switch kernel {
        case "linux": return .linux64
        case "darwin", "freebsd", "openbsd", "netbsd", "sunos", "aix", "hp-ux": return .unix
        case _ where kernel.hasPrefix("windows") || kernel.hasPrefix("cygwin") || kernel.hasPrefix("mingw"):
            return .windows64
        default: return nil
        }
    }
}
