/// The options a SYN offers, as far as they decide what the SYN-ACK may carry: a stack echoes window scaling,
/// SACK and timestamps only when the SYN offered them (RFC 7323 §1.3, RFC 2018 §2).
public struct OptionOffer: Hashable, Sendable {
    public var windowScale: Bool
    public var sackPermitted: Bool
    public var timestamps: Bool

    public init(windowScale: Bool, sackPermitted: Bool, timestamps: Bool) {
        self.windowScale = windowScale
        self.sackPermitted = sackPermitted
        self.timestamps = timestamps
    }

    /// What `syn` offered.
    public init(_ syn: TCPSignature) {
        self.init(
            windowScale: syn.windowScale != nil,
            sackPermitted: syn.sackPermitted,
            timestamps: syn.timestampValue != nil
        )
    }

    /// Window scaling, SACK and timestamps: what Linux, the BSDs and macOS offer by default.
    public static let all = OptionOffer(windowScale: true, sackPermitted: true, timestamps: true)

    /// Nothing beyond the MSS.
    public var isEmpty: Bool { !windowScale && !sackPermitted && !timestamps }

    /// Every offer that asks for no more than this one, this one included: a stack may have any of the three
    /// switched off, and then leaves it out of its answer.
    var subsets: [OptionOffer] {
        [false, true].flatMap { ws in
            [false, true].flatMap { sack in
                [false, true].compactMap { ts in
                    (!ws || windowScale) && (!sack || sackPermitted) && (!ts || timestamps)
                        ? OptionOffer(windowScale: ws, sackPermitted: sack, timestamps: ts) : nil
                }
            }
        }
    }

    /// `ws,sok,ts`, or `mss only`.
    public var description: String {
        let names = [(windowScale, "ws"), (sackPermitted, "sok"), (timestamps, "ts")].filter(\.0).map(\.1)
        return names.isEmpty ? "mss only" : names.joined(separator: ",")
    }
}

/// A family of TCP implementations that write SYN and SYN-ACK options in the same order.
///
/// Each layout below is written from facts: the kernels' option writers where we know them (Linux
/// `tcp_options_write`, FreeBSD `tcp_addoptions`), SYN and SYN-ACK packets in the public and own traces, and the
/// option strings of nmap's OS database read as facts (its OPS lines record each stack's answer to six SYNs
/// that offer different options). Where no source shows what a stack writes for an offer, the layout is `nil`
/// rather than a guess.
public enum TCPStack: String, Hashable, Sendable, CaseIterable {
    /// Linux 2.4 to 6.x: `mss,sok,ts,nop,ws`; without timestamps `mss,nop,nop,sok,nop,ws`.
    case linux
    /// Windows NT 5 to 11 and Server 2003 to 2022: `mss,nop,ws,sok,ts`; without timestamps `mss,nop,ws,nop,nop,sok`.
    case windows
    /// FreeBSD: options aligned one by one, `mss,nop,ws,sok,ts`; without timestamps `mss,nop,ws,sok,eol`.
    case freebsd
    /// macOS and iOS (XNU): `mss,nop,ws,nop,nop,ts,sok,eol`.
    case darwin
    /// Solaris 10 and early 11: timestamps first, `nop,nop,ts,mss,nop,ws,nop,nop,sok`; without timestamps
    /// `mss,nop,ws,nop,nop,sok`.
    case solaris
    /// Later Solaris 11: `sok,ts,mss,nop,ws`.
    case solaris11
    /// AIX, whose SACK is off by default: `mss,nop,ws,nop,nop,ts`.
    case aix
    /// HP-UX 11: `mss,nop,nop,sok,ws,nop,nop,nop,ts`.
    case hpux

    /// The options this stack writes when `offer`'s options are the ones in play (offered by the peer and enabled
    /// here), or `nil` when no source shows it.
    public func layout(for offer: OptionOffer) -> [TCPOption.Kind]? {
        // Every stack answers a bare SYN with its MSS alone.
        if offer.isEmpty { return [.mss] }
        switch self {
        case .linux: return Self.linuxLayout(offer)
        case .windows: return Self.windowsLayout(offer)
        case .freebsd: return Self.alignedLayout(offer)
        case .darwin: return offer.timestamps || !offer.sackPermitted ? Self.darwinLayout(offer) : nil
        case .solaris: return Self.solarisLayout(offer)
        case .solaris11: return offer.timestamps ? Self.solaris11Layout(offer) : nil
        case .aix: return offer.timestamps && !offer.sackPermitted ? Self.aixLayout(offer) : nil
        case .hpux: return offer.timestamps ? Self.hpuxLayout(offer) : nil
        }
    }

    /// The option sets this stack's own SYNs offer by default or with a commonly used switch.
    var synOffers: [OptionOffer] {
        let noTimestamps = OptionOffer(windowScale: true, sackPermitted: true, timestamps: false)
        switch self {
        // net.ipv4.tcp_timestamps=0 is a common hardening setting.
        case .linux: return [.all, noTimestamps]
        // Vista and later offer no timestamps by default; XP and 2003 offered no window scaling either.
        case .windows:
            return [noTimestamps, OptionOffer(windowScale: false, sackPermitted: true, timestamps: false), .all]
        case .freebsd, .darwin, .solaris11, .hpux: return [.all]
        case .solaris: return [noTimestamps, .all]
        case .aix: return [OptionOffer(windowScale: true, sackPermitted: false, timestamps: true)]
        }
    }

    /// Whether this stack could have written `layout` in a packet of `role`.
    ///
    /// A SYN must be one of the stack's own offers. A SYN-ACK may answer any part of the SYN's `offer` (all three
    /// options when the SYN is unknown), because each can be switched off on the server.
    func explains(_ layout: [TCPOption.Kind], role: TCPSignature.Role, offer: OptionOffer?) -> Bool {
        let candidates = role == .syn ? synOffers : (offer ?? .all).subsets
        return candidates.contains { self.layout(for: $0) == layout }
    }

    /// `tcp_options_write`: MSS; SACK-permitted and timestamps together, or each after two NOPs; window scale last.
    private static func linuxLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = [.mss]
        if offer.timestamps {
            layout += offer.sackPermitted ? [.sok, .ts] : [.nop, .nop, .ts]
        } else if offer.sackPermitted {
            layout += [.nop, .nop, .sok]
        }
        if offer.windowScale { layout += [.nop, .ws] }
        return layout
    }

    /// Window scale right after the MSS, then SACK-permitted and timestamps as Linux pairs them.
    private static func windowsLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = [.mss]
        if offer.windowScale { layout += [.nop, .ws] }
        if offer.timestamps {
            layout += offer.sackPermitted ? [.sok, .ts] : [.nop, .nop, .ts]
        } else if offer.sackPermitted {
            layout += [.nop, .nop, .sok]
        }
        return layout
    }

    /// `tcp_addoptions`: each option is preceded by as many NOPs as its alignment needs (window scale at an odd
    /// offset, SACK-permitted at an even one, timestamps at 2 mod 4), and the list ends with EOL padding to 4.
    private static func alignedLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = [.mss]
        var length = 4
        func add(_ kind: TCPOption.Kind, size: Int, alignedWhen aligned: (Int) -> Bool) {
            while !aligned(length) {
                layout.append(.nop)
                length += 1
            }
            layout.append(kind)
            length += size
        }
        if offer.windowScale { add(.ws, size: 3) { $0 % 2 == 1 } }
        if offer.sackPermitted { add(.sok, size: 2) { $0 % 2 == 0 } }
        if offer.timestamps { add(.ts, size: 10) { $0 % 4 == 2 } }
        if length % 4 != 0 { layout.append(.eol) }
        return layout
    }

    private static func darwinLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = [.mss]
        if offer.windowScale { layout += [.nop, .ws] }
        if offer.timestamps { layout += [.nop, .nop, .ts] }
        if offer.sackPermitted { layout += [.sok, .eol] }
        return layout
    }

    private static func solarisLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = offer.timestamps ? [.nop, .nop, .ts, .mss] : [.mss]
        if offer.windowScale { layout += [.nop, .ws] }
        if offer.sackPermitted { layout += [.nop, .nop, .sok] }
        return layout
    }

    private static func solaris11Layout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = offer.sackPermitted ? [.sok, .ts, .mss] : [.nop, .nop, .ts, .mss]
        if offer.windowScale { layout += [.nop, .ws] }
        return layout
    }

    private static func aixLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        (offer.windowScale ? [.mss, .nop, .ws] : [.mss]) + [.nop, .nop, .ts]
    }

    private static func hpuxLayout(_ offer: OptionOffer) -> [TCPOption.Kind] {
        var layout: [TCPOption.Kind] = [.mss]
        if offer.sackPermitted { layout += [.nop, .nop, .sok] }
        layout += offer.windowScale ? [.ws, .nop, .nop, .nop] : [.nop, .nop]
        return layout + [.ts]
    }
}

extension TCPSignature {
    /// The part a packet plays in the handshake.
    public enum Role: Hashable, Sendable {
        /// The SYN: the client's stack, unprompted.
        case syn
        /// The SYN-ACK: the server's stack, answering the SYN's offer.
        case synAck
    }

    /// `nil` for anything but a SYN or a SYN-ACK.
    public var role: Role? { isSYN ? .syn : isSYNACK ? .synAck : nil }
}
