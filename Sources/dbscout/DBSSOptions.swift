import ArgumentParser
import DBScoutAgent

/// Where and how to reach DBSS, for every command that registers (`scan`, `sniff`, `register`).
struct DBSSOptions: ParsableArguments {
    @Option(name: .long, help: "DBSS base URL, e.g. https://dbss.cn-north-4.myhuaweicloud.com.")
    var dbssEndpoint: String?

    @Option(name: .long, help: "DBSS project id.")
    var dbssProjectId: String?

    @Option(name: .long, help: "DBSS audit instance id.")
    var dbssInstanceId: String?

    @Option(name: .long, help: "DBSS API generation: v1 (default), v2, or auto (v2, falling back to v1).")
    var dbssApiVersion: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How to authenticate: token, iam or aksk (default: whichever credentials are set).",
            discussion: "Secrets only from the environment or files: DBSCOUT_DBSS_TOKEN or --dbss-token-file; "
                + "DBSCOUT_IAM_ENDPOINT/USER/PASSWORD/DOMAIN; DBSCOUT_DBSS_ACCESS_KEY and DBSCOUT_DBSS_SECRET_KEY."
        )
    )
    var dbssAuth: String?

    @Option(name: .long, help: "File holding the DBSS IAM token.")
    var dbssTokenFile: String?

    /// Sets the options given on the command line; the rest keep what the environment or config file says.
    func apply(to overrides: inout SettingsOverrides) {
        overrides.dbssEndpoint = dbssEndpoint
        overrides.dbssProjectID = dbssProjectId
        overrides.dbssInstanceID = dbssInstanceId
        overrides.dbssAPIVersion = dbssApiVersion
        overrides.dbssTokenFile = dbssTokenFile
        overrides.dbssAuth = dbssAuth
    }
}
