import DBScoutCore
import DBScoutProtocols
import NIOCore

/// Asks an Oracle listener for its `version` on one connection: CONNECT, resend it if the listener asks (at most
/// twice), then read the ACCEPT, REFUSE or REDIRECT. After an ACCEPT, reads the DATA packets in which a listener
/// answering the command puts its banner. A REDIRECT is recorded, never followed. On a TLS-first retry the same
/// dialogue runs inside TLS, as TCPS listeners (often port 2484) expect.
struct TNSProbe: Probe {
    let wire = WireProtocol.tns

    static let maxResends = 2
    static let maxFollowUps = 3

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let connect = TNSConnect.versionRequest
        let observation = try await context.withConnection(to: endpoint) { connection in
            try await converse(connect, on: connection, context: context)
        }
        return observation.flatMap { TNSClassifier.classify($0, at: endpoint) }
    }

    private func converse(
        _ connect: TNSConnect,
        on connection: ProbeConnection,
        context: ProbeContext
    ) async throws -> TNSObservation? {
        let request = connect.encode()
        var resends = 0
        while true {
            await connection.send(request)
            let (decoded, _) = try await connection.read(timeout: context.readTimeout, decode: TNSListenerReply.decode)
            guard let reply = decoded.value else { return nil }
            if reply == .resend, resends < Self.maxResends {
                resends += 1
                continue
            }
            var observation = TNSObservation(offeredVersion: connect.version, reply: reply, resends: resends)
            if case .accept(let accept) = reply {
                observation.followUps = try await followUps(after: accept, on: connection, context: context)
            }
            return observation
        }
    }

    /// A listener answering a command sends DATA right behind its ACCEPT; a session ACCEPT is followed by silence,
    /// so without accept data the wait is only the short banner wait.
    private func followUps(
        after accept: TNSAccept,
        on connection: ProbeConnection,
        context: ProbeContext
    ) async throws -> [TNSDataPacket] {
        let form = TNSLengthForm(negotiatedVersion: accept.version)
        let wait = accept.data.isEmpty ? context.bannerWait : context.readTimeout
        var packets: [TNSDataPacket] = []
        while packets.count < Self.maxFollowUps {
            let (decoded, _) = try await connection.read(timeout: wait) { TNSDataPacket.decode($0, form: form) }
            guard let packet = decoded.value else { break }
            packets.append(packet)
            if TNSListenerBanner.find(in: packet.lines) != nil { break }
        }
        return packets
    }
}
