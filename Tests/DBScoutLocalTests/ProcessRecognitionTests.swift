import DBScoutCore
import DBScoutLocal
import Testing

/// Which process names count as which database servers.
@Suite("Process recognition")
struct ProcessRecognitionTests {
    @Test(arguments: [
        ("/usr/lib/postgresql/15/bin/postgres", "postgres", DatabaseProduct.postgresql),
        ("/usr/local/pgsql/bin/postmaster", "postmaster", .postgresql),
        ("/opt/Kingbase/ES/V8/Server/bin/kingbase", "kingbase", .kingbase),
        ("/opt/opengauss/bin/gaussdb", "gaussdb", .opengauss),
        ("/usr/sbin/pgbouncer", "pgbouncer", .pgbouncer),
        ("/usr/sbin/pgpool", "pgpool", .pgpool),
        ("/usr/sbin/mysqld", "mysqld", .mysql),
        ("/usr/sbin/mariadbd", "mariadbd", .mariadb),
        ("/opt/tidb/bin/tidb-server", "tidb-server", .tidb),
        ("/home/admin/oceanbase/bin/observer", "observer", .oceanbase),
        ("/opt/gcluster/server/bin/gclusterd", "gclusterd", .gbase8a),
        ("/opt/gnode/server/bin/gbased", "gbased", .gbase8a),
        ("/opt/mssql/bin/sqlservr", "sqlservr", .sqlserver),
        ("/u01/app/oracle/product/19c/bin/tnslsnr", "tnslsnr", .oracle),
        ("/u01/app/oracle/product/19c/bin/oracle", "ora_d000_orcl", .oracle),
        ("/usr/bin/mongod", "mongod", .mongodb),
        ("/usr/bin/mongos", "mongos", .mongodb),
        ("/opt/ibm/db2/V11.5/adm/db2sysc", "db2sysc", .db2),
        ("/usr/bin/redis-server", "redis-server", .redis),
        ("/usr/bin/valkey-server", "valkey-server", .valkey),
    ])
    func serverBinariesAreRecognised(executable: String, command: String, product: DatabaseProduct) throws {
        let recognition = try #require(ProcessRecognition.recognise(executable: executable, command: command))
        #expect(recognition.product == product)
        #expect(recognition.dbssType == product.dbssType)
        #expect(recognition.reason.hasPrefix("executable "))
    }

    @Test func serversWithoutAProductCaseGiveTheirDBSSType() throws {
        let dameng = try #require(
            ProcessRecognition.recognise(executable: "/opt/dmdbms/bin/dmserver", command: "dmserver")
        )
        #expect(dameng.product == nil)
        #expect(dameng.dbssType == .dameng)
        let gbase8s = try #require(ProcessRecognition.recognise(executable: nil, command: "oninit"))
        #expect(gbase8s.product == nil)
        #expect(gbase8s.dbssType == .gbase8s)
        #expect(gbase8s.reason.hasPrefix("command oninit: "))
    }

    /// The executable decides over the command name: MariaDB started through its `mysqld` link runs `mariadbd`.
    @Test func theExecutableDecidesOverTheCommandName() throws {
        let recognition = try #require(
            ProcessRecognition.recognise(executable: "/usr/sbin/mariadbd", command: "mysqld")
        )
        #expect(recognition.product == .mariadb)
        #expect(recognition.reason.hasPrefix("executable mariadbd: "))
    }

    /// Debian's `redis-server` is a link to `redis-check-rdb`, which is no rule; the command name still says Redis.
    @Test func theCommandNameCoversLinkedBinariesAndUnreadableExecutables() throws {
        let linked = try #require(
            ProcessRecognition.recognise(executable: "/usr/bin/redis-check-rdb", command: "redis-server")
        )
        #expect(linked.product == .redis)
        #expect(linked.reason.hasPrefix("command redis-server: "))
        #expect(ProcessRecognition.recognise(executable: nil, command: "postgres")?.product == .postgresql)
    }

    @Test func aReplacedExecutableStillCounts() {
        let recognition = ProcessRecognition.recognise(
            executable: "/usr/lib/postgresql/15/bin/postgres (deleted)",
            command: "postgres"
        )
        #expect(recognition?.product == .postgresql)
        #expect(recognition?.reason.hasPrefix("executable postgres: ") == true)
    }

    @Test(arguments: [
        ("/usr/bin/python3.11", "python3"),
        ("/usr/bin/stunnel4", "stunnel4"),
        ("/usr/sbin/sshd", "sshd"),
        ("/usr/bin/postgres-exporter", "postgres-export"),
        ("/usr/bin/mysqld_safe", "mysqld_safe"),
        ("/opt/opengauss/bin/gs_ctl", "gs_ctl"),
        ("/usr/bin/ora_", "ora_"),
        ("/usr/bin/Postgres", "Postgres"),
    ])
    func otherProcessesAreNotDatabases(executable: String, command: String) {
        #expect(ProcessRecognition.recognise(executable: executable, command: command) == nil)
    }

    @Test func noNamesNoRecognition() {
        #expect(ProcessRecognition.recognise(executable: nil, command: nil) == nil)
        #expect(ProcessRecognition.recognise(executable: "", command: "") == nil)
        #expect(ProcessRecognition.recognise(executable: "/", command: nil) == nil)
    }
}
