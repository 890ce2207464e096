import CPcap

/// One libpcap handle, live or reading a file. Not thread-safe: libpcap handles belong to one thread, so a
/// handle is created, used and closed on the capture thread (``SYNACKCapture`` does that).
final class PcapHandle {
    private let handle: OpaquePointer
    /// Why reading stopped before the end, when it did (a corrupt or cut-short file, a failed interface).
    private(set) var readError: String?

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
    func setFilter(_ expression: String) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(.filter, "bad filter '\(expression)': \(PcapHandle.text(pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw CaptureError(.filter, "cannot set filter: \(PcapHandle.text(pcap_geterr(handle)))")
        }
    }

    /// The next packet; an empty frame when a live read timed out; `nil` at the end or after
    /// ``PcapBreaker/breakLoop()``.
    func next() -> CapturedFrame? {
        var frame = CapturedFrame()
        return read(into: &frame) ? frame : nil
    }

    /// Reads the next packet into `frame`, reusing its storage, so a reader that keeps no reference to the bytes
    /// allocates nothing per packet. An empty frame when a live read timed out; `false` at the end or after
    /// ``PcapBreaker/breakLoop()``.
    func read(into frame: inout CapturedFrame) -> Bool {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        frame.bytes.removeAll(keepingCapacity: true)
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            guard let header, let data else { return true }
            let stamp = header.pointee.ts
            frame.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen)))
            frame.timestamp = .seconds(Int64(stamp.tv_sec)) + .microseconds(Int64(stamp.tv_usec))
            frame.wireLength = Int(header.pointee.len)
            return true
        case 0: return true
        case PCAP_ERROR_BREAK: return false
        default:
            readError = PcapHandle.text(pcap_geterr(handle))
            return false
        }
    }

    /// What the kernel counted for a live capture so far; `nil` for a file or when libpcap cannot tell.
    func statistics() -> CaptureStatistics? {
        var counts = pcap_stat()
        guard pcap_stats(handle, &counts) == 0 else { return nil }
        return CaptureStatistics(
            received: Int(counts.ps_recv),
            dropped: Int(counts.ps_drop),
            interfaceDropped: Int(counts.ps_ifdrop)
        )
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

/// One packet as libpcap handed it over.
struct CapturedFrame {
    /// The captured bytes (at most the snapshot length).
    var bytes: [UInt8] = []
    /// When the packet was captured, since the Unix epoch.
    var timestamp: Duration = .zero
    /// The packet's length on the wire, which may exceed the captured bytes.
    var wireLength = 0
}

/// The kernel's counters of a live capture.
public struct CaptureStatistics: Sendable, Hashable {
    /// Packets that passed the filter (libpcap's `ps_recv`).
    public var received = 0
    /// Packets dropped because the capture buffer was full: the reader fell behind.
    public var dropped = 0
    /// Packets the interface or its driver dropped.
    public var interfaceDropped = 0

    public init(received: Int = 0, dropped: Int = 0, interfaceDropped: Int = 0) {
        self.received = received
        self.dropped = dropped
        self.interfaceDropped = interfaceDropped
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
