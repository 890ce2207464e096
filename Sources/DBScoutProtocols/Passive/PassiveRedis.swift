import DBScoutCore
import NIOCore

/// Redis and its forks: each client command (a RESP array, or an inline line) is answered by one RESP reply. The
/// pairs are walked in order; INFO and HELLO replies state the version.
enum PassiveRedis {
    /// Command and reply pairs read at most.
    static let maxPairs = 16

    /// Command names a client opens with; an unknown word is not taken for a Redis command.
    static let commands: Set<String> = [
        "AUTH", "HELLO", "PING", "INFO", "SELECT", "CLIENT", "COMMAND", "ECHO", "QUIT", "CONFIG", "CLUSTER", "GET",
        "SET", "SETEX", "DEL", "EXISTS", "KEYS", "SCAN", "TYPE", "TTL", "EXPIRE", "INCR", "DECR", "MGET", "MSET",
        "HGET", "HSET", "HGETALL", "LPUSH", "RPUSH", "LRANGE", "SADD", "SMEMBERS", "ZADD", "ZRANGE", "XADD",
        "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "MULTI", "EXEC", "DBSIZE", "FLUSHDB", "READONLY", "ROLE", "SENTINEL",
    ]

    static func identify(_ exchange: PassiveExchange) -> Finding? {
        var client = exchange.client
        var server = exchange.server
        var finding: Finding?
        for _ in 0..<maxPairs {
            guard case .message(let words, let sent) = PassiveRESP.command(client),
                let name = words.first?.uppercased(), commands.contains(name),
                case .message(let reply, let read) = PassiveRESP.value(server)
            else { break }
            client.moveReaderIndex(forwardBy: sent)
            server.moveReaderIndex(forwardBy: read)
            var current = finding ?? opening(name, reply: reply, endpoint: exchange.endpoint)
            learn(from: reply, to: words, into: &current)
            finding = current
        }
        return finding
    }

    private static func opening(_ name: String, reply: PassiveRESP.Value, endpoint: Endpoint) -> Finding {
        var finding = Finding(endpoint: endpoint, product: .redis)
        finding.evidence = [Evidence("redis.client.command", name), Evidence("redis.reply", summary(reply))]
        return finding
    }

    /// Folds what a reply states (INFO fields, HELLO's map, Redis's own errors) into the finding.
    private static func learn(from reply: PassiveRESP.Value, to words: [String], into finding: inout Finding) {
        switch reply {
        case .reply(let scalar):
            guard let stated = RedisClassifier.classify(scalar, at: finding.endpoint) else { return }
            for evidence in stated.evidence where !finding.evidence.contains(evidence) {
                finding.evidence.append(evidence)
            }
            finding.version = stated.version ?? finding.version
            if stated.os != nil {
                finding.os = stated.os
                finding.osDetail = stated.osDetail
                finding.osConfidence = stated.osConfidence
            }
        case .aggregate(let elements) where words.first?.uppercased() == "HELLO":
            let fields = map(elements)
            for key in ["server", "version", "proto", "mode", "role"] {
                if let value = fields[key] { finding.evidence.append(Evidence("redis.hello.\(key)", value)) }
            }
            if finding.version == nil, let version = fields["version"] { finding.version = version }
        case .aggregate, .other:
            return
        }
    }

    /// A flat RESP3 map (or RESP2 array of pairs) with string keys and scalar values.
    private static func map(_ elements: [PassiveRESP.Value]) -> [String: String] {
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: elements.count - 1, by: 2) {
            guard let key = text(elements[index]), let value = text(elements[index + 1]) else { continue }
            fields[key] = value
        }
        return fields
    }

    private static func text(_ value: PassiveRESP.Value) -> String? {
        switch value {
        case .reply(.bulkString(let text)), .reply(.simpleString(let text)), .other(let text): text
        default: nil
        }
    }

    private static func summary(_ reply: PassiveRESP.Value) -> String {
        switch reply {
        case .reply(.simpleString(let text)): "+" + String(text.prefix(64))
        case .reply(.error(let text)): "-" + String(text.prefix(64))
        case .reply(.bulkString(let text)): "bulk string of \(text.utf8.count) bytes"
        case .aggregate(let elements): "aggregate of \(elements.count) elements"
        case .other(let text): "scalar " + String(text.prefix(64))
        }
    }
}
