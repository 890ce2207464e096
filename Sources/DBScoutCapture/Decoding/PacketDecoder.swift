import DBScoutCore
import DBScoutProtocols

/// Decodes captured frames into TCP segments. Pure and total: any bytes give either a segment or the reason
/// there is none.
public enum PacketDecoder {
    /// Decodes one frame captured on a link of type `linkType` (the DLT_* value libpcap reports).
    public static func decode(_ frame: [UInt8], linkType: Int32) -> DecodeOutcome {
        let packet: IPPacket
        switch LinkDecoder.networkStart(frame: frame, linkType: linkType).flatMap({ IPDecoder.decode(frame, at: $0) })
        {
        case .success(let decoded): packet = decoded
        case .failure(let reason): return .skipped(reason)
        }
        guard packet.transportProtocol == 6 else { return .skipped(.notTCP) }
        return tcp(frame, in: packet)
    }

    private static func tcp(_ frame: [UInt8], in packet: IPPacket) -> DecodeOutcome {
        let start = packet.transportOffset
        guard start <= packet.end - 20, let sourcePort = frame.uint16(at: start),
            let destinationPort = frame.uint16(at: start + 2), let sequence = frame.uint32(at: start + 4),
            let acknowledgment = frame.uint32(at: start + 8), let offsetByte = frame.byte(at: start + 12),
            let flags = frame.byte(at: start + 13)
        else { return .skipped(.truncatedTCPHeader) }
        let headerLength = Int(offsetByte >> 4) * 4
        guard headerLength >= 20 else { return .skipped(.malformedTCPHeader) }
        guard start + headerLength <= packet.end else {
            return .skipped(packet.isCut ? .truncatedTCPHeader : .malformedTCPHeader)
        }
        let payloadStart = start + headerLength
        // Without every payload byte the segment cannot be placed in its stream.
        guard !packet.isCut else { return .skipped(.truncatedPayload) }
        return .segment(
            TCPSegment(
                source: Endpoint(address: packet.source, port: sourcePort),
                destination: Endpoint(address: packet.destination, port: destinationPort),
                sequence: sequence,
                acknowledgment: acknowledgment,
                flags: TCPFlags(rawValue: flags),
                headers: frame[packet.ipOffset..<payloadStart],
                payload: frame[payloadStart..<packet.end]
            )
        )
    }
}
