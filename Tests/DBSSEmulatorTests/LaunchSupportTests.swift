import DBSSEmulator
import Testing

@Suite("Launch support for the executable")
struct LaunchSupportTests {
    @Test("IAM user files: name up to the first colon, domain after the last, comments skipped")
    func iamUsers() throws {
        let text = "# users\n\nalice:pa:ss:acme\n  bob:x:corp  \n"
        let users = try EmulatorLaunchSupport.parseIAMUsers(text)
        #expect(
            users == [
                IAMUser(name: "alice", password: "pa:ss", domain: "acme"),
                IAMUser(name: "bob", password: "x", domain: "corp"),
            ]
        )
        #expect(!"\(users)".contains("pa:ss"))
    }

    @Test(
        "malformed IAM user lines are refused without echoing them",
        arguments: ["alice:secret", "alice::acme", ":pw:acme"]
    )
    func badIAMUsers(_ line: String) throws {
        let error = #expect(throws: DBSSEmulatorError.self) {
            try EmulatorLaunchSupport.parseIAMUsers("ok:pw:d\n" + line)
        }
        #expect(error?.code == .invalidFile)
        #expect(error?.message.hasPrefix("line 2") == true)
        #expect(error?.message.contains("secret") == false)
    }

    @Test("token files: one token per line, trimmed, comments skipped")
    func tokens() {
        #expect(EmulatorLaunchSupport.parseTokens("# t\n tok-1 \n\ntok-2\r\n") == ["tok-1", "tok-2"])
    }

    @Test(
        "loopback hosts are recognised",
        arguments: [
            ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("[::1]", true), ("localhost", true),
            ("::ffff:127.0.0.1", true), ("0.0.0.0", false), ("::", false), ("192.0.2.1", false),
            ("example.com", false), ("128.0.0.1", false),
        ]
    )
    func loopback(host: String, isLoopback: Bool) {
        #expect(EmulatorLaunchSupport.isLoopbackHost(host) == isLoopback)
    }

    @Test("reading a missing file names the path")
    func missingFile() {
        let error = #expect(throws: DBSSEmulatorError.self) {
            try EmulatorLaunchSupport.readTextFile(atPath: "/nonexistent/dbss-token")
        }
        #expect(error?.message.contains("/nonexistent/dbss-token") == true)
    }

    @Test("API version lists: names in any case and order, unknown names and empty lists refused")
    func apiVersions() throws {
        #expect(try EmulatorLaunchSupport.parseAPIVersions("v1,v2") == [.v1, .v2])
        #expect(try EmulatorLaunchSupport.parseAPIVersions(" V2 ") == [.v2])
        for text in ["v3", "", ",", "v1,v9"] {
            let error = #expect(throws: DBSSEmulatorError.self) { try EmulatorLaunchSupport.parseAPIVersions(text) }
            #expect(error?.code == .invalidConfiguration)
        }
    }

    @Test("secret key files: the key trimmed; empty or multi-line files refused without echoing them")
    func secretKeys() throws {
        #expect(try EmulatorLaunchSupport.parseSecretKey("  sk/with+chars= \n") == "sk/with+chars=")
        for text in ["", " \n ", "first-secret\nsecond-secret"] {
            let error = #expect(throws: DBSSEmulatorError.self) { try EmulatorLaunchSupport.parseSecretKey(text) }
            #expect(error?.code == .invalidFile)
            #expect(error?.message.contains("first-secret") == false)
        }
    }
}
