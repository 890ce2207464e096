import NIOCore

/// A REFUSE: the listener turns the connection down and says why in a descriptor, e.g.
/// `(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)(ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))`.
public struct TNSRefuse: Sendable, Hashable {
    /// The user-level and system-level reason bytes (listeners send 0x22 and 0x00).
    public let userReason: UInt8
    public let systemReason: UInt8
    /// The refuse data as text, trailing NULs dropped.
    public let text: String

    /// Decodes the body of a REFUSE packet: the reasons, a data length, and that much printable text. Bytes past the
    /// stated length may only be NUL padding.
    static func decode(_ packet: TNSPacket) -> Result<TNSRefuse, TNSLayoutProblem> {
        var body = packet.body
        guard let user: UInt8 = body.readInteger(), let system: UInt8 = body.readInteger(),
            let length: UInt16 = body.readInteger()
        else { return .failure(TNSLayoutProblem("REFUSE is shorter than its fixed fields")) }
        guard let data = body.readBytes(length: Int(length)) else {
            return .failure(TNSLayoutProblem("REFUSE data length \(length) exceeds the packet"))
        }
        guard body.readableBytesView.allSatisfy({ $0 == 0 }) else {
            return .failure(TNSLayoutProblem("REFUSE has bytes after its data"))
        }
        guard let text = TNSText.printable(data) else { return .failure(TNSLayoutProblem("REFUSE data is not text")) }
        return .success(TNSRefuse(userReason: user, systemReason: system, text: text))
    }
}
