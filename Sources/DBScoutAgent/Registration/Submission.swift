import DBSSClient
import DBScoutCore

extension RegistrationPolicy {
    /// The add-database body for a finding, or `nil` when DBSS has no `type` for its product.
    ///
    /// Fields the handshake left unknown take the policy's defaults; the finding's evidence says which.
    public func database(for finding: Finding) -> DBSSDatabase? {
        guard let type = finding.dbssType else { return nil }
        let address = finding.endpoint.address.description
        return DBSSDatabase(
            dbClassification: "ECS",
            name: "\(finding.product.rawValue)-\(address)-\(finding.endpoint.port)",
            type: type.rawValue,
            version: finding.dbssVersion ?? unknownVersion,
            charset: (finding.charset ?? defaultCharset).rawValue,
            ip: address,
            port: String(finding.endpoint.port),
            os: (finding.os ?? defaultOS).rawValue
        )
    }
}
