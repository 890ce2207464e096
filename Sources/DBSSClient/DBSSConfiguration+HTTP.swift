import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

extension DBSSConfiguration {
    /// The HTTP client settings: deadlines, trust roots and proxy.
    /// - Throws: ``DBSSError`` with code ``DBSSError/Code/invalidConfiguration`` naming the CA bundle or proxy.
    func httpClientConfiguration() throws(DBSSError) -> HTTPClient.Configuration {
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: TimeAmount(connectTimeout), read: TimeAmount(requestTimeout))
        // A failed connect fails the request at once, so the retry policy (bounded, jittered, visible in the logs)
        // is the only thing that retries; the pool would otherwise reconnect silently until the deadline.
        http.connectionPool.retryConnectionEstablishment = false
        if let caBundlePath { http.tlsConfiguration = try Self.tlsConfiguration(trusting: caBundlePath) }
        if let proxy { http.proxy = try Self.proxy(proxy) }
        return http
    }

    /// Client TLS that trusts exactly the certificates of a PEM file.
    static func tlsConfiguration(trusting path: String) throws(DBSSError) -> TLSConfiguration {
        func failure(_ reason: String) -> DBSSError {
            DBSSError(
                code: .invalidConfiguration,
                operation: "load the CA bundle",
                errorMessage: "the CA bundle \(path) \(reason)"
            )
        }
        guard let bytes = FileManager.default.contents(atPath: path) else { throw failure("cannot be read") }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(bytes))
        } catch {
            throw failure("is not a PEM certificate file: \(error)")
        }
        guard !certificates.isEmpty else { throw failure("holds no PEM certificate") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(certificates)
        return tls
    }

    /// An HTTP `CONNECT` proxy from `http://[user:password@]host[:port]`.
    static func proxy(_ text: String) throws(DBSSError) -> HTTPClient.Configuration.Proxy {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http",
            let host = url.host(percentEncoded: false), !host.isEmpty
        else {
            throw DBSSError(
                code: .invalidConfiguration,
                operation: "configure the proxy",
                errorMessage: "the proxy \(redactingCredentials(text)) is not an http://host:port URL"
            )
        }
        let authorization = url.user(percentEncoded: false).map { user in
            HTTPClient.Authorization.basic(username: user, password: url.password(percentEncoded: false) ?? "")
        }
        return .server(host: host, port: url.port ?? 80, authorization: authorization)
    }

    /// The proxy setting with any `user:password@` replaced, for messages.
    static func redactingCredentials(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        guard start <= at else { return text }
        return text[..<start] + "<redacted>" + text[at...]
    }
}
