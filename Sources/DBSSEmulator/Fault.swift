/// A scripted misbehaviour for the next requests, used to test a client's retries and timeouts.
///
/// Faults queue up in the order they are injected. Each request that matches a fault's ``target``
/// consumes one unit of the first such fault's ``count``; a request that no fault targets is
/// served normally. Faults run before authentication and validation, as an overloaded gateway or
/// backend would fail a request before looking at it. Admin routes are never affected.
public struct Fault: Sendable, Hashable {
    /// What happens to a request that consumes the fault.
    public enum Action: Sendable, Hashable {
        /// Answer with this HTTP status and an error body in the shape of the layer that would
        /// answer: API Gateway's `{"error_code":…,"error_msg":…,"request_id":…}` for an `APIGW.*`
        /// code, else DBSS's `{"error":{"error_code":…,"error_msg":…}}` (the Keystone error body on
        /// the IAM route). `message` defaults to the documented text for known codes; a status
        /// outside 100–599 is answered as 500. `retryAfter`, in seconds, adds a `Retry-After` header.
        case fail(status: Int, errorCode: String, message: String?, retryAfter: Int?)
        /// Process the request normally, but hold the response back for this long. The request takes
        /// effect at once, like on a slow backend, so a client that times out and retries an add can
        /// create a duplicate record; that is exactly what such a test should detect. Delays are
        /// capped at 10 minutes. A client that hangs up meanwhile only cancels the answer.
        case delay(Duration)
        /// Close the connection without any response, as a crashing backend or a reset would.
        /// The request does not take effect.
        case closeConnection
        /// Process the request normally (an add is stored), then close the connection without any
        /// response: the uncertain outcome a client has to reconcile, e.g. by listing.
        case dropAfterEffect
        /// Expire every IAM-issued token, then process the request, which then meets its own
        /// expired token (static tokens from the configuration stay valid).
        case expireTokens
    }

    /// Which requests a fault applies to.
    public enum Target: String, Sendable, Hashable, CaseIterable {
        /// Every DBSS API route (add, list databases, list instances); not IAM, not admin.
        case allDBSSRoutes = "all"
        /// Only the add-database routes (v1 and v2).
        case addDatabase = "add"
        /// Only the list-databases routes (v1 and v2).
        case listDatabases = "list"
        /// Only the list-instances routes.
        case listInstances = "instances"
        /// Only the IAM token route `POST /v3/auth/tokens`.
        case iamToken = "iam"
    }

    /// How many matching requests the fault affects; a fault with a count below 1 is ignored.
    public var count: Int
    /// What happens to each affected request.
    public var action: Action
    /// Which requests the fault affects.
    public var target: Target

    /// Creates a fault affecting the next `count` requests that match `target`.
    public init(count: Int = 1, action: Action, target: Target = .allDBSSRoutes) {
        self.count = count
        self.action = action
        self.target = target
    }

    /// Fails the next `count` matching requests with `status` and `errorCode`
    /// (by default 500 `DBSS.11000000`, the documented internal error), with a `Retry-After`
    /// header of `retryAfter` seconds when given.
    public static func failure(
        status: Int = 500,
        errorCode: String = "DBSS.11000000",
        message: String? = nil,
        retryAfter: Int? = nil,
        count: Int = 1,
        target: Target = .allDBSSRoutes
    ) -> Fault {
        let action = Action.fail(status: status, errorCode: errorCode, message: message, retryAfter: retryAfter)
        return Fault(count: count, action: action, target: target)
    }

    /// Throttles the next `count` matching requests as API Gateway does: 429 `APIGW.0308`, with a
    /// `Retry-After` header of `retryAfter` seconds when given.
    public static func throttled(retryAfter: Int? = 1, count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        failure(status: 429, errorCode: throttlingCode, retryAfter: retryAfter, count: count, target: target)
    }

    /// Delays the responses to the next `count` matching requests by `duration`.
    public static func delay(_ duration: Duration, count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: count, action: .delay(duration), target: target)
    }

    /// Drops the connection of the next `count` matching requests without answering or effect.
    public static func closeConnection(count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: count, action: .closeConnection, target: target)
    }

    /// Lets the next `count` matching requests take effect, then drops their connections unanswered.
    public static func dropAfterEffect(count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: count, action: .dropAfterEffect, target: target)
    }

    /// Expires every IAM-issued token just before the next matching request is authenticated.
    public static func expireTokens(target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: 1, action: .expireTokens, target: target)
    }

    /// API Gateway's throttling code, the default code of an injected 429.
    static let throttlingCode = "APIGW.0308"

    /// Whether a fault with this target applies to a request of `operation`.
    func applies(to operation: RecordedRequest.Operation) -> Bool {
        switch (target, operation) {
        case (.allDBSSRoutes, .addDatabase), (.allDBSSRoutes, .listDatabases), (.allDBSSRoutes, .listInstances):
            return true
        case (.addDatabase, .addDatabase), (.listDatabases, .listDatabases), (.listInstances, .listInstances),
            (.iamToken, .issueToken):
            return true
        default:
            return false
        }
    }
}
