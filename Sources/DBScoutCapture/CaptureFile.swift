/// A capture file read whole through libpcap, classic pcap or pcapng: its link type and every frame, in file
/// order. Meant for files that fit in memory (recorded traces, test data); ``PassiveReader`` streams large ones.
public struct CaptureFile: Sendable {
    /// One frame of the file.
    public struct Frame: Sendable, Hashable {
        /// The frame's position in the file, counting from 1 as tcpdump and Wireshark do.
        public let number: Int
        /// When the frame was captured, since the Unix epoch.
        public let timestamp: Duration
        /// The captured bytes, link-layer header first (at most the file's snapshot length).
        public let bytes: [UInt8]
    }

    /// The path the file was read from.
    public let path: String
    /// The link-layer type (DLT_*) of the frames, as ``PacketDecoder/decode(_:linkType:)`` takes it.
    public let linkType: Int32
    public let frames: [Frame]
    /// Why reading stopped before the end of the file, when it did (libpcap's message, e.g. for a record cut
    /// short); ``frames`` holds the frames before the damage.
    public let readError: String?

    /// Reads every frame of the file at `path`. A file cut short or damaged after its header yields the frames
    /// before the damage, as tcpdump does, and says why in ``readError``.
    /// - Throws: ``CaptureError`` naming `path` when libpcap cannot open it (missing, or not a capture file).
    public init(path: String) throws {
        let handle = try PcapHandle(file: path)
        var frames: [Frame] = []
        while let captured = handle.next() {
            frames.append(Frame(number: frames.count + 1, timestamp: captured.timestamp, bytes: captured.bytes))
        }
        self.path = path
        linkType = handle.linkType
        self.frames = frames
        readError = handle.readError
    }

    /// The frames that hold a whole TCP segment, each with its segment as ``PacketDecoder`` reads it.
    public var segments: [(frame: Frame, segment: TCPSegment)] {
        frames.compactMap { frame in
            PacketDecoder.decode(frame.bytes, linkType: linkType).segment.map { (frame, $0) }
        }
    }
}
