import Foundation

/// SHA-256 (FIPS 180-4) and HMAC (RFC 2104), written here so that the requests the tests sign share
/// no code with the emulator's verifier, which uses swift-crypto. Checked against Python's
/// `hashlib`/`hmac` in `AKSKTests`.
enum TestDigest {
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The SHA-256 digest of `message`.
    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var state: [UInt32] = [
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
        ]
        var padded = message + [0x80]
        padded += [UInt8](repeating: 0, count: (56 - padded.count % 64 + 64) % 64)
        padded += (0..<8).reversed().map { UInt8(truncatingIfNeeded: (UInt64(message.count) * 8) >> ($0 * 8)) }
        for blockStart in stride(from: 0, to: padded.count, by: 64) {
            compress(&state, padded[blockStart..<blockStart + 64])
        }
        return state.flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
    }

    /// HMAC-SHA256 of `message` under `key`.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + message)
        return sha256(block.map { $0 ^ 0x5c } + inner)
    }

    /// Lower-case hex.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func compress(_ state: inout [UInt32], _ block: ArraySlice<UInt8>) {
        var words = [UInt32](repeating: 0, count: 64)
        for index in 0..<16 {
            let offset = block.startIndex + index * 4
            words[index] = block[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        for index in 16..<64 {
            let w15 = words[index - 15]
            let w2 = words[index - 2]
            let s0 = rotate(w15, 7) ^ rotate(w15, 18) ^ (w15 >> 3)
            let s1 = rotate(w2, 17) ^ rotate(w2, 19) ^ (w2 >> 10)
            words[index] = words[index - 16] &+ s0 &+ words[index - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        for index in 0..<64 {
            let choice = (e & f) ^ (~e & g)
            let temp1 =
                h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ choice &+ roundConstants[index]
                &+ words[index]
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ majority
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ temp1, c, b, a, temp1 &+ temp2)
        }
        for (index, value) in [a, b, c, d, e, f, g, h].enumerated() {
            state[index] = state[index] &+ value
        }
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value >> count | value << (32 - count)
    }
}

/// A request as the tests send it: everything the signature covers.
struct TestRequest: Sendable {
    var method: String
    var path: String
    /// The query string as sent, without `?`; the signer sorts it, the wire keeps this order.
    var query: String = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    /// The first value of header `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The request with header `name` set to `value` (replacing any), or removed for `nil`.
    func setting(_ name: String, _ value: String?) -> TestRequest {
        var copy = self
        copy.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value { copy.headers.append((name, value)) }
        return copy
    }
}

/// A minimal `SDK-HMAC-SHA256` signer following dbss-api.md §5.2 step by step, for test requests.
///
/// It only handles what the tests send: path segments and query values of unreserved characters
/// and spaces, one value per header and query name.
struct TestSigner: Sendable {
    var accessKey: String
    var secretKey: String

    /// `request` with `X-Sdk-Date: date` and `Authorization` added. `signed` names the headers to
    /// sign (lower case); by default every header of the request, `X-Sdk-Date` included.
    func sign(_ request: TestRequest, date: String, signed: [String]? = nil) -> TestRequest {
        let dated = request.setting("X-Sdk-Date", date)
        let names = (signed ?? dated.headers.map { $0.name.lowercased() }).sorted()
        let canonical = Self.canonicalRequest(dated, signedHeaders: names)
        let stringToSign = "SDK-HMAC-SHA256\n\(date)\n" + TestDigest.hex(TestDigest.sha256(Array(canonical.utf8)))
        let signature = TestDigest.hmacSHA256(key: Array(secretKey.utf8), message: Array(stringToSign.utf8))
        let authorization =
            "SDK-HMAC-SHA256 Access=\(accessKey), SignedHeaders=\(names.joined(separator: ";")), "
            + "Signature=\(TestDigest.hex(signature))"
        return dated.setting("Authorization", authorization)
    }

    /// The canonical request of §5.2 step 5 for `request` and the (sorted, lower-case) header names.
    static func canonicalRequest(_ request: TestRequest, signedHeaders: [String]) -> String {
        let path = request.path.hasSuffix("/") ? request.path : request.path + "/"
        let query = request.query.split(separator: "&").map { pair in
            pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: "%20") }
                .joined(separator: "=")
        }
        let headerLines = signedHeaders.map {
            "\($0):\((request.header($0) ?? "").trimmingCharacters(in: .whitespaces))\n"
        }
        let payload = request.header("X-Sdk-Content-Sha256") ?? TestDigest.hex(TestDigest.sha256(request.body))
        return [
            request.method, path, query.sorted().joined(separator: "&"), headerLines.joined(),
            signedHeaders.joined(separator: ";"), payload,
        ].joined(separator: "\n")
    }

    /// `date` as `YYYYMMDDTHHMMSSZ` in UTC.
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
