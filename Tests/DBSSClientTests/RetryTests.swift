import DBSSClient
import DBSSEmulator
import DBScoutCore
import Logging
import Testing

/// Faults injected into the emulator and what the client makes of them: which are retried, how many times,
/// and which adds come back as uncertain.
@Suite("DBSS client retries")
struct RetryTests {
    private let database = ClientHarness.database

    @Test func serverErrorsAreRetriedUntilSuccess() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.failure(status: 500, errorCode: "DBSS.11000000", count: 2, target: .addDatabase))
            let id = try await client.addDatabase(database)
            #expect(emulator.databases().map(\.id) == [id])
            #expect(emulator.requestLog().map(\.status) == [500, 500, 200])
        }
    }

    @Test func serverErrorsBeyondThePolicyGiveUpTransient() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.failure(status: 503, count: 10, target: .listDatabases))
            let error = try await #require(throws: DBSSError.self) { try await client.listDatabases() }
            #expect(error.code == .serverError)
            #expect(error.action == .retry)
            #expect(emulator.requestCount(.listDatabases) == ClientHarness.fastRetries.maxAttempts)
        }
    }

    @Test func throttlingHonoursRetryAfter() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.throttled(retryAfter: 1, target: .listDatabases))
            let start = ContinuousClock.now
            _ = try await client.listDatabases()
            // The jittered waits of the test policy are at most 20 ms; only Retry-After makes this a second.
            #expect(ContinuousClock.now - start >= .seconds(1))
            #expect(emulator.requestLog().map(\.status) == [429, 200])
        }
    }

    @Test func aConnectionClosedBeforeAnyEffectIsRetriedForAList() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.closeConnection(target: .listDatabases))
            let page = try await client.listDatabases()
            #expect(page.total == 0)
            #expect(emulator.requestLog().map(\.status) == [nil, 200])
        }
    }

    /// The client cannot tell a close before the effect from one after it, so an add is never repeated blindly.
    @Test func aConnectionClosedOnAnAddIsUncertain() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.closeConnection(target: .addDatabase))
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .uncertain)
            #expect(error.action == .reconcile)
            #expect(emulator.requestCount(.addDatabase) == 1)
            #expect(emulator.databases().isEmpty)
        }
    }

    @Test func anAddAppliedThenDroppedIsUncertainAndNotRepeated() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.dropAfterEffect(target: .addDatabase))
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .uncertain)
            #expect(error.action == .reconcile)
            #expect(emulator.requestCount(.addDatabase) == 1)
            #expect(emulator.databases().count == 1, "the add took effect; the list shows it")
            #expect(try await client.allDatabases().map(\.port) == ["5432"])
        }
    }

    @Test func aReadTimeoutIsUncertainForAnAddAndRetriedForAList() async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in
            configuration.requestTimeout = .seconds(1)
        }) { emulator, client in
            emulator.injectFault(.delay(.seconds(5), target: .addDatabase))
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .uncertain)
            #expect(emulator.databases().count == 1)
            emulator.injectFault(.delay(.seconds(5), target: .listDatabases))
            let page = try await client.listDatabases()
            #expect(page.total == 1)
            #expect(emulator.requestCount(.listDatabases) >= 2, "the held list was asked again")
            #expect(emulator.requestCount(.addDatabase) == 1)
        }
    }

    /// A 30 s `Retry-After` wait is under way when the task is cancelled; the call ends with the cancellation.
    @Test func aRetryWaitEndsWhenTheTaskIsCancelled() async throws {
        try await ClientHarness.withClient { emulator, client in
            emulator.injectFault(.throttled(retryAfter: 30, target: .addDatabase))
            let database = database
            let call = Task { try await client.addDatabase(database) }
            let deadline = ContinuousClock.now + .seconds(10)
            while emulator.requestCount(.addDatabase) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            call.cancel()
            let result = await call.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(emulator.requestCount(.addDatabase) == 1)
            #expect(emulator.databases().isEmpty)
        }
    }
}
