import Foundation
import PurserAPI
import PurserEmailService
import PurserRPC
import PurserServiceHarness

/// Runs `body` against a fresh system (its Email-alias settings changed by `adjust`) and always shuts it down.
func withSystem<T>(
    _ label: String, maxConnections: Int = 200, commandTimeout: Duration = EmailSystem.smtpCommandTimeout,
    adjust: (inout EmailSettings) -> Void = { _ in }, _ body: (EmailSystem) async throws -> T
) async throws -> T {
    try await withStarted(
        {
            try await EmailSystem.start(
                label: label, maxConnections: maxConnections, commandTimeout: commandTimeout, adjust: adjust)
        },
        stop: { await $0.shutdown() }, body)
}

/// A tenant with an admin and one agent whose primary address exists.
struct Mailbox {
    let tenant: Tenant
    let adminToken: String
    let agent: Agent
    let agentToken: String
    let primary: Alias
}

extension EmailSystem {
    /// Creates tenant `slug` and agent `handle`, and asks for the agent's address as the agent.
    func mailbox(slug: String, handle: String = "bot", emailDomain: String = "", adminCanReadMail: Bool = false)
        async throws -> Mailbox
    {
        let (tenant, adminToken) = try await createTenant(slug: slug, emailDomain: emailDomain, adminCanReadMail: adminCanReadMail)
        let (agent, agentToken) = try await createAgent(tenantID: tenant.id, handle: handle, adminToken: adminToken)
        let primary = try await call(
            EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: tenant.id, agentID: agent.id), token: agentToken)
        return Mailbox(tenant: tenant, adminToken: adminToken, agent: agent, agentToken: agentToken, primary: primary)
    }

    /// The agent's messages (newest first), as the agent.
    func inbox(_ mailbox: Mailbox) async throws -> [EmailMessage] {
        try await call(
            EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: mailbox.tenant.id), token: mailbox.agentToken
        ).messages
    }

    /// Polls the inbox until it holds `count` messages (deliveries commit before 250, so this rarely waits).
    func waitForInbox(_ mailbox: Mailbox, count: Int) async throws -> [EmailMessage] {
        for _ in 0..<50 {
            let messages = try await inbox(mailbox)
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await inbox(mailbox)
    }
}

/// The status and reason of a failed call, or nil when it succeeded.
func failure(_ body: () async throws -> Void) async -> (StatusCode, String?)? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return (error.code, error.reason)
    } catch {
        return (.unknown, "\(error)")
    }
}
