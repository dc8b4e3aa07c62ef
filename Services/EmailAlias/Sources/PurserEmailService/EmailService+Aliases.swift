import PurserAPI
import PurserAuth
import PurserKit
import PurserRPC
import PurserService

extension EmailService {
    /// CreateAlias: the agent itself, its tenant's admin or the identity service. PRIMARY
    /// (or UNSPECIFIED without local part) is idempotent: it returns the
    /// agent's existing primary alias. Revoked agents get `agent_revoked`,
    /// taken addresses `address_taken`.
    func createAlias(_ request: CreateAliasRequest, principal: Principal) async throws -> Alias {
        let tenantID = try EmailIDs.require(request.tenantID, field: "tenant_id")
        let agentID = try EmailIDs.require(request.agentID, field: "agent_id")
        try principal.requireAgent(agentID, inTenant: tenantID)
        var kind = request.kind
        if kind == .unspecified { kind = request.localPart.isEmpty ? .primary : .custom }
        switch kind {
        case .primary:
            guard request.localPart.isEmpty else { throw RPCError.invalidArgument("local_part must be empty for a primary alias") }
            return try await ensurePrimary(tenantID: tenantID, agentID: agentID)
        case .custom:
            let localPart = request.localPart.lowercased()
            guard AliasAddress.isValidLocalPart(localPart) else {
                throw RPCError.invalidArgument(
                    "local_part must match [a-z0-9][a-z0-9._+-]{0,63} without leading, trailing or doubled dots",
                    reason: "local_part_invalid")
            }
            let (agent, domain) = try await agentAndDomain(tenantID: tenantID, agentID: agentID)
            guard let address = AliasAddress.make(localPart: localPart, domain: domain) else {
                throw RPCError.invalidArgument("local_part does not form a valid address", reason: "local_part_invalid")
            }
            return try await aliases.create(tenantID: tenantID, agentID: agent.agentID, kind: .custom, candidates: [address])
        case .random:
            guard request.localPart.isEmpty else { throw RPCError.invalidArgument("local_part must be empty for a random alias") }
            let (agent, domain) = try await agentAndDomain(tenantID: tenantID, agentID: agentID)
            var generator = SystemRandomNumberGenerator()
            let candidates = (0..<3).compactMap { _ in
                AliasAddress.make(localPart: AliasAddress.randomLocalPart(using: &generator), domain: domain)
            }
            return try await aliases.create(tenantID: tenantID, agentID: agent.agentID, kind: .random, candidates: candidates)
        default:
            throw RPCError.invalidArgument("kind must be PRIMARY, CUSTOM or RANDOM")
        }
    }

    /// The agent's primary alias, created on first use: `<handle>@<domain>`,
    /// or `<handle>.<tenant slug>@<domain>` when another tenant sharing the
    /// default domain already has the first form.
    func ensurePrimary(tenantID: String, agentID: String) async throws -> Alias {
        if let existing = try await aliases.primary(tenantID: tenantID, agentID: agentID) { return existing }
        let (agent, domain) = try await agentAndDomain(tenantID: tenantID, agentID: agentID)
        let tenant = try await directory.tenant(tenantID: tenantID)
        var candidates = [AliasAddress.make(localPart: agent.handle, domain: domain)]
        if tenant.emailDomain.isEmpty {
            candidates.append(AliasAddress.make(localPart: agent.handle + "." + tenant.slug, domain: domain))
        }
        let valid = candidates.compactMap { $0 }
        guard !valid.isEmpty else {
            throw RPCError(.failedPrecondition, "the agent's handle cannot form an address", reason: "handle_unusable")
        }
        return try await aliases.create(tenantID: tenantID, agentID: agentID, kind: .primary, candidates: valid)
    }

    /// The agent from the directory and the domain of its addresses; a revoked
    /// agent is recorded as such (its aliases disabled) and refused.
    func agentAndDomain(tenantID: String, agentID: String) async throws -> (AgentInfo, String) {
        let agent = try await directory.agent(tenantID: tenantID, agentID: agentID)
        if agent.revoked {
            _ = try await aliases.disableAgent(tenantID: tenantID, agentID: agentID, reason: "revoked", revokedAtUs: 0)
            throw RPCError.agentRevoked
        }
        let tenant = try await directory.tenant(tenantID: tenantID)
        return (agent, tenant.emailDomain.isEmpty ? settings.defaultDomain : tenant.emailDomain)
    }

    /// ListAliases: one agent's aliases (the agent itself, its admin, or the
    /// identity service), its primary alias created on the first page; or,
    /// with an empty `agent_id`, every alias of the tenant (tenant admin or
    /// the identity service). Another tenant's or an unknown agent is NOT_FOUND
    /// on every page.
    func listAliases(_ request: ListAliasesRequest, principal: Principal) async throws -> ListAliasesResponse {
        let tenantID = try EmailIDs.require(request.tenantID, field: "tenant_id")
        try principal.requireTenant(tenantID)
        var agentID: String?
        if !request.agentID.isEmpty {
            agentID = try EmailIDs.require(request.agentID, field: "agent_id")
        } else if case .agent(_, let own) = principal {
            agentID = own
        }
        if let agentID {
            try principal.requireAgent(agentID, inTenant: tenantID)
            try await requireKnownAgent(agentID, tenantID: tenantID, principal: principal)
        }
        let limit = try EmailPaging.size(request.pageSize)
        let cursor = try EmailPaging.position(request.pageToken)
        if let agentID, cursor == nil {
            do {
                _ = try await ensurePrimary(tenantID: tenantID, agentID: agentID)
            } catch let error as RPCError where error == .agentRevoked {
                // A revoked agent keeps its (disabled) aliases listed and gets no new one.
            }
        }
        let (page, next) = try await aliases.list(tenantID: tenantID, agentID: agentID, after: cursor, limit: limit)
        var response = ListAliasesResponse()
        response.aliases = page
        response.nextPageToken = next?.text ?? ""
        return response
    }

    /// DisableAlias / EnableAlias: the owning agent or its tenant's admin.
    /// Another agent's or tenant's alias is NOT_FOUND; enabling an alias of a
    /// revoked agent is `agent_revoked`. Idempotent.
    func setAlias(tenantID rawTenant: String, aliasID rawAlias: String, enabled: Bool, principal: Principal) async throws -> Alias {
        let tenantID = try EmailIDs.require(rawTenant, field: "tenant_id")
        let aliasID = try EmailIDs.require(rawAlias, field: "alias_id")
        try principal.requireTenant(tenantID)
        guard let alias = try await aliases.get(tenantID: tenantID, aliasID: aliasID) else { throw RPCError.notFound("alias") }
        do {
            try principal.requireAgent(alias.agentID, inTenant: tenantID)
        } catch {
            throw RPCError.notFound("alias")
        }
        guard let updated = try await aliases.setEnabled(
            tenantID: tenantID, agentID: alias.agentID, aliasID: aliasID, enabled: enabled)
        else { throw RPCError.notFound("alias") }
        return updated
    }

    /// DisableAgent: Identity's revocation notice (service `identity` only).
    /// Disables every alias of the agent and refuses its future aliases, in
    /// one transaction; repeats are no-ops.
    func disableAgent(_ notice: AgentRevocationNotice, logger: Logger) async throws -> DisableAgentResponse {
        let tenantID = try EmailIDs.require(notice.tenantID, field: "tenant_id")
        let agentID = try EmailIDs.require(notice.agentID, field: "agent_id")
        let disabled = try await aliases.disableAgent(
            tenantID: tenantID, agentID: agentID, reason: notice.reason, revokedAtUs: notice.revokedAtUs)
        logger.info("agent aliases disabled", ["tenant_id": tenantID, "agent_id": agentID, "aliases": "\(disabled)"])
        return DisableAgentResponse(disabledAliases: Int32(clamping: disabled))
    }
}
