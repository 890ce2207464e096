import DBScoutCore
import Foundation
import Logging
import NIOHTTP1

/// The IAM token of one client: obtained on first use, reused while it is fresh, renewed once less than the
/// refresh margin remains or when DBSS refuses it. Concurrent callers that find it stale share one renewal.
actor IAMTokenCache {
    private struct IssuedToken {
        var value: Secret
        /// When to renew, on this machine's clock: the token's lifetime as IAM states it (`expires_at` −
        /// `issued_at`) counted from its arrival, so a skewed local wall clock cannot make it look fresher.
        var renewAt: ContinuousClock.Instant
    }

    private let credentials: IAMPasswordCredentials
    private let projectID: String
    private let executor: RetryingExecutor
    private let logger: Logger
    private var current: IssuedToken?
    private var renewal: Task<IssuedToken, any Error>?

    init(credentials: IAMPasswordCredentials, projectID: String, executor: RetryingExecutor, logger: Logger) {
        self.credentials = credentials
        self.projectID = projectID
        self.executor = executor
        self.logger = logger
    }

    /// A token with more than the refresh margin left.
    /// - Throws: ``DBSSError`` when IAM refuses the credentials or cannot be reached.
    func token() async throws -> Secret {
        if let current, ContinuousClock.now < current.renewAt { return current.value }
        if let renewal { return try await renewal.value.value }
        let task = Task { try await self.obtain() }
        renewal = task
        defer { renewal = nil }
        let issued = try await task.value
        current = issued
        return issued.value
    }

    /// Forgets `refused` so the next ``token()`` obtains a new one; a token already renewed by another call is kept.
    func invalidate(_ refused: Secret) {
        if current?.value == refused { current = nil }
    }

    private nonisolated func obtain() async throws -> IssuedToken {
        let operation = "obtain an IAM token for \(credentials.user)@\(credentials.domain)"
        let body = try JSONEncoder().encode(TokenRequest(credentials, projectID: projectID))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json;charset=utf8")
        let request = OutgoingRequest(
            method: .POST,
            url: credentials.endpoint + "/v3/auth/tokens?nocatalog=true",
            headers: headers,
            body: Array(body),
            secrets: [credentials.password.reveal()]
        )
        // Asking twice only yields two valid tokens, so a lost answer may be asked again.
        let response = try await executor.run(operation, idempotent: true, canReauthenticate: false) { request }
        let arrived = ContinuousClock.now
        guard let token = response.headers.first(name: "X-Subject-Token"), !token.isEmpty,
            let lifetime = try? JSONDecoder().decode(TokenResponse.self, from: response.body).token.lifetime()
        else {
            throw DBSSError(
                code: .unexpectedResponse,
                operation: operation,
                httpStatus: response.status,
                errorMessage: "the answer has no X-Subject-Token header or no readable token.expires_at"
            )
        }
        // A margin as long as the token's life would renew it on every call; half the lifetime at most.
        let margin = min(credentials.refreshMargin, lifetime / 2)
        logger.info("IAM token obtained", metadata: ["user": "\(credentials.user)", "valid_for": "\(lifetime)"])
        return IssuedToken(value: Secret(token), renewAt: arrived + lifetime - margin)
    }
}

/// `POST /v3/auth/tokens` with the password method and a project scope.
private struct TokenRequest: Encodable {
    struct Auth: Encodable {
        var identity: Identity
        var scope: Scope
    }
    struct Identity: Encodable {
        var methods = ["password"]
        var password: Password
    }
    struct Password: Encodable { var user: User }
    struct User: Encodable {
        var name: String
        var password: String
        var domain: Named
    }
    struct Named: Encodable { var name: String }
    struct Scope: Encodable { var project: Project }
    struct Project: Encodable {
        var id: String?
        var name: String?
    }

    var auth: Auth

    init(_ credentials: IAMPasswordCredentials, projectID: String) {
        let user = User(
            name: credentials.user,
            password: credentials.password.reveal(),
            domain: Named(name: credentials.domain)
        )
        let project =
            credentials.projectName.map { Project(id: nil, name: $0) } ?? Project(id: projectID, name: nil)
        auth = Auth(identity: Identity(password: Password(user: user)), scope: Scope(project: project))
    }
}

/// The parts of the token answer the cache needs.
private struct TokenResponse: Decodable {
    struct Token: Decodable {
        var expiresAt: String
        var issuedAt: String?

        enum CodingKeys: String, CodingKey {
            case expiresAt = "expires_at"
            case issuedAt = "issued_at"
        }

        /// How long the token lasts: `expires_at` − `issued_at`, or − now when IAM omits `issued_at`.
        func lifetime() -> Duration? {
            guard let expires = Self.date(expiresAt) else { return nil }
            let issued = issuedAt.flatMap(Self.date) ?? Date()
            let seconds = expires.timeIntervalSince(issued)
            return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
        }

        /// IAM writes `2024-05-01T10:00:00.123000Z` (microseconds); whole seconds are accepted too.
        static func date(_ text: String) -> Date? {
            let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            return (try? fractional.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
        }
    }

    var token: Token
}
