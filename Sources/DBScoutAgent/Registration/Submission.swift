import DBSSClient
import DBScoutCore

extension RegistrationPolicy {
    /// Why a registrable finding is held back, or `nil` when it can go: its host OS is unknown and neither an
    /// override nor `register_unknown_os` says what to send.
    public func holdReason(for finding: Finding) -> String? {
        guard finding.os == nil, !registerUnknownOS,
            !overrides.contains(where: { $0.os != nil && $0.match.matches(finding) })
        else { return nil }
        return "waiting for the host OS: set registration.register_unknown_os (sends \(defaultOS.rawValue)) "
            + "or an override with os"
    }

    /// The add-database body for a finding, or `nil` when it is not to be submitted: DBSS has no `type` for its
    /// product (and no override gives one), or an override says to skip it.
    ///
    /// Fields the handshake left unknown take the policy's defaults; then matching overrides apply, in order.
    public func database(for finding: Finding) -> DBSSDatabase? {
        let overrides = self.overrides.filter { $0.match.matches(finding) }
        guard !overrides.contains(where: \.skip),
            let type = overrides.compactMap(\.type).last ?? finding.dbssType
        else { return nil }
        let address = finding.endpoint.address.description
        var database = DBSSDatabase(
            dbClassification: "ECS",
            name: "\(finding.product.rawValue)-\(address)-\(finding.endpoint.port)",
            type: type.rawValue,
            version: finding.dbssVersion ?? unknownVersion,
            charset: (finding.charset ?? defaultCharset).rawValue,
            ip: address,
            port: String(finding.endpoint.port),
            os: (finding.os ?? defaultOS).rawValue
        )
        for override in overrides { override.apply(to: &database) }
        return database
    }
}
