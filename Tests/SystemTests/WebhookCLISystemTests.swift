import Foundation
import PurserKit
import PurserPostgres
import PurserTestSupport
import Testing

/// `purser webhooks …` against the real executables: a tenant admin registers,
/// lists, updates, rotates, reads the delivery log of, redelivers and deletes
/// an endpoint, and sets an agent's balance alert; its finance key only reads.
@Suite struct WebhookCLISystemTests {
    @Test(.timeLimit(.minutes(5))) func aTenantManagesItsWebhooksThroughTheCLI() async throws {
        try await Deployment.withServing(Self.story)
    }

    static func story(_ deployment: Deployment) async throws {
        func run(_ arguments: [String], _ environment: [String: String]) async throws -> CommandResult {
            try await deployment.cliJSON(arguments, environment)
        }
        func ok(_ arguments: [String], _ environment: [String: String]) async throws -> [String: Any] {
            try await deployment.cliOK(arguments, environment)
        }
        let certificate = deployment.cliCertificate
        let operatorSecret = try #require(try await ok(["admin", "bootstrap", "--label", "webhooks"], certificate)["secret"] as? String)
        let asOperator = ["PURSER_SECRET": operatorSecret]
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let tenantID = try #require(
            try await ok(["admin", "tenants", "create", "--slug", "hooks-\(suffix)", "--name", "Hooks"], asOperator)["id"] as? String)
        let asAdmin = ["PURSER_SECRET": try #require(
            try await ok(["keys", "create", "--tenant", tenantID, "--role", "admin"], asOperator)["secret"] as? String)]
        let asFinance = ["PURSER_SECRET": try #require(
            try await ok(["keys", "create", "--tenant", tenantID, "--role", "finance"], asOperator)["secret"] as? String)]

        // Create: the secret is printed once, with the endpoint.
        let created = try await ok(
            ["webhooks", "create", "--url", "https://203.0.113.10/purser", "--events", "agent.balance_low,agent.revoked",
             "--description", "alerts"], asAdmin)
        let secret = try #require(created["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))
        let endpoint = try #require(created["endpoint"] as? [String: Any])
        let endpointID = try #require(endpoint["id"] as? String)
        #expect(endpoint["event_types"] as? [String] == ["agent.balance_low", "agent.revoked"])
        #expect(endpoint["status"] as? String == "enabled")

        // Finance lists (no secret in it) but may not create.
        let listed = try await run(["webhooks", "list"], asFinance)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(endpointID))
        #expect(!listed.stdout.contains(secret))
        let refused = try await run(["webhooks", "create", "--url", "https://203.0.113.10/other"], asFinance)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("permission_denied"), "\(refused)")
        let unknown = try await run(["webhooks", "create", "--url", "https://203.0.113.10/x", "--events", "agent.exploded"], asAdmin)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("event_type_unknown"), "\(unknown)")

        // Update: disable, then every event type and enabled again.
        let disabled = try await ok(["webhooks", "update", "--endpoint", endpointID, "--disable"], asAdmin)
        #expect(disabled["status"] as? String == "disabled")
        #expect(disabled["disabled_reason"] as? String == "disabled_by_tenant")
        let enabled = try await ok(["webhooks", "update", "--endpoint", endpointID, "--enable", "--all-events", "--description", "all"], asAdmin)
        #expect(enabled["status"] as? String == "enabled")
        #expect(enabled["event_types"] as? [String] == [])
        #expect(enabled["description"] as? String == "all")

        // Rotate with a one-hour overlap.
        let rotated = try await ok(["webhooks", "rotate-secret", "--endpoint", endpointID, "--overlap", "1h"], asAdmin)
        let newSecret = try #require(rotated["secret"] as? String)
        #expect(newSecret.hasPrefix("whsec_") && newSecret != secret)
        let previousEnds = try #require(rotated["previous_expires_at_us"] as? Int64)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        #expect(abs(previousEnds - (now + 3_600_000_000)) < 120_000_000, "the previous secret ends in about an hour")
        let tooLong = try await run(["webhooks", "rotate-secret", "--endpoint", endpointID, "--overlap", "8d"], asAdmin)
        #expect(tooLong.status == 1 && tooLong.stderr.contains("overlap_invalid"), "\(tooLong)")

        // The delivery log, with one failed delivery written as the delivery loop would; redeliver makes it pending.
        let deliveryID = try await insertFailedDelivery(deployment, tenantID: tenantID, endpointID: endpointID)
        let log = try await ok(["webhooks", "deliveries", "--endpoint", endpointID, "--status", "failed"], asFinance)
        let deliveries = try #require(log["deliveries"] as? [[String: Any]])
        #expect(deliveries.map { $0["id"] as? String } == [deliveryID])
        #expect((deliveries.first?["attempts"] as? [[String: Any]])?.first?["http_status"] as? Int64 == 500)
        let table = try await deployment.purser(["webhooks", "deliveries", "--endpoint", endpointID], asAdmin)
        #expect(table.status == 0 && table.stdout.contains("failed") && table.stdout.contains("500"), "\(table)")
        let redelivered = try await ok(["webhooks", "redeliver", "--delivery", deliveryID], asAdmin)
        #expect(redelivered["status"] as? String == "pending")
        let financeRedeliver = try await run(["webhooks", "redeliver", "--delivery", deliveryID], asFinance)
        #expect(financeRedeliver.status == 1)

        // The balance_low threshold of an agent, by handle, in credits; 0 turns it off; finance may not set it.
        _ = try await ok(["agents", "create", "--handle", "alerted"], asAdmin)
        let alert = try await ok(["agents", "balance-alert", "--agent", "alerted", "--below", "2.5"], asAdmin)
        #expect(alert["below"] as? String == "2.5")
        #expect(alert["below_micros"] as? Int64 == 2_500_000)
        let off = try await ok(["agents", "balance-alert", "--agent", "alerted", "--below", "0"], asAdmin)
        #expect(off["below_micros"] as? Int64 == 0)
        let financeAlert = try await run(["agents", "balance-alert", "--agent", "alerted", "--below", "1"], asFinance)
        #expect(financeAlert.status == 1, "\(financeAlert)")

        // Delete: gone from the list, and a second delete is not found.
        _ = try await ok(["webhooks", "delete", "--endpoint", endpointID], asAdmin)
        let empty = try await ok(["webhooks", "list"], asAdmin)
        #expect((empty["endpoints"] as? [Any])?.isEmpty == true)
        let again = try await run(["webhooks", "delete", "--endpoint", endpointID], asAdmin)
        #expect(again.status == 1 && again.stderr.contains("not_found"), "\(again)")
    }

    /// An event and its failed delivery (one attempt answered 500), inserted into Identity's tables.
    static func insertFailedDelivery(_ deployment: Deployment, tenantID: String, endpointID: String) async throws -> String {
        let deliveryID = UUID().uuidString.lowercased()
        let pool = PostgresPool(
            configuration: TestDatabase.configuration(url: deployment.databaseURL, size: 1, applicationName: "purser-system-probe"),
            logger: Logger(label: "webhook-cli-test", level: .error))
        do {
            try await pool.withConnection { connection in
                _ = try connection.query(
                    """
                    WITH event AS (
                        INSERT INTO identity.events (tenant_id, event_id, type, source, occurred_at, data)
                        VALUES ($1, gen_random_uuid(), 'agent.revoked', 'identity', now(), '{}') RETURNING event_id, seq
                    ), delivery AS (
                        INSERT INTO identity.webhook_deliveries (tenant_id, delivery_id, endpoint_id, event_id, seq, event_type, status, attempt_count)
                        SELECT $1, $3, $2, event_id, seq, 'agent.revoked', 'failed', 1 FROM event RETURNING delivery_id
                    )
                    INSERT INTO identity.webhook_attempts (tenant_id, delivery_id, attempt, http_status, latency_us)
                    SELECT $1, delivery_id, 1, 500, 2000 FROM delivery
                    """, [tenantID, endpointID, deliveryID])
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        return deliveryID
    }
}
