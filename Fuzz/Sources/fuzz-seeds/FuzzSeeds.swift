import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import Foundation
import FuzzTargets
import NIOCore

/// Extracts seed inputs for every fuzz target from the capture files under a folder (the project's shared test
/// data), so the fuzzers start from real handshakes rather than from nothing:
///
///     swift run --package-path Fuzz --scratch-path Fuzz/.build-seeds fuzz-seeds ../shared/testdata Fuzz/Corpus
///
/// Files are named by a hash of their bytes, so running it again adds only what is new.
@main
enum FuzzSeeds {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: fuzz-seeds <capture folder> <corpus folder>\n".utf8))
            exit(2)
        }
        var seeds = Seeds()
        for path in captureFiles(under: arguments[0]) {
            guard let file = try? CaptureFile(path: path) else { continue }
            seeds.add(file)
        }
        seeds.addMongoDBReplies()
        for target in FuzzTarget.allCases {
            let folder = URL(fileURLWithPath: arguments[1]).appendingPathComponent(target.rawValue)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for seed in seeds.inputs[target, default: []] {
                try Data(seed).write(to: folder.appendingPathComponent(Seeds.name(of: seed)))
            }
            print("\(target.rawValue): \(seeds.inputs[target, default: []].count) seeds")
        }
    }

    /// Every pcap and pcapng file under `folder`, in a stable order.
    static func captureFiles(under folder: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
    }
}

/// The seeds gathered so far, per target, without duplicates.
struct Seeds {
    /// Seeds one capture may give each target, so that a long scan does not crowd out the other files.
    static let perFile = 4
    /// Frames of one capture given to the packet target.
    static let framesPerFile = 6

    private(set) var inputs: [FuzzTarget: [[UInt8]]] = [:]
    private var seen: [FuzzTarget: Set<[UInt8]>] = [:]

    mutating func add(_ file: CaptureFile) {
        var added: [FuzzTarget: Int] = [:]
        func add(_ input: [UInt8], to target: FuzzTarget, limit: Int = Self.perFile) {
            guard added[target, default: 0] < limit, keep(input, for: target) else { return }
            added[target, default: 0] += 1
        }
        for flow in Self.flows(of: file) {
            add(Self.passive(flow), to: .passive)
            if flow.syn != nil || flow.synAck != nil {
                add(FuzzInput.encode(parts: [flow.syn ?? [], flow.synAck ?? []]), to: .os)
            }
            // The client's bytes too: some codec targets also read them (a TNS CONNECT, a MongoDB OP_QUERY).
            if let target = Self.codecTarget(of: flow) {
                for bytes in [flow.serverBytes, flow.clientBytes] where !bytes.isEmpty { add(bytes, to: target) }
            }
        }
        for frame in packetInputs(file) { add(frame, to: .packet, limit: Self.framesPerFile) }
    }

    /// MongoDB replies made with the codec's own encoders, as no capture holds a server's answer: OP_MSG and
    /// OP_REPLY handshakes followed by buildInfo, a command error and a legacy query failure.
    mutating func addMongoDBReplies() {
        let hello: BSONDocument = [
            "isWritablePrimary": true,
            "topologyVersion": .document(["processId": .objectID(Array(repeating: 7, count: 12))]),
            "maxBsonObjectSize": 16_777_216, "localTime": .dateTime(1_714_564_800_000), "minWireVersion": 0,
            "maxWireVersion": 21, "setName": "rs0", "hosts": .array(["db:27017"]), "ok": 1.0,
        ]
        let isMaster: BSONDocument = ["ismaster": true, "maxBsonObjectSize": 16_777_216, "maxWireVersion": 5, "ok": 1]
        let buildInfo: BSONDocument = [
            "version": "7.0.12", "gitVersion": "b6a8c2a8a1e1", "modules": .array([]),
            "buildEnvironment": .document(["target_os": "linux", "distmod": "ubuntu2204", "distarch": "x86_64"]),
            "bits": .int32(64), "ok": 1.0,
        ]
        let unknown: BSONDocument = [
            "ok": 0.0, "errmsg": "no such command: 'hello'", "code": 59, "codeName": "CommandNotFound",
        ]
        let queryFailure: BSONDocument = ["$err": "not authorized", "code": 13]
        let message = { (document: BSONDocument, responseTo: Int32) in
            Array(MongoDBOpMsg.encode(document, requestID: 10, responseTo: responseTo).readableBytesView)
        }
        let reply = { (document: BSONDocument, responseTo: Int32, flags: Int32) in
            Array(
                MongoDBOpReply.encode(document, requestID: 10, responseTo: responseTo, flags: flags).readableBytesView
            )
        }
        let replies = [
            message(hello, 1) + message(buildInfo, 3),
            reply(isMaster, 2, MongoDBOpReply.awaitCapable) + reply(buildInfo, 3, MongoDBOpReply.awaitCapable),
            message(unknown, 1),
            reply(queryFailure, 2, MongoDBOpReply.awaitCapable | 0b10),
        ]
        for reply in replies { keep(reply, for: .mongodb) }
    }

    /// Keeps `input` for `target` unless it has it already; whether it was new.
    @discardableResult
    private mutating func keep(_ input: [UInt8], for target: FuzzTarget) -> Bool {
        guard seen[target, default: []].insert(input).inserted else { return false }
        inputs[target, default: []].append(input)
        return true
    }

    /// What the flow table makes of the file, as the passive reader feeds it.
    private static func flows(of file: CaptureFile) -> [TCPFlowSnapshot] {
        var table = FlowTable()
        var snapshots: [FlowSnapshot] = []
        for (frame, segment) in file.segments {
            snapshots += table.expire(now: frame.timestamp)
            snapshots += table.ingest(segment, at: frame.timestamp)
        }
        return (snapshots + table.drain()).map(\.flow)
    }

    private static func passive(_ flow: TCPFlowSnapshot) -> [UInt8] {
        FuzzInput.encode(
            parts: [flow.clientBytes, flow.serverBytes, flow.syn ?? [], flow.synAck ?? []],
            stream: [flow.seenFromStart ? 1 : 0]
        )
    }

    /// The codec a flow's server speaks: what the passive classifier makes of it, else what its port suggests.
    private static func codecTarget(of flow: TCPFlowSnapshot) -> FuzzTarget? {
        switch PassiveClassifier.classify(flow)?.product {
        case .some(let product) where product.family == .postgres: .postgres
        case .some(let product) where product.family == .mysql: .mysql
        case .sqlserver: .tds
        case .oracle: .tns
        case .mongodb: .mongodb
        case .db2: .drda
        case .redis, .valkey: .redis
        case .none: KnownPort.wire(for: flow.server.port).flatMap { FuzzTarget(rawValue: $0.rawValue) }
        default: nil
        }
    }

    /// The first frames of the file on its own link type, and the IP packet of the first segment as raw IP.
    private func packetInputs(_ file: CaptureFile) -> [[UInt8]] {
        guard let selector = FuzzTarget.linkTypes.firstIndex(of: file.linkType) else { return [] }
        var inputs = file.frames.prefix(Self.framesPerFile - 1).map { [UInt8(selector)] + $0.bytes }
        if let (frame, segment) = file.segments.first, let raw = FuzzTarget.linkTypes.firstIndex(of: 101) {
            inputs.append([UInt8(raw)] + frame.bytes[segment.headers.startIndex..<segment.payload.endIndex])
        }
        return inputs
    }

    /// A file name from the bytes (FNV-1a, 64 bits): stable across runs, so a rerun rewrites rather than adds.
    static func name(of bytes: [UInt8]) -> String {
        let hash = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return "seed-" + String(hash, radix: 16)
    }
}
