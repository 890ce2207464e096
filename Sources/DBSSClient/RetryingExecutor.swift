import Foundation
import Logging
import NIOHTTP1

/// Sends one logical call until it gets a 2xx answer or fails in a way another attempt cannot fix.
///
/// An attempt is repeated when its failure's ``DBSSError/action`` is ``DBSSError/Action/retry``: 5xx, 429, 408,
/// no connection, and — for idempotent calls only — an answer lost after sending. Waits follow the
/// ``DBSSRetryPolicy`` and are cancellable.
struct RetryingExecutor: Sendable {
    let transport: HTTPTransport
    let policy: DBSSRetryPolicy
    /// Paces every attempt; `nil` for none.
    let limiter: TokenBucket?
    let logger: Logger

    /// - Parameters:
    ///   - operation: What the call does, for errors and logs.
    ///   - idempotent: Whether repeating a request that may have been applied is harmless.
    ///   - canReauthenticate: Whether a 401 can be cured by new credentials (``DBSSError/Action/reauthenticate``).
    ///   - prepare: Builds the request for one attempt, credentials included (a token may have been renewed, a
    ///     signature's date must be fresh).
    /// - Returns: The 2xx answer.
    /// - Throws: ``DBSSError``; `CancellationError` when cancelled.
    func run(
        _ operation: String,
        idempotent: Bool,
        canReauthenticate: Bool,
        prepare: () async throws -> OutgoingRequest
    ) async throws -> IncomingResponse {
        var attempt = 1
        while true {
            let error: DBSSError
            do {
                try await limiter?.acquire()
                let request = try await prepare()
                logger.trace(
                    "DBSS request",
                    metadata: [
                        "operation": "\(operation)", "method": "\(request.method.rawValue)", "attempt": "\(attempt)",
                    ]
                )
                let response = try await transport.send(request)
                logger.debug("DBSS answered", metadata: ["operation": "\(operation)", "status": "\(response.status)"])
                if (200..<300).contains(response.status) { return response }
                error = DBSSError(response, operation: operation, canReauthenticate: canReauthenticate)
                    .redacting(request.secrets)
            } catch let failure as TransportFailure {
                error = DBSSError(failure, operation: operation, idempotent: idempotent)
            }
            guard error.action == .retry, attempt < policy.maxAttempts else { throw error }
            let delay = policy.delay(afterAttempt: attempt, retryAfter: error.retryAfter)
            logger.notice(
                "retrying DBSS call",
                metadata: [
                    "operation": "\(operation)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)",
                ]
            )
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }
}

extension DBSSError {
    /// The error for a non-2xx answer, from its status, its error body and its headers.
    init(_ response: IncomingResponse, operation: String, canReauthenticate: Bool) {
        let parsed = DBSSErrorBody.parse(response.body)
        let code = Self.forStatus(response.status)
        self.init(
            code: code,
            operation: operation,
            httpStatus: response.status,
            errorCode: parsed.code,
            errorMessage: parsed.message,
            requestID: parsed.requestID ?? response.headers.first(name: "X-Request-Id"),
            retryAfter: Self.retryAfter(response.headers),
            action: Self.action(
                code: code,
                httpStatus: response.status,
                errorCode: parsed.code,
                canReauthenticate: canReauthenticate
            )
        )
    }

    /// The error for a request that got no answer. A lost answer to an idempotent call is as good as no
    /// connection: asking again is safe.
    init(_ failure: TransportFailure, operation: String, idempotent: Bool) {
        // Transport errors never carry request headers, so no credential can leak through their text.
        switch failure {
        case .notSent(let error):
            self.init(code: .unreachable, operation: operation, errorMessage: "\(error)")
        case .tls(let error):
            self.init(code: .tlsFailure, operation: operation, errorMessage: "\(error)")
        case .maybeSent(let error) where idempotent:
            self.init(code: .unreachable, operation: operation, errorMessage: "no answer: \(error)")
        case .maybeSent(let error):
            self.init(code: .uncertain, operation: operation, errorMessage: "\(error)")
        }
    }

    /// `Retry-After` in delta-seconds; the HTTP-date form is not used by API Gateway and is ignored.
    private static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let text = headers.first(name: "Retry-After"),
            let seconds = Int(text.trimmingCharacters(in: .whitespaces)), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }
}
