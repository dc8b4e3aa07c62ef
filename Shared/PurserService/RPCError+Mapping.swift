import PurserAuth
import PurserPostgres
import PurserRPC

extension RPCError {
    /// The status and reason a handler failure is answered with, decided once,
    /// by the service host: `RPCError` as is; `AuthError` by its `rpcError`;
    /// PostgreSQL unreachable → UNAVAILABLE (`database_unavailable`);
    /// cancellation → CANCELLED; anything else → `nil` (the server answers
    /// INTERNAL with a generic message and logs it). The original failure is
    /// kept as the `cause`.
    public static func mapping(_ error: any Error) -> RPCError? {
        switch error {
        case let error as RPCError:
            return error
        case let error as AuthError:
            var mapped = error.rpcError
            mapped.cause = error
            return mapped
        case let error as PostgresError where Self.unavailableKinds.contains(error.kind):
            return RPCError(
                .unavailable, "the database is unavailable; retry later", reason: "database_unavailable", cause: error)
        case is CancellationError:
            return RPCError(.cancelled, "the call was cancelled", reason: "cancelled", cause: error)
        default:
            return nil
        }
    }

    private static let unavailableKinds: Set<PostgresError.Kind> = [.connectionLost, .unavailable, .poolClosed, .timedOut]
}
