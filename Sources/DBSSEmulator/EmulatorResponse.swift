import Foundation
import NIOHTTP1

/// A complete HTTP response produced by the request logic, before it is written to a channel.
struct EmulatorResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: [UInt8]

    /// A JSON response; keys are written in snake_case and sorted so output is stable for tests.
    static func json(
        _ status: HTTPResponseStatus,
        _ value: some Encodable,
        headers: [(String, String)] = []
    ) -> EmulatorResponse {
        let body = (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array("{}".utf8)
        return EmulatorResponse(
            status: status,
            headers: [("Content-Type", "application/json;charset=UTF-8")] + headers,
            body: body
        )
    }

    /// A response without a body (admin routes answering 204).
    static func empty(_ status: HTTPResponseStatus) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [], body: [])
    }

    /// The body of `error` in the shape of the layer that answers.
    static func error(_ error: APIError, requestID: String) -> EmulatorResponse {
        switch error.shape {
        case .dbss:
            let body = DBSSErrorBody(error: .init(errorCode: error.code, errorMsg: error.message))
            return json(error.status, body, headers: error.extraHeaders)
        case .gateway:
            let body = GatewayErrorBody(errorCode: error.code, errorMsg: error.message, requestID: requestID)
            return json(error.status, body, headers: error.extraHeaders)
        case .keystone:
            let detail = KeystoneErrorBody.Detail(
                code: Int(error.status.code),
                message: error.message,
                title: error.status.reasonPhrase
            )
            return json(error.status, KeystoneErrorBody(error: detail), headers: error.extraHeaders)
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()
}

/// `{"error":{"error_code":…,"error_msg":…}}`.
private struct DBSSErrorBody: Encodable {
    struct Detail: Encodable {
        var errorCode: String
        var errorMsg: String
    }

    var error: Detail
}

/// `{"error_code":…,"error_msg":…,"request_id":…}`.
private struct GatewayErrorBody: Encodable {
    var errorCode: String
    var errorMsg: String
    var requestID: String
}

/// `{"error":{"code":…,"message":…,"title":…}}`.
private struct KeystoneErrorBody: Encodable {
    struct Detail: Encodable {
        var code: Int
        var message: String
        var title: String
    }

    var error: Detail
}
