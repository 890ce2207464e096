import Foundation

/// A throwaway certificate authority and a server certificate it signed for 127.0.0.1, made with `openssl`.
struct TestCertificates {
    let directory: URL
    var caPath: String { directory.appendingPathComponent("ca.pem").path }
    var serverCertificatePath: String { directory.appendingPathComponent("server.pem").path }
    var serverKeyPath: String { directory.appendingPathComponent("server.key").path }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var description: String { "openssl \(arguments.joined(separator: " ")) exited with \(status)" }
    }

    /// Creates the files in a new temporary directory; ``remove()`` deletes them.
    static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbss-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        let extensions =
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        try extensions.write(toFile: file("server.ext"), atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try await openssl(
            ["req", "-x509"] + key + [
                "-days", "2", "-subj", "/CN=dbscout test CA", "-keyout", file("ca.key"), "-out", file("ca.pem"),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try await openssl(
            ["req"] + key + ["-subj", "/CN=127.0.0.1", "-keyout", file("server.key"), "-out", file("server.csr")]
        )
        try await openssl([
            "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", file("server.ext"), "-out", file("server.pem"),
        ])
        return certificates
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else { throw OpenSSLFailed(arguments: arguments, status: status) }
    }
}
