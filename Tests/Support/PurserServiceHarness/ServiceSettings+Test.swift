import PurserKit
import PurserRPC
import PurserService
import PurserTestSupport

extension ServiceSettings {
    /// Settings of the service `name` for one test: loopback on `port` (0 lets
    /// the kernel choose), TLS with the test certificate named `name` and the
    /// test CA, `databaseURL` with `poolSize` connections, the Identity at
    /// `identityPort` (nil for Identity itself), revocations polled every
    /// 100 ms and a 2-second drain, so tests stop quickly; database sessions
    /// may take `TestDatabase.connectTimeout` to open, as the test server is shared.
    package static func test(
        _ name: String, port: Int = 0, databaseURL: String, poolSize: Int, logLevel: Logger.Level = .info,
        identityPort: Int?
    ) throws -> ServiceSettings {
        ServiceSettings(
            name: name, listen: Endpoint(host: "127.0.0.1", port: port),
            tlsCertificatePath: try TestEnvironment.certificate(name), tlsPrivateKeyPath: try TestEnvironment.privateKey(name),
            tlsCAPath: try TestEnvironment.certificate("ca"), databaseURL: databaseURL, databasePoolSize: poolSize,
            databaseConnectTimeout: TestDatabase.connectTimeout,
            logLevel: logLevel, identityEndpoint: identityPort.map { Endpoint(host: "127.0.0.1", port: $0) },
            revocationPollInterval: .milliseconds(100), drainTimeout: .seconds(2))
    }
}
