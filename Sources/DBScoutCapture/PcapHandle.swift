import CPcap

/// One libpcap handle, live or reading a file. Not thread-safe: libpcap handles belong to one thread, so a
/// handle is created, used and closed on the capture thread (``SYNACKCapture`` does that).
final class PcapHandle {
    private let handle: OpaquePointer

    /// Opens a live capture on `device` (`any` for every interface).
    /// - Throws: ``CaptureError`` with libpcap's message (e.g. no permission without CAP_NET_RAW).
    init(live device: String, snapshotLength: Int32 = 256, timeoutMilliseconds: Int32 = 100) throws {
        var errors = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let created = pcap_create(device, &errors) else {
            throw CaptureError(.open, "cannot open \(device): \(PcapHandle.text(errors))")
        }
        pcap_set_snaplen(created, snapshotLength)
        pcap_set_timeout(created, timeoutMilliseconds)
        pcap_set_immediate_mode(created, 1)
        let status = pcap_activate(created)
        guard status >= 0 else {
            let message = PcapHandle.text(pcap_geterr(created))
            pcap_close(created)
            throw CaptureError(
                status == PCAP_ERROR_PERM_DENIED ? .permission : .open,
                "cannot capture on \(device): \(message)"
            )
        }
        handle = created
    }

    /// Opens a capture file (classic pcap or pcapng).
    init(file path: String) throws {
        var errors = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let opened = pcap_open_offline(path, &errors) else {
            throw CaptureError(.open, "cannot read \(path): \(PcapHandle.text(errors))")
        }
        handle = opened
    }

    deinit { pcap_close(handle) }

    fileprivate func breakLoop() { pcap_breakloop(handle) }

    /// The link-layer type (DLT_*) of the packets.
    var linkType: Int32 { pcap_datalink(handle) }

    /// Keeps only the packets that match a BPF expression.
    func setFilter(_ expression: String) throws {
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(.filter, "bad filter '\(expression)': \(PcapHandle.text(pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw CaptureError(.filter, "cannot set filter: \(PcapHandle.text(pcap_geterr(handle)))")
        }
    }

    /// The next packet's bytes; an empty array when a live read timed out; `nil` at the end or after
    /// ``PcapBreaker/breakLoop()``.
    func next() -> [UInt8]? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            guard let header, let data else { return [] }
            return Array(UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen)))
        case 0: return []
        default: return nil
        }
    }

    /// A way to stop this handle's read loop from another thread. It keeps the handle open for as long as it
    /// exists, so a late break never reaches a closed handle.
    var breaker: PcapBreaker { PcapBreaker(owner: self) }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        return String(validatingCString: pointer) ?? "unknown error"
    }
}

/// A capture failure, by kind.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case open, permission, filter
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Stops a handle's blocked read from another thread. libpcap documents `pcap_breakloop` as the one call that
/// is safe from any thread, and on Linux it wakes a read waiting in poll; nothing else of the handle is
/// reachable through this type, which is why it may cross threads.
struct PcapBreaker: @unchecked Sendable {
    fileprivate let owner: PcapHandle

    func breakLoop() { owner.breakLoop() }
}
