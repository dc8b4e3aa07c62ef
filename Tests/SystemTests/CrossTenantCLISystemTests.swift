import Foundation
import PurserKit
import Testing

/// `purser` against the real executables: the operator creates a tenant that
/// accepts payments from other tenants and one that does not; an agent of a
/// third tenant pays the first one's agent with `wallet pay --to-agent
/// handle@slug` and is refused by the second; a tenant admin changes its
/// tenant's setting with `admin tenants update`, which only takes true or false.
/// The operator's `settlement run` nets the payment into a tenant batch that
/// both tenants list (`settlement tenant-batches`), that cannot be marked paid
/// while open, and that the payer's statement and export show as owed.
@Suite struct CrossTenantCLISystemTests {
    @Test(.timeLimit(.minutes(5))) func agentsPayAgentsOfTenantsThatAcceptThemThroughTheCLI() async throws {
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
        let operatorSecret = try #require(try await ok(["admin", "bootstrap", "--label", "cross"], certificate)["secret"] as? String)
        let asOperator = ["PURSER_SECRET": operatorSecret]
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()

        /// A tenant with an admin key and an agent `helper`; the tenant's JSON and the admin's environment.
        func tenant(_ slug: String, accepting: Bool) async throws -> ([String: Any], [String: String]) {
            let created = try await ok(
                ["admin", "tenants", "create", "--slug", slug, "--name", slug] + (accepting ? ["--accept-payments-from-other-tenants"] : []),
                asOperator)
            let id = try #require(created["id"] as? String)
            let asAdmin = ["PURSER_SECRET": try #require(
                try await ok(["keys", "create", "--tenant", id, "--role", "admin"], asOperator)["secret"] as? String)]
            _ = try await ok(["agents", "create", "--handle", "helper"], asAdmin)
            return (created, asAdmin)
        }
        let (open, asOpenAdmin) = try await tenant("open-\(suffix)", accepting: true)
        let (shut, asShutAdmin) = try await tenant("shut-\(suffix)", accepting: false)
        #expect(open["accepts_payments_from_other_tenants"] as? Bool == true)
        #expect(shut["accepts_payments_from_other_tenants"] as? Bool == false)

        // The payer's tenant: funded, with an agent holding 10.
        let (payerTenant, asPayerAdmin) = try await tenant("payer-\(suffix)", accepting: false)
        _ = try await ok(["wallet", "fund", "--amount", "20", "--reference", "wire-\(suffix)"], asPayerAdmin)
        let payer = try await ok(["agents", "create", "--handle", "buyer"], asPayerAdmin)
        let asPayer = ["PURSER_SECRET": try #require(payer["secret"] as? String)]
        _ = try await ok(["wallet", "allocate", "--agent", "buyer", "--amount", "10"], asPayerAdmin)

        let paid = try await ok(["wallet", "pay", "--to-agent", "helper@open-\(suffix)", "--amount", "2.5"], asPayer)
        #expect(paid["amount"] as? String == "2.5", "\(paid)")
        let refused = try await run(["wallet", "pay", "--to-agent", "helper@shut-\(suffix)", "--amount", "1"], asPayer)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("payee_refuses_other_tenants"), "\(refused)")
        let balance = try await ok(["wallet", "balance", "--agent", "buyer"], asPayerAdmin)
        #expect(balance["balance"] as? String == "7.5", "\(balance)")

        // The tenant's admin changes its own setting; only true or false is taken.
        let updated = try await ok(["admin", "tenants", "update", "--accept-payments-from-other-tenants", "true"], asShutAdmin)
        #expect(updated["accepts_payments_from_other_tenants"] as? Bool == true && updated["id"] as? String == shut["id"] as? String)
        let bad = try await run(["admin", "tenants", "update", "--accept-payments-from-other-tenants", "yes"], asShutAdmin)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("flag_invalid"), "\(bad)")
        let shown = try await ok(["admin", "tenants", "show"], asShutAdmin)
        #expect(shown["accepts_payments_from_other_tenants"] as? Bool == true)

        // Settlement: today's period is still open, so its tenant batch is open.
        let payerID = try #require(payerTenant["id"] as? String), openID = try #require(open["id"] as? String)
        var batches: [[String: Any]] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while batches.isEmpty && ContinuousClock.now < deadline {
            _ = try await ok(["settlement", "run"], asOperator)
            batches = try #require(try await ok(["settlement", "tenant-batches"], asPayerAdmin)["batches"] as? [[String: Any]])
            if batches.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        let batch = try #require(batches.first, "no tenant batch within 30 seconds")
        #expect(batches.count == 1)
        #expect(batch["debtor_tenant_id"] as? String == payerID && batch["creditor_tenant_id"] as? String == openID, "\(batch)")
        #expect(batch["net"] as? String == "2.5" && batch["state"] as? String == "open" && batch["transfer_count"] as? Int == 1)
        let seen = try #require(try await ok(["settlement", "tenant-batches"], asOpenAdmin)["batches"] as? [[String: Any]])
        #expect(seen.map { $0["id"] as? String } == [batch["id"] as? String])
        let notClosed = try await run(
            ["settlement", "mark-tenant-batch-paid", "--batch", try #require(batch["id"] as? String), "--reference", "wire"], asOperator)
        #expect(notClosed.status == 1 && notClosed.stderr.contains("batch_not_closed"), "\(notClosed)")
        let statement = try await ok(["settlement", "statement"], asPayerAdmin)
        let others = try #require(statement["other_tenants"] as? [[String: Any]])
        #expect(others.count == 1 && others.first?["other_tenant_id"] as? String == openID && others.first?["owes"] as? String == "2.5")
        let export = try await ok(["settlement", "export", "--kind", "tenant-batches"], asPayerAdmin)
        let csv = try #require(export["content"] as? String)
        #expect(csv.contains("\(payerID),\(try #require(batch["id"] as? String)),\(openID),USD,"), "\(csv)")
        #expect(csv.contains(",open,2.500000,0.000000,2.500000,1,,"), "\(csv)")
    }
}
