import PurserAPI

/// Typed calls to `purser.email.v1.EmailAlias`: agents' addresses and inboxes.
public struct EmailAPI: Sendable {
    public let channel: ServiceChannel

    /// Calls Email-alias over `channel`.
    public init(channel: ServiceChannel) { self.channel = channel }

    /// The agent's `<handle>@<domain>` address, created on first use (repeat-safe).
    public func primaryAddress(tenantID: String, agentID: String) async throws(PurserClientError) -> Alias {
        try await createAlias(CreateAliasRequest(tenantID: tenantID, agentID: agentID, kind: .primary))
    }

    /// Creates an alias (primary, custom local part, or random).
    public func createAlias(_ request: CreateAliasRequest, idempotencyKey: String? = nil) async throws(PurserClientError) -> Alias {
        try await channel.call(EmailAliasMethods.createAlias, request, idempotencyKey: idempotencyKey)
    }

    /// An agent's aliases, or every alias of the tenant (empty agent id, tenant admin).
    public func aliases(_ request: ListAliasesRequest) async throws(PurserClientError) -> ListAliasesResponse {
        try await channel.call(EmailAliasMethods.listAliases, request)
    }

    /// Refuses further mail to the alias (550).
    public func disableAlias(tenantID: String, aliasID: String) async throws(PurserClientError) -> Alias {
        try await channel.call(EmailAliasMethods.disableAlias, DisableAliasRequest(tenantID: tenantID, aliasID: aliasID))
    }

    /// Accepts mail to the alias again (not for a revoked agent).
    public func enableAlias(tenantID: String, aliasID: String) async throws(PurserClientError) -> Alias {
        try await channel.call(EmailAliasMethods.enableAlias, EnableAliasRequest(tenantID: tenantID, aliasID: aliasID))
    }

    /// The agent's messages, newest first, without bodies.
    public func messages(_ request: ListMessagesRequest) async throws(PurserClientError) -> ListMessagesResponse {
        try await channel.call(EmailAliasMethods.listMessages, request)
    }

    /// One message with headers, plain-text body and raw bytes.
    public func message(tenantID: String, messageID: String) async throws(PurserClientError) -> EmailMessage {
        try await channel.call(EmailAliasMethods.getMessage, GetMessageRequest(tenantID: tenantID, messageID: messageID))
    }

    /// Deletes one message.
    public func deleteMessage(tenantID: String, messageID: String) async throws(PurserClientError) {
        _ = try await channel.call(EmailAliasMethods.deleteMessage, DeleteMessageRequest(tenantID: tenantID, messageID: messageID))
    }
}

extension PurserClient {
    /// The Email-alias service.
    public func email() throws(PurserClientError) -> EmailAPI { EmailAPI(channel: try channel(.email)) }
}
