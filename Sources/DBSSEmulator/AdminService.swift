import Foundation
import NIOHTTP1

/// Unauthenticated control routes for tests and demos that run the emulator out of process.
///
/// - `GET /_emulator/databases`: JSON array of ``EmulatedDatabase`` in the order added.
/// - `GET /_emulator/requests`: JSON array of ``RecordedRequest`` (admin requests are not logged).
/// - `POST /_emulator/faults`: queue a fault, answers 204. Body (Content-Type is not checked, so
///   a plain `curl -d` works), one action per fault:
///   - `{"status": 500, "error_code": "DBSS.11000000", "error_msg": "…", "retry_after_s": 2}`
///     (`error_code` defaults to `APIGW.0308` for 429, else `DBSS.11000000`; `error_msg` to the
///     documented text; `retry_after_s` adds `Retry-After`),
///   - `{"delay_ms": 2000}`, `{"close_connection": true}`, `{"drop_after_effect": true}` or
///     `{"expire_tokens": true}`,
///
///   each with an optional `"count"` (default 1) and `"target"`: `all` (default), `add`, `list`,
///   `instances` or `iam`. An invalid body answers 400 `DBSS.10000001`.
/// - `POST /_emulator/expire-tokens`: every IAM-issued token expires now; 204.
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
        case .adminExpireTokens:
            state.expireIssuedTokens(now: Date())
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

    /// The switch-like actions of a fault body, each written as `"name": true`.
    private static let flagActions: [(name: String, action: Fault.Action)] = [
        ("close_connection", .closeConnection),
        ("drop_after_effect", .dropAfterEffect),
        ("expire_tokens", .expireTokens),
    ]

    /// Reads a fault description; exactly one of `status`, `delay_ms` or a flag action.
    static func parseFault(_ body: [UInt8]) throws(APIError) -> Fault {
        guard let members = JSONValue.parse(body)?.objectValue else {
            throw .invalidRequest("fault must be a JSON object")
        }
        let known = Set(["count", "status", "error_code", "error_msg", "retry_after_s", "delay_ms", "target"])
            .union(flagActions.map(\.name))
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
        var flags: [Fault.Action] = []
        for flag in flagActions where try isSet(members[flag.name], name: flag.name) {
            flags.append(flag.action)
        }
        guard [status != nil, delay != nil].filter({ $0 }).count + flags.count == 1 else {
            let names = (["status", "delay_ms"] + flagActions.map { "'\($0.name)': true" }).joined(separator: ", ")
            throw .invalidRequest("give exactly one of \(names)")
        }
        if status == nil, members.keys.contains(where: ["error_code", "error_msg", "retry_after_s"].contains) {
            throw .invalidRequest("'error_code', 'error_msg' and 'retry_after_s' go with 'status'")
        }
        if let status {
            let defaultCode = status == 429 ? Fault.throttlingCode : "DBSS.11000000"
            return .fail(
                status: status,
                errorCode: try string(members["error_code"], name: "error_code") ?? defaultCode,
                message: try string(members["error_msg"], name: "error_msg"),
                retryAfter: try integer(members["retry_after_s"], name: "retry_after_s", range: 0...86_400)
            )
        }
        if let delay { return .delay(.milliseconds(delay)) }
        return flags[0]
    }

    /// A flag must be `true` or `false`; `false` counts as absent.
    private static func isSet(_ value: JSONValue?, name: String) throws(APIError) -> Bool {
        switch value {
        case nil, .bool(false)?: return false
        case .bool(true)?: return true
        default: throw .invalidRequest("field '\(name)' must be true or false")
        }
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
