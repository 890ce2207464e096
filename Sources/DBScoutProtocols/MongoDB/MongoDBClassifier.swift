import DBScoutCore

/// What a MongoDB-wire server said: its handshake reply and, when it answered, its build information.
public struct MongoDBObservation: Sendable, Hashable {
    /// The command the handshake reply answers: `hello`, or `isMaster` for older servers.
    public var handshakeCommand: MongoDBCommand
    public var transport: MongoDBTransport
    /// The reply to the handshake command.
    public var handshake: BSONDocument
    /// The reply to `buildInfo`, when one was asked for and came back.
    public var buildInfo: BSONDocument?

    public init(
        handshakeCommand: MongoDBCommand,
        transport: MongoDBTransport,
        handshake: BSONDocument,
        buildInfo: BSONDocument? = nil
    ) {
        self.handshakeCommand = handshakeCommand
        self.transport = transport
        self.handshake = handshake
        self.buildInfo = buildInfo
    }
}

/// Turns a MongoDB handshake (and build information) into a finding.
public enum MongoDBClassifier {
    /// Whether `document` answers `hello`/`isMaster`: `ok: 1`, a boolean primary flag (`isWritablePrimary` or
    /// `ismaster`) and a numeric `maxBsonObjectSize`, which every server version sends.
    public static func isHandshakeReply(_ document: BSONDocument) -> Bool {
        isOK(document)
            && (document["isWritablePrimary"]?.bool != nil || document["ismaster"]?.bool != nil)
            && document["maxBsonObjectSize"]?.int != nil
    }

    /// The wire version a handshake reply states, if it is a plausible one.
    public static func maxWireVersion(_ handshake: BSONDocument) -> Int? {
        handshake["maxWireVersion"]?.int.flatMap { (0...1000).contains($0) ? $0 : nil }
    }

    /// Identifies a MongoDB-wire server, or `nil` when the reply is neither a handshake reply nor an error in
    /// MongoDB's shape.
    public static func classify(_ observation: MongoDBObservation, at endpoint: Endpoint) -> Finding? {
        let prefix = "mongodb.\(observation.handshakeCommand.rawValue)"
        if let error = MongoDBCommandError(observation.handshake) {
            var finding = Finding(endpoint: endpoint, product: .mongodb)
            finding.evidence = [Evidence("\(prefix).transport", observation.transport.rawValue)]
            finding.evidence += evidence(of: error, prefix: "\(prefix).error")
            return finding
        }
        guard isHandshakeReply(observation.handshake) else { return nil }
        var finding = Finding(endpoint: endpoint, product: .mongodb)
        finding.evidence = handshakeEvidence(observation.handshake, prefix: prefix, transport: observation.transport)
        let wire = maxWireVersion(observation.handshake)
        finding.version = wire.flatMap(MongoDBWireVersion.release(forMaxWireVersion:))
        if let wire {
            finding.evidence.append(Evidence("mongodb.wire_release", wireBracket(wire)))
        }
        if let buildInfo = observation.buildInfo {
            apply(buildInfo: buildInfo, to: &finding)
        }
        return finding
    }

    private static func handshakeEvidence(
        _ handshake: BSONDocument,
        prefix: String,
        transport: MongoDBTransport
    ) -> [Evidence] {
        var evidence = [Evidence("\(prefix).transport", transport.rawValue)]
        for key in ["maxWireVersion", "minWireVersion", "isWritablePrimary", "ismaster", "secondary", "setName", "msg"]
        {
            if let value = handshake[key].flatMap(text) { evidence.append(Evidence("\(prefix).\(key)", value)) }
        }
        if handshake["msg"]?.string == "isdbgrid" {
            evidence.append(Evidence("mongodb.role", "mongos (sharded cluster router)"))
        } else if let setName = handshake["setName"]?.string {
            evidence.append(Evidence("mongodb.role", "replica set member of '\(setName)'"))
        }
        return evidence
    }

    /// The `buildInfo` fields worth keeping as evidence.
    private static let buildInfoFacts = [
        ["version"], ["gitVersion"], ["buildEnvironment", "target_os"], ["buildEnvironment", "distmod"],
        ["buildEnvironment", "distarch"],
    ]

    private static func apply(buildInfo: BSONDocument, to finding: inout Finding) {
        if let error = MongoDBCommandError(buildInfo) {
            finding.evidence += evidence(of: error, prefix: "mongodb.buildInfo.error")
            return
        }
        guard isOK(buildInfo) else { return }
        if let version = buildInfo["version"]?.string, version.first?.isASCII == true, version.first?.isNumber == true,
            version.utf8.count <= maxEvidenceLength
        {
            finding.version = version
        }
        for path in buildInfoFacts {
            if let value = buildInfo[path].flatMap(text) {
                finding.evidence.append(Evidence("mongodb.buildInfo.\(path.joined(separator: "."))", value))
            }
        }
        finding.os = os(buildEnvironment: buildInfo["buildEnvironment"]?.document)
    }

    private static func evidence(of error: MongoDBCommandError, prefix: String) -> [Evidence] {
        [
            Evidence("\(prefix).code", String(error.code)),
            Evidence("\(prefix).codeName", String(error.codeName.prefix(maxEvidenceLength))),
            Evidence("\(prefix).errmsg", String(error.message.prefix(maxEvidenceLength))),
        ]
    }

    /// `buildEnvironment.target_os` (`linux`, `windows`, `macOS`, ...), else the distribution (`ubuntu2004`,
    /// `rhel80`, `windows`, `2008plus-ssl`).
    static func os(buildEnvironment: BSONDocument?) -> HostOS? {
        guard let environment = buildEnvironment else { return nil }
        if let target = environment["target_os"]?.string?.lowercased() {
            switch target {
            case "linux": return .linux64
            case "windows": return .windows64
            case "macos", "osx", "darwin", "freebsd", "openbsd", "solaris", "illumos": return .unix
            default: break
            }
        }
        guard let distribution = environment["distmod"]?.string?.lowercased() else { return nil }
        if distribution.hasPrefix("windows") || distribution.hasPrefix("2008plus") { return .windows64 }
        let linuxDistributions = ["rhel", "ubuntu", "debian", "suse", "amazon", "amzn", "linux"]
        return linuxDistributions.contains { distribution.hasPrefix($0) } ? .linux64 : nil
    }

    private static func wireBracket(_ wire: Int) -> String {
        if let release = MongoDBWireVersion.release(forMaxWireVersion: wire) {
            return "maxWireVersion \(wire): a \(release).x release"
        }
        if wire > MongoDBWireVersion.newestKnown { return "maxWireVersion \(wire): newer than 8.0" }
        return "maxWireVersion \(wire): older than 2.6 or a development build"
    }

    private static func isOK(_ document: BSONDocument) -> Bool {
        guard let ok = document["ok"] else { return false }
        return ok.int == 1 || ok.bool == true
    }

    /// Server-chosen strings (set names, versions) are cut to this length in evidence.
    static let maxEvidenceLength = 128

    /// Scalar values as evidence text; documents and arrays are left out.
    private static func text(_ value: BSONValue) -> String? {
        switch value {
        case .string(let text): String(text.prefix(maxEvidenceLength))
        case .bool(let flag): String(flag)
        case .int32, .int64, .double: value.int.map(String.init)
        default: nil
        }
    }
}
