extension Health {
    /// `SERVING` unless the server is draining or its health check fails.
    static func handler(server: ServerShared) -> RPCRouter.Handler {
        RPCRouter.typedHandler(check) { _, _ in
            HealthCheckResponse(status: await server.servingStatus())
        }
    }
}
