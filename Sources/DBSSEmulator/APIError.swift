import Foundation
import NIOHTTP1

/// An error answer of the emulated services: status, code, message and the body shape it uses.
///
/// Huawei Cloud uses three error body shapes depending on which layer answers; a client has to
/// parse all of them, so the emulator reproduces each where that layer would answer.
struct APIError: Error, Sendable {
    /// The layer that answers, which decides the body shape.
    enum Shape: Sendable {
        /// DBSS itself: `{"error":{"error_code":…,"error_msg":…}}` (documented for 400/403/500).
        case dbss
        /// API Gateway: `{"error_code":…,"error_msg":…,"request_id":…}` (codes `APIGW.*`).
        case gateway
        /// IAM (Keystone style): `{"error":{"code":401,"message":…,"title":"Unauthorized"}}`.
        case keystone
    }

    var status: HTTPResponseStatus
    var code: String
    var message: String
    var shape: Shape
    var extraHeaders: [(String, String)] = []
}

extension APIError {
    /// 400 `DBSS.10000001`, the documented "invalid request format" error; `detail` names the problem.
    static func invalidRequest(_ detail: String) -> APIError {
        APIError(
            status: .badRequest,
            code: "DBSS.10000001",
            message: "Enter a valid request message: \(detail)",
            shape: .dbss
        )
    }

    /// 400 `DBSS.10020021`: the instance ID in the path is not the emulated instance.
    static let invalidInstanceID = APIError(
        status: .badRequest,
        code: "DBSS.10020021",
        message: "Invalid request parameter ID.",
        shape: .dbss
    )

    /// 401 `APIGW.0301` from API Gateway: IAM authentication (token or AK/SK) failed for `reason`.
    /// The prefix and the reasons are those of the gateway's documented messages (dbss-api.md §4.1).
    static func iamAuthentication(_ reason: String) -> APIError {
        APIError(
            status: .unauthorized,
            code: "APIGW.0301",
            message: "Incorrect IAM authentication information: \(reason)",
            shape: .gateway
        )
    }

    /// 401 from API Gateway when neither an `X-Auth-Token` header (or only an empty one) nor an
    /// AK/SK signature was sent.
    static let tokenNotFound = iamAuthentication("x-auth-token not found")

    /// 401 from API Gateway for an IAM-issued token past its `expires_at`.
    static func tokenExpired(expiresAt: String) -> APIError {
        iamAuthentication("token expires, expires_at: \(expiresAt)")
    }

    /// 403 `APIGW.0310` from API Gateway: an AK/SK request's `X-Project-Id` names a project other
    /// than the emulated one (the gateway's "The project is unavailable." error).
    static let projectUnavailable = APIError(
        status: .forbidden,
        code: "APIGW.0310",
        message: "The project is unavailable.",
        shape: .gateway
    )

    /// 404 `APIGW.0101` from API Gateway for a route of an API generation that is switched off: the
    /// gateway's answer for an API that is not published.
    static let apiNotPublished = APIError(
        status: .notFound,
        code: "APIGW.0101",
        message: "The API does not exist or has not been published in the environment.",
        shape: .gateway
    )

    /// 401 `DBSS.10020100`: a token was sent but is not one the emulator knows.
    static let tokenInvalid = APIError(
        status: .unauthorized,
        code: "DBSS.10020100",
        message: "Failed to authenticate the token in the request",
        shape: .dbss
    )

    /// 403 for a valid token used on a project path other than the emulated project. Tokens are
    /// project-scoped, so this is the documented 403 "Authentication failed." case; the docs name
    /// no code for it, so the token authentication code `DBSS.10020100` is reused.
    static let projectMismatch = APIError(
        status: .forbidden,
        code: "DBSS.10020100",
        message: "Failed to authenticate the token in the request: the token is not valid for this project",
        shape: .dbss
    )

    /// 400 `DBSS.10020118`: the instance already holds `database_limit` databases.
    static let databaseLimitExceeded = APIError(
        status: .badRequest,
        code: "DBSS.10020118",
        message: "Failed to add database, exceeding the limit",
        shape: .dbss
    )

    /// 400 `DBSS.10020102` ("database operation failed") for a duplicate ip+port when duplicates
    /// are rejected. The docs define no duplicate code; this is the closest documented one.
    static func duplicateDatabase(ip: String, port: String) -> APIError {
        APIError(
            status: .badRequest,
            code: "DBSS.10020102",
            message: "Enter a valid request message: database \(ip):\(port) already exists",
            shape: .dbss
        )
    }

    /// 404 `DBSS.10021004` for a path that matches no route.
    static let notFound = APIError(
        status: .notFound,
        code: "DBSS.10021004",
        message: "ECS can not found the request page",
        shape: .dbss
    )

    /// 405 for a known path with a method it does not serve, with an `Allow` header. The docs do
    /// not cover this; the 404 code is reused so a client's error parser needs no special case.
    static func methodNotAllowed(allowed: [HTTPMethod]) -> APIError {
        APIError(
            status: .methodNotAllowed,
            code: "DBSS.10021004",
            message: "The request method is not allowed for this page",
            shape: .dbss,
            extraHeaders: [("Allow", allowed.map(\.rawValue).joined(separator: ", "))]
        )
    }

    /// 413 from API Gateway for a body over the configured cap (the gateway rejects large bodies
    /// before DBSS sees them).
    static let bodyTooLarge = APIError(
        status: .payloadTooLarge,
        code: "APIGW.0201",
        message: "Request entity too large",
        shape: .gateway
    )

    /// An injected failure, in the shape of the layer the route and the code belong to: Keystone on
    /// the IAM route, API Gateway for an `APIGW.*` code, DBSS otherwise. A status outside 100–599
    /// (which no HTTP client could parse) becomes 500.
    static func injected(
        status: Int,
        code: String,
        message: String?,
        retryAfter: Int?,
        isIAMRoute: Bool
    ) -> APIError {
        let shape: Shape = isIAMRoute ? .keystone : code.hasPrefix("APIGW.") ? .gateway : .dbss
        return APIError(
            status: HTTPResponseStatus(statusCode: (100...599).contains(status) ? status : 500),
            code: code,
            message: message ?? documentedMessages[code] ?? "Injected fault",
            shape: shape,
            extraHeaders: retryAfter.map { [("Retry-After", String($0))] } ?? []
        )
    }

    /// An IAM error; Keystone puts the numeric status in `code` and its reason phrase in `title`.
    static func iam(_ status: HTTPResponseStatus, _ message: String) -> APIError {
        APIError(status: status, code: String(status.code), message: message, shape: .keystone)
    }

    /// Texts of the documented error codes, used when a fault names a code but no message.
    private static let documentedMessages: [String: String] = [
        "DBSS.10000001": "Enter a valid request message",
        "DBSS.10020101": "Enter a valid request message",
        "DBSS.10020102": "Enter a valid request message",
        "DBSS.10020118": "Failed to add database, exceeding the limit",
        "DBSS.100210016": "Insufficient quota",
        "DBSS.10020021": "Invalid request parameter ID.",
        "DBSS.10020100": "Failed to authenticate the token in the request",
        "DBSS.10021004": "ECS can not found the request page",
        "DBSS.11000000": "Internal system exception. Contact technical support engineers",
        "APIGW.0308": "The throttling threshold has been reached: policy user over ratelimit",
    ]
}
