/// A scripted misbehaviour for the next requests, used to test a client's retries and timeouts.
///
/// Faults queue up in the order they are injected. Each request that matches a fault's ``target``
/// consumes one unit of the first such fault's ``count``; a request that no fault targets is
/// served normally. Faults run before authentication and validation, as an overloaded gateway or
/// backend would fail a request before looking at it. Admin routes are never affected.
public struct Fault: Sendable, Hashable {
    /// What happens to a request that consumes the fault.
    public enum Action: Sendable, Hashable {
        /// Answer with this HTTP status and the DBSS error body
        /// `{"error":{"error_code":…,"error_msg":…}}` (the Keystone error body on the IAM route).
        /// `message` defaults to the documented text for known codes; a status outside 100–599
        /// is answered as 500.
        case fail(status: Int, errorCode: String, message: String?)
        /// Process the request normally, but hold the response back for this long. The request takes
        /// effect at once, like on a slow backend, so a client that times out and retries an add can
        /// create a duplicate record; that is exactly what such a test should detect. Delays are
        /// capped at 10 minutes.
        case delay(Duration)
        /// Close the connection without any response, as a crashing backend or a reset would.
        /// The request does not take effect.
        case closeConnection
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
    /// (by default 500 `DBSS.11000000`, the documented internal error).
    public static func failure(
        status: Int = 500,
        errorCode: String = "DBSS.11000000",
        message: String? = nil,
        count: Int = 1,
        target: Target = .allDBSSRoutes
    ) -> Fault {
        Fault(count: count, action: .fail(status: status, errorCode: errorCode, message: message), target: target)
    }

    /// Delays the responses to the next `count` matching requests by `duration`.
    public static func delay(_ duration: Duration, count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: count, action: .delay(duration), target: target)
    }

    /// Drops the connection of the next `count` matching requests without answering.
    public static func closeConnection(count: Int = 1, target: Target = .allDBSSRoutes) -> Fault {
        Fault(count: count, action: .closeConnection, target: target)
    }

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
