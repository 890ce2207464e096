import DBScoutCore
import PostgresNIO

/// Turns PostgresNIO's errors, which describe themselves only generically, into ``DBScoutError``s that say what
/// failed and where, without the password.
enum PostgresInventoryErrors {
    /// Runs `body`, rethrowing any failure as ``DBScoutError`` `inventory` naming `configuration` (our own
    /// ``DBScoutError``s keep their code and gain the name).
    static func wrap<T>(
        _ configuration: PostgresInventoryConfiguration,
        _ body: () async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await body()
        } catch {
            let cause = unwrapped(error)
            let code = (cause as? DBScoutError)?.code ?? .inventory
            throw DBScoutError(code, "inventory \(configuration): \(describe(cause))")
        }
    }

    /// The error a transaction wrapper carries.
    private static func unwrapped(_ error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
