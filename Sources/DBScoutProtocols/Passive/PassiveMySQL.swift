import DBScoutCore
import NIOCore

/// MySQL and MariaDB: the server speaks first with a greeting (or an ERR packet in its place); a client answers the
/// greeting with a HandshakeResponse41 or, to turn to TLS, an SSLRequest.
enum PassiveMySQL {
    /// The client's first packet after the greeting, as far as the pairing needs it.
    enum ClientAnswer: Equatable {
        case sslRequest
        case handshakeResponse
    }

    static let protocol41: UInt32 = 0x200
    /// Both client answers start with capabilities, max packet size and character set, then 23 reserved bytes;
    /// MariaDB clients put their extended capabilities in the last four, so only the first 19 must be zero.
    static let fixedPrefix = 32
    static let fillerRange = 9..<28

    static func identify(_ exchange: PassiveExchange) -> Finding? {
        guard case .message(let observation, let consumed) = MySQLObservation.decode(exchange.server) else {
            return nil
        }
        switch observation {
        case .refusal(let error):
            // Only the refusals a server sends in place of a greeting, to a client that has not spoken.
            guard exchange.client.readableBytes == 0, MySQLErrorPacket.preGreetingCodes.contains(error.code) else {
                return nil
            }
            var finding = MySQLClassifier.classify(observation, at: exchange.endpoint)
            finding.evidence.append(Evidence("mysql.client.answer", "none: refused before the greeting"))
            return finding
        case .greeting:
            return greeting(observation, exchange: exchange, greetingBytes: consumed)
        }
    }

    private static func greeting(_ observation: MySQLObservation, exchange: PassiveExchange, greetingBytes: Int)
        -> Finding?
    {
        var answer: ClientAnswer?
        switch MySQLPacket.decode(exchange.client) {
        case .message(let packet, _):
            // A real client always answers the greeting with one of its two packets, numbered 1.
            guard let decoded = clientAnswer(packet) else { return nil }
            answer = decoded
        case .needMoreData: answer = nil
        case .invalid: return nil
        }
        var finding = MySQLClassifier.classify(observation, at: exchange.endpoint)
        switch answer {
        case .sslRequest:
            finding.tls = .supported
            finding.evidence.append(Evidence("mysql.client.answer", "SSLRequest"))
            if let rest = exchange.dropping(client: fixedPrefix + 4, server: greetingBytes) {
                finding.evidence.append(
                    PassiveTLS.evidence(after: "SSLRequest", client: rest.client, server: rest.server)
                )
            }
        case .handshakeResponse:
            finding.evidence.append(Evidence("mysql.client.answer", "HandshakeResponse41"))
        case nil:
            finding.evidence.append(Evidence("mysql.client.answer", "none seen"))
        }
        return finding
    }

    /// The client's answer to a greeting, or `nil` when the packet is neither answer.
    static func clientAnswer(_ packet: MySQLPacket) -> ClientAnswer? {
        let payload = packet.payload
        guard packet.sequenceID == 1, payload.readableBytes >= fixedPrefix,
            let capabilities = payload.getInteger(at: payload.readerIndex, endianness: .little, as: UInt32.self),
            capabilities & protocol41 != 0,
            let filler = payload.getBytes(at: payload.readerIndex + fillerRange.lowerBound, length: fillerRange.count),
            filler.allSatisfy({ $0 == 0 })
        else { return nil }
        let ssl = capabilities & MySQLHandshake.clientSSL != 0
        return ssl && payload.readableBytes == fixedPrefix ? .sslRequest : .handshakeResponse
    }
}
