import Foundation

/// Reads `error_code` and `error_msg` from any of the error shapes Huawei Cloud uses: DBSS's nested
/// `{"error": {...}}`, the newer top-level form, API Gateway's top-level form with `request_id`, and
/// `code`/`message` pairs, searching nested objects the way the official SDKs do.
enum DBSSErrorBody {
    struct Parsed: Equatable {
        var code: String?
        var message: String?
        var requestID: String?
    }

    static func parse(_ data: Data) -> Parsed {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            return Parsed(message: text.isEmpty ? nil : text)
        }
        var parsed = find(in: object, depth: 0) ?? Parsed()
        parsed.requestID = object["request_id"] as? String
        return parsed
    }

    private static func find(in object: [String: Any], depth: Int) -> Parsed? {
        if let code = text(object["error_code"]), let message = text(object["error_msg"]) {
            return Parsed(code: code, message: message)
        }
        if let code = text(object["code"]), let message = text(object["message"]) {
            return Parsed(code: code, message: message)
        }
        guard depth < 4 else { return nil }
        for key in object.keys.sorted() {
            if let nested = object[key] as? [String: Any], let found = find(in: nested, depth: depth + 1) {
                return found
            }
        }
        return nil
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}
