import DBScoutCore
import Foundation
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// What a TLS handshake with a probed service revealed: the negotiated protocol and the server certificate.
struct TLSSession: Sendable, Hashable {
    var version: String?
    var alpn: String?
    var subject: String?
    var issuer: String?
    var subjectAlternativeNames: [String] = []
    var notValidBefore: Date?

    /// Reads the certificate's names; a certificate X509 cannot parse leaves them empty rather than failing.
    init(version: TLSVersion?, alpn: String?, certificateDER: [UInt8]?) {
        self.version = version.map { "\($0)" }
        self.alpn = alpn
        guard let der = certificateDER, let certificate = try? Certificate(derEncoded: der) else { return }
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        notValidBefore = certificate.notValidBefore
        if let names = try? certificate.extensions.subjectAlternativeNames {
            subjectAlternativeNames = names.map { "\($0)" }
        }
    }

    /// The session as evidence for a finding.
    var evidence: [Evidence] {
        var facts: [Evidence] = []
        if let version { facts.append(Evidence("tls.version", version)) }
        if let alpn { facts.append(Evidence("tls.alpn", alpn)) }
        if let subject { facts.append(Evidence("tls.certificate.subject", subject)) }
        if let issuer { facts.append(Evidence("tls.certificate.issuer", issuer)) }
        if !subjectAlternativeNames.isEmpty {
            facts.append(Evidence("tls.certificate.san", subjectAlternativeNames.joined(separator: ", ")))
        }
        if let notValidBefore {
            facts.append(Evidence("tls.certificate.not_before", ISO8601DateFormatter().string(from: notValidBefore)))
        }
        return facts
    }
}

/// TLS client contexts, one per ALPN list, made once: building a context loads the whole library state.
enum TLSContexts {
    private static let cache = Mutex<[[String]: NIOSSLContext]>([:])

    /// A client context that accepts any certificate: a probe learns who the server claims to be, it does not
    /// trust it, and it sends nothing secret.
    static func context(alpn: [String]) throws -> NIOSSLContext {
        try cache.withLock { contexts in
            if let context = contexts[alpn] { return context }
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            configuration.minimumTLSVersion = .tlsv1
            configuration.applicationProtocols = alpn
            let context = try NIOSSLContext(configuration: configuration)
            contexts[alpn] = context
            return context
        }
    }
}

/// What the connections of one probe revealed besides the protocol: TLS sessions, and the local ports they
/// used, so the scanner can attach certificates and look up the server's SYN-ACK.
final class ProbeLog: Sendable {
    private let sessions = Mutex<[TLSSession]>([])
    private let ports = Mutex<[UInt16]>([])

    func record(_ session: TLSSession) { sessions.withLock { $0.append(session) } }
    func recordLocalPort(_ port: UInt16) { ports.withLock { $0.append(port) } }
    var tlsSessions: [TLSSession] { sessions.withLock { $0 } }
    var localPorts: [UInt16] { ports.withLock { $0 } }
}
