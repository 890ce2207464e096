import DBScoutCore
import NIOCore

/// Db2: the client's EXCSAT answered by EXCSATRD with the same correlation id.
enum PassiveDRDA {
    static func identify(_ exchange: PassiveExchange) -> Finding? {
        guard case .message(let request, _) = DRDADataStream.decode(exchange.client),
            request.codePoint == DRDACodePoint.exchangeServerAttributes,
            case .message(let reply, _) = DRDAServerAttributesReply.decode(
                exchange.server,
                correlationID: request.correlationID
            ),
            var finding = DRDAClassifier.classify(reply, at: exchange.endpoint)
        else { return nil }
        finding.evidence.insert(Evidence("drda.client.excsat", "correlation \(request.correlationID)"), at: 0)
        return finding
    }
}
