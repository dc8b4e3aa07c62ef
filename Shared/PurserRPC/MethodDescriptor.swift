import PurserWire

/// A method's full name, its message types and whether it is safe to retry.
///
/// `idempotent` methods are retried by `RPCClient` after a broken connection;
/// others only when the call carries `idempotency-key` metadata.
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable {
    /// `package.Service/Method`, e.g. `purser.wallet.v1.Wallet/Authorize`.
    public let fullName: String
    public let idempotent: Bool

    public init(_ fullName: String, idempotent: Bool = false) {
        self.fullName = fullName
        self.idempotent = idempotent
    }
}

extension RPCRouter {
    /// Registers a typed handler. A request that does not decode is answered
    /// `INVALID_ARGUMENT` (reason `invalid_message`) without calling `handler`.
    public func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        register(method.fullName, Self.typedHandler(method, handler))
    }

    static func typedHandler<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> Handler {
        { bytes, context in
            let request: Request
            do {
                request = try Request(serializedBytes: bytes)
            } catch {
                throw RPCError(.invalidArgument, "request message could not be decoded: \(error)", reason: "invalid_message")
            }
            return try await handler(request, context).serializedBytes()
        }
    }
}
