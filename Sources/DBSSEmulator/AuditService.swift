import Foundation
import NIOHTTP1

/// The DBSS audit-instance API: add and list databases, list instances.
///
/// Called only after authentication and path checks passed.
struct AuditService: Sendable {
    let state: EmulatorState

    /// `POST` add self-built database (v1 and v2 share body and answer): 200 `{"id": …}`.
    func addDatabase(_ request: EmulatorRequest, version: DBSSAPIVersion) throws(APIError) -> EmulatorResponse {
        let draft = try DatabaseValidation.validate(contentType: request.header("Content-Type"), body: request.body)
        let database = try state.addDatabase(draft, via: version)
        return .json(.ok, ["id": database.id])
    }

    /// `GET` list databases: `{"databases":[{"database":{…}}],"total":N}` where `total` counts all
    /// records matching the `status` filter, not just the returned page.
    func listDatabases(_ request: EmulatorRequest) throws(APIError) -> EmulatorResponse {
        let query = try ListQuery.parse(request.query, maximumLimit: 10_000, allowsStatus: true)
        let matching = state.databases().filter { query.status == nil || $0.status == query.status }
        let page = query.page(matching).map { DatabaseListBody.Entry(database: .init($0)) }
        return .json(.ok, DatabaseListBody(databases: page, total: matching.count))
    }

    /// `GET` list audit instances: the one emulated instance, `total` 1. The instance list allows
    /// `limit` up to 1000 (documented for the new API; the emulator applies it to both paths).
    func listInstances(_ request: EmulatorRequest) throws(APIError) -> EmulatorResponse {
        let query = try ListQuery.parse(request.query, maximumLimit: 1000, allowsStatus: false)
        let configuration = state.configuration
        let instance = InstanceListBody.Server(
            id: configuration.instanceID,
            name: configuration.instanceName,
            databaseLimit: configuration.databaseLimit,
            configNum: state.databases().count,
            region: configuration.projectName,
            zone: configuration.projectName + "a"
        )
        return .json(.ok, InstanceListBody(servers: Array(query.page([instance])), total: 1))
    }
}

/// Body of the list-databases answer; each element wraps the record in a `database` key.
private struct DatabaseListBody: Encodable {
    struct Entry: Encodable {
        var database: Database
    }

    /// The `DataBase` bean: every field a string, `agent_url` an (empty) array since the emulator
    /// models no agents, and `instance_name` an empty string when none was given.
    struct Database: Encodable {
        var id: String
        var name: String
        var type: String
        var version: String
        var charset: String
        var ip: String
        var port: String
        var os: String
        var status: String
        var instanceName: String
        var auditStatus: String
        var agentUrl: [String]
        var dbClassification: String

        init(_ record: EmulatedDatabase) {
            id = record.id
            name = record.name
            type = record.type
            version = record.version
            charset = record.charset
            ip = record.ip
            port = record.port
            os = record.os
            status = record.status
            instanceName = record.instanceName ?? ""
            auditStatus = record.auditStatus
            agentUrl = []
            dbClassification = record.dbClassification
        }
    }

    var databases: [Entry]
    var total: Int
}

/// Body of the list-instances answer (`AuditInstanceListBean` fields the agent may read).
private struct InstanceListBody: Encodable {
    struct Server: Encodable {
        var id: String
        var name: String
        var status = "ACTIVE"
        var task = "NO_TASK"
        var databaseLimit: Int
        var configNum: Int
        var chargeModel = "Demand"
        var specification = "dbss.bypassaudit.low"
        var resourceSpecCode = "dbss.bypassaudit.low"
        var cpu = 4
        var ram = 16
        var region: String
        var zone: String
        var comment = ""
    }

    var servers: [Server]
    var total: Int
}
