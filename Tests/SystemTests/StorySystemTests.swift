import Foundation
import Testing

/// The whole story on one machine: the five service executables as separate
/// processes over TLS with a throwaway database, driven only through the
/// `purser` CLI with `--json`, as an operator, a tenant admin, finance, an
/// agent and a provider would.
@Suite(.serialized) struct StorySystemTests {
    /// Runs `purser` and requires exit status 0 and a JSON object on stdout.
    func ok(_ deployment: Deployment, _ arguments: [String], as secret: String? = nil, extra: [String: String] = [:]) async throws -> [String: Any] {
        var environment = extra
        if let secret { environment["PURSER_SECRET"] = secret }
        let result = try await deployment.purser(arguments + ["--json"], environment)
        guard result.status == 0 else {
            throw StoryFailure(description: "\(result)\n\(deployment.logs())")
        }
        return try result.json()
    }

    /// `purser health --service <service> --json` once it reports SERVING,
    /// within 30 s. Under a whole suite's load a service's database ping can
    /// outlast its 2 s bound, and the service then says NOT_SERVING for a
    /// moment, as it should; the story asks that the CLI reports it serving.
    func servingHealth(_ deployment: Deployment, _ service: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            let result = try await deployment.purser(["health", "--service", service, "--json"])
            if result.status == 0 { return try result.json() }
            guard ContinuousClock.now < deadline else {
                throw StoryFailure(description: "\(service) not SERVING within 30 s: \(result)\n\(deployment.logs())")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Runs `purser` and requires exit status 1 (refused) with the error JSON on stdout.
    func refused(_ deployment: Deployment, _ arguments: [String], as secret: String) async throws -> [String: Any] {
        let result = try await deployment.purser(arguments + ["--json"], ["PURSER_SECRET": secret])
        guard result.status == 1, let error = try result.json()["error"] as? [String: Any] else {
            throw StoryFailure(description: "expected a refusal: \(result)")
        }
        #expect(!result.stderr.isEmpty, "the reason is printed on stderr")
        return error
    }

    struct StoryFailure: Error, CustomStringConvertible {
        let description: String
    }

    @Test func theStoryRunsEndToEndThroughTheCLI() async throws {
        let deployment = try await Deployment()
        do {
            try await story(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    func story(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        for service in Deployment.services {
            let health = try await servingHealth(deployment, service)
            #expect(health["serving"] as? Bool == true)
            #expect((health["services"] as? [[String: Any]])?.first?["status"] as? String == "SERVING")
        }

        // Bootstrap: mutual TLS with a certificate from the deployment CA, once.
        let profile = deployment.directory + "/profile"
        let bootstrap = try await ok(deployment, ["admin", "bootstrap", "--label", "story operator", "--write-profile", profile],
                                     extra: ["PURSER_CERT": deployment.certificates + "/cli.pem", "PURSER_KEY": deployment.certificates + "/cli.key"])
        let operatorSecret = try #require(bootstrap["secret"] as? String)
        #expect(operatorSecret.hasPrefix("purser_"))
        let again = try await deployment.purser(["admin", "bootstrap"],
                                                ["PURSER_CERT": deployment.certificates + "/cli.pem", "PURSER_KEY": deployment.certificates + "/cli.key"])
        #expect(again.status == 1 && again.stderr.contains("already_bootstrapped"), "\(again)")
        // The written profile carries the operator's credentials.
        let asOperator = ["PURSER_CONFIG": profile]
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()

        // Tenant, its finance and admin keys, a provider.
        let tenant = try await ok(deployment, ["admin", "tenants", "create", "--slug", "acme-\(suffix)", "--name", "Acme Research"], extra: asOperator)
        let tenantID = try #require(tenant["id"] as? String)
        let finance = try await ok(deployment, ["keys", "create", "--tenant", tenantID, "--role", "finance", "--label", "books"], extra: asOperator)
        let financeSecret = try #require(finance["secret"] as? String)
        let admin = try await ok(deployment, ["keys", "create", "--tenant", tenantID, "--role", "admin", "--label", "platform"], extra: asOperator)
        let adminSecret = try #require(admin["secret"] as? String)
        let provider = try await ok(deployment, ["admin", "providers", "register", "--slug", "search-\(suffix)", "--name", "Search API",
                                                 "--category", "search", "--categories", "news,gambling"], extra: asOperator)
        let providerID = try #require((provider["provider"] as? [String: Any])?["id"] as? String)
        let providerSecret = try #require(provider["secret"] as? String)

        // Fund the tenant, create the agent (secret and address), allocate credits.
        let funded = try await ok(deployment, ["wallet", "fund", "--amount", "100", "--reference", "wire-0001"], as: adminSecret)
        #expect(funded["treasury_balance"] as? String == "100")
        let created = try await ok(deployment, ["agents", "create", "--handle", "researcher", "--name", "Research bot"], as: adminSecret)
        let agentID = try #require((created["agent"] as? [String: Any])?["id"] as? String)
        let agentSecret = try #require(created["secret"] as? String)
        let address = try #require(created["email"] as? String)
        #expect(address.hasPrefix("researcher@"))
        let allocated = try await ok(deployment, ["wallet", "allocate", "--agent", "researcher", "--amount", "50"], as: adminSecret)
        #expect(allocated["agent_available"] as? String == "50")

        // Policy: per-call max 5, daily cap 8, gambling blocked; the agent's effective policy shows it.
        let policy = try await ok(deployment, ["policy", "set", "--per-call-max", "5", "--limit", "daily=8", "--block-category", "gambling"],
                                  as: adminSecret)
        #expect(policy["version"] as? Int == 1)
        let effective = try await ok(deployment, ["policy", "show", "--agent", "researcher"], as: adminSecret)
        #expect((effective["per_call_max"] as? [String: Any])?["amount"] as? String == "5")
        #expect(effective["blocked_categories"] as? [String] == ["gambling"])

        // The agent authorizes, the provider captures part; the agent charges in one step.
        let hold = try await ok(deployment, ["wallet", "authorize", "--amount", "3", "--provider", providerID, "--category", "search",
                                             "--task", "task-1"], as: agentSecret)
        let holdID = try #require(hold["hold_id"] as? String)
        let captured = try await ok(deployment, ["wallet", "capture", "--tenant", tenantID, "--hold", holdID, "--amount", "2.5"],
                                    as: providerSecret)
        #expect(captured["captured"] as? String == "2.5")
        let charged = try await ok(deployment, ["wallet", "charge", "--amount", "2", "--provider", providerID, "--category", "search"],
                                   as: agentSecret)
        #expect(charged["amount"] as? String == "2")

        // The agent gives the provider a payment token (at most 1, once), never its secret; the provider
        // charges 0.5 with it, and the single-use token does not pay again.
        let payToken = try await ok(deployment, ["wallet", "pay-token", "--provider", providerID, "--max", "1", "--single-use"],
                                    as: agentSecret)
        let token = try #require(payToken["token"] as? String)
        #expect(payToken["audience"] as? String == "provider:\(providerID)")
        let collected = try await ok(deployment, ["wallet", "charge-agent", "--token", token, "--amount", "0.5", "--category", "search"],
                                     as: providerSecret)
        #expect(collected["amount"] as? String == "0.5")
        let twice = try await refused(deployment, ["wallet", "charge-agent", "--token", token, "--amount", "0.5"], as: providerSecret)
        #expect(twice["reason"] as? String == "token_used", "\(twice)")

        // Over the daily cap (8): 2.5 captured + 2 + 0.5 charged leave 3, so a charge of 4.5 is refused with
        // limit_exceeded, the rule and exactly that headroom; a blocked category is refused too.
        let overCap = try await refused(deployment, ["wallet", "charge", "--amount", "4.5", "--provider", providerID,
                                                     "--category", "search"], as: agentSecret)
        #expect(overCap["reason"] as? String == "limit_exceeded")
        #expect(overCap["rule"] as? String != nil)
        #expect(overCap["headroom_micros"] as? Int == 3_000_000)
        let blocked = try await refused(deployment, ["wallet", "charge", "--amount", "1", "--provider", providerID,
                                                     "--category", "gambling"], as: agentSecret)
        #expect(blocked["reason"] as? String == "category_blocked")
        let unregistered = try await refused(deployment, ["wallet", "charge", "--amount", "1", "--provider", providerID,
                                                          "--category", "groceries"], as: agentSecret)
        #expect(unregistered["reason"] as? String == "category_not_registered")

        // The agent pays a helper agent of its tenant at once (category `agent`, within the daily cap);
        // the credits are on the helper's balance.
        let helper = try await ok(deployment, ["agents", "create", "--handle", "helper", "--name", "Helper bot"], as: adminSecret)
        let helperID = try #require((helper["agent"] as? [String: Any])?["id"] as? String)
        let paid = try await ok(deployment, ["wallet", "pay", "--to-agent", helperID, "--amount", "1"], as: agentSecret)
        #expect(paid["amount"] as? String == "1" && paid["payee_agent_id"] as? String == helperID, "\(paid)")
        let byHandle = try await ok(deployment, ["wallet", "pay", "--to-agent", "helper@acme-\(suffix)", "--amount", "1"], as: agentSecret)
        #expect(byHandle["payee_agent"] as? String == "helper@acme-\(suffix)", "\(byHandle)")
        let helperBalance = try await ok(deployment, ["wallet", "balance", "--agent", "helper"], as: adminSecret)
        #expect(helperBalance["balance"] as? String == "2", "\(helperBalance)")

        // Mail sent over SMTP to the agent's address appears in its inbox.
        let smtp = SMTPSender(port: deployment.smtpPort)
        let delivered = try smtp.send(from: "billing@vendor.example", to: address, subject: "Invoice 42", body: "Your invoice is attached.")
        #expect(delivered.code(for: "RCPT") == 250, "\(delivered.replies)")
        let inbox = try await ok(deployment, ["email", "inbox"], as: agentSecret)
        let messages = try #require(inbox["messages"] as? [[String: Any]])
        #expect(messages.contains { $0["subject"] as? String == "Invoice 42" })

        // Revoke: the next authorization and the next mail are refused at once.
        let revoked = try await ok(deployment, ["agents", "revoke", "--agent", agentID, "--reason", "compromised"], as: adminSecret)
        #expect((revoked["agent"] as? [String: Any])?["status"] as? String == "revoked")
        #expect((revoked["pending"] as? [Any])?.isEmpty == true, "every subscriber acknowledged before the call returned")
        let afterRevoke = try await refused(deployment, ["wallet", "authorize", "--amount", "1", "--provider", providerID], as: agentSecret)
        #expect(afterRevoke["reason"] as? String == "agent_revoked", "\(afterRevoke)")
        let refusedMail = try smtp.send(from: "billing@vendor.example", to: address, subject: "After revocation", body: "x")
        #expect(refusedMail.code(for: "RCPT") == 550, "\(refusedMail.replies)")

        // Settlement run; finance exports the statement; audit and reconcile are clean.
        let run = try await ok(deployment, ["settlement", "run"], extra: asOperator)
        #expect((run["batches"] as? [Any])?.isEmpty == false, "\(run)")
        let csvPath = deployment.directory + "/statement.csv"
        let export = try await ok(deployment, ["settlement", "export", "--kind", "statement", "--format", "csv", "--output", csvPath],
                                  as: financeSecret)
        #expect((export["bytes"] as? Int ?? 0) > 0)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(csv.contains(agentID) && csv.contains(providerID), "\(csv)")
        let audit = try await ok(deployment, ["wallet", "audit"], as: financeSecret)
        #expect(audit["clean"] as? Bool == true, "\(audit)")
        let reconcile = try await ok(deployment, ["settlement", "reconcile"], extra: asOperator)
        #expect(reconcile["balanced"] as? Bool == true, "\(reconcile)")
    }
}
