import DBSSClient
import DBSSEmulator
import DBScoutCore
import Foundation
import Logging
import NIOSSL
import Testing

/// The CA bundle and the proxy over real sockets: a TLS terminator and a `CONNECT` proxy in front of the emulator.
@Suite("DBSS client TLS and proxy")
struct TLSAndProxyTests {
    private func expectConfigurationError(
        _ adjust: @escaping (inout DBSSConfiguration) -> Void
    ) async throws -> DBSSError {
        var thrown: DBSSError?
        try await ClientHarness.withEmulator { emulator in
            var configuration = ClientHarness.configuration(emulator)
            adjust(&configuration)
            thrown = try await #require(throws: DBSSError.self) {
                try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test")) { _ in }
            }
            #expect(emulator.requestCount() == 0)
        }
        let error = try #require(thrown)
        #expect(error.code == .invalidConfiguration)
        #expect(error.action == .stop)
        return error
    }

    @Test func aMissingCABundleIsNamed() async throws {
        let path = "/nonexistent/dbscout-ca-\(UUID()).pem"
        let error = try await expectConfigurationError { $0.caBundlePath = path }
        #expect(error.description.contains(path))
    }

    @Test func aCABundleWithoutCertificatesIsNamed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID()).pem").path
        try "this is not PEM\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try await expectConfigurationError { $0.caBundlePath = path }
        #expect(error.description.contains(path))
    }

    @Test func aBadProxyURLIsRefusedWithoutShowingItsPassword() async throws {
        let error = try await expectConfigurationError { $0.proxy = "socks5://user:proxy-pass-Tq4@127.0.0.1:1080" }
        #expect(error.description.contains("127.0.0.1:1080"))
        #expect(!error.description.contains("proxy-pass-Tq4"))
    }

    @Test func theCABundleDecidesWhetherTheServerIsTrusted() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let serverConfiguration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificatePath).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyPath, format: .pem))
        )
        let context = try NIOSSLContext(configuration: serverConfiguration)
        try await ClientHarness.withEmulator { emulator in
            try await TCPRelay.run(.tlsTerminator(context, host: "127.0.0.1", port: emulator.port)) { relay in
                var configuration = ClientHarness.configuration(emulator)
                configuration.endpoint = "https://127.0.0.1:\(relay.port)"
                let untrusted = try await #require(throws: DBSSError.self) {
                    try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test")) {
                        try await $0.listDatabases()
                    }
                }
                #expect(untrusted.code == .tlsFailure)
                #expect(untrusted.action == .stop)
                #expect(emulator.requestCount() == 0, "nothing passed the handshake")

                configuration.caBundlePath = certificates.caPath
                let page = try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test"))
                {
                    try await $0.listDatabases()
                }
                #expect(page.total == 0)
                #expect(emulator.requestCount(.listDatabases, status: 200) == 1)
            }
        }
    }

    @Test func callsGoThroughTheConfiguredProxy() async throws {
        try await ClientHarness.withEmulator { emulator in
            try await TCPRelay.run(.connectProxy) { proxy in
                var configuration = ClientHarness.configuration(emulator)
                configuration.proxy = "http://127.0.0.1:\(proxy.port)"
                let id = try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test")) {
                    try await $0.addDatabase(ClientHarness.database)
                }
                #expect(emulator.databases().map(\.id) == [id])
                #expect(proxy.tunnels == ["127.0.0.1:\(emulator.port)"])
            }
        }
    }
}
