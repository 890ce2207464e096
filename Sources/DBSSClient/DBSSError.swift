import Foundation

/// A failed DBSS call: what kind of failure, the HTTP status, DBSS's own error code and message, and what the
/// caller should do about it (``action``).
public struct DBSSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// DBSS could not be reached and the request was never sent (refused, DNS, connect timeout), or a read's
        /// answer was lost (a read can safely be asked again).
        public static let unreachable = Code("unreachable")
        /// The request may or may not have been applied: it was sent, then the answer was lost (read timeout,
        /// connection closed, unknown transport error). Never retried for an add: look at the list first.
        public static let uncertain = Code("uncertain")
        /// The TLS handshake failed: the certificate is not trusted or does not name the host.
        public static let tlsFailure = Code("tls-failure")
        /// The client's own settings are unusable (CA bundle, proxy URL, endpoint).
        public static let invalidConfiguration = Code("invalid-configuration")
        /// 400: the request was refused as invalid (or a quota is exhausted).
        public static let badRequest = Code("bad-request")
        /// 401: the token is missing, invalid or expired, or the signature did not verify.
        public static let unauthorized = Code("unauthorized")
        /// 403: the credentials lack permission.
        public static let forbidden = Code("forbidden")
        /// 404: the endpoint, project or instance does not exist.
        public static let notFound = Code("not-found")
        /// 429: too many requests.
        public static let throttled = Code("throttled")
        /// 5xx: DBSS failed.
        public static let serverError = Code("server-error")
        /// Any other status, or a body that does not follow the contract.
        public static let unexpectedResponse = Code("unexpected-response")
    }

    /// What to do after a failure.
    ///
    /// Derived from the ``Code``, the HTTP status and DBSS's or API Gateway's `error_code`:
    ///
    /// | failure | action |
    /// | --- | --- |
    /// | unreachable (request not sent), 5xx (`DBSS.11000000`…), 429, 408 | ``retry`` |
    /// | uncertain (sent, answer lost) | ``reconcile`` |
    /// | 401 `DBSS.10020100`, `APIGW.0301` token missing/invalid/expired, with IAM credentials | ``reauthenticate`` |
    /// | 401 with a static token, an AK/SK signature failure, or after renewing did not help | ``stop`` |
    /// | 400 `DBSS.10020118` (instance holds `database_limit`), `DBSS.100210016` (quota) | ``stopInstanceFull`` |
    /// | 400 `DBSS.10020021` (invalid instance id in the path) | ``stop`` |
    /// | 400 `DBSS.10000001`, `DBSS.10020102`, `DBSS.10020101` and any other 400; 413 | ``reject`` |
    /// | 403, 404 (`DBSS.10021004`, `APIGW.0101`: wrong project, instance or path), other 4xx | ``stop`` |
    /// | TLS failure, invalid configuration, a 2xx body that breaks the contract | ``stop`` |
    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// The same request may succeed later; the client already retried it as its policy allows.
        case retry
        /// The credentials need renewing; the client does it once by itself when it can.
        case reauthenticate
        /// This request is wrong and will stay wrong: record the refusal and show it, go on with the next one.
        case reject
        /// The audit instance has no room for another database: stop adding until capacity is added.
        case stopInstanceFull = "stop-instance-full"
        /// Every further call would fail the same way (credentials, permissions, project, instance, TLS): stop.
        case stop
        /// An add may have been applied: list the instance's databases before trying it again.
        case reconcile
    }

    public let code: Code
    /// What the caller should do about the failure.
    public let action: Action
    public let httpStatus: Int?
    /// DBSS's or API Gateway's `error_code`, e.g. `DBSS.10000001` or `APIGW.0301`.
    public let errorCode: String?
    public let errorMessage: String?
    public let requestID: String?
    /// The wait a 429 or 503 asked for in `Retry-After`.
    public let retryAfter: Duration?
    /// What dbscout was doing, e.g. `add database 10.0.0.7:5432`.
    public let operation: String

    /// - Parameter action: What to do; by default derived from the other values as a client with
    ///   non-renewable credentials would (see ``Action``).
    public init(
        code: Code,
        operation: String,
        httpStatus: Int? = nil,
        errorCode: String? = nil,
        errorMessage: String? = nil,
        requestID: String? = nil,
        retryAfter: Duration? = nil,
        action: Action? = nil
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.action =
            action ?? Self.action(code: code, httpStatus: httpStatus, errorCode: errorCode, canReauthenticate: false)
    }

    /// Whether the same request may succeed later without any change: outages, throttling, server errors.
    public var isTransient: Bool { action == .retry }

    /// The same error with every occurrence of `secrets` in the server's message replaced.
    func redacting(_ secrets: [String]) -> DBSSError {
        guard let errorMessage, secrets.contains(where: { !$0.isEmpty && errorMessage.contains($0) }) else {
            return self
        }
        let cleaned = secrets.filter { !$0.isEmpty }.reduce(errorMessage) {
            $0.replacingOccurrences(of: $1, with: "<redacted>")
        }
        return DBSSError(
            code: code,
            operation: operation,
            httpStatus: httpStatus,
            errorCode: errorCode,
            errorMessage: cleaned,
            requestID: requestID,
            retryAfter: retryAfter,
            action: action
        )
    }

    public var description: String {
        var text = "DBSS \(operation) failed: \(explanation)"
        if let httpStatus { text += " (HTTP \(httpStatus)" + (errorCode.map { ", \($0)" } ?? "") + ")" }
        if let errorMessage { text += ": \(errorMessage)" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    private var explanation: String {
        switch code {
        case .unreachable: "DBSS is unreachable"
        case .uncertain: "the answer was lost after the request was sent; it may have been applied"
        case .tlsFailure: "the TLS handshake failed"
        case .invalidConfiguration: "the DBSS settings are unusable"
        case .badRequest: "DBSS rejected the request"
        case .unauthorized: "the credentials were not accepted (missing, invalid or expired)"
        case .forbidden: "the credentials lack permission"
        case .notFound: "no such endpoint, project or instance"
        case .throttled: "DBSS is throttling requests"
        case .serverError: "DBSS had an internal error"
        default: "unexpected response"
        }
    }

    static func forStatus(_ status: Int) -> Code {
        switch status {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 429: .throttled
        case 500...599: .serverError
        default: .unexpectedResponse
        }
    }

    /// The table in ``Action``'s documentation.
    static func action(code: Code, httpStatus: Int?, errorCode: String?, canReauthenticate: Bool) -> Action {
        switch code {
        case .unreachable, .throttled, .serverError: return .retry
        case .uncertain: return .reconcile
        case .unauthorized: return canReauthenticate ? .reauthenticate : .stop
        case .badRequest: return badRequestAction(errorCode)
        default: break
        }
        switch httpStatus {
        case 408: return .retry
        case 413: return .reject
        default: return .stop
        }
    }

    private static func badRequestAction(_ errorCode: String?) -> Action {
        switch errorCode {
        case "DBSS.10020118", "DBSS.100210016": .stopInstanceFull
        case "DBSS.10020021": .stop
        default: .reject
        }
    }
}
