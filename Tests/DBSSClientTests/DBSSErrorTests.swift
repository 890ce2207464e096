import DBSSClient
import DBScoutCore
import Testing

/// The action table and the retry policy's arithmetic, without a server.
@Suite("DBSS error actions and retry policy")
struct DBSSErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var code: DBSSError.Code
        var status: Int?
        var errorCode: String?
        var action: DBSSError.Action
        var testDescription: String { "\(status.map(String.init) ?? "-") \(errorCode ?? code.name) → \(action)" }
    }

    @Test(arguments: [
        Case(code: .badRequest, status: 400, errorCode: "DBSS.10000001", action: .reject),
        Case(code: .badRequest, status: 400, errorCode: "DBSS.10020102", action: .reject),
        Case(code: .badRequest, status: 400, errorCode: "DBSS.10020101", action: .reject),
        Case(code: .badRequest, status: 400, errorCode: nil, action: .reject),
        Case(code: .badRequest, status: 400, errorCode: "DBSS.10020118", action: .stopInstanceFull),
        Case(code: .badRequest, status: 400, errorCode: "DBSS.100210016", action: .stopInstanceFull),
        Case(code: .badRequest, status: 400, errorCode: "DBSS.10020021", action: .stop),
        Case(code: .unauthorized, status: 401, errorCode: "DBSS.10020100", action: .stop),
        Case(code: .unauthorized, status: 401, errorCode: "APIGW.0301", action: .stop),
        Case(code: .forbidden, status: 403, errorCode: "DBSS.10020100", action: .stop),
        Case(code: .notFound, status: 404, errorCode: "DBSS.10021004", action: .stop),
        Case(code: .notFound, status: 404, errorCode: "APIGW.0101", action: .stop),
        Case(code: .unexpectedResponse, status: 413, errorCode: "APIGW.0201", action: .reject),
        Case(code: .unexpectedResponse, status: 408, errorCode: nil, action: .retry),
        Case(code: .throttled, status: 429, errorCode: "APIGW.0308", action: .retry),
        Case(code: .serverError, status: 500, errorCode: "DBSS.11000000", action: .retry),
        Case(code: .serverError, status: 503, errorCode: nil, action: .retry),
        Case(code: .unreachable, status: nil, errorCode: nil, action: .retry),
        Case(code: .uncertain, status: nil, errorCode: nil, action: .reconcile),
        Case(code: .tlsFailure, status: nil, errorCode: nil, action: .stop),
        Case(code: .invalidConfiguration, status: nil, errorCode: nil, action: .stop),
    ])
    func actionFollowsTheTable(_ entry: Case) {
        let error = DBSSError(code: entry.code, operation: "test", httpStatus: entry.status, errorCode: entry.errorCode)
        #expect(error.action == entry.action)
        #expect(error.isTransient == (entry.action == .retry))
    }

    @Test func jitteredDelaysStayUnderTheGrowingCeiling() {
        let policy = DBSSRetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        var ceilings: [Int64] = []
        for attempt in 1...5 {
            let highest = policy.delay(afterAttempt: attempt) { range in
                ceilings.append(range.upperBound)
                return range.upperBound
            }
            #expect(highest == .nanoseconds(ceilings.last ?? -1))
            #expect(policy.delay(afterAttempt: attempt) { $0.lowerBound } == .zero)
        }
        #expect(ceilings == [100_000_000, 200_000_000, 350_000_000, 350_000_000, 350_000_000])
    }

    @Test func retryAfterIsHonouredUpToTheCap() {
        let policy = DBSSRetryPolicy(baseDelay: .milliseconds(1), maxRetryAfter: .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2)) == .seconds(2))
        #expect(policy.delay(afterAttempt: 3, retryAfter: .seconds(600)) == .seconds(30))
    }

    @Test func descriptionsHideEverySecret() {
        let password = "iam-password-Zq81"
        let secretKey = "sk-value-Pw72"
        let securityToken = "sts-value-Lm09"
        let token = "static-token-Hx55"
        let credentials = IAMPasswordCredentials(
            endpoint: "https://iam.example.com",
            user: "agent",
            password: Secret(password),
            domain: "acme"
        )
        let texts = [
            "\(DBSSAuthentication.iam(credentials))",
            "\(credentials)",
            String(reflecting: credentials),
            "\(DBSSAuthentication.accessKey(ak: "AK1", sk: Secret(secretKey), securityToken: Secret(securityToken)))",
            "\(DBSSAuthentication.token(Secret(token)))",
            "\(DBSSConfiguration(endpoint: "https://dbss.example.com", projectID: "p", instanceID: "i", token: Secret(token)))",
        ]
        for text in texts {
            for secret in [password, secretKey, securityToken, token] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect(texts[0].contains("agent@acme"))
        #expect(texts[3].contains("AK1"))
    }
}
