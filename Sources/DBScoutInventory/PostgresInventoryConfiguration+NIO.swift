import DBScoutCore
import PostgresNIO

// The two PostgresNIO configurations the inventory needs: one for the direct connection that prepares the schema,
// one for the client pool. They take TLS in different forms, so both come from `tlsConfiguration`.

extension PostgresInventoryConfiguration {
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = tlsConfiguration().map { .require($0) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: user,
            password: password?.reveal(),
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            try tlsConfiguration().map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        return PostgresConnection.Configuration(
            host: host,
            port: port,
            username: user,
            password: password?.reveal(),
            database: database,
            tls: tls
        )
    }

    /// `nil` for plain TCP.
    private func tlsConfiguration() -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return nil
        case .require: configuration.certificateVerification = .none
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}
