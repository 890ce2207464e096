import DBScoutCore

/// What a MySQL-family server sent on connect: a greeting, or an ERR packet in its place.
public enum MySQLObservation: Sendable, Hashable {
    case greeting(MySQLHandshake)
    case refusal(MySQLErrorPacket)
}

/// Turns a MySQL-family greeting or refusal into a finding.
public enum MySQLClassifier {
    /// Identifies the server. A refusal still identifies a server: only a MySQL-family server sends a
    /// well-formed ERR packet as its first words.
    public static func classify(_ observation: MySQLObservation, at endpoint: Endpoint) -> Finding {
        switch observation {
        case .greeting(let greeting): classify(greeting, at: endpoint)
        case .refusal(let error): classify(error, at: endpoint)
        }
    }

    private static func classify(_ greeting: MySQLHandshake, at endpoint: Endpoint) -> Finding {
        let raw = greeting.serverVersion
        let variant = MySQLVersionString(raw, mariaDBCapabilities: (greeting.mariaDBCapabilities ?? 0) != 0)
        var finding = Finding(
            endpoint: endpoint,
            product: variant.product,
            version: variant.version,
            tls: greeting.offersTLS ? .supported : .unsupported
        )
        finding.evidence = [
            Evidence("mysql.greeting.server_version", raw),
            Evidence("mysql.greeting.capabilities", "0x" + String(greeting.capabilities, radix: 16)),
        ]
        finding.evidence += variant.evidence
        if let extended = greeting.mariaDBCapabilities, extended != 0 {
            finding.evidence.append(Evidence("mysql.greeting.mariadb_capabilities", "0x" + String(extended, radix: 16)))
        }
        if let id = greeting.collationID {
            let collation = MySQLCollation(id: id)
            finding.charset = collation.dbssCharset
            finding.evidence.append(
                Evidence("mysql.greeting.collation", "\(id) (\(collation.characterSet ?? "unknown character set"))")
            )
        }
        if let plugin = greeting.authPluginName {
            finding.evidence.append(Evidence("mysql.greeting.auth_plugin", plugin))
        }
        if let hint = osHint(in: raw) {
            // A distribution's package build names the distribution, but the server may run elsewhere (a
            // container on another host's kernel is still Linux; a copied binary is rare).
            finding.os = .linux64
            finding.osConfidence = 0.8
            finding.evidence.append(Evidence("os.hint", "version suffix '\(hint)' names a Linux distribution build"))
        }
        return finding
    }

    private static func classify(_ error: MySQLErrorPacket, at endpoint: Endpoint) -> Finding {
        let product: DatabaseProduct = error.message.lowercased().contains("mariadb") ? .mariadb : .mysql
        var finding = Finding(endpoint: endpoint, product: product)
        finding.evidence = [
            Evidence("mysql.refusal.code", String(error.code)),
            Evidence("mysql.refusal.message", error.message),
        ]
        return finding
    }

    /// Distribution markers that package builds append to the version string.
    private static let linuxMarkers = ["deb", "ubuntu", "ubu", ".el", "-el", ".fc", "maria~", "amzn", "suse", "alpine"]

    static func osHint(in version: String) -> String? {
        let lower = version.lowercased()
        return linuxMarkers.first { lower.contains($0) }
    }
}
