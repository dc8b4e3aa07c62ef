import Foundation
import PurserAPI
import Testing

/// Messages sent over concurrent SMTP connections through the real listener and
/// PostgreSQL all arrive and are counted once. Delivery throughput is a figure
/// for a benchmark, not for this unit target, which measures nothing.
@Suite("SMTP concurrent delivery")
struct SMTPConcurrentDeliveryTests {
    @Test func everyMessageOverConcurrentConnectionsArrivesOnce() async throws {
        try await withSystem("smtp_concurrent") { system in
            let mailbox = try await system.mailbox(slug: "bench", handle: "sink")
            let connections = 10, perConnection = 5
            let result = try await SMTPInterop.run([
                "many", "--port", "\(system.smtpPort)", "--count", "\(connections)", "--per-connection", "\(perConnection)",
                "--to", mailbox.primary.address,
            ])
            let delivered = result["delivered"] as? Int ?? 0
            #expect(delivered == connections * perConnection, "\(result.json)")
            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id), token: mailbox.agentToken)
            #expect(aliases.aliases.first?.receivedCount == Int64(connections * perConnection))
        }
    }
}
