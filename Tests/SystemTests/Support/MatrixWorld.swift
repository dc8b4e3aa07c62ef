import Foundation
import PurserAPI
import PurserKit
import PurserPostgres
import PurserTestSupport
import PurserRPC

/// The world the authorization matrix runs in, made through the RPC API:
/// tenant `acme` (admin, finance, agents A and B, a suspended and a revoked
/// agent, a victim agent and API key, funds, a spare alias, mail, a settled
/// batch), tenant `beta` (admin and a funded agent), a payee provider and
/// another provider; every principal holds its credential.
struct MatrixWorld: Sendable {
    var suffix = String(UUID().uuidString.prefix(8)).lowercased()
    var acmeID = ""
    var acmeSlug = ""
    let acmeName = "Acme Matrix Laboratories"
    var ownerAgentID = ""
    var ownerHandle = ""
    /// Agent B, the payee of the agent-payee holds.
    var neighbourAgentID = ""
    /// A sub-agent of agent A (its child), whose policy A manages.
    var childAgentID = ""
    let ownerDisplayName = "Matrix owner bot"
    var ownerAddress = ""
    var spareAliasID = ""
    var spareAliasAddress = ""
    var messageID = ""
    var mailSubject = ""
    var victimAgentID = ""
    var revokedAgentID = ""
    var victimKeyID = ""
    var payeeID = ""
    /// Acme's webhook endpoint, its delivery log's one delivery, and an endpoint the admin deletes.
    var webhookEndpointID = ""
    var webhookDeliveryID = ""
    var victimWebhookEndpointID = ""
    var batchID = ""
    /// Allocated to agent A: a figure no outsider's answer may carry.
    let ownerAllocation: Int64 = 401_234_567
    let category = "search"
    /// Today (UTC), the period settlement reads (earlier days are settled by the schedule).
    let period: Period = {
        let day: Int64 = 86_400_000_000
        let today = Int64(Date().timeIntervalSince1970 * 1_000_000) / day * day
        return Period(startAtUs: today, endAtUs: today + day)
    }()

    /// Builds the world; every step must succeed.
    static func make(_ fixture: MatrixFixture) async throws -> MatrixWorld {
        var world = MatrixWorld()
        let suffix = world.suffix
        let bootstrap = try await fixture.invoke(IdentityMethods.bootstrap, BootstrapRequest(label: "matrix operator"), as: .clientCertificate)
        try await fixture.login(.operator, secret: bootstrap.secret)

        let acme = try await fixture.invoke(
            IdentityMethods.createTenant,
            CreateTenantRequest(slug: "acme-\(suffix)", name: world.acmeName, adminCanReadMail: true), as: .operator)
        world.acmeID = acme.id
        world.acmeSlug = acme.slug
        let beta = try await fixture.invoke(
            IdentityMethods.createTenant, CreateTenantRequest(slug: "beta-\(suffix)", name: "Beta Matrix"), as: .operator)
        func key(_ tenant: String, _ role: ApiKeyRole) async throws -> CreateApiKeyResponse {
            try await fixture.invoke(IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant, role: role), as: .operator)
        }
        let adminSecret = try await key(acme.id, .admin).secret
        try await fixture.login(.acmeAdmin, secret: adminSecret)
        try await fixture.login(.expiredToken, secret: adminSecret, refreshable: false)
        try await fixture.login(.acmeFinance, secret: try await key(acme.id, .finance).secret)
        try await fixture.login(.otherTenantAdmin, secret: try await key(beta.id, .admin).secret)
        world.victimKeyID = try await key(acme.id, .finance).key.id
        try await fixture.login(.wrongAudience, secret: try await key(acme.id, .admin).secret, audience: "another-api")

        let payee = try await fixture.invoke(
            IdentityMethods.registerProvider,
            RegisterProviderRequest(slug: "payee-\(suffix)", name: "Payee Search", defaultCategory: world.category), as: .operator)
        world.payeeID = payee.provider.id
        try await fixture.login(.payeeProvider, secret: payee.secret)
        let other = try await fixture.invoke(
            IdentityMethods.registerProvider,
            RegisterProviderRequest(slug: "other-\(suffix)", name: "Other Search", defaultCategory: world.category), as: .operator)
        try await fixture.login(.otherProvider, secret: other.secret)

        func agent(_ tenant: String, _ handle: String, as admin: MatrixPrincipal) async throws -> CreateAgentResponse {
            try await fixture.invoke(
                IdentityMethods.createAgent,
                CreateAgentRequest(tenantID: tenant, handle: handle, displayName: handle == world.ownerHandle ? world.ownerDisplayName : handle),
                as: admin)
        }
        world.ownerHandle = "owner-\(suffix)"
        let owner = try await agent(acme.id, world.ownerHandle, as: .acmeAdmin)
        world.ownerAgentID = owner.agent.id
        try await fixture.login(.ownerAgent, secret: owner.secret)
        let payment = try await fixture.invoke(
            IdentityMethods.issuePaymentToken,
            IssuePaymentTokenRequest(providerID: payee.provider.id, maxAmountMicros: 100_000_000), as: .ownerAgent)
        fixture.hold(.paymentToken, token: payment.token)
        let neighbour = try await agent(acme.id, "neighbour-\(suffix)", as: .acmeAdmin)
        try await fixture.login(.otherAgent, secret: neighbour.secret)
        world.neighbourAgentID = neighbour.agent.id
        let suspended = try await agent(acme.id, "suspended-\(suffix)", as: .acmeAdmin)
        // The agents the matrix suspends and revokes are sub-agents of A: A acts on them as their parent.
        func subAgent(_ handle: String) async throws -> CreateSubAgentResponse {
            try await fixture.invoke(IdentityMethods.createSubAgent, with(CreateSubAgentRequest()) {
                $0.tenantID = acme.id; $0.parentAgentID = owner.agent.id; $0.handle = handle
            }, as: .acmeAdmin)
        }
        let revoked = try await subAgent("revoked-\(suffix)")
        world.revokedAgentID = revoked.agent.id
        world.victimAgentID = try await subAgent("victim-\(suffix)").agent.id
        world.childAgentID = try await subAgent("child-\(suffix)").agent.id
        let outsider = try await agent(beta.id, "outsider-\(suffix)", as: .otherTenantAdmin)
        try await fixture.login(.otherTenantAgent, secret: outsider.secret)

        // Webhooks: an endpoint with one delivery in its log (written as the delivery loop would), and one to delete.
        let hook = try await fixture.invoke(
            IdentityMethods.createWebhookEndpoint,
            CreateWebhookEndpointRequest(tenantID: acme.id, url: "https://203.0.113.10/matrix-\(suffix)", description: "Matrix hooks"),
            as: .acmeAdmin)
        world.webhookEndpointID = hook.endpoint.id
        world.webhookDeliveryID = try await world.webhookDelivery(endpointID: hook.endpoint.id, fixture)
        world.victimWebhookEndpointID = try await fixture.invoke(
            IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(tenantID: acme.id, url: "https://203.0.113.10/victim"),
            as: .acmeAdmin).endpoint.id

        // Money: acme's treasury funds A, B and the suspended agent; beta funds its own agent.
        try await fixture.invoke(WalletMethods.fund, with(FundRequest()) {
            $0.tenantID = acme.id; $0.amountMicros = 2_000_000_000; $0.externalReference = "matrix-\(suffix)"
        }, as: .acmeAdmin)
        for (agentID, amount) in [(owner.agent.id, world.ownerAllocation), (neighbour.agent.id, 50_000_000), (suspended.agent.id, 50_000_000)] {
            try await fixture.invoke(WalletMethods.allocate, with(AllocateRequest()) {
                $0.agentID = agentID; $0.amountMicros = amount
            }, as: .acmeAdmin)
        }
        try await fixture.invoke(WalletMethods.fund, with(FundRequest()) {
            $0.tenantID = beta.id; $0.amountMicros = 100_000_000; $0.externalReference = "matrix-beta-\(suffix)"
        }, as: .otherTenantAdmin)
        try await fixture.invoke(WalletMethods.allocate, with(AllocateRequest()) {
            $0.agentID = outsider.agent.id; $0.amountMicros = 50_000_000
        }, as: .otherTenantAdmin)

        // Mail: A's primary address, a spare alias, one message received over SMTP.
        let aliases = try await fixture.invoke(
            EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: acme.id, agentID: owner.agent.id), as: .ownerAgent)
        world.ownerAddress = try aliases.aliases.first { $0.kind == .primary }.map(\.address)
            ?? { throw MatrixFixture.Failure(description: "agent A has no primary alias: \(aliases.aliases)") }()
        let spare = try await fixture.invoke(
            EmailAliasMethods.createAlias,
            CreateAliasRequest(tenantID: acme.id, agentID: owner.agent.id, kind: .custom, localPart: "spare-\(suffix)"), as: .ownerAgent)
        world.spareAliasID = spare.id
        world.spareAliasAddress = spare.address
        world.mailSubject = "Matrix invoice \(suffix)"
        world.messageID = try await world.deliver(subject: world.mailSubject, fixture)

        // A settled batch: a capture payable to the payee, settled for the period.
        _ = try await world.capturedHold(fixture)
        world.batchID = try await world.settledBatch(fixture)

        // The suspended and revoked agents hold tokens obtained before the change.
        try await fixture.login(.suspendedAgent, secret: suspended.secret, refreshable: false)
        try await fixture.invoke(
            IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: acme.id, agentID: suspended.agent.id), as: .acmeAdmin)
        try await fixture.login(.revokedAgent, secret: revoked.secret, refreshable: false)
        try await fixture.invoke(
            IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.id, agentID: revoked.agent.id, reason: "matrix"), as: .acmeAdmin)
        try await world.awaitRevocationEverywhere(fixture)
        return world
    }

    // MARK: Fresh resources, one per call that consumes one

    /// A new open hold of agent A, payable to the payee.
    func openHold(_ fixture: MatrixFixture) async throws -> String {
        try await fixture.invoke(WalletMethods.authorize, with(AuthorizeRequest()) {
            $0.amountMicros = 1_000_000; $0.providerID = payeeID; $0.category = category; $0.taskID = "matrix-\(UUID().uuidString)"
        }, as: .ownerAgent).holdID
    }

    /// A new open hold of agent A, payable to agent B of its tenant.
    func agentPayeeHold(_ fixture: MatrixFixture) async throws -> String {
        try await fixture.invoke(WalletMethods.authorize, with(AuthorizeRequest()) {
            $0.amountMicros = 100_000; $0.payeeAgentID = neighbourAgentID; $0.taskID = "matrix-\(UUID().uuidString)"
        }, as: .ownerAgent).holdID
    }

    /// A new hold of agent A, captured in full by the payee.
    func capturedHold(_ fixture: MatrixFixture) async throws -> String {
        let hold = try await openHold(fixture)
        try await fixture.invoke(WalletMethods.capture, with(CaptureRequest()) { $0.tenantID = acmeID; $0.holdID = hold }, as: .payeeProvider)
        return hold
    }

    /// Sends a message to A's primary address over SMTP and returns its id once A can list it.
    func deliver(subject: String, _ fixture: MatrixFixture) async throws -> String {
        let transcript = try SMTPSender(port: fixture.smtpPort).send(
            from: "billing@vendor.example", to: ownerAddress, subject: subject, body: "Amount due: see attachment.")
        guard transcript.code(for: "RCPT") == 250 else { throw MatrixFixture.Failure(description: "SMTP refused the message: \(transcript.replies)") }
        for _ in 0..<100 {
            let inbox = try await fixture.invoke(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: acmeID, agentID: ownerAgentID), as: .ownerAgent)
            if let message = inbox.messages.first(where: { $0.subject == subject }) { return message.id }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MatrixFixture.Failure(description: "message \(subject) never reached A's inbox")
    }

    /// Runs settlement for the period until acme's batch with the payee exists; returns its id.
    func settledBatch(_ fixture: MatrixFixture) async throws -> String {
        for _ in 0..<100 {
            let run = try await fixture.invoke(SettlementMethods.runSettlement, RunSettlementRequest(period: period), as: .operator)
            if let batch = run.batches.first(where: { $0.tenantID == acmeID && $0.providerID == payeeID }) { return batch.id }
            // Until the batch exists, listing by this counterparty answers NOT_FOUND, like every foreign id.
            let listed = try? await fixture.invoke(
                SettlementMethods.listBatches, ListBatchesRequest(tenantID: acmeID, providerID: payeeID), as: .operator)
            if let batch = listed?.batches.first { return batch.id }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw MatrixFixture.Failure(description: "settlement never produced a batch for acme and the payee")
    }

    /// An event about agent A and its delivery to acme's endpoint, failed after one attempt, inserted
    /// into Identity's tables as its delivery loop writes them; returns the delivery id.
    func webhookDelivery(endpointID: String, _ fixture: MatrixFixture) async throws -> String {
        let deliveryID = UUID().uuidString.lowercased()
        let pool = PostgresPool(
            configuration: TestDatabase.configuration(url: fixture.databaseURL, size: 1, applicationName: "purser-matrix"),
            logger: Logger(label: "authorization-matrix", level: .critical))
        do {
            try await pool.withConnection { connection in
                _ = try connection.query(
                    """
                    WITH event AS (
                        INSERT INTO identity.events (tenant_id, event_id, type, agent_id, source, occurred_at, data)
                        VALUES ($1, gen_random_uuid(), 'agent.balance_low', $3, 'wallet', now(), '{}') RETURNING event_id, seq
                    ), delivery AS (
                        INSERT INTO identity.webhook_deliveries
                            (tenant_id, delivery_id, endpoint_id, event_id, seq, event_type, agent_id, status, attempt_count)
                        SELECT $1, $4, $2, event_id, seq, 'agent.balance_low', $3, 'failed', 1 FROM event RETURNING delivery_id
                    )
                    INSERT INTO identity.webhook_attempts (tenant_id, delivery_id, attempt, http_status, latency_us)
                    SELECT $1, delivery_id, 1, 500, 1000 FROM delivery
                    """, [acmeID, endpointID, ownerAgentID, deliveryID])
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        return deliveryID
    }

    /// Waits until every service refuses the revoked agent's token (they learn revocations by push or poll).
    func awaitRevocationEverywhere(_ fixture: MatrixFixture) async throws {
        let probes = [
            IdentityMethods.getAgent.fullName, WalletMethods.getBalance.fullName, PolicyMethods.getEffectivePolicy.fullName,
            SettlementMethods.getTenantStatement.fullName, EmailAliasMethods.listAliases.fullName,
        ]
        for probe in probes {
            var answer = await fixture.call(probe, [], as: .revokedAgent)
            for _ in 0..<150 where answer.reason != "subject_revoked" {
                try await Task.sleep(for: .milliseconds(100))
                answer = await fixture.call(probe, [], as: .revokedAgent)
            }
            guard answer.reason == "subject_revoked" else {
                throw MatrixFixture.Failure(description: "\(probe) still accepts the revoked agent's token: \(answer.code.name) \(answer.reason ?? "")")
            }
        }
    }
}

/// `value` changed by `change`, for building messages field by field.
func with<Value>(_ value: Value, _ change: (inout Value) -> Void) -> Value {
    var copy = value
    change(&copy)
    return copy
}
