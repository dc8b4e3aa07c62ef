import Foundation
import PurserTestSupport
import Synchronization
import Testing
@testable import PurserRPC

/// A client in another language (Python: ssl + socket + struct + generated
/// protobuf classes) talks to the Swift server.
@Suite struct InteropTests {
    static func runHealthClient(port: Int) async throws -> (status: Int32, output: String) {
        try await runChildProcess("/usr/bin/env", [
            "python3", TestEnvironment.repositoryRoot() + "/Tests/Interop/health_client.py",
            "127.0.0.1", "\(port)", try TestEnvironment.certificate("ca"), "localhost",
        ])
    }

    @Test func pythonClientSeesServing() async throws {
        let fixture = try TestServer.start()
        let result = try await Self.runHealthClient(port: fixture.port)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "SERVING")
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func pythonClientSeesNotServingWhenTheHealthCheckFails() async throws {
        let fixture = try TestServer.start(healthCheck: { false })
        let result = try await Self.runHealthClient(port: fixture.port)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "NOT_SERVING")
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}
