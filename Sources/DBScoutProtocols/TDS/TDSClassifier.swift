import DBScoutCore

/// Turns a PRELOGIN answer into a SQL Server finding.
public enum TDSClassifier {
    /// The majors a SQL Server answering PRELOGIN can state: 8 (2000) is the oldest release that speaks PRELOGIN,
    /// 17 (2025) the newest known; the headroom lets future releases through while `0.0.0` or `255.x` do not.
    public static let plausibleMajors: ClosedRange<UInt8> = 8...30

    /// SQL Server 2017 (major 14) is the first release that runs on Linux.
    static let firstLinuxMajor: UInt8 = 14

    /// Babelfish for PostgreSQL answers PRELOGIN as 12.0.2000 unless configured otherwise, the same as SQL Server
    /// 2014 RTM, and it runs on Linux, so that exact version says nothing about the host.
    static let babelfishDefault = TDSProductVersion(major: 12, minor: 0, build: 2000)

    /// Identifies SQL Server from its PRELOGIN answer, or returns `nil` when the stated version cannot be one.
    ///
    /// TLS follows from the answer to our ENCRYPT_OFF: ENCRYPT_REQ means the server forces TLS on every session
    /// (`.required`); ENCRYPT_OFF means it has a certificate and encrypts the login packet, then carries on in
    /// clear unless the client asks for more (`.supported`), as does ENCRYPT_ON; ENCRYPT_NOT_SUP means it has no
    /// TLS at all and even the login travels in clear (`.unsupported`).
    public static func classify(_ response: TDSPreloginResponse, at endpoint: Endpoint) -> Finding? {
        let version = response.version
        guard plausibleMajors.contains(version.major) else { return nil }
        var finding = Finding(endpoint: endpoint, product: .sqlserver, version: version.description)
        finding.evidence.append(Evidence("tds.prelogin.version", "\(version).\(version.subBuild)"))
        if let release = DBSSVersion.normalize(version.description, family: .sqlserver), !release.contains(".") {
            finding.evidence.append(Evidence("sqlserver.release", release))
        }
        finding.tls = tls(for: response.encryption.mode)
        finding.evidence.append(Evidence("tds.prelogin.encryption", response.encryption.description))
        finding.evidence += optionEvidence(response)
        if version == babelfishDefault {
            finding.evidence.append(
                Evidence(
                    "tds.prelogin.caveat",
                    "\(version) is also Babelfish for PostgreSQL's default; host OS left open"
                )
            )
        } else if let (os, note) = hostOS(for: version) {
            finding.os = os
            finding.evidence.append(Evidence("os.hint", note))
        }
        return finding
    }

    static func tls(for mode: TDSEncryption.Mode) -> TLSSupport {
        switch mode {
        case .required: .required
        case .on, .off: .supported
        case .notSupported: .unsupported
        }
    }

    private static func optionEvidence(_ response: TDSPreloginResponse) -> [Evidence] {
        var evidence: [Evidence] = []
        switch response.instance {
        case .name(let name): evidence.append(Evidence("tds.prelogin.instance", name))
        case .validity(let byte):
            let meaning = byte == 0 ? "default instance accepted" : "another instance answered (ERROR_INST)"
            evidence.append(Evidence("tds.prelogin.instopt", "\(TDSPacket.hex(byte)) (\(meaning))"))
        case nil: break
        }
        if let mars = response.mars { evidence.append(Evidence("tds.prelogin.mars", mars ? "on" : "off")) }
        if let required = response.fedAuthRequired {
            evidence.append(Evidence("tds.prelogin.fedauth_required", required ? "yes" : "no"))
        }
        if !response.unknownTokens.isEmpty {
            let tokens = response.unknownTokens.map(TDSPacket.hex).joined(separator: ",")
            evidence.append(Evidence("tds.prelogin.unknown_options", tokens))
        }
        return evidence
    }

    /// Releases before 2017 (major 14) run on Windows only; from 2017 on Linux is possible, so nothing is said.
    static func hostOS(for version: TDSProductVersion) -> (HostOS, String)? {
        guard version.major < firstLinuxMajor else { return nil }
        return (.windows64, "SQL Server major \(version.major) predates Linux support (major \(firstLinuxMajor), 2017)")
    }
}
