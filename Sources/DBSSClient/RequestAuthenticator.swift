import DBScoutCore
import Foundation
import Logging
import NIOHTTP1

/// Puts the configured credentials on each DBSS request.
struct RequestAuthenticator: Sendable {
    private enum Mode: Sendable {
        case token(Secret)
        case iam(IAMTokenCache)
        case signer(AKSKSigner)
    }

    private let mode: Mode

    /// - Parameter iamExecutor: Sends the IAM token requests (unpaced, unauthenticated).
    init(_ authentication: DBSSAuthentication, projectID: String, iamExecutor: RetryingExecutor, logger: Logger) {
        switch authentication {
        case .token(let token):
            mode = .token(token)
        case .iam(let credentials):
            mode = .iam(
                IAMTokenCache(credentials: credentials, projectID: projectID, executor: iamExecutor, logger: logger)
            )
        case .accessKey(let ak, let sk, let securityToken):
            mode = .signer(AKSKSigner(accessKey: ak, secretKey: sk, projectID: projectID, securityToken: securityToken))
        }
    }

    /// Whether a 401 may be cured by obtaining a new token.
    var canReauthenticate: Bool {
        if case .iam = mode { return true }
        return false
    }

    /// Adds the credentials to `request`.
    /// - Returns: The token sent, to hand to ``renew(after:)`` if DBSS refuses it.
    /// - Throws: ``DBSSError`` when no IAM token can be obtained.
    func authorize(_ request: inout OutgoingRequest) async throws -> Secret? {
        switch mode {
        case .token(let token):
            request.headers.replaceOrAdd(name: "X-Auth-Token", value: token.reveal())
            request.secrets.append(token.reveal())
            return token
        case .iam(let cache):
            let token = try await cache.token()
            request.headers.replaceOrAdd(name: "X-Auth-Token", value: token.reveal())
            request.secrets.append(token.reveal())
            return token
        case .signer(let signer):
            // The URL was checked when the client was made; an unparsable one could not be sent either.
            guard let url = URL(string: request.url) else { return nil }
            let added = signer.sign(
                method: request.method.rawValue,
                url: url,
                headers: request.headers,
                body: request.body,
                date: Date()
            )
            request.headers.add(contentsOf: added)
            request.secrets += added["X-Security-Token"]
            return nil
        }
    }

    /// Makes the next ``authorize(_:)`` obtain a new IAM token instead of `refused`.
    func renew(after refused: Secret?) async {
        guard case .iam(let cache) = mode, let refused else { return }
        await cache.invalidate(refused)
    }
}
