import DBScoutCore

/// What a process's name says about the database server it is.
///
/// The name is the basename of the process's executable (`/proc/PID/exe`), else its command name
/// (`/proc/PID/comm`). The executable comes first because it is the file actually running: MariaDB's `mysqld`
/// symlink still runs `mariadbd`. The command name covers binaries that are links to a differently named file
/// (Debian's `redis-server` runs `/usr/bin/redis-check-rdb`) and processes whose executable cannot be read.
///
/// A name only says which server holds a socket, not that every socket of that server speaks SQL (OceanBase's RPC
/// port, MySQL's X protocol port, an Oracle dispatcher); the daemon probes each socket for what it really is.
public struct ProcessRecognition: Hashable, Sendable {
    /// The product, or `nil` for servers `DatabaseProduct` has no case for (Dameng, GBase 8s).
    public let product: DatabaseProduct?
    /// The DBSS type the server registers as: the product's, or the type itself for servers without a product
    /// case; `nil` for products DBSS does not audit (Redis, Db2, connection poolers).
    public let dbssType: DBSSType?
    /// Which name matched which rule, and what the rule rests on.
    public let reason: String

    /// Creates a recognition.
    public init(product: DatabaseProduct?, dbssType: DBSSType?, reason: String) {
        self.product = product
        self.dbssType = dbssType
        self.reason = reason
    }

    /// Recognises a database server from its process's names.
    ///
    /// - Parameters:
    ///   - executable: The target of `/proc/PID/exe`; a ` (deleted)` suffix (the binary was replaced on disk, as
    ///     after a package upgrade) is ignored.
    ///   - command: The contents of `/proc/PID/comm` (at most 15 bytes; the kernel truncates longer names).
    /// - Returns: The server, or `nil` when no rule matches either name.
    public static func recognise(executable: String?, command: String?) -> ProcessRecognition? {
        let names = [
            ("executable", executable.map(executableName)),
            ("command", command),
        ]
        for case (let source, let name?) in names {
            if let rule = ProcessNameRule.all.first(where: { $0.matches(name) }) {
                return ProcessRecognition(
                    product: rule.product,
                    dbssType: rule.dbssType,
                    reason: "\(source) \(name): \(rule.basis)"
                )
            }
        }
        return nil
    }

    private static func executableName(_ path: String) -> String {
        let deleted = " (deleted)"
        let file = path.hasSuffix(deleted) ? String(path.dropLast(deleted.count)) : path
        return file.split(separator: "/").last.map(String.init) ?? file
    }
}

/// One process name (or name prefix) and the server it belongs to, with the fact it rests on.
///
/// Only names a vendor documents as its server's process are here. Left out on purpose: Greenplum and HighGo (their
/// server binary is `postgres`, so they show as PostgreSQL, as they do to the probe); TaurusDB and Aurora (managed
/// services, never a local process); ShenTong and GBase XDM (no documented process name found); openGauss's `gs_*`
/// programs (`gs_ctl`, `gs_om` are tools, `gs_gtm` is a cluster component, none serves SQL).
private struct ProcessNameRule: Sendable {
    let names: [String]
    let isPrefix: Bool
    let product: DatabaseProduct?
    let dbssType: DBSSType?
    let basis: String

    init(_ names: [String], prefix: Bool = false, _ product: DatabaseProduct, _ basis: String) {
        self.names = names
        self.isPrefix = prefix
        self.product = product
        self.dbssType = product.dbssType
        self.basis = basis
    }

    init(_ names: [String], dbssType: DBSSType, _ basis: String) {
        self.names = names
        self.isPrefix = false
        self.product = nil
        self.dbssType = dbssType
        self.basis = basis
    }

    func matches(_ name: String) -> Bool {
        names.contains { isPrefix ? name.hasPrefix($0) && name.count > $0.count : name == $0 }
    }

    static let all: [ProcessNameRule] = [
        ProcessNameRule(
            ["postgres", "postmaster"],
            .postgresql,
            "PostgreSQL's server binary (postmaster is its old alias, dropped in PostgreSQL 16)"
        ),
        ProcessNameRule(["kingbase"], .kingbase, "KingbaseES's server binary (KingbaseES reference, 'kingbase')"),
        ProcessNameRule(
            ["gaussdb"],
            .opengauss,
            "openGauss's server binary, which gs_ctl starts (src/gausskernel/process/main/main.cpp)"
        ),
        ProcessNameRule(["pgbouncer"], .pgbouncer, "PgBouncer's binary, a connection pooler"),
        ProcessNameRule(["pgpool"], .pgpool, "Pgpool-II's binary, a connection pooler"),
        ProcessNameRule(
            ["mysqld"],
            .mysql,
            "MySQL's server binary; Percona Server and MariaDB before 10.5 run the same name, the greeting tells them apart"
        ),
        ProcessNameRule(["mariadbd"], .mariadb, "MariaDB's server binary since 10.5 (mysqld became a link to it)"),
        ProcessNameRule(["tidb-server"], .tidb, "TiDB's SQL server binary"),
        ProcessNameRule(
            ["observer"],
            .oceanbase,
            "OceanBase's kernel process (OceanBase documentation: 'observer'); it also holds a non-SQL RPC port"
        ),
        ProcessNameRule(
            ["gclusterd", "gbased"],
            .gbase8a,
            "GBase 8a MPP's coordinator (gclusterd) and data node (gbased) services"
        ),
        ProcessNameRule(["sqlservr"], .sqlserver, "SQL Server's engine (/opt/mssql/bin/sqlservr on Linux)"),
        ProcessNameRule(["tnslsnr"], .oracle, "the Oracle Net listener"),
        ProcessNameRule(["oracle"], .oracle, "the Oracle database server binary"),
        ProcessNameRule(
            ["ora_"],
            prefix: true,
            .oracle,
            "an Oracle background process (ora_NAME_SID); shared-server dispatchers ora_dNNN listen on their own ports"
        ),
        ProcessNameRule(["mongod", "mongos"], .mongodb, "MongoDB's server (mongod) or shard router (mongos)"),
        ProcessNameRule(["db2sysc"], .db2, "Db2's engine process, which runs the TCP listener thread (db2tcpcm)"),
        ProcessNameRule(["redis-server"], .redis, "Redis's server binary"),
        ProcessNameRule(["valkey-server"], .valkey, "Valkey's server binary"),
        ProcessNameRule(["dmserver"], dbssType: .dameng, "the Dameng (DM) database server"),
        ProcessNameRule(
            ["oninit"],
            dbssType: .gbase8s,
            "the Informix-lineage server GBase 8s runs; IBM Informix and HCL OneDB run it too"
        ),
    ]
}
