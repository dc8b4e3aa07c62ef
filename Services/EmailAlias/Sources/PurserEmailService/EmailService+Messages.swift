import PurserAPI
import PurserAuth
import PurserEmail
import PurserRPC
import PurserService

extension EmailService {
    /// Whether `principal` may read agent `agentID`'s mail in `tenantID`: the
    /// agent itself; its tenant's admin only where the tenant sets
    /// `admin_can_read_mail`. Other agents, other tenants' agents and unknown
    /// agents get NOT_FOUND (`not_found`), as in every other method.
    func requireMailAccess(_ principal: Principal, agentID: String, tenantID: String) async throws {
        try principal.requireAgent(agentID, inTenant: tenantID)
        if case .tenantAdmin = principal {
            guard try await directory.tenant(tenantID: tenantID).adminCanReadMail else {
                throw RPCError.adminMailAccessDisabled
            }
        }
        try await requireKnownAgent(agentID, tenantID: tenantID, principal: principal)
    }

    /// Passes when `agentID` is an agent of `tenantID` (revoked ones included);
    /// an agent caller's own id always is. Another tenant's agent or an unknown
    /// id answers NOT_FOUND (`not_found`), so a listing never answers an empty
    /// page for an id the other methods refuse.
    func requireKnownAgent(_ agentID: String, tenantID: String, principal: Principal) async throws {
        if case .agent(let tenant, let own) = principal, tenant == tenantID, own == agentID { return }
        _ = try await directory.agent(tenantID: tenantID, agentID: agentID)
    }

    /// ListMessages: newest first, summaries only, paged; `since_us` and
    /// `alias_id` narrow it. An agent reads its own; `agent_id` defaults to it.
    func listMessages(_ request: ListMessagesRequest, principal: Principal) async throws -> ListMessagesResponse {
        let tenantID = try EmailIDs.require(request.tenantID, field: "tenant_id")
        try principal.requireTenant(tenantID)
        let agentID: String
        if request.agentID.isEmpty, case .agent(_, let own) = principal {
            agentID = own
        } else {
            agentID = try EmailIDs.require(request.agentID, field: "agent_id")
        }
        try await requireMailAccess(principal, agentID: agentID, tenantID: tenantID)
        let sinceUs = try WireTime.validated(request.sinceUs, field: "since_us")
        let aliasID = request.aliasID.isEmpty ? nil : try EmailIDs.require(request.aliasID, field: "alias_id")
        let limit = try EmailPaging.size(request.pageSize)
        let cursor = try EmailPaging.position(request.pageToken)
        let (page, next) = try await messages.list(
            tenantID: tenantID, agentID: agentID, aliasID: aliasID, sinceUs: sinceUs, after: cursor, limit: limit)
        var response = ListMessagesResponse()
        response.messages = page
        response.nextPageToken = next?.text ?? ""
        return response
    }

    /// GetMessage: the whole message, headers parsed from the stored raw bytes.
    func getMessage(_ request: GetMessageRequest, principal: Principal) async throws -> EmailMessage {
        let (tenantID, messageID) = try await authorizeMessage(
            tenantID: request.tenantID, messageID: request.messageID, principal: principal)
        guard var message = try await messages.get(tenantID: tenantID, messageID: messageID) else {
            throw RPCError.notFound("message")
        }
        message.headers = MailMessage(parsing: message.raw).headers.map { MailHeaderField(name: $0.name, value: $0.value) }
        return message
    }

    /// DeleteMessage: removes the message for good; same access as GetMessage.
    func deleteMessage(_ request: DeleteMessageRequest, principal: Principal) async throws -> DeleteMessageResponse {
        let (tenantID, messageID) = try await authorizeMessage(
            tenantID: request.tenantID, messageID: request.messageID, principal: principal)
        guard let owner = try await messages.owner(tenantID: tenantID, messageID: messageID),
            try await messages.delete(tenantID: tenantID, agentID: owner, messageID: messageID)
        else { throw RPCError.notFound("message") }
        return DeleteMessageResponse()
    }

    /// Validated ids of a message the principal may read; NOT_FOUND when it
    /// does not exist or belongs to someone else.
    private func authorizeMessage(tenantID rawTenant: String, messageID rawMessage: String, principal: Principal)
        async throws -> (String, String)
    {
        let tenantID = try EmailIDs.require(rawTenant, field: "tenant_id")
        let messageID = try EmailIDs.require(rawMessage, field: "message_id")
        try principal.requireTenant(tenantID)
        if case .tenantAdmin = principal, try await !directory.tenant(tenantID: tenantID).adminCanReadMail {
            throw RPCError.adminMailAccessDisabled
        }
        guard let owner = try await messages.owner(tenantID: tenantID, messageID: messageID) else {
            throw RPCError.notFound("message")
        }
        do {
            try principal.requireAgent(owner, inTenant: tenantID)
        } catch {
            throw RPCError.notFound("message")
        }
        return (tenantID, messageID)
    }
}
