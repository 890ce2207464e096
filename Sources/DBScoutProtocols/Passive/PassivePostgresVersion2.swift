import DBScoutCore
import NIOCore

/// The answer to a protocol 2 startup: current servers reject it with a protocol 2 ErrorResponse, which has no
/// length, only `E` and a NUL-terminated text; old servers answered with an authentication request `R`.
enum PassivePostgresVersion2 {
    static let maxText = 1024
    static let severities = ["FATAL", "ERROR", "PANIC"]

    static func identify(_ exchange: PassiveExchange, sent: Int, preamble: PassivePostgres.Preamble) -> Finding? {
        let server = exchange.server
        guard let type = server.getInteger(at: server.readerIndex, as: UInt8.self) else { return nil }
        var finding = Finding(endpoint: exchange.endpoint, product: .postgresql)
        finding.evidence = [Evidence("postgres.client.startup", "protocol 2.0")]
        switch type {
        case UInt8(ascii: "E"):
            guard let text = errorText(server) else { return nil }
            finding.evidence.append(Evidence("postgres.v2_error", text))
        case UInt8(ascii: "R"):
            guard let code = server.getInteger(at: server.readerIndex + 1, as: UInt32.self), code <= 5 else {
                return nil
            }
            finding.evidence.append(Evidence("postgres.v2.authentication_request", String(code)))
        default:
            return nil
        }
        if preamble.ssl == .notSupported { finding.tls = .unsupported }
        return finding
    }

    /// The text of a protocol 2 ErrorResponse, which starts with its severity.
    private static func errorText(_ bytes: ByteBuffer) -> String? {
        let view = bytes.readableBytesView.dropFirst().prefix(maxText)
        guard let nul = view.firstIndex(of: 0) else { return nil }
        let text = view[..<nul]
        guard text.allSatisfy({ $0 >= 0x20 || $0 == 0x0a || $0 == 0x09 }) else { return nil }
        let string = String(decoding: text, as: UTF8.self)
        guard severities.contains(where: { string.hasPrefix($0 + ":") }) else { return nil }
        return string.trimmingSuffix()
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var text = self
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
