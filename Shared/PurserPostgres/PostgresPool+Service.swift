import PurserKit

extension PostgresPool: Service {
    /// Keeps the pool open until the running task is cancelled (a
    /// `ServiceGroup` shutting down), then closes it. Registered first in a
    /// group, the pool is closed last, after the services that use it drained.
    public func run() async throws {
        await untilCancelled()
        await close()
    }
}
