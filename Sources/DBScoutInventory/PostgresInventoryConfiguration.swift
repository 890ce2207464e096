import DBScoutCore
import Foundation

/// Where a fleet's shared inventory lives: a PostgreSQL database, named by a `postgres://` URL.
///
/// The password is never part of ``description``, so the configuration can be logged and named in errors.
public struct PostgresInventoryConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected, after libpq's `sslmode` values of the same names.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS, without checking the server's certificate.
        case require
        /// TLS, with the certificate checked against the system's trust roots and the host name (or address).
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: Secret?
    public var database: String
    public var tls: TLSMode
    /// The most connections one agent opens; registration is sequential, so a few suffice.
    public var maximumConnections: Int

    public init(
        host: String,
        port: Int = 5432,
        user: String,
        password: Secret?,
        database: String,
        tls: TLSMode = .require,
        maximumConnections: Int = 4
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
    }

    /// Reads `postgres://user[:password]@host[:port]/database[?sslmode=disable|require|verify-full]` (or
    /// `postgresql://`). The database defaults to the user's name, the port to 5432 and `sslmode` to `require`.
    ///
    /// - Parameter password: the password when it is kept out of the URL (say, from an environment variable, so
    ///   that it never shows in a process listing). Giving one here and one in the URL is an error.
    /// - Throws: ``DBScoutError`` `invalidConfiguration` naming what is wrong; the message never holds a password.
    public init(url: String, password: Secret? = nil) throws {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme)
        else {
            throw Self.invalid("the inventory URL must look like postgres://user@host:port/database")
        }
        let host = (components.host ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { throw Self.invalid("the inventory URL names no host") }
        guard let user = components.user, !user.isEmpty else {
            throw Self.invalid("the inventory URL names no user (postgres://user@\(host)/database)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Self.invalid("the inventory URL's port \(port) is out of range") }
        if components.password != nil, password != nil {
            throw Self.invalid("the inventory password is given both in the URL and separately; give one")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw Self.invalid("the inventory URL's database name '\(path)' holds a '/'") }
        self.init(
            host: host,
            port: port,
            user: user,
            password: password ?? components.password.map(Secret.init),
            database: path.isEmpty ? user : path,
            tls: try Self.tlsMode(components.queryItems ?? [])
        )
    }

    /// `user@host:port/database`, never the password.
    public var description: String {
        let address = host.contains(":") ? "[\(host)]" : host
        return "\(user)@\(address):\(port)/\(database)"
    }

    private static func tlsMode(_ items: [URLQueryItem]) throws -> TLSMode {
        var mode = TLSMode.require
        for item in items {
            guard item.name == "sslmode" else {
                throw invalid("the inventory URL has an unknown parameter '\(item.name)' (only sslmode is read)")
            }
            guard let value = item.value.flatMap(TLSMode.init(rawValue:)) else {
                let known = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid("the inventory URL's sslmode '\(item.value ?? "")' is not one of \(known)")
            }
            mode = value
        }
        return mode
    }

    private static func invalid(_ message: String) -> DBScoutError {
        DBScoutError(.invalidConfiguration, message)
    }
}
