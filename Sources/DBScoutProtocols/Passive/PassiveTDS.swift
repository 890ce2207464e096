import DBScoutCore
import NIOCore

/// SQL Server: the client's PRELOGIN packet answered by the server's PRELOGIN response. A session joined after
/// PRELOGIN shows neither and is not identified.
enum PassiveTDS {
    static func identify(_ exchange: PassiveExchange) -> Finding? {
        guard
            case .message(let request, let sent) = TDSPacket.decode(
                exchange.client,
                type: TDSPacket.PacketType.prelogin
            ),
            request.status & TDSPacket.endOfMessage != 0,
            case .message(let response, let read) = TDSPreloginResponse.decode(exchange.server),
            var finding = TDSClassifier.classify(response, at: exchange.endpoint)
        else { return nil }
        finding.evidence.insert(Evidence("tds.client.prelogin", "\(request.payload.readableBytes) bytes"), at: 0)
        // With encryption on, the client's next PRELOGIN packets carry the TLS handshake, and the login after it
        // travels encrypted.
        if response.encryption.mode != .notSupported, let rest = exchange.dropping(client: sent, server: read),
            case .message(let next, _) = TDSPacket.decode(rest.client, type: TDSPacket.PacketType.prelogin),
            PassiveTLS.startsWithHandshakeRecord(next.payload)
        {
            finding.evidence.append(
                Evidence("passive.tls", "encrypted after PRELOGIN: TLS handshake inside PRELOGIN packets")
            )
        }
        return finding
    }
}
