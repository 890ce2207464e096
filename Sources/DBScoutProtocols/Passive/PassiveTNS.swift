import DBScoutCore
import NIOCore

/// Oracle: the client's CONNECT answered by RESEND (then CONNECT again), ACCEPT, REFUSE or REDIRECT.
enum PassiveTNS {
    /// RESEND rounds followed at most.
    static let maxResends = 3
    /// DATA packets after an ACCEPT read for a listener banner.
    static let maxFollowUps = 4

    static func identify(_ exchange: PassiveExchange) -> Finding? {
        var rest = exchange
        var resends = 0
        while true {
            guard case .message(let connect, let sent) = TNSConnect.decode(rest.client),
                case .message(let reply, let read) = TNSListenerReply.decode(rest.server),
                let next = rest.dropping(
                    client: sent + descriptorBytes(connect, after: sent, in: rest.client),
                    server: read
                )
            else { return nil }
            guard reply == .resend else {
                var observation = TNSObservation(offeredVersion: connect.version, reply: reply, resends: resends)
                if case .accept(let accept) = reply {
                    observation.followUps = followUps(
                        next.server,
                        form: TNSLengthForm(negotiatedVersion: accept.version)
                    )
                }
                var finding = TNSClassifier.classify(observation, at: exchange.endpoint)
                finding?.evidence.insert(Evidence("tns.client.connect", "version \(connect.version)"), at: 0)
                return finding
            }
            resends += 1
            guard resends <= maxResends else { return nil }
            rest = next
        }
    }

    /// A CONNECT whose descriptor is too long to travel inline sends it in a DATA packet right after.
    private static func descriptorBytes(_ connect: TNSConnect, after sent: Int, in client: ByteBuffer) -> Int {
        guard connect.descriptor.isEmpty,
            var tail = client.getSlice(at: client.readerIndex, length: client.readableBytes)
        else {
            return 0
        }
        tail.moveReaderIndex(forwardBy: sent)
        guard case .message(_, let consumed) = TNSDataPacket.decode(tail) else { return 0 }
        return consumed
    }

    private static func followUps(_ bytes: ByteBuffer, form: TNSLengthForm) -> [TNSDataPacket] {
        var rest = bytes
        var packets: [TNSDataPacket] = []
        for _ in 0..<maxFollowUps {
            guard case .message(let packet, let consumed) = TNSDataPacket.decode(rest, form: form) else { break }
            packets.append(packet)
            rest.moveReaderIndex(forwardBy: consumed)
        }
        return packets
    }
}
