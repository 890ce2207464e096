/// A failed DBSS call: what kind of failure, the HTTP status, and DBSS's own error code and message.
public struct DBSSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides whether a retry can help.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// DBSS could not be reached (refused, DNS, TLS, timeout).
        public static let unreachable = Code("unreachable")
        /// 400: the request was refused as invalid (or a quota is exhausted).
        public static let badRequest = Code("bad-request")
        /// 401: the token is missing, invalid or expired.
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

    public let code: Code
    public let httpStatus: Int?
    /// DBSS's or API Gateway's `error_code`, e.g. `DBSS.10000001` or `APIGW.0301`.
    public let errorCode: String?
    public let errorMessage: String?
    public let requestID: String?
    /// What dbscout was doing, e.g. `add database 10.0.0.7:5432`.
    public let operation: String

    public init(
        code: Code,
        operation: String,
        httpStatus: Int? = nil,
        errorCode: String? = nil,
        errorMessage: String? = nil,
        requestID: String? = nil
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.requestID = requestID
    }

    /// Whether the same request may succeed later without any change: outages, throttling, server errors.
    public var isTransient: Bool {
        [.unreachable, .throttled, .serverError].contains(code)
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
        case .badRequest: "DBSS rejected the request"
        case .unauthorized: "the token was not accepted (missing, invalid or expired)"
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
}
