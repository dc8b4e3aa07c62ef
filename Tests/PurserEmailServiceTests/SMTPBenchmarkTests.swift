import Foundation
import PurserAPI
import Testing

/// Prints delivery throughput through the real listener and PostgreSQL. A
/// figure, not a timed assertion: it checks only that every message arrived.
@Suite("SMTP benchmark")
struct SMTPBenchmarkTests {
    @Test func deliveryThroughputOverConcurrentConnections() async throws {
        try await withSystem("smtp_benchmark") { system in
            let mailbox = try await system.mailbox(slug: "bench", handle: "sink")
            let connections = 20, perConnection = 10
            let result = try await SMTPInterop.run([
                "many", "--port", "\(system.smtpPort)", "--count", "\(connections)", "--per-connection", "\(perConnection)",
                "--to", mailbox.primary.address,
            ])
            let delivered = result["delivered"] as? Int ?? 0
            #expect(delivered == connections * perConnection, "\(result.json)")
            let seconds = result.seconds
            let rate = seconds > 0 ? Double(delivered) / seconds : 0
            print(
                "smtp benchmark: \(delivered) messages over \(connections) connections in "
                    + String(format: "%.2f s (%.0f messages/s, smtplib client, debug build)", seconds, rate))
            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id), token: mailbox.agentToken)
            #expect(aliases.aliases.first?.receivedCount == Int64(connections * perConnection))
        }
    }
}
