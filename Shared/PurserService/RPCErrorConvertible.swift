import PurserAuth
import PurserPostgres
import PurserRPC

/// An error a service's handlers throw that knows its status and reason.
/// `ServiceHost` handlers convert it at the edge.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension AuthError: RPCErrorConvertible {}

extension RPCError {
    /// The status and reason a handler failure is answered with:
    /// `RPCError` as is; `RPCErrorConvertible` (e.g. `AuthError`) converted;
    /// PostgreSQL unreachable → UNAVAILABLE (`database_unavailable`);
    /// cancellation → CANCELLED; anything else → `nil` (the server answers
    /// INTERNAL with a generic message and logs it).
    public static func mapping(_ error: any Error) -> RPCError? {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return error.rpcError
        case let error as PostgresError where Self.unavailableKinds.contains(error.kind):
            return RPCError(.unavailable, "the database is unavailable; retry later", reason: "database_unavailable")
        case is CancellationError:
            return RPCError(.cancelled, "the call was cancelled", reason: "cancelled")
        default:
            return nil
        }
    }

    private static let unavailableKinds: Set<PostgresError.Kind> = [.connectionLost, .unavailable, .poolClosed, .timedOut]
}
