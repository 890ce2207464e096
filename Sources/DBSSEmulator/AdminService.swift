import NIOHTTP1

/// Unauthenticated control routes for tests and demos that run the emulator out of process.
///
/// - `GET /_emulator/databases`: JSON array of ``EmulatedDatabase`` in the order added.
/// - `GET /_emulator/requests`: JSON array of ``RecordedRequest`` (admin requests are not logged).
/// - `POST /_emulator/faults`: queue a fault, answers 204. Body (Content-Type is not checked, so
///   a plain `curl -d` works): `{"count": N, "status": 500, "error_code": "DBSS.11000000",
///   "error_msg": "…"}`, `{"count": N, "delay_ms": 2000}` or `{"count": N, "close_connection": true}`,
///   each with an optional `"target"`: `all` (default), `add`, `list`, `instances` or `iam`.
///   `count` defaults to 1; an invalid body answers 400 `DBSS.10000001`.
/// - `POST /_emulator/reset`: forget databases, faults, the request log and issued tokens; 204.
struct AdminService: Sendable {
    let state: EmulatorState

    func handle(_ route: Route, _ request: EmulatorRequest) -> EmulatorResponse {
        switch route {
        case .adminDatabases:
            return .json(.ok, state.databases())
        case .adminRequests:
            return .json(.ok, state.requestLog())
        case .adminReset:
            state.reset()
            return .empty(.noContent)
        case .adminFaults:
            do throws(APIError) {
                state.injectFault(try Self.parseFault(request.body))
                return .empty(.noContent)
            } catch {
                return .error(error, requestID: Identifiers.requestID())
            }
        default:
            return .error(.notFound, requestID: Identifiers.requestID())
        }
    }

    /// Reads a fault description; exactly one of `status`, `delay_ms`, `close_connection`.
    static func parseFault(_ body: [UInt8]) throws(APIError) -> Fault {
        guard let members = JSONValue.parse(body)?.objectValue else {
            throw .invalidRequest("fault must be a JSON object")
        }
        let known: Set = ["count", "status", "error_code", "error_msg", "delay_ms", "close_connection", "target"]
        if let unknown = members.keys.filter({ !known.contains($0) }).min() {
            throw .invalidRequest("unknown field '\(unknown)'")
        }
        let count = try integer(members["count"], name: "count", range: 1...1_000_000) ?? 1
        let target = try parseTarget(members["target"])
        return Fault(count: count, action: try parseAction(members), target: target)
    }

    private static func parseAction(_ members: [String: JSONValue]) throws(APIError) -> Fault.Action {
        let status = try integer(members["status"], name: "status", range: 400...599)
        let delay = try integer(members["delay_ms"], name: "delay_ms", range: 0...600_000)
        let close = members["close_connection"] == .bool(true)
        guard [status != nil, delay != nil, close].filter({ $0 }).count == 1 else {
            throw .invalidRequest("give exactly one of 'status', 'delay_ms' or 'close_connection': true")
        }
        if let status {
            let code = try string(members["error_code"], name: "error_code") ?? "DBSS.11000000"
            let message = try string(members["error_msg"], name: "error_msg")
            return .fail(status: status, errorCode: code, message: message)
        }
        if let delay { return .delay(.milliseconds(delay)) }
        return .closeConnection
    }

    private static func parseTarget(_ value: JSONValue?) throws(APIError) -> Fault.Target {
        guard let value else { return .allDBSSRoutes }
        guard let text = value.stringValue, let target = Fault.Target(rawValue: text) else {
            let names = Fault.Target.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidRequest("field 'target' must be one of: \(names)")
        }
        return target
    }

    private static func integer(_ value: JSONValue?, name: String, range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value else { return nil }
        guard let number = value.integerValue, range.contains(number) else {
            throw .invalidRequest("field '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func string(_ value: JSONValue?, name: String) throws(APIError) -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue, !text.isEmpty else {
            throw .invalidRequest("field '\(name)' must be a non-empty string")
        }
        return text
    }
}
