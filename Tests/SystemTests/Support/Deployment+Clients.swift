import Foundation
import PurserClient
import PurserKit
import PurserRPC

extension Deployment {
    /// A typed client of every service with `credentials`, over TLS trusting the
    /// deployment CA. `retry: .none` (the default) makes one attempt per call,
    /// so the caller sees every failure exactly as the service or the network
    /// produced it.
    func client(_ credentials: Credentials, certificate: String? = nil, timeout: Duration = .seconds(10),
                retry: RetryPolicy = .none) -> PurserClient {
        var endpoints: [ServiceName: Endpoint] = [:]
        for service in ServiceName.allCases {
            endpoints[service] = Endpoint(host: "127.0.0.1", port: ports[service.rawValue] ?? 0)
        }
        let configuration = PurserClientConfiguration(
            endpoints: endpoints, trustRootsPath: certificates + "/ca.pem",
            certificatePath: certificate.map { certificates + "/\($0).pem" },
            privateKeyPath: certificate.map { certificates + "/\($0).key" },
            timeout: timeout, retry: retry)
        return PurserClient(configuration: configuration, credentials: credentials,
                            logger: Logger(label: "system-test-client", level: .error))
    }

    /// A client without credentials, for health checks.
    func anonymousClient(timeout: Duration = .seconds(10)) -> PurserClient {
        client(.anonymous, timeout: timeout)
    }
}
